import pytest

from calendars.models import Calendar

pytestmark = pytest.mark.django_db


def test_admin_shows_sync_state_and_error_but_never_credentials(admin_client, user):
    calendar = Calendar.objects.create(
        owner=user, kind="caldav", name="Phone", url="https://dav.example.com/secret-path/",
        username="alice-dav", password_encrypted="gAAAA-encrypted-token", status="error",
        last_error="The server refused the password.",
    )  # fmt: skip
    for path in ("/admin/calendars/calendar/", f"/admin/calendars/calendar/{calendar.pk}/change/"):
        page = admin_client.get(path).content.decode()
        assert "Phone" in page
        for secret in ("secret-path", "alice-dav", "gAAAA-encrypted-token"):
            assert secret not in page, (path, secret)
    change = admin_client.get(f"/admin/calendars/calendar/{calendar.pk}/change/").content.decode()
    assert "The server refused the password." in change and "Failing" in change
