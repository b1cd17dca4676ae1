from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.views import profile, signin

urlpatterns = [
    path("signup/", profile.signup_view, name="signup"),
    path("login/", signin.SignInView.as_view(), name="login"),
    path("login/unlock/", signin.signin_unlock_request_view, name="signin-unlock-request"),
    path("login/unlock/<str:token>/", signin.signin_unlock_view, name="signin-unlock"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", signin.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("password-reset/", signin.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        signin.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("profile/", profile.profile_view, name="profile"),
    path("profile/token/", profile.token_create_view, name="token-create"),
    path("profile/token/revoke/", profile.token_revoke_view, name="token-revoke"),
    path(
        "profile/calendar-link/",
        profile.calendar_token_regenerate_view,
        name="calendar-regenerate",
    ),
    path("profile/verify-email/", profile.email_verification_send_view, name="verify-email-send"),
    path("verify-email/<str:token>/", profile.email_verify_view, name="verify-email"),
]
