"""Personas (how the assistant behaves at Tavus) and the knowledge documents they can use."""

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models

# Tavus's Knowledge Base takes these types (docs/tavus.md §9: no .jpeg); nothing else is served.
DOCUMENT_EXTENSIONS = ("pdf", "txt", "docx", "doc", "png", "jpg", "pptx", "csv", "xlsx")
# Tavus's own ceiling for max_call_duration (docs/tavus.md §5); DRAKO's default stays far below.
TAVUS_MAX_CALL_SECONDS = 3600


def default_replica_id() -> str:
    """The configured stock replica, read when a persona is created (not at import time)."""
    return settings.TAVUS_DEFAULT_REPLICA_ID


def new_public_token() -> str:
    return secrets.token_urlsafe(32)


class SyncState(models.TextChoices):
    NEVER = "never", "Not on Tavus"
    SYNCED = "synced", "Synced"
    PENDING = "pending", "Local changes not synced"
    ERROR = "error", "Sync failed"


class Level(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Document(models.Model):
    """A knowledge-base document Tavus fetches from a URL: a public one, or our secret file URL."""

    class Status(models.TextChoices):
        NEW = "new", "Not on Tavus"
        STARTED = "started", "Started"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        ERROR = "error", "Error"

    name = models.CharField(max_length=200)
    source_url = models.URLField(
        max_length=2000, blank=True, help_text="A public web page or file Tavus can fetch."
    )
    file = models.FileField(
        upload_to="documents/",
        blank=True,
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS)],
        help_text="Or upload a file (max 50 MB); Tavus fetches it from a secret URL under "
        "DRAKO_PUBLIC_URL.",
    )
    public_token = models.CharField(
        max_length=64, unique=True, default=new_public_token, editable=False
    )
    tags = models.JSONField(default=list, blank=True)
    tavus_document_id = models.CharField("Tavus document id", max_length=64, blank=True)
    status = models.CharField(max_length=12, choices=Status, default=Status.NEW)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    error_message = models.TextField(blank=True, help_text="Why Tavus could not process it.")
    last_error = models.TextField(blank=True, help_text="Why the last call to Tavus failed.")
    last_checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tavus_document_id"],
                condition=~models.Q(tavus_document_id=""),
                name="document_unique_tavus_id",
            ),
            models.CheckConstraint(
                condition=~models.Q(source_url="", file=""),
                name="document_has_source",
                violation_error_message="Give a source URL or upload a file.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def filename(self) -> str:
        return PurePosixPath(self.file.name).name if self.file else ""


class TavusTool(models.Model):
    """One of DRAKO's tools in the Tavus account's tools registry (shared by every persona)."""

    name = models.CharField(max_length=64, unique=True)
    tavus_tool_id = models.CharField("Tavus tool id", max_length=64)
    last_body = models.JSONField(default=dict, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Persona(models.Model):
    """Everything Tavus needs to run DRAKO's assistant, plus how DRAKO offers it to users."""

    class PipelineMode(models.TextChoices):
        FULL = "full", "Full (speech → LLM → speech)"
        ECHO = "echo", "Echo (the replica speaks what we send)"

    class LLMModel(models.TextChoices):
        GPT_OSS = "tavus-gpt-oss", "tavus-gpt-oss (recommended)"
        GEMINI_3_FLASH = "tavus-gemini-3-flash", "tavus-gemini-3-flash"
        CLAUDE_HAIKU_4_5 = "tavus-claude-haiku-4.5", "tavus-claude-haiku-4.5"
        GPT_5_2 = "tavus-gpt-5.2", "tavus-gpt-5.2"
        GEMINI_2_5_FLASH = "tavus-gemini-2.5-flash", "tavus-gemini-2.5-flash"
        CUSTOM = "custom", "Custom OpenAI-compatible endpoint"

    class TTSEngine(models.TextChoices):
        CARTESIA = "cartesia", "Cartesia"
        ELEVENLABS = "elevenlabs", "ElevenLabs"
        AZURE = "azure", "Azure"

    class TurnDetection(models.TextChoices):
        SPARROW_1 = "sparrow-1", "sparrow-1 (recommended)"
        SPARROW_0 = "sparrow-0", "sparrow-0 (legacy)"
        TIME_BASED = "timebased", "timebased (API-only, not actively supported)"

    class ToolDelivery(models.TextChoices):
        REGISTRY = "registry", "Tavus tools registry (recommended)"
        INLINE = "inline", "Inline in the LLM layer (legacy fallback)"

    class Perception(models.TextChoices):
        OFF = "off", "Off: no analysis of the user's face, voice or emotions"
        RAVEN_1 = "raven-1", "raven-1 (analyses appearance and emotion)"
        RAVEN_0 = "raven-0", "raven-0 (legacy)"

    name = models.CharField(max_length=100)
    system_prompt = models.TextField(blank=True)
    default_replica_id = models.CharField(max_length=64, blank=True, default=default_replica_id)
    pipeline_mode = models.CharField(max_length=8, choices=PipelineMode, default=PipelineMode.FULL)

    llm_model = models.CharField(
        "LLM model", max_length=40, choices=LLMModel, default=LLMModel.GPT_OSS
    )
    llm_custom_model = models.CharField(
        "custom model name", max_length=200, blank=True, help_text="The model your endpoint serves."
    )
    llm_base_url = models.URLField(
        "custom LLM base URL",
        max_length=500,
        blank=True,
        help_text="Without /chat/completions; Tavus appends it.",
    )
    llm_api_key = models.CharField("custom LLM API key", max_length=500, blank=True)
    speculative_inference = models.BooleanField(default=True)

    tts_engine = models.CharField(
        "TTS engine", max_length=12, choices=TTSEngine, default=TTSEngine.CARTESIA
    )
    tts_voice_id = models.CharField("voice id", max_length=200, blank=True)
    tts_model_name = models.CharField("TTS model", max_length=100, blank=True)
    tts_emotion_control = models.BooleanField(
        "emotion control", default=True, help_text="Cartesia only."
    )
    stt_hotwords = models.TextField(
        "STT hotwords", blank=True, help_text="Names and terms the transcriber should expect."
    )

    turn_detection_model = models.CharField(
        max_length=12, choices=TurnDetection, default=TurnDetection.SPARROW_1
    )
    turn_taking_patience = models.CharField(max_length=6, choices=Level, default=Level.MEDIUM)
    replica_interruptibility = models.CharField(max_length=6, choices=Level, default=Level.MEDIUM)

    tool_delivery = models.CharField(
        max_length=8,
        choices=ToolDelivery,
        default=ToolDelivery.REGISTRY,
        help_text="Registry tools answer with tool_result and let the LLM phrase the result; "
        "inline tools are Tavus's legacy path, kept as a fallback.",
    )
    perception_model = models.CharField(
        max_length=8,
        choices=Perception,
        default=Perception.OFF,
        help_text="Off by default: a scheduling assistant has no need to read faces or moods.",
    )
    eu_policy = models.BooleanField(
        "EU AI Act policy",
        default=False,
        help_text='Send policy: "eu" with each conversation: Tavus then applies its EU rules '
        "(no emotion recognition, AI disclosure).",
    )

    documents = models.ManyToManyField(Document, blank=True, related_name="personas")
    document_tags = models.JSONField(default=list, blank=True)

    max_call_duration_seconds = models.PositiveIntegerField(
        "maximum call length (s)",
        default=240,
        validators=[MinValueValidator(30), MaxValueValidator(TAVUS_MAX_CALL_SECONDS)],
        help_text="DRAKO's cost guard; Tavus allows at most 3,600 seconds.",
    )
    participant_left_timeout_seconds = models.PositiveIntegerField(
        "end after the user left (s)", default=10
    )
    participant_absent_timeout_seconds = models.PositiveIntegerField(
        "end if nobody joins (s)", default=120, validators=[MinValueValidator(10)]
    )

    writes_need_confirmation = models.BooleanField(
        default=True, help_text="Schedule changes are only proposed until the user confirms."
    )
    user_selectable = models.BooleanField("users may pick it", default=False)
    is_default = models.BooleanField("default persona", default=False)
    is_stock = models.BooleanField(
        "Tavus stock persona",
        default=False,
        help_text="Owned by Tavus: it cannot be changed there.",
    )

    tavus_persona_id = models.CharField("Tavus persona id", max_length=64, blank=True)
    tavus_tool_ids = models.JSONField(
        "Tavus tools attached", default=list, blank=True, editable=False
    )
    sync_state = models.CharField(max_length=8, choices=SyncState, default=SyncState.NEVER)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_default", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="persona_single_default",
                violation_error_message="Another persona is already the default; untick it first.",
            ),
            models.UniqueConstraint(
                fields=["tavus_persona_id"],
                condition=~models.Q(tavus_persona_id=""),
                name="persona_unique_tavus_id",
                violation_error_message="Another persona already has this Tavus id.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.pipeline_mode == self.PipelineMode.FULL and not self.system_prompt.strip():
            errors["system_prompt"] = "A full-pipeline persona needs a system prompt."
        if self.llm_model == self.LLMModel.CUSTOM:
            if not self.llm_base_url:
                errors["llm_base_url"] = "A custom LLM needs its endpoint's base URL."
            if not self.llm_custom_model.strip():
                errors["llm_custom_model"] = (
                    "A custom LLM needs the model name your endpoint serves."
                )
        if errors:
            raise ValidationError(errors)

    def conversation_properties(self) -> dict[str, int]:
        """Tavus conversation `properties` (limits are set per conversation, not per persona)."""
        return {
            "max_call_duration": self.max_call_duration_seconds,
            "participant_left_timeout": self.participant_left_timeout_seconds,
            "participant_absent_timeout": self.participant_absent_timeout_seconds,
        }
