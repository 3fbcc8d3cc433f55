"""Tickets: one per attendee (the person, or each delegate), shown as a QR code.

The code holds a signed check-in URL on BASE_URL. Organizers open it with any
camera app; the back office checks the attendee in after login. The
signature means nobody can forge a ticket for someone else.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup

from ..models import Registration

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


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def ticket_code(registration_id: int, delegate_id: int | None = None) -> str:
    return _serializer().dumps([registration_id, delegate_id])


def read_ticket_code(code: str) -> tuple[int, int | None] | None:
    """(registration id, delegate id or None) of a genuine ticket code, else None."""
    try:
        registration_id, delegate_id = _serializer().loads(code)
    except (BadSignature, ValueError, TypeError):
        return None
    return registration_id, delegate_id


def tickets(registration: Registration) -> list[Ticket]:
    """The tickets of a confirmed registration: the person, or each delegate; none otherwise."""
    if registration.status.value != "confirmed":
        return []
    base = current_app.config["BASE_URL"].rstrip("/") + CHECKIN_PATH
    if registration.is_delegation:
        return [
            Ticket(delegate.full_name, base + ticket_code(registration.id, delegate.id)) for delegate in registration.delegates
        ]
    return [Ticket(registration.full_name, base + ticket_code(registration.id))]
