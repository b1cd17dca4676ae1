from drako.errors import DomainError


class CalendarError(DomainError):
    """A calendar that can't be connected or synced, said in words the profile can show."""
