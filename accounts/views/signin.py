from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts import devices, emails, services
from accounts.backends import user_for_identity
from accounts.forms import PasswordChangeForm, PasswordResetForm, SignInForm, UnlockForm
from accounts.models import User
from drako import ratelimit

UNLOCK_SENT = (
    "If that account has a confirmed email address, we sent it a link. Open it in this "
    "browser, then sign in."
)


class SignInView(auth_views.LoginView):
    """Django's sign-in with a username or an email; 429 with Retry-After while it must wait."""

    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        refusal = getattr(context.get("form"), "refusal", None)
        context["offer_unlock"] = bool(refusal and refusal.per_account and emails.can_send())
        return context

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.refusal is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.refusal.retry_after)
        return response


def _unlock_mail_allowed(request, user: User) -> bool:
    by_address = ratelimit.hit(
        scope="unlock-mail",
        key=ratelimit.client_address(request),
        limit=5,
        window_seconds=settings.RATE_LIMIT_WINDOW_SECONDS,
    ).allowed
    # One mail per account per 15 minutes, whoever asks: no mailbox flooding.
    return by_address and ratelimit.claim(
        scope="unlock-mail-account",
        key=str(user.pk),
        value=1,
        seconds=settings.RATE_LIMIT_WINDOW_SECONDS,
    )


@require_POST
def signin_unlock_request_view(request):
    form = UnlockForm(request.POST)
    if form.is_valid():
        user = user_for_identity(form.cleaned_data["identity"])
        if (
            user is not None
            and user.is_active
            and user.email_verified
            and _unlock_mail_allowed(request, user)
        ):
            emails.unlock_send(user=user, request=request)
    messages.info(request, UNLOCK_SENT)
    return redirect("login")


@require_safe
def signin_unlock_view(request, token: str):
    user_pk = emails.unlock_read(token)
    user = User.objects.filter(pk=user_pk, is_active=True).first() if user_pk else None
    if user is None:
        messages.error(request, "That link has expired or is not valid. Ask for a new one.")
    else:
        devices.remember(request, user)
        messages.success(
            request, "This browser is now remembered as yours: sign in with your password."
        )
    return redirect("login")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, through the sign-in guard; it also revokes the API tokens."""

    template_name = "registration/password_change.html"
    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=self.request.user)
        messages.success(
            self.request,
            "Password changed. Your API tokens were revoked too: scripts using them need a new "
            "token from your profile.",
        )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request: a link goes only to a verified address, a few per address."""

    template_name = "registration/password_reset_form.html"
    form_class = PasswordResetForm
    success_url = reverse_lazy("password_reset_done")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "email_can_send": emails.can_send()}

    def form_valid(self, form):
        allowed = ratelimit.hit(
            scope="password-reset",
            key=ratelimit.client_address(self.request),
            limit=settings.SIGNUP_RATE_LIMIT,
            window_seconds=settings.RATE_LIMIT_WINDOW_SECONDS,
        ).allowed
        if not allowed:
            messages.error(self.request, "Too many reset requests. Wait 15 minutes.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's new-password step; the browser that proved the address becomes a known one."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=form.user)
        devices.remember(self.request, form.user)
        return response
