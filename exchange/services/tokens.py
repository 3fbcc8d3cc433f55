"""References people read and manage links nobody can guess."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import delete, select

from ..extensions import db
from ..models import ManageToken, Registration

# No 0/O, 1/I: a reference is read aloud at the door and typed from paper.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_reference() -> str:
    """A fresh reference such as CT-7KQ3-9XZD (40 random bits), unused so far."""
    while True:
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        reference = f"CT-{code[:4]}-{code[4:]}"
        if db.session.scalar(select(Registration.id).where(Registration.reference == reference)) is None:
            return reference


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_manage_token(registration: Registration) -> str:
    """A new secret manage token (256 random bits) for `registration`; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    db.session.add(ManageToken(registration=registration, token_hash=_digest(token)))
    return token


def revoke_manage_token(token: str) -> None:
    """Forget a token, such as one issued for an email that could not be delivered."""
    db.session.execute(delete(ManageToken).where(ManageToken.token_hash == _digest(token)))


def registration_for_token(token: str) -> Registration | None:
    """The registration a manage token opens, or None; a malformed token is simply unknown."""
    if not 20 <= len(token) <= 100:
        return None
    digest = _digest(token)
    found = db.session.execute(
        select(ManageToken.token_hash, Registration).join(Registration).where(ManageToken.token_hash == digest)
    ).first()
    if found is None or not hmac.compare_digest(found[0], digest):
        return None
    return found[1]
