from django.core.management.base import BaseCommand
from django.db import transaction

from drako import tavus
from personas import services
from personas.models import Persona, default_replica_id
from personas.prompts import DEFAULT_PERSONA_NAME, DEFAULT_SYSTEM_PROMPT


def _seed_fields() -> dict:
    return {
        "system_prompt": DEFAULT_SYSTEM_PROMPT,
        "default_replica_id": default_replica_id(),
        "pipeline_mode": Persona.PipelineMode.FULL,
        "llm_model": Persona.LLMModel.GPT_OSS,
        "tts_engine": Persona.TTSEngine.CARTESIA,
        "tts_emotion_control": True,
        "writes_need_confirmation": True,
    }


class Command(BaseCommand):
    help = (
        "Creates the default DRAKO persona when it is missing (admin edits to an existing one "
        "are kept unless --reset) and syncs it to Tavus when TAVUS_API_KEY is set. A Tavus "
        "failure is reported, not raised, so `make run` goes on."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Rewrite DRAKO's prompt, voice and model from the built-in defaults.",
        )

    def handle(self, *args, reset: bool = False, **options):
        persona = self._ensure(reset=reset)
        if not tavus.is_configured():
            self.stdout.write(
                f"Tavus is not configured (TAVUS_API_KEY is empty): {persona.name} stays local. "
                "Set the key and run `manage.py ensure_default_persona` again, or use "
                "'Sync to Tavus' in the admin."
            )
            return
        self._sync(persona)

    @transaction.atomic
    def _ensure(self, *, reset: bool) -> Persona:
        persona = Persona.objects.select_for_update().filter(name=DEFAULT_PERSONA_NAME).first()
        has_default = Persona.objects.filter(is_default=True).exists()
        if persona is None:
            persona = Persona.objects.create(
                name=DEFAULT_PERSONA_NAME, is_default=not has_default, **_seed_fields()
            )
            self.stdout.write(f"Created the {persona.name} persona.")
        elif reset:
            for name, value in _seed_fields().items():
                setattr(persona, name, value)
            persona.save()
            services.persona_note_local_change(persona=persona)
            self.stdout.write(f"Reset {persona.name}'s prompt and settings to the defaults.")
        if not has_default and not persona.is_default:
            persona.is_default = True
            persona.save(update_fields=["is_default", "updated_at"])
        if persona.is_default:
            self.stdout.write(f"{persona.name} is the default persona.")
        return persona

    def _sync(self, persona: Persona) -> None:
        try:
            result = services.persona_sync(persona=persona)
        except services.TavusSyncError as error:
            self.stderr.write(
                self.style.WARNING(
                    f"Could not sync {persona.name} to Tavus: {error.message} DRAKO still runs; "
                    "conversations need the persona on Tavus, so fix this and run "
                    "`manage.py ensure_default_persona` again."
                )
            )
            return
        if result.created:
            message = f"Created {persona.name} on Tavus ({persona.tavus_persona_id})."
        elif result.operations:
            message = f"Updated {persona.name} on Tavus ({len(result.operations)} changes)."
        else:
            message = f"{persona.name} is up to date on Tavus ({persona.tavus_persona_id})."
        self.stdout.write(self.style.SUCCESS(message))
