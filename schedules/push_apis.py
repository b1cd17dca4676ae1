"""The browsers that get the user's reminders by Web Push: list, subscribe, unsubscribe."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from drako.apis import UserApi
from drako.webpush import ENDPOINT_MAX
from schedules import push
from schedules.models import PushSubscription


class PushSubscriptionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = PushSubscription
        fields = ("id", "endpoint", "created_at")


class PushSubscriptionListCreateApi(UserApi):
    """The user's subscribed browsers; subscribe one (the browser's PushSubscription JSON)."""

    @extend_schema_serializer(component_name="PushSubscriptionInput")
    class InputSerializer(serializers.Serializer):
        class KeysSerializer(serializers.Serializer):
            p256dh = serializers.CharField(max_length=200)
            auth = serializers.CharField(max_length=100)

        endpoint = serializers.CharField(max_length=ENDPOINT_MAX)
        keys = KeysSerializer()

    @extend_schema(responses={200: PushSubscriptionOutputSerializer(many=True)})
    def get(self, request):
        found = push.push_subscription_list_for_user(user=request.user)
        return Response(PushSubscriptionOutputSerializer(found, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: PushSubscriptionOutputSerializer})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subscription = push.push_subscription_save(
            user=request.user, endpoint=data["endpoint"], **data["keys"]
        )
        body = PushSubscriptionOutputSerializer(subscription).data
        return Response(body, status=status.HTTP_201_CREATED)


class PushSubscriptionDetailApi(UserApi):
    """One subscribed browser: forget it."""

    @extend_schema(responses={204: None})
    def delete(self, request, subscription_id: int):
        subscription = push.push_subscription_get_for_user(
            user=request.user, subscription_id=subscription_id
        )
        push.push_subscription_delete(subscription=subscription)
        return Response(status=status.HTTP_204_NO_CONTENT)
