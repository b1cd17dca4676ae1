"""The IANA time zones and conversation languages a user can choose from."""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from importlib import resources

from django import forms


@dataclass(frozen=True)
class Zone:
    name: str  # canonical IANA name, e.g. "Asia/Kolkata"
    city: str  # "Kolkata"
    country: str  # "India"


def _tzdata_file(name: str) -> list[list[str]]:
    text = resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def zones() -> dict[str, Zone]:
    """The zones people pick from: one per place in tzdata's zone.tab, and UTC."""
    countries = {row[0]: row[1] for row in _tzdata_file("iso3166.tab")}
    found = {"UTC": Zone("UTC", "UTC", "Coordinated Universal Time")}
    for row in _tzdata_file("zone.tab"):
        code, name = row[0], row[2]
        city = name.rsplit("/", 1)[-1].replace("_", " ")
        found[name] = Zone(name, city, countries.get(code, code))
    return dict(sorted(found.items()))


@cache
def _aliases() -> dict[str, str]:
    """Old and alternative names ("Asia/Calcutta", "US/Eastern") to the zone they now name."""
    text = resources.files("tzdata.zoneinfo").joinpath("tzdata.zi").read_text(encoding="utf-8")
    links = dict(reversed(line.split()[1:3]) for line in text.splitlines() if line.startswith("L "))
    known = zones()
    aliases = {"Etc/UTC": "UTC", "Etc/GMT": "UTC", "GMT": "UTC", "Zulu": "UTC", "UCT": "UTC"}
    for alias, target in links.items():
        target = links.get(target, target)
        if alias not in known and target in known:
            aliases.setdefault(alias, target)
    return aliases


def canonical_zone(name: str) -> str | None:
    """The zone we store for `name` (an IANA name or alias, any case), or None."""
    known = zones()
    if name in known:
        return name
    folded = name.casefold()
    by_folded = {key.casefold(): key for key in (*known, *_aliases())}
    match = by_folded.get(folded)
    return _aliases().get(match, match) if match else None


def _offset(name: str, at: datetime) -> str:
    seconds = int(at.astimezone(zoneinfo.ZoneInfo(name)).utcoffset().total_seconds())
    sign = "+" if seconds >= 0 else "-"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def zone_label(name: str, *, at: datetime | None = None) -> str:
    """ "(UTC+05:30) Kolkata — India": the offset now, the place, its country."""
    zone = zones()[name]
    return f"({_offset(name, at or datetime.now(UTC))}) {zone.city} — {zone.country}"


@lru_cache(maxsize=2)
def _options_on(day: str) -> list[tuple[str, str]]:
    noon = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
    labelled = [(name, zone_label(name, at=noon)) for name in zones()]
    # Sorted by offset, west to east, then by place: the order of a map.
    return sorted(labelled, key=lambda option: (_minutes(option[1]), option[1]))


def _minutes(label: str) -> int:
    sign = -1 if label[4] == "-" else 1
    return sign * (int(label[5:7]) * 60 + int(label[8:10]))


def timezone_options() -> list[tuple[str, str]]:
    """(name, label) for every zone, offsets as of today (they move with daylight saving)."""
    return _options_on(datetime.now(UTC).date().isoformat())


def resolve_zone(text: str) -> str | None:
    """What a person typed in the zone picker: a zone, an alias, its label, or a city."""
    text = " ".join(text.split())
    if not text:
        return None
    if zone := canonical_zone(text):
        return zone
    folded = text.casefold()
    for name, label in timezone_options():
        if label.casefold() == folded:
            return name
    cities = [z.name for z in zones().values() if z.city.casefold() == folded]
    return cities[0] if len(cities) == 1 else None


def is_valid_timezone(name: str) -> bool:
    """True when `name` is a zone we store (canonical: aliases are not)."""
    return name in zones()


class ZonePickerWidget(forms.TextInput):
    """A text box with the zones as suggestions (a datalist): searchable without JavaScript."""

    template_name = "accounts/widgets/zone_picker.html"

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs']['id']}-options"
        context["widget"]["options"] = timezone_options()
        if value in zones():
            context["widget"]["current_label"] = zone_label(value)
        return context


class TimeZoneField(forms.CharField):
    """An IANA time zone, found by name, old name, label or city; stored canonical."""

    widget = ZonePickerWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault(
            "help_text",
            "Type your city and pick it from the list. Times you say and see are read in this "
            "zone, daylight saving included.",
        )
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        zone = resolve_zone(text)
        if zone is None:
            raise forms.ValidationError(
                f"“{text}” is not a time zone we know. Type a city, such as Kolkata or "
                "New York, and pick it from the list.",
                code="invalid_choice",
            )
        return zone


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
