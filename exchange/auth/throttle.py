"""The per-account sign-in throttle: it slows down guessing without locking out the account's owner.

Only wrong answers count (a wrong password, a wrong second-factor code), and a refused attempt
is not checked and not counted, so a lock lasts one window after the last wrong answer and the
right password works again once it has passed. Browsers where the account signed in before
carry a signed device cookie and get a budget of their own; every other browser shares the
account's budget. So an attacker who exhausts the account's budget delays sign-in only on
browsers the owner has never used. Keys use the normalised address, like sign-in itself, so
spelling the address differently (a soft hyphen, capitals) gains no extra attempts.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse_many

from ..extensions import limiter

DEVICE_COOKIE = "known_device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="sign-in-device")


def _account_tag(address: str) -> str:
    # The cookie names the account by a hash: whoever reads the cookie does not learn the address.
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def throttle_key(address: str) -> tuple[str, str]:
    """The counter this attempt draws on, and the config key of its limits."""
    try:
        device = _serializer().loads(request.cookies.get(DEVICE_COOKIE, ""))
    except BadSignature:
        device = None
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")  # shared Redis: one installation's counters
    if isinstance(device, dict) and device.get("account") == _account_tag(address) and isinstance(device.get("id"), str):
        return f"{prefix}sign-in-device:{device['id']}", "LOGIN_FAILURES_PER_DEVICE"
    return f"{prefix}sign-in-account:{_account_tag(address)}", "LOGIN_FAILURES_PER_ACCOUNT"


def _enabled() -> bool:
    return bool(current_app.config["RATELIMIT_ENABLED"])


def is_locked(key: tuple[str, str]) -> bool:
    """Whether this counter has no wrong answer left in its window."""
    if not _enabled():
        return False
    name, setting = key
    return not all(limiter.limiter.test(item, name) for item in parse_many(current_app.config[setting]))


def count_failure(key: tuple[str, str]) -> None:
    if _enabled():
        name, setting = key
        for item in parse_many(current_app.config[setting]):
            limiter.limiter.hit(item, name)


def remember_device(response: Response, address: str) -> None:
    """Mark this browser as one where the account signed in, so it keeps its own budget."""
    value = _serializer().dumps({"account": _account_tag(address), "id": secrets.token_urlsafe(16)})
    response.set_cookie(
        DEVICE_COOKIE, value, max_age=DEVICE_COOKIE_MAX_AGE, path="/organizer/", httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"], samesite="Lax",
    )  # fmt: skip
