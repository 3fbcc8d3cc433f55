"""Organizer accounts, which events each may manage, passwords and session versions."""

from __future__ import annotations

import unicodedata
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, case, exists, select
from sqlalchemy.orm import lazyload
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import transactional
from ..errors import ExchangeError
from ..extensions import db
from ..i18n import LOCALES
from ..models import Event, User, UserRole, event_assignment, utcnow
from .audit import Actor, changes, record

MIN_PASSWORD_LENGTH = 12
# A password of 12 characters drawn from fewer than this many different ones ("aaaaaaaaaaaa",
# "abababababab") is no better than a short one.
MIN_DISTINCT_CHARACTERS = 5
# Parts of the address shorter than this ("a", "vn") are too common to refuse inside a password.
MIN_NAME_PART = 4


@cache
def _unknown_user_hash() -> str:
    return generate_password_hash("no account has this password")


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords, from the list the zxcvbn package ships (lower case)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


class AccountError(ExchangeError):
    """An account change was refused; nothing changed."""


def get_user(user_id: int) -> User:
    """The account with this id. Raises AccountError when it is gone."""
    user = db.session.get(User, user_id)
    if user is None:
        raise AccountError(_l("This account no longer exists."))
    return user


def normalise_email(value: str) -> str:
    """The form of an address that sign-in, account creation and the sign-in throttle all use.

    NFKC folds look-alike forms (full-width letters), format characters (soft hyphen, zero-width
    space and joiners, BOM) are removed and case is folded, so that no two spellings of one
    address count as two accounts or as two throttles.
    """
    value = unicodedata.normalize("NFKC", value)
    return "".join(char for char in value if unicodedata.category(char) != "Cf").strip().casefold()


def check_password_policy(password: str, email: str) -> None:
    """Refuse a password that is short, common, or made of the account's own address. Raises AccountError."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_l("The password must have at least %(count)s characters.", count=MIN_PASSWORD_LENGTH))
    folded = normalise_email(password)
    if folded in common_passwords() or len(set(folded)) < MIN_DISTINCT_CHARACTERS:
        raise AccountError(_l("This password is among the most common ones. Please choose another."))
    address = normalise_email(email)
    local_part = address.partition("@")[0]
    names = {address, local_part} | {part for part in _split_name(local_part) if len(part) >= MIN_NAME_PART}
    if any(name and name in folded for name in names):
        raise AccountError(_l("The password must not contain the account's email address or name."))


def _split_name(local_part: str) -> list[str]:
    for separator in "._-+":
        local_part = local_part.replace(separator, " ")
    return local_part.split()


@transactional
def create_user(email: str, password: str, role: UserRole, language: str = "vi") -> User:
    """Create an account. Raises AccountError for a taken address or a password the policy refuses."""
    email = normalise_email(email)
    check_password_policy(password, email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(_l("An account with this email address already exists."))
    user = User(email=email, role=role, language=language if language in LOCALES else "vi")
    user.set_password(password)
    db.session.add(user)
    return user


def user_exists(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == normalise_email(email))) is not None


def check_credentials(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (the same answer for every failure).

    Changes nothing: a second factor may still be asked for before `record_sign_in`.
    """
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_unknown_user_hash(), password)  # same time taken as for a real account
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


@transactional
def record_sign_in(user_id: int) -> User:
    """Note the time of a completed sign-in."""
    user = get_user(user_id)
    user.last_login_at = utcnow()
    return user


@transactional
def change_password(user_id: int, current: str, new: str) -> User:
    """Change one's own password after checking the current one; every other session ends. Raises AccountError."""
    user = get_user(user_id)
    if not user.check_password(current):
        raise AccountError(_l("The current password is not right."))
    check_password_policy(new, user.email)
    user = get_user(user_id)
    user.set_password(new)
    user.session_version += 1
    return user


@transactional
def end_sessions(user_id: int) -> User:
    """End every session of the account (sign-out, "sign out of all devices"): their login ids go stale."""
    user = get_user(user_id)
    user.session_version += 1
    return user


@transactional
def set_language(user_id: int, language: str) -> None:
    if language not in LOCALES:
        raise AccountError(_l("Please choose one of the options in the list."))
    get_user(user_id).language = language


def _audited(user: User) -> dict[str, object]:
    """What an administrator may change on an account, as the audit log compares it (events by web address)."""
    return {
        "role": user.role,
        "active": user.active,
        "may_export": user.may_export,
        "events": sorted(e.slug for e in user.events),
    }


@transactional
def update_user(
    actor: Actor, user_id: int, *, role: UserRole, active: bool, event_ids: list[int], may_export: bool = False
) -> User:
    """An administrator sets an account's role, whether it may sign in, its events and (viewers) exports.

    Deactivating an account ends its sessions. Raises AccountError when admins would lock themselves out.
    """
    user = get_user(user_id)
    if user.id == actor.user.id and (role != UserRole.ADMIN or not active):
        raise AccountError(_l("You cannot remove your own administrator access."))
    if user.active and not active:
        user.session_version += 1
    before = _audited(user)
    user.role, user.active, user.may_export = role, active, may_export
    user.events = list(db.session.scalars(select(Event).where(Event.id.in_(event_ids)))) if event_ids else []
    record(
        actor, "user.updated", target=user.email, role=role.value, active=active, events=sorted(event_ids),
        may_export=may_export, changes=changes(before, _audited(user)) or None,
    )  # fmt: skip
    return user


def can_manage(user: User, event: Event) -> bool:
    """Whether `user` may manage `event`: one indexed lookup, not a load of all their events."""
    if user.is_admin:
        return True
    assigned = exists().where(event_assignment.c.user_id == user.id, event_assignment.c.event_id == event.id)
    return bool(db.session.scalar(select(assigned)))


# Every back-office request about one event runs one of these; built once, since building costs more than running.
_EVENT_BY_SLUG = select(Event).where(Event.slug == bindparam("slug")).options(lazyload(Event.translations))
_ASSIGNED_EVENT_BY_SLUG = _EVENT_BY_SLUG.where(
    exists().where(event_assignment.c.user_id == bindparam("user_id"), event_assignment.c.event_id == Event.id)
)


def manageable_event(slug: str, user: User) -> Event | None:
    """The event `slug` if `user` may manage it (one statement), its translations read on first use; else None."""
    statement = _EVENT_BY_SLUG if user.is_admin else _ASSIGNED_EVENT_BY_SLUG
    return db.session.scalar(statement, {"slug": slug, "user_id": user.id})


def manageable_events_query(user: User):
    """A select() of the events `user` may manage: the next one first, then later ones, then past ones (latest first).

    An event under way has not ended, so it comes before the next one to start.
    """
    coming = Event.ends_at >= utcnow()
    query = select(Event).order_by(case((coming, 0), else_=1), case((coming, Event.starts_at)), Event.starts_at.desc())
    if not user.is_admin:
        query = query.join(event_assignment, event_assignment.c.event_id == Event.id).where(event_assignment.c.user_id == user.id)
    return query
