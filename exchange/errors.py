"""Domain errors. Their messages are translated and safe to show to users."""

from __future__ import annotations


class ExchangeError(Exception):
    """A rule of the domain refused an action; `message` is shown to the user."""

    def __init__(self, message: str):
        super().__init__(str(message))
        self.message = message


class InvalidEventData(ExchangeError):
    """An imported event file failed validation; nothing was imported.

    Its problems are for the operator running the import, in English.
    """

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class RegistrationRefused(ExchangeError):
    """The event does not take this registration now (window, status, kind, size)."""


class InvitationRefused(ExchangeError):
    """An invitation code that does not open this event's reserved seats (unknown, closed, or missing where needed)."""


class NotEnoughSeats(ExchangeError):
    """A change needs more seats than are left; nothing was changed."""


class RegistrationLocked(ExchangeError):
    """The registration can no longer be changed (cancelled, declined, or past the deadline)."""


class RegistrationNotFound(ExchangeError):
    """The registration (or its event) is gone; views answer 404."""


class SeatLimitReached(ExchangeError):
    """One address or one client already holds as many seats of the event as it may."""


class DelegationTooLarge(ExchangeError):
    """A delegation form had more rows than the event allows; refused before any row was read.

    `formdata` is the request's form cut to the rows allowed, to show again.
    """

    def __init__(self, message: str, formdata):
        super().__init__(message)
        self.formdata = formdata
