"""Admin forms: tags as comma-separated text, a write-only API key, Tavus's replica list."""

from typing import Any

from django import forms
from django.conf import settings

from personas import selectors
from personas.models import Document, Persona, default_replica_id

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


class TagsField(forms.CharField):
    """Comma-separated tags in the form, a list of strings in the model."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value)
        return list(dict.fromkeys(tag.strip() for tag in text.split(",") if tag.strip()))


def replica_field() -> forms.Field:
    """A choice of Tavus's replicas when Tavus answers, a typed id otherwise (saying why)."""
    try:
        choices = selectors.replica_choices()
    except selectors.ReplicasUnavailable as error:
        return forms.CharField(
            label="Default replica",
            max_length=64,
            required=False,
            initial=default_replica_id,
            help_text=f"Type a replica id (the stock Nathan is "
            f"{settings.TAVUS_DEFAULT_REPLICA_ID}). Tavus's replica list is unavailable: "
            f"{error.message}",
        )
    return forms.ChoiceField(
        label="Default replica",
        required=False,
        initial=default_replica_id,
        choices=[("", "— none —"), *choices],
        help_text="Tavus's stock replicas and your own.",
    )


class PersonaForm(forms.ModelForm):
    llm_api_key = forms.CharField(
        label="Custom LLM API key",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False),
    )
    clear_llm_api_key = forms.BooleanField(label="Remove the saved API key", required=False)
    document_tags = TagsField(required=False, help_text="Comma-separated, e.g. hr, policies.")

    class Meta:
        model = Persona
        fields = (
            "name",
            "is_default",
            "user_selectable",
            "writes_need_confirmation",
            "system_prompt",
            "default_replica_id",
            "pipeline_mode",
            "llm_model",
            "llm_custom_model",
            "llm_base_url",
            "llm_api_key",
            "speculative_inference",
            "tts_engine",
            "tts_voice_id",
            "tts_model_name",
            "tts_emotion_control",
            "stt_hotwords",
            "turn_detection_model",
            "turn_taking_patience",
            "replica_interruptibility",
            "tool_delivery",
            "perception_model",
            "eu_policy",
            "documents",
            "document_tags",
            "max_call_duration_seconds",
            "participant_left_timeout_seconds",
            "participant_absent_timeout_seconds",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "llm_api_key" in self.fields:
            self.fields["llm_api_key"].help_text = (
                "A key is saved (never shown). Leave blank to keep it."
                if self.instance.llm_api_key
                else "Sent to your endpoint as a Bearer token."
            )
        self._keep_current_replica_choice()

    def _keep_current_replica_choice(self) -> None:
        field = self.fields.get("default_replica_id")
        current = field and self.get_initial_for_field(field, "default_replica_id")
        known = {value for value, _label in getattr(field, "choices", [])}
        if isinstance(field, forms.ChoiceField) and current and current not in known:
            field.choices = [*field.choices, (current, f"{current} (not in Tavus's list)")]

    def clean_llm_api_key(self) -> str:
        return self.cleaned_data.get("llm_api_key") or self.instance.llm_api_key

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("clear_llm_api_key"):
            cleaned["llm_api_key"] = ""
        return cleaned


class DocumentForm(forms.ModelForm):
    tags = TagsField(
        required=False, help_text="Comma-separated; personas can use documents by tag."
    )

    class Meta:
        model = Document
        fields = ("name", "source_url", "file", "tags")

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and getattr(upload, "size", 0) > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError("Tavus accepts files up to 50 MB.")
        return upload
