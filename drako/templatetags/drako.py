from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def daily_js_integrity() -> str:
    """The Subresource Integrity hash of the pinned daily-js (settings.DAILY_JS_INTEGRITY)."""
    return settings.DAILY_JS_INTEGRITY
