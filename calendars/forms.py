from django import forms

from calendars.models import NAME_MAX, URL_MAX


class SubscribeForm(forms.Form):
    url = forms.CharField(
        label="Calendar address",
        max_length=URL_MAX,
        help_text=(
            "Its secret iCal address (https:// or webcal://): in Google Calendar, Settings, your "
            "calendar, 'Secret address in iCal format'; in Outlook, Settings, Shared calendars, "
            "Publish a calendar, ICS."
        ),
    )
    name = forms.CharField(label="Name", max_length=NAME_MAX, required=False)


class CalDAVForm(forms.Form):
    url = forms.CharField(
        label="Server address",
        max_length=URL_MAX,
        help_text="For example https://caldav.icloud.com or https://caldav.fastmail.com",
    )
    username = forms.CharField(label="Username", max_length=200)
    password = forms.CharField(
        label="App password",
        max_length=500,
        widget=forms.PasswordInput(render_value=False),
        help_text="Make an app-specific password for DRAKO; it is stored encrypted.",
    )
    calendar = forms.CharField(
        label="Calendar", max_length=URL_MAX, required=False,
        help_text="Its name on that server; empty for the first one.",
    )  # fmt: skip


class CalDAVPasswordForm(forms.Form):
    password = forms.CharField(
        label="New app password",
        max_length=500,
        widget=forms.PasswordInput(render_value=False),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="Calendar file (.ics)")
