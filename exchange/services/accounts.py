"""Organizer accounts and which events each may manage."""

from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import begin_write
from ..errors import ExchangeError
from ..extensions import db
from ..i18n import LOCALES
from ..models import Event, User, UserRole, event_assignment, utcnow
from .audit import Actor, record

MIN_PASSWORD_LENGTH = 12


@cache
def _unknown_user_hash() -> str:
    return generate_password_hash("no account has this password")


class AccountError(ExchangeError):
    """An account change was refused; nothing changed."""


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_l("The password must have at least %(count)s characters.", count=MIN_PASSWORD_LENGTH))


def create_user(email: str, password: str, role: UserRole, language: str = "vi") -> User:
    """Create an account. Raises AccountError for a taken address or a short password."""
    email = email.strip().lower()
    _check_password(password)
    begin_write()
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(_l("An account with this email address already exists."))
    user = User(email=email, role=role, language=language if language in LOCALES else "vi")
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def user_exists(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == email.strip().lower())) is not None


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (the same answer for every failure)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_unknown_user_hash(), password)  # same time taken as for a real account
        return None
    if not user.check_password(password) or not user.active:
        return None
    begin_write()
    user = db.session.get(User, user.id)
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def change_password(user_id: int, current: str, new: str) -> None:
    """Change one's own password after checking the current one. Raises AccountError."""
    user = db.session.get(User, user_id)
    if not user.check_password(current):
        raise AccountError(_l("The current password is not right."))
    _check_password(new)
    begin_write()
    user = db.session.get(User, user_id)
    user.set_password(new)
    db.session.commit()


def set_language(user_id: int, language: str) -> None:
    if language not in LOCALES:
        raise AccountError(_l("Please choose one of the options in the list."))
    begin_write()
    db.session.get(User, user_id).language = language
    db.session.commit()


def update_user(actor: Actor, user_id: int, *, role: UserRole, active: bool, event_ids: list[int]) -> User:
    """An administrator sets an account's role, whether it may sign in, and its events."""
    begin_write()
    user = db.session.get(User, user_id)
    if user.id == actor.user.id and (role != UserRole.ADMIN or not active):
        raise AccountError(_l("You cannot remove your own administrator access."))
    user.role, user.active = role, active
    user.events = list(db.session.scalars(select(Event).where(Event.id.in_(event_ids)))) if event_ids else []
    record(actor, "user.updated", target=user.email, role=role.value, active=active, events=sorted(event_ids))
    db.session.commit()
    return user


def can_manage(user: User, event: Event) -> bool:
    return user.is_admin or any(assigned.id == event.id for assigned in user.events)


def manageable_events_query(user: User):
    """A select() of the events `user` may manage, soonest first."""
    query = select(Event).order_by(Event.starts_at.desc())
    if not user.is_admin:
        query = query.join(event_assignment, event_assignment.c.event_id == Event.id).where(event_assignment.c.user_id == user.id)
    return query
