from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts import emails, services
from accounts.forms import ProfileForm, SignupForm
from drako import ratelimit, webpush

BACKEND = settings.AUTHENTICATION_BACKENDS[0]


def _signup_refused(request, form):
    messages.error(
        request, "Too many sign-up attempts from your address. Wait 15 minutes and try again."
    )
    return render(request, "accounts/signup.html", {"form": form}, status=429)


def _signup_allowed(request) -> bool:
    # Counted only for a form that would create an account: typos cost nothing.
    return ratelimit.hit(
        scope="signup",
        key=ratelimit.client_address(request),
        limit=settings.SIGNUP_RATE_LIMIT,
        window_seconds=settings.RATE_LIMIT_WINDOW_SECONDS,
    ).allowed


def signup_view(request):
    if request.user.is_authenticated:
        return redirect("schedules:schedule")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not _signup_allowed(request):
            return _signup_refused(request, form)
        user = services.user_signup(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            email=form.cleaned_data["email"],
            display_name=form.cleaned_data["display_name"],
            time_zone=form.cleaned_data["time_zone"],
        )
        login(request, user, backend=BACKEND)
        messages.success(request, f"Welcome to DRAKO, {user.name}. Your schedule is ready.")
        if user.email:
            services.user_email_verification_start(user=user, request=request)
            messages.info(request, f"We sent a link to {user.email} to confirm it is yours.")
        return redirect("schedules:schedule")
    return render(request, "accounts/signup.html", {"form": form})


def _profile_page(request, form, *, new_key: str = ""):
    feed_url = request.build_absolute_uri(
        reverse("schedules:calendar-feed", args=[request.user.calendar_token])
    )
    context = {
        "form": form,
        "tokens": request.user.api_tokens.all(),
        "new_key": new_key,
        "max_tokens": services.MAX_API_TOKENS,
        "feed_url": feed_url,
        "email_can_send": emails.can_send(),
        "push_available": webpush.is_configured(),
        "vapid_public_key": settings.VAPID_PUBLIC_KEY,
        # The reverse relation, not schedules' selector: accounts sits below schedules.
        "push_browsers": request.user.push_subscriptions.count(),
    }
    return render(request, "accounts/profile.html", context)


@never_cache  # the page shows the feed link (and a new API key, once): no cache may keep it
@login_required
def profile_view(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        if "email" in form.changed_data:
            services.user_email_verification_start(user=request.user, request=request)
            if request.user.email:
                messages.info(request, f"We sent a link to {request.user.email} to confirm it.")
        return redirect("profile")
    return _profile_page(request, form)


@never_cache
@login_required
@require_POST
def token_create_view(request):
    # Rendered here, never redirected: the key is in this one response and nowhere else.
    key = services.user_token_create(user=request.user)
    messages.success(
        request,
        "New API token created. Copy it now: DRAKO keeps only a fingerprint of it and cannot "
        "show it again.",
    )
    return _profile_page(request, ProfileForm(instance=request.user), new_key=key)


@login_required
@require_POST
def token_revoke_view(request):
    token_id = request.POST.get("token_id", "")
    if token_id == "all":
        count = services.user_tokens_revoke(user=request.user)
        messages.success(request, f"Revoked {count} API token(s). Scripts using them now get 401.")
    elif (
        token_id.isascii()
        and token_id.isdigit()
        and len(token_id) < 19
        and (services.user_token_revoke(user=request.user, token_id=int(token_id)))
    ):
        messages.success(request, "API token revoked. Scripts using it now get 401.")
    else:
        messages.error(request, "No such API token: it may have been revoked already.")
    return redirect("profile")


@login_required
@require_POST
def calendar_token_regenerate_view(request):
    services.user_calendar_token_regenerate(user=request.user)
    messages.success(request, "New calendar link created. The old link no longer works.")
    return redirect("profile")


@login_required
@require_POST
def email_verification_send_view(request):
    user = request.user
    if user.email and not user.email_verified:
        allowed = ratelimit.hit(
            scope="verify-mail", key=str(user.pk), limit=3, window_seconds=60 * 60
        ).allowed
        if not allowed:
            messages.error(request, "We sent several links already. Wait an hour and try again.")
            return redirect("profile")
        services.user_email_verification_start(user=user, request=request)
        messages.info(request, f"We sent a link to {user.email}. Open it to confirm the address.")
    return redirect("profile")


@require_safe
def email_verify_view(request, token: str):
    user = services.user_email_verify(token=token)
    if user is None:
        messages.error(
            request,
            "That confirmation link has expired, or the address changed since it was sent. "
            "Ask for a new one on your profile.",
        )
    else:
        messages.success(request, f"Thank you: {user.email} is confirmed.")
    return redirect("profile" if request.user.is_authenticated else "login")
