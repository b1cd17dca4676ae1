from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "email", "time_zone", "is_staff", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "language")
    search_fields = ("username", "display_name", "email")
    # The calendar token is the user's feed secret: staff don't need to see it.
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            "DRAKO",
            {
                "fields": (
                    "display_name",
                    "time_zone",
                    "language",
                    "working_day_start",
                    "working_day_end",
                )
            },
        ),
    )
