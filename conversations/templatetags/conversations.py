from django import template
from django.conf import settings

from conversations import selectors
from drako import tavus
from personas import selectors as persona_selectors
from personas import services as persona_services

register = template.Library()


@register.inclusion_tag("conversations/talk_panel.html", takes_context=True)
def talk_panel(context) -> dict:
    """The "Talk to DRAKO" panel: start, rejoin, or why conversations are unavailable."""
    request = context["request"]
    user = request.user
    default = persona_services.persona_get_default()
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "configured": tavus.is_configured(),
        "live": selectors.conversation_live_for_user(user=user),
        "persona": default,
        "pickable": list(persona_selectors.persona_list_pickable()),
        "public_url_missing": not settings.DRAKO_PUBLIC_URL,
        "is_staff": user.is_staff,
        "greet": context.get("greet", ""),
    }
