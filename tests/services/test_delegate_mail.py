"""Each delegate's own email and link: their ticket in their language when it starts to work, word when it stops,
once per change, resent at the contact's request, and nothing of it left after an erasure."""

import io
from datetime import timedelta

import pytest
import zxingcpp
from contacts import contact_of
from flask_babel import force_locale, gettext
from icalendar import Calendar
from PIL import Image
from sqlalchemy import select

from exchange.errors import ExchangeError, RegistrationLocked
from exchange.extensions import db
from exchange.i18n import LOCALES
from exchange.models import Delegate, DelegateToken, OutboxMessage, OutboxStatus, Registration, utcnow
from exchange.services.audit import Actor
from exchange.services.delegate_mail import DelegateNotice, _subject, delegate_mail_states, resend_delegate_ticket
from exchange.services.event_admin import cancel_event
from exchange.services.exports import EXPORT_COLUMNS, attendee_rows
from exchange.services.mailer import send_due
from exchange.services.privacy import erase_registration, personal_data
from exchange.services.registration_admin import DelegateDecision, approve, decide_delegates
from exchange.services.registrations import (
    DelegateData,
    OwnDetails,
    cancel,
    correct_delegate_details,
    register,
    substitute,
    update_delegates,
)
from exchange.services.reminders import queue_reminders
from exchange.services.tickets import read_ticket_code, ticket_code
from exchange.services.tokens import ManageLinkExpired, delegate_for_token, registration_for_token

TITLES = {"en": "Viet–Korean Exchange", "ko": "한·베 문화 교류", "lo": "ການແລກປ່ຽນວັດທະນະທຳ", "km": "ការផ្លាស់ប្តូរវប្បធម៌"}
# As the Done-when of the issue: a consulate's delegates with their own addresses in Korean, Lao and Khmer.
DELEGATES = [
    DelegateData(full_name="김민준", email="minjun@example.kr", language="ko", nationality="KR"),
    DelegateData(full_name="ສົມພອນ ວົງສາ", email="somphone@example.la", language="lo", nationality="LA"),
    DelegateData(full_name="សុខ ចាន់ថា", email="chantha@example.kh", language="km", nationality="KH"),
    DelegateData(full_name="No Address", nationality="KR"),
]


@pytest.fixture
def actor(make_user):
    return Actor(user=make_user("protocol@example.org"), ip_address="203.0.113.9")


@pytest.fixture
def consulate(make_event, delegation):
    """A pending delegation of the four DELEGATES, its contact writing in English."""
    event = make_event(titles=TITLES, capacity=20)
    request = delegation(size=0, language="en")
    request.delegates = list(DELEGATES)
    return register(event.id, request)


def _fresh(registration_id: int) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, registration_id)


def _own_emails(kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.delegate_id.is_not(None)).order_by(OutboxMessage.id)
    return list(db.session.scalars(query if kind is None else query.where(OutboxMessage.kind == kind)))


def _parts(message):
    return {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}


def _link_in(text: str) -> str:
    return next(word for word in text.split() if "/d/" in word)


def _as_rows(registration: Registration, **changes) -> list[DelegateData]:
    """The delegation's delegates as its edit form sends them back, with `changes` ({index: {field: value}})."""
    rows = []
    for index, delegate in enumerate(registration.delegates):
        values = {"full_name": delegate.full_name, "email": delegate.email, "language": delegate.language}
        rows.append(DelegateData(key=delegate.key, **(values | changes.get(str(index), {}))))
    return rows


def test_each_delegate_with_an_address_gets_their_own_ticket_in_their_language_once_approved(
    smtp_server, client, actor, consulate
):
    group = consulate.registration
    assert _own_emails() == []  # pending: nobody has a ticket yet
    send_due()
    assert [message["To"] for message in smtp_server.messages] == ["consulate@example.org"]

    approve(actor, group.id)
    rows = _own_emails()
    assert [(row.recipient, row.language, row.kind) for row in rows] == [
        ("minjun@example.kr", "ko", "delegate_ticket"),
        ("somphone@example.la", "lo", "delegate_ticket"),
        ("chantha@example.kh", "km", "delegate_ticket"),
    ]
    assert all(row.registration_id == group.id for row in rows)
    send_due()
    by_address = {message["To"]: message for message in smtp_server.messages[1:]}
    assert set(by_address) == {"consulate@example.org", "minjun@example.kr", "somphone@example.la", "chantha@example.kh"}
    group = _fresh(group.id)
    for delegate in group.delegates[:3]:
        message = by_address[delegate.email]
        parts = _parts(message)
        text, html = parts["text/plain"].get_content(), parts["text/html"].get_content()
        with force_locale(delegate.language):
            assert message["Subject"] == str(_subject(DelegateNotice.TICKET, TITLES[delegate.language]))
            attached = gettext("Your ticket is attached as a QR code. Show it at the entrance.")
        assert attached != "Your ticket is attached as a QR code. Show it at the entrance." and attached in text
        assert f'<html lang="{delegate.language}">' in html
        assert delegate.full_name in text and group.reference in text and TITLES[delegate.language] in text
        # Only this delegate: no other delegate's name, no contact's manage link.
        assert not any(other.full_name in text for other in group.delegates if other is not delegate)
        assert "/r/" not in text
        assert f"cid:{parts['image/png']['Content-ID'].strip('<>')}" in html  # their own QR code, shown inline
        (entry,) = Calendar.from_ical(parts["text/calendar"].get_content()).walk("VEVENT")
        assert str(entry["uid"]) == f"delegate-{delegate.key}@cantho-cultural-exchange"
        link = _link_in(text)
        assert link.startswith(f"https://events.example.test/{delegate.language}/d/")
        page = client.get(link.removeprefix("https://events.example.test"))
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        assert delegate.full_name in body and '<figure class="ticket">' in body
        assert not any(other.full_name in body for other in group.delegates if other is not delegate)
        assert registration_for_token(link.rsplit("/", 1)[1]) is None  # a delegate's link opens no contact's page
    assert all(d.ticket_mailed_to == d.email for d in group.delegates)
    assert delegate_mail_states(group) == {d.id: OutboxStatus.SENT for d in group.delegates[:3]}


def test_the_ticket_in_a_delegates_email_checks_in_that_delegate(smtp_server, actor, consulate):
    approve(actor, consulate.registration.id)
    send_due()
    message = next(m for m in smtp_server.messages if m["To"] == "somphone@example.la")
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(_parts(message)["image/png"].get_content())))
    somphone = db.session.scalar(select(Delegate).where(Delegate.email == "somphone@example.la"))
    assert read_ticket_code(found.text.rsplit("/", 1)[1]) == (consulate.registration.id, somphone.id)


def test_declining_a_delegate_withdraws_their_ticket_by_email_once(smtp_server, actor, consulate):
    group = consulate.registration
    approve(actor, group.id)
    send_due()
    minjun = _fresh(group.id).delegates[0]

    decide_delegates(actor, group.id, [minjun.id], DelegateDecision.DECLINE, "Sorry.")

    (withdrawal,) = _own_emails("delegate_withdrawn")
    assert (withdrawal.recipient, withdrawal.language, withdrawal.delegate_id) == ("minjun@example.kr", "ko", minjun.id)
    assert db.session.get(Delegate, minjun.id).ticket_mailed_to == ""
    # Later changes of the delegation say nothing more to them.
    group = _fresh(group.id)
    update_delegates(group.id, contact_of(group), _as_rows(group, **{"0": {"full_name": "ສົມພອນ ວົງສາ (Mr)"}}))
    assert len(_own_emails("delegate_withdrawn")) == 1 and len(_own_emails("delegate_ticket")) == 3


def test_a_withdrawal_email_says_the_ticket_stopped_working_and_carries_no_link(smtp_server, actor, consulate):
    group = consulate.registration
    approve(actor, group.id)
    send_due()
    decide_delegates(actor, group.id, [_fresh(group.id).delegates[2].id], DelegateDecision.DECLINE)
    send_due()
    message = smtp_server.messages[-1]
    assert message["To"] == "chantha@example.kh"
    text = _parts(message)["text/plain"].get_content()
    assert "/d/" not in text and "/r/" not in text
    (entry,) = Calendar.from_ical(_parts(message)["text/calendar"].get_content()).walk("VEVENT")
    assert str(entry["status"]) == "CANCELLED"


def test_a_substitute_with_an_address_gets_a_ticket_and_the_replaced_delegate_is_told(smtp_server, actor, consulate):
    group = consulate.registration
    approve(actor, group.id)
    send_due()
    replaced = _fresh(group.id).delegates[1]

    substitute(group.id, replaced.key, DelegateData(full_name="ບຸນມີ", email="bounmy@example.la", language="lo"))

    assert [(row.kind, row.recipient) for row in _own_emails()[3:]] == [
        ("delegate_withdrawn", "somphone@example.la"),
        ("delegate_ticket", "bounmy@example.la"),
    ]


def test_a_substitute_awaiting_approval_gets_their_ticket_only_when_approved(actor, make_event, delegation):
    event = make_event(titles=TITLES, capacity=20, substitutes_need_approval=True)
    request = delegation(size=0, language="en")
    request.delegates = list(DELEGATES[:2])
    group = register(event.id, request).registration
    approve(actor, group.id)
    new = substitute(group.id, _fresh(group.id).delegates[0].key, DelegateData(full_name="박서연", email="seoyeon@example.kr"))
    assert "seoyeon@example.kr" not in [row.recipient for row in _own_emails()]
    decide_delegates(actor, group.id, [new.id], DelegateDecision.APPROVE)
    (ticket,) = [row for row in _own_emails("delegate_ticket") if row.recipient == "seoyeon@example.kr"]
    assert ticket.language == "en"  # no language given: the contact's


def test_a_new_address_gets_the_ticket_and_a_removed_delegate_is_told(smtp_server, actor, consulate):
    group = consulate.registration
    approve(actor, group.id)
    send_due()
    group = _fresh(group.id)
    rows = _as_rows(group, **{"0": {"email": "minjun.kim@example.kr"}, "3": {"email": "late@example.org", "language": "fr"}})
    del rows[2]  # Chantha leaves the delegation

    update_delegates(group.id, contact_of(group), rows)

    assert [(row.kind, row.recipient, row.language) for row in _own_emails()[3:]] == [
        ("delegate_ticket", "minjun.kim@example.kr", "ko"),
        ("delegate_withdrawn", "chantha@example.kh", "km"),
        ("delegate_ticket", "late@example.org", "fr"),
    ]


def test_a_cancelled_event_tells_each_delegate_with_a_ticket(smtp_server, actor, consulate):
    group = consulate.registration
    approve(actor, group.id)
    send_due()
    cancel_event(actor, group.event_id, "The venue flooded.")
    assert sorted(row.recipient for row in _own_emails("delegate_withdrawn")) == [
        "chantha@example.kh",
        "minjun@example.kr",
        "somphone@example.la",
    ]


def test_the_contact_resends_a_ticket_at_most_once_a_minute(actor, consulate):
    group = consulate.registration
    pending = _fresh(group.id).delegates[0]
    with pytest.raises(RegistrationLocked, match="has no ticket yet"):
        resend_delegate_ticket(group.id, pending.key)
    approve(actor, group.id)
    group = _fresh(group.id)
    with pytest.raises(RegistrationLocked, match="emailed a moment ago"):
        resend_delegate_ticket(group.id, group.delegates[0].key)
    with pytest.raises(RegistrationLocked, match="no email address"):
        resend_delegate_ticket(group.id, group.delegates[3].key)
    with pytest.raises(RegistrationLocked, match="no email address"):
        resend_delegate_ticket(group.id, "forged-key")
    db.session.execute(OutboxMessage.__table__.update().values(created_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()

    resend_delegate_ticket(group.id, group.delegates[0].key)

    assert [row.recipient for row in _own_emails("delegate_ticket")].count("minjun@example.kr") == 2


def test_a_delegate_corrects_only_their_own_details(consulate):
    group = consulate.registration
    minjun = group.delegates[0]
    correct_delegate_details(minjun.id, OwnDetails(full_name="김민준 (Kim Minjun)", dietary="Vegetarian", language="en"))
    group = _fresh(group.id)
    assert [(d.full_name, d.dietary, d.language) for d in group.delegates] == [
        ("김민준 (Kim Minjun)", "Vegetarian", "en"),
        ("ສົມພອນ ວົງສາ", "", "lo"),
        ("សុខ ចាន់ថា", "", "km"),
        ("No Address", "", ""),
    ]
    assert group.delegates[0].email == "minjun@example.kr"  # the address is the contact's to change
    assert group.changes[-1].action == "delegate_corrected" and group.changes[-1].note == "김민준 (Kim Minjun)"


def test_a_replaced_delegate_can_no_longer_correct_anything(actor, consulate):
    group = consulate.registration
    approve(actor, group.id)
    replaced = _fresh(group.id).delegates[0]
    substitute(group.id, replaced.key, DelegateData(full_name="박서연"))
    with pytest.raises(RegistrationLocked, match="no longer on the delegation's list"):
        correct_delegate_details(replaced.id, OwnDetails(full_name="Back again"))
    assert db.session.get(Delegate, replaced.id).full_name == "김민준"


def test_a_delegates_link_expires_with_the_contacts_and_erasure_ends_it(smtp_server, app, actor, consulate):
    group = consulate.registration
    approve(actor, group.id)
    send_due()
    message = next(m for m in smtp_server.messages if m["To"] == "minjun@example.kr")
    token = _link_in(_parts(message)["text/plain"].get_content()).rsplit("/", 1)[1]
    assert delegate_for_token(token).email == "minjun@example.kr"
    assert delegate_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    own = personal_data(_fresh(group.id))["delegates"][0]
    assert (own["email"], own["language"]) == ("minjun@example.kr", "ko")  # in the contact's download too
    days = app.config["MANAGE_LINK_DAYS_AFTER_EVENT"]
    app.config["MANAGE_LINK_DAYS_AFTER_EVENT"] = -1000  # as if the event had ended long ago
    with pytest.raises(ManageLinkExpired):
        delegate_for_token(token)
    app.config["MANAGE_LINK_DAYS_AFTER_EVENT"] = days

    cancel(group.id)
    erase_registration(group.id)

    assert delegate_for_token(token) is None
    assert db.session.scalar(select(DelegateToken.id)) is None
    assert _own_emails() == []
    assert db.session.scalars(select(Delegate.email).where(Delegate.registration_id == group.id)).all() == ["", "", "", ""]


def test_exports_give_a_delegates_own_address_and_language(actor, consulate):
    group = consulate.registration
    approve(actor, group.id)
    columns = list(EXPORT_COLUMNS)
    rows = {row[3]: dict(zip(columns, row, strict=False)) for row in attendee_rows(_fresh(group.id).event)}
    assert (rows["김민준"]["email"], rows["김민준"]["language"]) == ("minjun@example.kr", "ko")
    assert (rows["No Address"]["email"], rows["No Address"]["language"]) == ("consulate@example.org", "en")


@pytest.mark.parametrize("lang", LOCALES)
@pytest.mark.parametrize("notice", list(DelegateNotice))
def test_every_delegate_email_in_every_language(smtp_server, actor, make_event, delegation, notice, lang):
    titles = {code: f"{TITLES.get(code, 'Exchange')} ({code})" for code in LOCALES}
    tomorrow = utcnow() + timedelta(days=1)
    event = make_event(titles=titles, capacity=20, starts_at=tomorrow, registration_closes_at=tomorrow - timedelta(hours=2))
    request = delegation(size=0, language="en")
    request.delegates = [DelegateData(full_name="Người Đại Diện", email="delegate@example.org", language=lang)]
    group = register(event.id, request).registration
    approve(actor, group.id)
    if notice is DelegateNotice.WITHDRAWN:
        send_due()  # the ticket left: its withdrawal follows
        cancel(group.id)
    if notice is DelegateNotice.REMINDER:
        send_due()
        assert queue_reminders() == 1
    send_due()
    message = smtp_server.messages[-1]
    assert message["To"] == "delegate@example.org"
    with force_locale(lang):
        assert message["Subject"] == str(_subject(notice, titles[lang]))
        greeting = gettext("Dear %(name)s,", name="Người Đại Diện")
    parts = _parts(message)
    text, html = parts["text/plain"].get_content(), parts["text/html"].get_content()
    for body in (text, html):
        assert titles[lang] in body and group.reference in body and greeting in body
    assert f'<html lang="{lang}">' in html
    assert ("/d/" in text) is notice.carries_ticket
    assert ("image/png" in parts) is notice.carries_ticket


def test_each_delegate_with_a_ticket_is_reminded_once_before_the_event(actor, make_event, delegation):
    tomorrow = utcnow() + timedelta(days=1)
    event = make_event(titles=TITLES, starts_at=tomorrow, registration_closes_at=tomorrow - timedelta(hours=2))
    request = delegation(size=0, language="en")
    request.delegates = list(DELEGATES)
    group = register(event.id, request).registration
    approve(actor, group.id)
    decide_delegates(actor, group.id, [_fresh(group.id).delegates[2].id], DelegateDecision.DECLINE)  # Chantha: no ticket

    assert queue_reminders() == 1 and queue_reminders() == 0

    assert sorted((row.recipient, row.language) for row in _own_emails("delegate_reminder")) == [
        ("minjun@example.kr", "ko"),
        ("somphone@example.la", "lo"),
    ]


# What the attacker's review found: a ticket must not reach an address it is no longer for. ----------------------


def _ticket_link(smtp_server, address: str) -> str:
    message = next(m for m in reversed(smtp_server.messages) if m["To"] == address)
    return _link_in(_parts(message)["text/plain"].get_content()).removeprefix("https://events.example.test")


def test_a_corrected_address_gets_a_new_ticket_and_what_went_to_the_old_one_stops_working(smtp_server, client, actor, consulate):
    group = consulate.registration
    approve(actor, group.id)
    send_due()
    old_link = _ticket_link(smtp_server, "minjun@example.kr")
    minjun = _fresh(group.id).delegates[0]
    old_code = ticket_code(minjun.ticket_key)  # what the QR code in their email holds
    assert read_ticket_code(old_code) == (group.id, minjun.id) and client.get(old_link).status_code == 200

    group = _fresh(group.id)
    update_delegates(group.id, contact_of(group), _as_rows(group, **{"0": {"email": "minjun.kim@example.kr"}}))
    send_due()

    assert read_ticket_code(old_code) is None  # the QR code sent to the old address no longer checks anyone in
    assert client.get(old_link).status_code == 404
    assert client.get(_ticket_link(smtp_server, "minjun.kim@example.kr")).status_code == 200


def test_a_ticket_still_waiting_when_the_address_changes_is_withdrawn_unsent(actor, consulate):
    group = consulate.registration
    approve(actor, group.id)  # three tickets queued, none sent
    key = _fresh(group.id).delegates[0].ticket_key
    group = _fresh(group.id)
    update_delegates(group.id, contact_of(group), _as_rows(group, **{"0": {"email": "MINJUN@example.kr"}}))
    # Only the case changed: the same mailbox, nothing new to send.
    assert [row.recipient for row in _own_emails("delegate_ticket")].count("minjun@example.kr") == 1
    update_delegates(group.id, contact_of(group), _as_rows(_fresh(group.id), **{"0": {"email": "other@example.kr"}}))
    recipients = [row.recipient for row in _own_emails("delegate_ticket")]
    assert "minjun@example.kr" not in recipients and recipients.count("other@example.kr") == 1
    assert db.session.get(Delegate, _fresh(group.id).delegates[0].id).ticket_key == key  # nothing had left: no new key


def test_a_delegate_declined_before_their_ticket_left_is_told_nothing(actor, consulate):
    group = consulate.registration
    approve(actor, group.id)
    decide_delegates(actor, group.id, [_fresh(group.id).delegates[0].id], DelegateDecision.DECLINE)
    assert "minjun@example.kr" not in [row.recipient for row in _own_emails()]
    assert db.session.get(Delegate, _fresh(group.id).all_delegates[0].id).ticket_mailed_to == ""


def test_a_withdrawn_delegates_link_stops_opening(smtp_server, client, actor, consulate):
    group = consulate.registration
    approve(actor, group.id)
    send_due()
    link = _ticket_link(smtp_server, "somphone@example.la")
    decide_delegates(actor, group.id, [_fresh(group.id).delegates[1].id], DelegateDecision.DECLINE)
    assert client.get(link).status_code == 404


def test_a_ticket_email_overtaken_at_the_last_moment_is_not_sent(smtp_server, actor, consulate):
    from sqlalchemy import update as sql_update

    group = consulate.registration
    approve(actor, group.id)
    # As if the sender held these rows while the delegate was declined and readdressed behind its back.
    minjun, somphone = _fresh(group.id).delegates[:2]
    db.session.execute(sql_update(Delegate).where(Delegate.id == minjun.id).values(email="elsewhere@example.kr"))
    db.session.execute(sql_update(Delegate).where(Delegate.id == somphone.id).values(status="declined"))
    db.session.commit()
    report = send_due()
    assert len(report.failed) == 2 and len(report.sent) == 3  # the contact's two emails, and Chantha's ticket
    assert sorted(message["To"] for message in smtp_server.messages) == [
        "chantha@example.kh",
        "consulate@example.org",
        "consulate@example.org",
    ]
    assert {row.last_error for row in _own_emails() if row.status == OutboxStatus.FAILED} == {
        "superseded: what it was about changed before it left (an address, a ticket, an invitation)"
    }
    assert db.session.scalar(select(DelegateToken.id).where(DelegateToken.delegate_id == minjun.id)) is None


def test_a_delegate_is_sent_their_ticket_at_most_five_times_a_day(smtp_server, actor, consulate):
    group = consulate.registration
    approve(actor, group.id)
    for number in range(4):
        send_due()
        group = _fresh(group.id)
        update_delegates(group.id, contact_of(group), _as_rows(group, **{"0": {"email": f"minjun{number}@example.kr"}}))
    send_due()
    group = _fresh(group.id)
    with pytest.raises(RegistrationLocked, match="sent their ticket 5 times today"):
        update_delegates(group.id, contact_of(group), _as_rows(group, **{"0": {"email": "minjun9@example.kr"}}))
    assert _fresh(group.id).delegates[0].email == "minjun3@example.kr"  # nothing changed


def test_the_services_refuse_an_address_that_is_none(consulate):
    group = _fresh(consulate.registration.id)
    with pytest.raises(ExchangeError, match="valid email address"):
        update_delegates(group.id, contact_of(group), _as_rows(group, **{"0": {"email": "a@x.org\r\nBcc: b@y.org"}}))
    assert _fresh(group.id).delegates[0].email == "minjun@example.kr"
