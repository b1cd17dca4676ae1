from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import devices

        user_logged_in.connect(devices.on_user_logged_in, dispatch_uid="known-device")
