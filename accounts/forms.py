from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms

from accounts.guard import IDENTITY_MAX, SignInThrottled
from accounts.models import REMINDER_MINUTES_MAX, User
from accounts.timezones import TimeZoneField


def _email_taken(email: str, *, by_other_than: User | None = None) -> bool:
    others = User.objects.filter(email__iexact=email)
    if by_other_than is not None:
        others = others.exclude(pk=by_other_than.pk)
    return bool(email) and others.exists()


EMAIL_TAKEN = "Another account uses this email address."


class SignInForm(auth_forms.AuthenticationForm):
    """Django's sign-in form, taking a username or an email; remembers why it was refused."""

    refusal: SignInThrottled | None = None

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Username or email"
        self.fields["username"].max_length = IDENTITY_MAX
        self.fields["username"].widget.attrs.update(maxlength=IDENTITY_MAX, autocomplete="username")

    def clean(self):
        try:
            return super().clean()
        except SignInThrottled as refusal:
            self.refusal = refusal
            raise


class PasswordCheckMixin:
    """A form that checks the signed-in user's password through the sign-in guard."""

    def check_password_of(self, user, password: str) -> bool:
        try:
            return (
                authenticate(self.request, username=user.get_username(), password=password) == user
            )
        except SignInThrottled as refusal:
            raise forms.ValidationError(refusal.messages[0], code="throttled") from refusal


class PasswordChangeForm(PasswordCheckMixin, auth_forms.PasswordChangeForm):
    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not self.check_password_of(self.user, old_password):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class AccountDeleteForm(PasswordCheckMixin, forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.check_password_of(self.request.user, password):
            raise forms.ValidationError("That is not your password.", code="password_incorrect")
        return password


class UnlockForm(forms.Form):
    identity = forms.CharField(label="Username or email", max_length=IDENTITY_MAX)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form: a link only ever goes to an address its owner has verified."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if user.email_verified)


class SignupForm(auth_forms.UserCreationForm):
    display_name = forms.CharField(
        max_length=80, required=False, help_text="What DRAKO calls you. Optional."
    )
    email = forms.EmailField(
        required=False,
        help_text="Optional. Lets you sign in with it, and reset a forgotten password "
        "once you confirm it from the mail we send.",
    )
    time_zone = TimeZoneField(initial="UTC")

    class Meta:
        model = User
        fields = ("username", "display_name", "email", "time_zone")

    def clean_email(self):
        email = self.cleaned_data["email"]
        if _email_taken(email):
            raise forms.ValidationError(EMAIL_TAKEN, code="unique")
        return email


class WorkingDaysField(forms.MultipleChoiceField):
    """Checkboxes for the weekdays, stored as digits ("01234": Monday to Friday)."""

    def __init__(self, **kwargs):
        days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs.setdefault("help_text", "Free-slot search skips the other days.")
        super().__init__(choices=[(str(n), name) for n, name in enumerate(days)], **kwargs)

    def prepare_value(self, value):
        return list(value) if isinstance(value, str) else value

    def clean(self, value):
        return "".join(sorted(set(super().clean(value))))


class ProfileForm(forms.ModelForm):
    time_zone = TimeZoneField()
    working_days = WorkingDaysField(label="Working days")

    class Meta:
        model = User
        fields = (
            "display_name",
            "email",
            "time_zone",
            "language",
            "working_day_start",
            "working_day_end",
            "working_days",
            "reminder_minutes",
            "reminder_channel",
            "summary_enabled",
            "summary_time",
            "summary_channel",
        )
        widgets = {
            "working_day_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "working_day_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "summary_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "reminder_minutes": forms.NumberInput(attrs={"min": 0, "max": REMINDER_MINUTES_MAX}),
        }
        labels = {
            "language": "Conversation language",
            "reminder_minutes": "Remind me before events (minutes)",
            "reminder_channel": "Send reminders by",
            "summary_enabled": "Start your day: send me today's plan each morning",
            "summary_time": "Morning summary at",
            "summary_channel": "Send the summary by",
        }
        help_texts = {
            "working_day_start": "Free-slot search looks for time between these hours.",
            "reminder_minutes": "For new events; each event can change it. Empty: no reminder.",
            "summary_time": "Your local time.",
        }

    # Left out of a post (an older page, a script): these keep what they were.
    KEEP_WHEN_MISSING = ("reminder_channel", "summary_time", "summary_channel")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.KEEP_WHEN_MISSING:
            self.fields[name].required = False

    def _clean_kept(self, name: str):
        value = self.cleaned_data.get(name)
        return getattr(self.instance, name) if value in (None, "") else value

    def clean_reminder_channel(self):
        return self._clean_kept("reminder_channel")

    def clean_summary_time(self):
        return self._clean_kept("summary_time")

    def clean_summary_channel(self):
        return self._clean_kept("summary_channel")

    def clean_email(self):
        email = self.cleaned_data["email"]
        if _email_taken(email, by_other_than=self.instance):
            raise forms.ValidationError(EMAIL_TAKEN, code="unique")
        return email

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("working_day_start"), cleaned.get("working_day_end")
        if start and end and end <= start:
            self.add_error("working_day_end", "The working day must end after it starts.")
        return cleaned
