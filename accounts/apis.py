from django.conf import settings
from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from drako import ratelimit
from drako.api_errors import error_responses


class TokenObtainApi(APIView):
    """Exchanges a username and password for the user's API token."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="TokenObtainInput")
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
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
        # The same counters as the sign-in page: per address, and per account name so that
        # guessing one account's password from many addresses is locked out too.
        username = serializer.validated_data["username"].strip().lower()[:150]
        keys = [("login-ip", ratelimit.client_address(request)), ("login-user", username)]
        if any(
            ratelimit.is_limited(scope=scope, key=key, limit=settings.LOGIN_RATE_LIMIT)
            for scope, key in keys
        ):
            return Response(
                {"detail": "Too many failed sign-ins. Wait 15 minutes and try again."},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        user = authenticate(request, **serializer.validated_data)
        if user is None:
            for scope, key in keys:
                ratelimit.hit(
                    scope=scope,
                    key=key,
                    limit=settings.LOGIN_RATE_LIMIT,
                    window_seconds=settings.RATE_LIMIT_WINDOW_SECONDS,
                )
            return Response(
                {"detail": "Wrong username or password."}, status=status.HTTP_400_BAD_REQUEST
            )
        ratelimit.reset(scope="login-user", key=username)
        return Response({"token": services.user_token_get(user=user).key})
