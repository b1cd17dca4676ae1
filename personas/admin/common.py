"""Small pieces the persona and document admins share."""

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from personas.errors import TavusSyncError

ADMIN_MEDIA_CSS = {"all": ["personas/admin.css"]}


def pretty_json(value: Any) -> SafeString:
    return format_html(
        '<pre class="personas-json">{}</pre>', json.dumps(value, indent=2, ensure_ascii=False)
    )


def badge(kind: str, text: str, title: str = "") -> SafeString:
    return format_html(
        '<span class="personas-badge personas-badge--{}" title="{}">{}</span>', kind, title, text
    )


def run_each[T](
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[T],
    service: Callable[[T], Any],
    success: Callable[[T, Any], str],
) -> None:
    """Run a Tavus service per object and report each outcome in words."""
    for obj in objects:
        try:
            result = service(obj)
        except TavusSyncError as error:
            model_admin.message_user(request, f"{obj}: {error.message}", messages.ERROR)
        else:
            model_admin.message_user(request, success(obj, result), messages.SUCCESS)
