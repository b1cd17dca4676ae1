from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.guard import IDENTITY_MAX, SignInThrottled
from drako.api_errors import error_responses


class TokenObtainApi(APIView):
    """Exchanges a username (or email) and password for a new API token (shown only here)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="TokenObtainInput")
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=IDENTITY_MAX)
        password = serializers.CharField(max_length=512, trim_whitespace=False)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("TokenOut", {"token": serializers.CharField()}),
            **error_responses(429),
        },
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            # The same guard as every other door (accounts/guard.py), inside authenticate().
            user = authenticate(request, **serializer.validated_data)
        except SignInThrottled as refusal:
            return Response(
                {"detail": refusal.messages[0]},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(refusal.retry_after)},
            )
        if user is None:
            return Response(
                {"detail": "Wrong username or password."}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response({"token": services.user_token_create(user=user)})
