"""Tickets: one per attendee (the person, or each delegate), shown as a QR code.

The code holds a check-in URL on BASE_URL. Organizers open it with any
camera app; the back office checks the attendee in after login. The code is
the attendee's random ticket key (`Registration.ticket_key`,
`Delegate.ticket_key`) signed with the secret key: it holds no id, so neither
a ticket nor a database dump tells how many people registered, and without
the secret key nobody can make a ticket for someone else.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from flask import current_app
from itsdangerous import BadSignature, Signer
from markupsafe import Markup
from sqlalchemy import select

from ..extensions import db
from ..models import Delegate, Registration, RegistrationStatus

_SALT = "ticket"
# The quiet zone ISO/IEC 18004 asks of a QR code, in modules: with less, some scanners
# (zxing among them) miss a code printed near other ink or shown on a dark screen.
QUIET_ZONE = 4
# The back office serves this path (GET: check the attendee in after login).
CHECKIN_PATH = "/organizer/tickets/"


@dataclass(frozen=True)
class Ticket:
    holder: str
    url: str

    def png(self) -> bytes:
        buffer = io.BytesIO()
        segno.make(self.url, error="m").save(buffer, kind="png", scale=6, border=QUIET_ZONE)
        return buffer.getvalue()

    def svg(self) -> Markup:
        return Markup(segno.make(self.url, error="m").svg_inline(scale=5, border=QUIET_ZONE, title=self.holder, omitsize=True))


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt=_SALT)


def ticket_code(ticket_key: str) -> str:
    """The code in the QR of the attendee whose ticket key this is."""
    return _signer().sign(ticket_key).decode()


def read_ticket_code(code: str) -> tuple[int, int | None] | None:
    """(registration id, delegate id or None) of a genuine ticket code, else None."""
    try:
        key = _signer().unsign(code).decode()
    except (BadSignature, UnicodeError):
        return None
    registration_id = db.session.scalar(select(Registration.id).where(Registration.ticket_key == key))
    if registration_id is not None:
        return registration_id, None
    found = db.session.execute(select(Delegate.registration_id, Delegate.id).where(Delegate.ticket_key == key)).first()
    return (found[0], found[1]) if found else None


def _checkin_url(ticket_key: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + CHECKIN_PATH + ticket_code(ticket_key)


def tickets(registration: Registration) -> list[Ticket]:
    """The tickets that let people in: a confirmed individual's, or each approved delegate's; none otherwise."""
    if registration.is_delegation:
        return [
            Ticket(delegate.full_name, _checkin_url(delegate.ticket_key))
            for delegate in registration.delegates
            if delegate.may_enter
        ]
    if registration.status != RegistrationStatus.CONFIRMED:
        return []
    return [Ticket(registration.full_name, _checkin_url(registration.ticket_key))]


def delegate_ticket(delegate: Delegate) -> Ticket | None:
    """One delegate's own ticket, while it lets them in (for their email and their personal page)."""
    return Ticket(delegate.full_name, _checkin_url(delegate.ticket_key)) if delegate.may_enter else None
