"""A row that is gone by the time a service runs: a translated domain error, and nothing changes."""

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from exchange.errors import RegistrationNotFound
from exchange.extensions import db
from exchange.models import Event, Registration
from exchange.services.accounts import AccountError, change_password, end_sessions, set_language
from exchange.services.audit import Actor
from exchange.services.broadcast import BroadcastRefused, broadcast
from exchange.services.event_admin import EventRefused, duplicate_for_next_year
from exchange.services.privacy import erase_registration
from exchange.services.registrations import register
from exchange.services.two_factor import replace_recovery_codes

GONE = 999_999


@pytest.fixture
def actor(make_user):
    return Actor(user=make_user("organizer@example.org"), ip_address="203.0.113.7")


@pytest.mark.parametrize(
    "call",
    [
        lambda: change_password(GONE, "correct horse battery staple", "a much newer passphrase"),
        lambda: end_sessions(GONE),
        lambda: set_language(GONE, "vi"),
        lambda: replace_recovery_codes(GONE),
    ],
    ids=["change_password", "end_sessions", "set_language", "replace_recovery_codes"],
)
def test_a_deleted_account_is_refused_in_the_users_language(app, call):
    with pytest.raises(AccountError) as refused:
        call()
    with force_locale("vi"):
        assert str(refused.value.message) == "Tài khoản này không còn tồn tại."
    db.session.rollback()


def test_registering_for_a_deleted_event_is_refused_and_adds_nothing(app, individual):
    with pytest.raises(RegistrationNotFound) as refused:
        register(GONE, individual())
    assert str(refused.value.message) == "This event no longer exists."
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_broadcasting_to_a_deleted_event_is_refused(actor):
    with pytest.raises(BroadcastRefused) as refused:
        broadcast(actor, GONE, {"en": ("Notice", "The bus leaves at 7.")}, fallback="en")
    assert str(refused.value.message) == "This event no longer exists."
    db.session.rollback()


def test_duplicating_a_deleted_event_is_refused_and_creates_nothing(actor, make_event):
    make_event()
    with pytest.raises(EventRefused) as refused:
        duplicate_for_next_year(actor, GONE)
    assert str(refused.value.message) == "This event no longer exists."
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1


def test_erasing_a_deleted_registration_is_refused(app):
    with pytest.raises(RegistrationNotFound) as refused:
        erase_registration(GONE)
    assert str(refused.value.message) == "This registration no longer exists."
    db.session.rollback()
