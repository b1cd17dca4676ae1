from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = "Conversations"

    def ready(self) -> None:
        # Registers the persona's tools, so the registry is full before any request or sync.
        from conversations.assistant import tools  # noqa: F401
