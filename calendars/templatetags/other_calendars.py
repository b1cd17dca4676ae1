"""The profile's card about the user's other calendars: `{% load other_calendars %}`."""

from django import template

from calendars import selectors

register = template.Library()


@register.inclusion_tag("calendars/profile_card.html", takes_context=True)
def other_calendars_card(context) -> dict:
    """The user's connected calendars, each failing one with its error in words."""
    user = context["request"].user
    return {"calendars": list(selectors.calendar_list_for_user(user=user))}
