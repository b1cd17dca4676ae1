from django import forms
from django.contrib.auth import forms as auth_forms

from accounts.models import User
from accounts.timezones import timezone_choices


class TimeZoneField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("choices", timezone_choices)
        kwargs.setdefault(
            "help_text", "Times you say and see are read in this zone, daylight saving included."
        )
        super().__init__(**kwargs)


class SignupForm(auth_forms.UserCreationForm):
    display_name = forms.CharField(
        max_length=80, required=False, help_text="What DRAKO calls you. Optional."
    )
    email = forms.EmailField(required=False)
    time_zone = TimeZoneField(initial="UTC")

    class Meta:
        model = User
        fields = ("username", "display_name", "email", "time_zone")


class ProfileForm(forms.ModelForm):
    time_zone = TimeZoneField()

    class Meta:
        model = User
        fields = (
            "display_name",
            "email",
            "time_zone",
            "language",
            "working_day_start",
            "working_day_end",
        )
        widgets = {
            "working_day_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "working_day_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        labels = {"language": "Conversation language"}
        help_texts = {
            "working_day_start": "Free-slot search looks for time between these hours.",
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("working_day_start"), cleaned.get("working_day_end")
        if start and end and end <= start:
            self.add_error("working_day_end", "The working day must end after it starts.")
        return cleaned
