"""Two-factor sign-in: TOTP codes (RFC 6238, any authenticator app) and one-time recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import cast

import pyotp
import segno
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.engine import CursorResult

from ..database import transactional
from ..extensions import db
from ..models import RecoveryCode, User
from .accounts import AccountError, get_user

ISSUER = "Cần Thơ Cultural Exchange"
RECOVERY_CODE_COUNT = 10
# No 0/O or 1/I, so a code copied from paper is read back right; 10 characters are 50 bits.
_RECOVERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_RECOVERY_LENGTH = 10
# Codes of the previous and next 30-second step are accepted too: phones' clocks drift.
_STEPS_ACCEPTED = (0, -1, 1)


class TwoFactorError(AccountError):
    """A second-factor change was refused; nothing changed."""


def new_secret() -> str:
    return pyotp.random_base32()


def enrolment_qr_svg(secret: str, email: str) -> str:
    """The otpauth:// QR code for an authenticator app, as inline SVG (with the 4-module quiet zone)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#000", light="#fff")


def _totp_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step whose code `code` is, if it is current and newer than the last one used."""
    code = "".join(code.split())
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp, now = pyotp.TOTP(secret), int(time.time())
    for offset in _STEPS_ACCEPTED:
        at = now + offset * totp.interval
        if hmac.compare_digest(totp.at(at), code):
            step = at // totp.interval
            return step if last_step is None or step > last_step else None
    return None


def _recovery_hash(code: str) -> str:
    normalised = "".join(char for char in code.upper() if char.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(raw)))
    return codes


@transactional
def enable(user_id: int, secret: str, code: str) -> list[str]:
    """Turn two-factor sign-in on once a code from the app proves it is set up; returns new recovery codes.

    Raises TwoFactorError when the code does not match the secret.
    """
    step = _totp_step(secret, code, None)
    if step is None:
        raise TwoFactorError(_l("This code is not right. Check the clock of your phone and try the next code."))
    user = get_user(user_id)
    user.totp_secret, user.totp_last_step = secret, step
    codes = _new_recovery_codes(user)
    return codes


@transactional
def replace_recovery_codes(user_id: int) -> list[str]:
    """New recovery codes; the old ones stop working."""
    codes = _new_recovery_codes(get_user(user_id))
    return codes


def recovery_codes_left(user_id: int) -> int:
    return db.session.execute(select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == user_id)).scalar_one()


@transactional
def disable(user_id: int, password: str) -> None:
    """Turn two-factor sign-in off after checking the password. Raises TwoFactorError.

    Administrators cannot while TWO_FACTOR_REQUIRED_FOR_ADMINS is on.
    """
    user = get_user(user_id)
    if user.is_admin and current_app.config["TWO_FACTOR_REQUIRED_FOR_ADMINS"]:  # the same rule as auth.sessions
        raise TwoFactorError(_l("Administrators need two-factor sign-in; it cannot be turned off."))
    if not user.check_password(password):
        raise TwoFactorError(_l("The current password is not right."))
    user = get_user(user_id)
    user.totp_secret, user.totp_last_step = None, None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


@transactional
def verify(user_id: int, code: str) -> bool:
    """Whether `code` is the account's current TOTP code or one of its unused recovery codes.

    A TOTP code works once (its time step is remembered); a recovery code is deleted when used.
    """
    user = get_user(user_id)
    step = _totp_step(user.totp_secret, code, user.totp_last_step) if user.totp_secret else None
    if step is not None:
        user.totp_last_step = step
        return True
    used = db.session.execute(
        delete(RecoveryCode).where(RecoveryCode.user_id == user_id, RecoveryCode.code_hash == _recovery_hash(code))
    )
    return cast(CursorResult, used).rowcount == 1  # DML gives a CursorResult; Session.execute is typed as returning Result
