"""References people read and manage links nobody can guess."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..errors import ExchangeError
from ..extensions import db
from ..models import Delegate, DelegateToken, Event, ManageToken, Registration, utcnow

# No 0/O, 1/I: a reference is read aloud at the door and typed from paper.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class ManageLinkExpired(ExchangeError):
    """A genuine manage link whose time is over (MANAGE_LINK_DAYS_AFTER_EVENT after the event)."""


def new_reference(*, checked: bool = True) -> str:
    """A fresh reference such as CT-7KQ3-9XZD (40 random bits), unused so far.

    `checked=False` skips the lookup, for a caller that retries when the unique index refuses it.
    """
    while True:
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        reference = f"CT-{code[:4]}-{code[4:]}"
        if not checked or db.session.scalar(select(Registration.id).where(Registration.reference == reference)) is None:
            return reference


INVITATION_CODE_LENGTH = 8  # 40 random bits, typed from a letter: XXXX-XXXX, in the alphabet of references


def new_invitation_code() -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(INVITATION_CODE_LENGTH))
    return f"{code[:4]}-{code[4:]}"


def normalize_invitation_code(text: str) -> str:
    """A typed invitation code as stored (upper case, one dash), or "" when it cannot be one."""
    letters = "".join(char for char in (text or "").upper() if char.isalnum())
    if len(letters) != INVITATION_CODE_LENGTH or any(char not in REFERENCE_ALPHABET for char in letters):
        return ""
    return f"{letters[:4]}-{letters[4:]}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_manage_token() -> tuple[str, str]:
    """A new secret manage token (256 random bits) and the hash that is stored of it."""
    token = secrets.token_urlsafe(32)
    return token, _digest(token)


def issue_manage_token(registration: Registration, *, first: bool = False) -> str:
    """A new secret manage token (256 random bits) for `registration`; only its hash is stored.

    Only the newest MANAGE_LINKS_KEPT tokens of a registration stay valid: every
    email carries a fresh link, and the older ones stop working, so old
    messages lying in mailboxes or backups open nothing. Needs the
    registration's id (flushed). `first`: the registration was created in
    this transaction, so there is nothing older to forget.
    """
    token, token_hash = new_manage_token()
    db.session.add(ManageToken(registration=registration, token_hash=token_hash))
    if not first:
        db.session.flush()
        _forget_older(ManageToken, ManageToken.registration_id == registration.id)
    return token


def issue_delegate_token(delegate: Delegate) -> str:
    """A new secret token for a delegate's personal link; the newest MANAGE_LINKS_KEPT of theirs stay valid."""
    token, token_hash = new_manage_token()
    db.session.add(DelegateToken(delegate_id=delegate.id, token_hash=token_hash))
    db.session.flush()
    _forget_older(DelegateToken, DelegateToken.delegate_id == delegate.id)
    return token


def _forget_older(model: type[ManageToken] | type[DelegateToken], owned) -> None:
    kept = max(current_app.config["MANAGE_LINKS_KEPT"], 1)
    stale = list(db.session.scalars(select(model.id).where(owned).order_by(model.id.desc()).offset(kept)))
    if stale:
        db.session.execute(delete(model).where(model.id.in_(stale)))


def revoke_manage_token(token: str) -> None:
    """Forget a token (a registration's or a delegate's), such as one issued for an email that could not be delivered."""
    digest = _digest(token)
    db.session.execute(delete(ManageToken).where(ManageToken.token_hash == digest))
    db.session.execute(delete(DelegateToken).where(DelegateToken.token_hash == digest))


def manage_link_expires_at(event: Event) -> datetime:
    """When every manage link of the event's registrations stops working."""
    return event.ends_at + timedelta(days=current_app.config["MANAGE_LINK_DAYS_AFTER_EVENT"])


def _holder(token_model: type[ManageToken] | type[DelegateToken], holder: type[Registration] | type[Delegate], token: str):
    """The registration or delegate a token names, or None; a malformed token is simply unknown."""
    if not 20 <= len(token) <= 100:
        return None
    digest = _digest(token)
    found = db.session.execute(
        select(token_model.token_hash, holder).join(holder).where(token_model.token_hash == digest)
    ).first()
    if found is None or not hmac.compare_digest(found[0], digest):
        return None
    return found[1]


def registration_for_token(token: str) -> Registration | None:
    """The registration a manage token opens, or None.

    Raises ManageLinkExpired for a genuine token whose event ended more than
    MANAGE_LINK_DAYS_AFTER_EVENT days ago.
    """
    registration = _holder(ManageToken, Registration, token)
    if registration is not None and manage_link_expires_at(registration.event) <= utcnow():
        raise ManageLinkExpired(_l("This link has expired."))
    return registration


def delegate_for_token(token: str) -> Delegate | None:
    """The delegate a personal link opens, or None; raises ManageLinkExpired as `registration_for_token` does."""
    delegate = _holder(DelegateToken, Delegate, token)
    if delegate is None or delegate.registration.anonymised_at is not None:
        return None
    if manage_link_expires_at(delegate.registration.event) <= utcnow():
        raise ManageLinkExpired(_l("This link has expired."))
    return delegate
