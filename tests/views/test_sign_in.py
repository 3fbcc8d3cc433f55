"""Sessions that end, a sign-in throttle that spares the account's owner, two-factor sign-in, password rules."""

import time

import pyotp
import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from exchange import create_app
from exchange.auth.sessions import LAST_SEEN_KEY
from exchange.extensions import db
from exchange.models import RecoveryCode, User, UserRole
from exchange.services.accounts import AccountError, check_password_policy, create_user, update_user
from exchange.services.audit import Actor

PASSWORD = "correct horse battery staple"
EMAIL = "organizer@example.org"


@pytest.fixture
def organizer(make_user, make_event):
    return make_user(EMAIL, events=[make_event(slug="yoga-day-2031")])


def _sign_in(client, email=EMAIL, password=PASSWORD, **headers):
    return client.post("/organizer/login", data={"email": email, "password": password}, headers=headers)


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _client_with_cookie(app, value):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


# Sessions ---------------------------------------------------------------------------------------------


def test_a_copied_session_cookie_stops_working_at_sign_out(app, client, organizer):
    assert _sign_in(client).status_code == 303
    captured = _session_cookie(client)
    assert _client_with_cookie(app, captured).get("/organizer/").status_code == 200
    client.post("/organizer/logout")
    assert _client_with_cookie(app, captured).get("/organizer/").status_code == 302


def test_changing_the_password_ends_every_other_session(app, client, organizer):
    _sign_in(client)
    elsewhere = app.test_client()
    _sign_in(elsewhere)
    new = "a river market at dawn"
    response = client.post(
        "/organizer/account", data={"password-current_password": PASSWORD, "password-new_password": new},
        headers={"Accept-Language": "en"}, follow_redirects=True,
    )  # fmt: skip
    assert "Your password is changed." in response.get_data(as_text=True)
    assert client.get("/organizer/").status_code == 200
    assert elsewhere.get("/organizer/").status_code == 302
    assert _sign_in(elsewhere, password=new).status_code == 303


def test_signing_out_of_all_other_devices_keeps_this_one(app, client, organizer):
    _sign_in(client)
    elsewhere = app.test_client()
    _sign_in(elsewhere)
    page = client.get("/organizer/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Sign out of all other devices" in page
    assert client.post("/organizer/account/sessions/end").status_code == 303
    assert client.get("/organizer/").status_code == 200
    assert elsewhere.get("/organizer/").status_code == 302


def test_a_deactivated_account_is_signed_out_at_once(app, client, organizer, make_user):
    _sign_in(client)
    admin = make_user("admin@example.org", role="admin")
    update_user(Actor(user=admin), organizer.id, role=UserRole.ORGANIZER, active=False, event_ids=[])
    assert client.get("/organizer/").status_code == 302
    update_user(Actor(user=admin), organizer.id, role=UserRole.ORGANIZER, active=True, event_ids=[])
    assert client.get("/organizer/").status_code == 302  # reactivating does not revive the old session


def test_an_idle_back_office_session_ends(app, client, organizer):
    app.config["BACK_OFFICE_IDLE_MINUTES"] = 30
    _sign_in(client)
    with client.session_transaction() as session:
        session[LAST_SEEN_KEY] = int(time.time()) - 29 * 60
    assert client.get("/organizer/").status_code == 200
    with client.session_transaction() as session:
        session[LAST_SEEN_KEY] = int(time.time()) - 31 * 60
    response = client.get("/organizer/", headers={"Accept-Language": "en"}, follow_redirects=True)
    assert response.request.path == "/organizer/login"
    assert "You were signed out after a while without activity." in response.get_data(as_text=True)
    assert client.get("/organizer/").status_code == 302


# The sign-in throttle ---------------------------------------------------------------------------------


@pytest.fixture
def throttled(app):
    """A second app on the same database with the limits on: three wrong passwords per two seconds."""
    settings = {
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": True,
        "LOGIN_FAILURES_PER_ACCOUNT": "3 per 2 seconds",
        "LOGIN_FAILURES_PER_DEVICE": "3 per 2 seconds",
    }
    throttled = create_app(settings)
    yield throttled
    with throttled.app_context():
        db.engine.dispose()


def test_another_spelling_of_the_address_gains_no_extra_guesses(throttled, organizer):
    attacker = throttled.test_client()
    spellings = ["organi\u00adzer@example.org", "ORGANIZER@example.org", "organizer@exa\u200bmple.org"]
    codes = [_sign_in(attacker, email, "wrong password here").status_code for email in spellings]
    # The fourth guess is refused unchecked, whichever spelling it uses, even with the right password.
    locked = _sign_in(attacker, "Organi\u00adzer@EXAMPLE.org", PASSWORD, **{"Accept-Language": "en"})
    assert codes == [200, 200, 200] and locked.status_code == 429
    assert "Too many wrong attempts for this account." in locked.get_data(as_text=True)
    assert _sign_in(attacker, "someone.else@example.org", "wrong password here").status_code == 200


def test_the_owner_still_signs_in_while_an_attacker_is_throttled(throttled, organizer):
    owner, attacker = throttled.test_client(), throttled.test_client()
    assert _sign_in(owner).status_code == 303  # this browser is now a known device
    owner.post("/organizer/logout")
    for _ in range(3):
        _sign_in(attacker, password="wrong password here")
    assert _sign_in(attacker).status_code == 429
    assert _sign_in(owner).status_code == 303
    time.sleep(2.1)  # the window has passed: the right password works on any browser again
    assert _sign_in(attacker).status_code == 303


def test_refused_attempts_do_not_extend_the_lock(throttled, organizer):
    attacker = throttled.test_client()
    for _ in range(3):
        _sign_in(attacker, password="wrong password here")
    for _ in range(5):
        assert _sign_in(attacker, password="wrong password here").status_code == 429
    time.sleep(2.1)
    assert _sign_in(attacker).status_code == 303


# Two-factor sign-in -----------------------------------------------------------------------------------


def test_two_factor_sign_in_asks_for_a_code_that_works_once(app, client, make_user):
    secret = pyotp.random_base32()
    make_user(EMAIL, totp_secret=secret)
    response = _sign_in(client)
    assert response.status_code == 303 and response.headers["Location"] == "/organizer/login/two-factor"
    assert client.get("/organizer/").status_code == 302  # the password alone does not sign in
    wrong = client.post("/organizer/login/two-factor", data={"code": "000000"}, headers={"Accept-Language": "en"})
    assert wrong.status_code == 200 and "This code is not right." in wrong.get_data(as_text=True)
    code = pyotp.TOTP(secret).now()
    assert client.post("/organizer/login/two-factor", data={"code": code}).status_code == 303
    assert client.get("/organizer/").status_code == 200
    client.post("/organizer/logout")
    _sign_in(client)
    replay = client.post("/organizer/login/two-factor", data={"code": code})
    assert replay.status_code == 200 and client.get("/organizer/").status_code == 302


def test_the_second_step_expires_and_needs_the_password_first(app, client, make_user):
    make_user(EMAIL, totp_secret=pyotp.random_base32())
    assert client.get("/organizer/login/two-factor").headers["Location"] == "/organizer/login"
    _sign_in(client)
    with client.session_transaction() as session:
        session["_pending_sign_in"] = session["_pending_sign_in"] | {"at": int(time.time()) - 301}
    assert client.get("/organizer/login/two-factor").headers["Location"] == "/organizer/login"


def test_second_factor_guesses_are_throttled(throttled, organizer):
    organizer.totp_secret = pyotp.random_base32()
    db.session.commit()
    attacker = throttled.test_client()
    _sign_in(attacker)
    codes = [attacker.post("/organizer/login/two-factor", data={"code": "123456"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_setting_up_two_factor_and_signing_in_with_a_recovery_code(app, client, login, organizer):
    login(organizer)
    page = client.get("/organizer/account/two-factor", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<svg width="' in page and "Scan this code with an authenticator app" in page
    with client.session_transaction() as session:
        secret = session["_totp_setup"]
    assert secret in page  # the key to type in by hand
    refused = client.post("/organizer/account/two-factor", data={"action": "enable", "setup-code": "000000"})
    assert refused.status_code == 200 and db.session.get(User, organizer.id).totp_secret is None
    shown = client.post("/organizer/account/two-factor", data={"action": "enable", "setup-code": pyotp.TOTP(secret).now()})
    db.session.expire_all()
    assert db.session.get(User, organizer.id).totp_secret == secret
    recovery = [line.split("<code>")[1].split("</code>")[0] for line in shown.get_data(as_text=True).split("<li>")[1:]]
    assert len(recovery) == 10 and len(set(recovery)) == 10
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert not any(code.replace("-", "") in stored for code in recovery)  # only hashes are kept

    client.post("/organizer/logout")
    _sign_in(client)
    assert client.post("/organizer/login/two-factor", data={"code": recovery[0].lower()}).status_code == 303
    client.post("/organizer/logout")
    _sign_in(client)
    assert client.post("/organizer/login/two-factor", data={"code": recovery[0]}).status_code == 200  # used up
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 9
    _sign_in(client)
    client.post("/organizer/login/two-factor", data={"code": recovery[1]})
    account = client.get("/organizer/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Two-factor sign-in is on. 8 recovery codes are left." in account


def test_turning_two_factor_off_needs_the_password(app, client, login, make_user):
    user = make_user(EMAIL, totp_secret=pyotp.random_base32())
    login(user)
    client.post("/organizer/account/two-factor", data={"action": "disable", "off-password": "not my password"})
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret is not None
    client.post("/organizer/account/two-factor", data={"action": "disable", "off-password": PASSWORD})
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret is None


def test_administrators_must_set_up_two_factor_first(app, client, login, make_user):
    admin = make_user("admin@example.org", role="admin")
    admin.totp_secret = None
    db.session.commit()
    login(admin)
    for path in ("/organizer/", "/organizer/admin/users", "/organizer/account"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"] == "/organizer/account/two-factor"
    assert client.get("/organizer/account/two-factor").status_code == 200
    app.config["TWO_FACTOR_REQUIRED_FOR_ADMINS"] = False
    assert client.get("/organizer/admin/users").status_code == 200


def test_administrators_cannot_turn_required_two_factor_off(app, client, login, make_user):
    admin = make_user("admin@example.org", role="admin")
    login(admin)
    client.post("/organizer/account/two-factor", data={"action": "disable", "off-password": PASSWORD})
    db.session.expire_all()
    assert db.session.get(User, admin.id).totp_secret is not None


# Passwords --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", "at least 12"),
        ("password1234", "most common"),
        ("qwerty123456", "most common"),
        ("aaaaaaaaaaaa", "most common"),
        ("abababababab", "most common"),
        ("nguyen.lan@example.org", "email address or name"),
        ("my name is nguyen!", "email address or name"),
    ],
)
def test_weak_passwords_are_refused(app, password, message):
    with force_locale("en"), pytest.raises(AccountError, match=message):
        check_password_policy(password, "Nguyen.Lan@example.org")


def test_a_good_password_is_accepted(app):
    check_password_policy("a river market at dawn", "nguyen.lan@example.org")


def test_every_way_of_setting_a_password_applies_the_rules(app, client, login, runner, organizer, make_user):
    with force_locale("en"):
        cli = runner.invoke(
            args=["create-user", "door@example.org", "--role", "door", "--password-stdin"], input="password1234\n"
        )
    assert cli.exit_code == 1 and "most common" in cli.output
    login(make_user("admin@example.org", role="admin"))
    page = client.post(
        "/organizer/admin/users/new", data={"email": "new@example.org", "password": "aaaaaaaaaaaa", "role": "organizer"},
        headers={"Accept-Language": "en"},
    )  # fmt: skip
    assert "This password is among the most common ones." in page.get_data(as_text=True)
    login(organizer)
    page = client.post(
        "/organizer/account", data={"password-current_password": PASSWORD, "password-new_password": "organizer@example.org"},
        headers={"Accept-Language": "en"},
    )  # fmt: skip
    assert "must not contain the account" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_accounts_are_found_by_the_normalised_address(app):
    create_user("Ｌａｎ@Example.org", "a river market at dawn", UserRole.VIEWER)
    assert db.session.scalar(select(User.email)) == "lan@example.org"
    with force_locale("en"), pytest.raises(AccountError, match="already exists"):
        create_user("l\u00adan@example.org", "a river market at dawn", UserRole.VIEWER)
