"""The IANA time zones and conversation languages a user can choose from."""

import zoneinfo
from functools import cache


@cache
def timezone_choices() -> list[tuple[str, str]]:
    """Every canonical IANA zone, as (name, label) pairs sorted by name."""
    names = sorted(
        name
        for name in zoneinfo.available_timezones()
        # Legacy aliases ("US/Eastern", "EST5EDT") clutter the list; real zones have a region.
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    )
    return [("UTC", "UTC"), *((name, name.replace("_", " ")) for name in names)]


def is_valid_timezone(name: str) -> bool:
    """True when `name` is an IANA zone this server knows."""
    return name in {value for value, _label in timezone_choices()}


# Tavus wants the full language name in properties.language (docs/tavus.md §5).
LANGUAGE_CHOICES = [
    ("english", "English"),
    ("spanish", "Spanish"),
    ("french", "French"),
    ("german", "German"),
    ("italian", "Italian"),
    ("portuguese", "Portuguese"),
    ("dutch", "Dutch"),
    ("polish", "Polish"),
    ("turkish", "Turkish"),
    ("russian", "Russian"),
    ("ukrainian", "Ukrainian"),
    ("swedish", "Swedish"),
    ("danish", "Danish"),
    ("norwegian", "Norwegian"),
    ("finnish", "Finnish"),
    ("greek", "Greek"),
    ("czech", "Czech"),
    ("romanian", "Romanian"),
    ("hungarian", "Hungarian"),
    ("hindi", "Hindi"),
    ("japanese", "Japanese"),
    ("korean", "Korean"),
    ("chinese", "Chinese"),
    ("arabic", "Arabic"),
    ("indonesian", "Indonesian"),
    ("vietnamese", "Vietnamese"),
    ("multilingual", "Detect automatically"),
]
