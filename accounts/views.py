from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import ProfileForm, SignupForm
from drako import ratelimit


def _too_many(request, template: str, form, what: str):
    messages.error(
        request,
        f"Too many {what} attempts from your address. Wait 15 minutes and try again.",
    )
    return render(request, template, {"form": form}, status=429)


def signup_view(request):
    if request.user.is_authenticated:
        return redirect("schedules:schedule")
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        limit = ratelimit.hit(
            scope="signup",
            key=ratelimit.client_address(request),
            limit=settings.SIGNUP_RATE_LIMIT,
            window_seconds=settings.RATE_LIMIT_WINDOW_SECONDS,
        )
        if not limit.allowed:
            return _too_many(request, "accounts/signup.html", form, "sign-up")
        if form.is_valid():
            user = services.user_signup(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                time_zone=form.cleaned_data["time_zone"],
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to DRAKO, {user.name}. Your schedule is ready.")
            return redirect("schedules:schedule")
    return render(request, "accounts/signup.html", {"form": form})


class RateLimitedLoginView(auth_views.LoginView):
    """Django's login, refused for a while after too many failures from one address or name."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def _keys(self) -> list[tuple[str, str]]:
        username = (self.request.POST.get("username") or "").strip().lower()[:150]
        keys = [("login-ip", ratelimit.client_address(self.request))]
        if username:
            keys.append(("login-user", username))
        return keys

    def post(self, request, *args, **kwargs):
        if any(
            ratelimit.is_limited(scope=scope, key=key, limit=settings.LOGIN_RATE_LIMIT)
            for scope, key in self._keys()
        ):
            return _too_many(request, self.template_name, self.get_form(), "sign-in")
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        for scope, key in self._keys():
            ratelimit.hit(
                scope=scope,
                key=key,
                limit=settings.LOGIN_RATE_LIMIT,
                window_seconds=settings.RATE_LIMIT_WINDOW_SECONDS,
            )
        return super().form_invalid(form)

    def form_valid(self, form):
        ratelimit.reset(scope="login-user", key=self._keys()[-1][1])
        return super().form_valid(form)


@login_required
def profile_view(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("profile")
    feed_url = request.build_absolute_uri(
        reverse("schedules:calendar-feed", args=[request.user.calendar_token])
    )
    context = {
        "form": form,
        "token": services.user_token_get(user=request.user),
        "feed_url": feed_url,
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def token_regenerate_view(request):
    services.user_token_regenerate(user=request.user)
    messages.success(request, "New API token created. The old one no longer works.")
    return redirect("profile")


@login_required
@require_POST
def calendar_token_regenerate_view(request):
    services.user_calendar_token_regenerate(user=request.user)
    messages.success(request, "New calendar link created. The old link no longer works.")
    return redirect("profile")
