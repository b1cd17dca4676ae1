import logging

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from conversations import inbound, selectors, services, webhooks
from conversations.assistant import answers
from conversations.assistant.calls import (
    PAGE_ACTIONS,
    Arguments,
    ToolRequest,
    arguments_parse,
    page_decision_execute,
    tool_call_execute,
)
from conversations.errors import InboundRefused
from conversations.models import Conversation, ToolCall
from drako.api_errors import error_responses, json_problem
from drako.apis import UserApi

request_logger = logging.getLogger("django.request")


class ConversationOutputSerializer(serializers.ModelSerializer):
    persona = serializers.CharField(source="persona.name", default=None, read_only=True)
    duration_seconds = serializers.IntegerField(read_only=True, allow_null=True)
    shutdown_reason_text = serializers.SerializerMethodField()
    meeting_token = serializers.SerializerMethodField(
        help_text="JWT for joining the private room (daily-js join({url, token})): only in the "
        "start answer, while the call is live; null everywhere else."
    )

    class Meta:
        model = Conversation
        fields = (
            "id",
            "tavus_conversation_id",
            "conversation_url",
            "status",
            "persona",
            "test_mode",
            "writes_need_confirmation",
            "created_at",
            "started_at",
            "joined_at",
            "ended_at",
            "duration_seconds",
            "shutdown_reason",
            "shutdown_reason_text",
            "failure_reason",
            "meeting_token",
        )

    def get_meeting_token(self, conversation) -> str | None:
        if not (self.context.get("joining") and conversation.is_live):
            return None
        return conversation.meeting_token or None

    def get_shutdown_reason_text(self, conversation) -> str:
        if not conversation.shutdown_reason:
            return ""
        return webhooks.shutdown_reason_text(conversation.shutdown_reason)


class ConversationDetailOutputSerializer(ConversationOutputSerializer):
    class Meta(ConversationOutputSerializer.Meta):
        fields = (*ConversationOutputSerializer.Meta.fields, "transcript", "recording")


class ConversationListStartApi(UserApi):
    """The user's conversations; start one (or get back the one that is live)."""

    @extend_schema_serializer(component_name="ConversationStartInput")
    class InputSerializer(serializers.Serializer):
        persona = serializers.IntegerField(required=False, min_value=1)
        greet = serializers.ChoiceField(
            choices=["today"],
            required=False,
            help_text="'today': the persona opens with the user's plan for today.",
        )

    @extend_schema(responses={200: ConversationOutputSerializer(many=True)})
    def get(self, request):
        conversations = selectors.conversation_list_for_user(user=request.user)[:100]
        return Response(ConversationOutputSerializer(conversations, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: ConversationOutputSerializer,
            200: ConversationOutputSerializer,
            **error_responses(404, 429, 502, 503),
        },
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.conversation_start_for_user(
            user=request.user,
            persona_id=serializer.validated_data.get("persona"),
            greet_today=serializer.validated_data.get("greet") == "today",
        )
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        joining = ConversationOutputSerializer(result.conversation, context={"joining": True})
        return Response(joining.data, status=code)


class ConversationDetailApi(UserApi):
    """One of the user's conversations, with its transcript."""

    @extend_schema(responses={200: ConversationDetailOutputSerializer})
    def get(self, request, conversation_id: int):
        conversation = selectors.conversation_get_for_user(
            user=request.user, conversation_id=conversation_id
        )
        return Response(ConversationDetailOutputSerializer(conversation).data)


class ConversationEndApi(UserApi):
    """Ends the conversation here and at Tavus; ending it again changes nothing."""

    @extend_schema(
        request=None,
        responses={200: ConversationOutputSerializer, **error_responses(429, 502, 503)},
    )
    def post(self, request, conversation_id: int):
        conversation = selectors.conversation_get_for_user(
            user=request.user, conversation_id=conversation_id
        )
        conversation = services.conversation_end(conversation=conversation)
        return Response(ConversationOutputSerializer(conversation).data)


class TavusCallbackApi(APIView):
    """Tavus conversation webhooks; the secret in the URL is the authentication."""

    # The class describes the endpoint (the OpenAPI schema reads it) and gives DRF's answers to
    # other methods; a POST is served by `_callback_post` without DRF's request, negotiation
    # and response machinery, which cost a webhook more CPU than verifying and storing it did
    # (issue 19). Its answers are the ones DRF gave, byte for byte (tests/conversations).

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = []  # the raw body is read as it came

    @classmethod
    def as_view(cls, **initkwargs):
        drf_view = super().as_view(**initkwargs)

        def view(request, *args, **kwargs):
            if request.method == "POST":
                return _callback_post(request, **kwargs)
            return drf_view(request, *args, **kwargs)

        view.cls, view.initkwargs = cls, initkwargs  # what drf-spectacular documents
        return csrf_exempt(view)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400:
            _log_refusal(response)
        return response

    @extend_schema(
        request={"application/json": {"type": "object"}},
        responses={
            200: inline_serializer(
                "WebhookReceived",
                {
                    "status": serializers.CharField(),
                    "event_type": serializers.CharField(),
                    "duplicate": serializers.BooleanField(),
                },
            ),
            **error_responses(400, 403, 404, 413),
        },
        auth=[],
    )
    def post(self, request, token: str):
        return _callback_post(request, token=token)  # as_view routes a POST there directly


def _callback_post(request, token: str) -> HttpResponse:
    try:
        result = inbound.webhook_receive(token=token, body=request.body)
    except InboundRefused as refusal:
        response = _json_response(refusal.body(), status=refusal.status)
        _log_refusal(response)
        return response
    return _json_response(
        {"status": "success", "event_type": result.event_type, "duplicate": result.duplicate}
    )


def _json_response(data: dict, status: int = 200) -> HttpResponse:
    """The answer the DRF view gave: its renderer's bytes, with its Allow."""
    body = JSONRenderer().render(data)
    response = HttpResponse(body, status=status, content_type="application/json")
    response["Allow"] = "POST, OPTIONS"
    return response


def _log_refusal(response: HttpResponse) -> None:
    # Django logs a 4xx with its path, and this path carries the conversation's secret.
    request_logger.warning(
        "%s: /api/tavus/callbacks/<secret>/",
        response.reason_phrase,
        extra={"status_code": response.status_code},
    )
    response._has_been_logged = True


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "object"}], "nullable": True})
class ToolArgumentsField(serializers.Field):
    """A JSON string (as Tavus sends it) or an object; parsed here, once."""

    def to_internal_value(self, data) -> Arguments:
        if data is not None and not isinstance(data, (str, dict)):
            raise serializers.ValidationError("arguments must be a JSON string or an object.")
        try:
            return arguments_parse(data)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def to_representation(self, value):
        return value


@extend_schema_serializer(component_name="ToolCallInput")
class ToolCallInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    arguments = ToolArgumentsField(required=False, allow_null=True)

    def validate_arguments(self, value) -> Arguments:
        return Arguments() if value is None else value  # null: no arguments, like absent

    inference_id = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    tool_call_id = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    utterance = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ToolCallRelayApi(UserApi):
    """The live page relays a Tavus `conversation.tool_call` here and gets the tool's answer."""

    def user_for_token(self, request, key: str):
        """Token, user and conversation in one query (accounts.authentication)."""
        conversation = selectors.conversation_for_tool_call_by_token(
            token_key=key, conversation_id=self.kwargs.get("conversation_id")
        )
        request.tool_call_conversation = conversation
        return conversation.user if conversation else None

    @extend_schema(
        request=ToolCallInputSerializer,
        responses={200: answers.SCHEMA, **error_responses(409, 429)},
    )
    def post(self, request, conversation_id: int):
        conversation = getattr(
            request, "tool_call_conversation", None
        ) or selectors.conversation_for_tool_call(
            user=request.user, conversation_id=conversation_id
        )
        serializer = ToolCallInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = tool_call_execute(
            conversation=conversation, request=ToolRequest(**serializer.validated_data)
        )
        return Response(result)


class ProposalDecisionApi(UserApi):
    """A click on the page's card: confirm, discard or undo a change, as saying it would."""

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(PAGE_ACTIONS))
        ],
        responses={200: answers.SCHEMA, **error_responses(409, 429)},
    )
    def post(self, request, conversation_id: int, change_id: int, action: str):
        conversation = selectors.conversation_for_tool_call(
            user=request.user, conversation_id=conversation_id
        )
        proposal = selectors.proposal_get_for_conversation(
            conversation=conversation, proposal_id=change_id
        )
        if action not in PAGE_ACTIONS:
            return Response({"detail": "Unknown action."}, status=status.HTTP_404_NOT_FOUND)
        return Response(
            page_decision_execute(conversation=conversation, action=action, change_id=proposal.pk)
        )


class TavusToolApi(APIView):
    """A tool Tavus delivers straight to DRAKO (delivery.api, auth.type hmac)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = []

    @extend_schema(
        request={"application/json": {"type": "object"}},
        responses={200: answers.SCHEMA, **error_responses(400, 401, 404, 409, 413, 429)},
        auth=[],
    )
    def post(self, request, name: str):
        conversation, body = inbound.signed_tool_delivery(
            name=name, body=request.body, signature=request.headers.get("X-Tavus-Signature", "")
        )
        try:
            if problem := json_problem(name) or json_problem(body):
                raise ValueError(problem)
            arguments = arguments_parse(body.get("arguments"))
        except ValueError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        tool_request = ToolRequest(
            name=name,
            arguments=arguments,
            tool_call_id=str(body.get("tool_call_id") or "")[:100],
            inference_id=str(body.get("inference_id") or "")[:100],
            via=ToolCall.Via.TAVUS,
        )
        return Response(tool_call_execute(conversation=conversation, request=tool_request))
