"""Email: rendered in the registrant's language, delivered through a real SMTP server, never lost or doubled."""

import email
import email.policy
import io
import os
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
import segno
import zxingcpp
from flask_babel import force_locale
from icalendar import Calendar
from PIL import Image, ImageOps
from sqlalchemy import func, select, update

from exchange.extensions import db
from exchange.i18n import LOCALES
from exchange.models import DelegateStatus, ManageToken, OutboxMessage, OutboxStatus, Registration, RegistrationStatus, utcnow
from exchange.services.audit import Actor
from exchange.services.broadcast import broadcast
from exchange.services.calendar import registration_calendar
from exchange.services.mailer import claim_next, send_due
from exchange.services.notifications import Notice, _subject, notify
from exchange.services.outbox import queue_email
from exchange.services.registrations import DelegateData, cancel, expire_pending, register, substitute
from exchange.services.reminders import queue_reminders
from exchange.services.seats import release_seats
from exchange.services.tickets import read_ticket_code, tickets

ROOT = Path(__file__).resolve().parents[2]
TITLES = {
    "vi": "Ngày Quốc tế Yoga",
    "en": "International Yoga Day",
    "ko": "국제 요가의 날",
    "ja": "国際ヨガの日",
    "lo": "ວັນໂຍຄະສາກົນ",
    "km": "ទិវាយោគៈអន្តរជាតិ",
    "th": "วันโยคะสากล",
    "fr": "Journée internationale du yoga",
}


def _outbox(status=None):
    db.session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    return db.session.scalars(query if status is None else query.where(OutboxMessage.status == status)).all()


def _parts(message):
    return {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}


def test_a_korean_registration_puts_a_korean_email_with_calendar_and_qr_in_the_mailbox(smtp_server, make_event, individual):
    event = make_event(titles=TITLES)
    outcome = register(event.id, individual(email="seoyeon@example.kr", language="ko", full_name="이서연"))
    assert send_due().sent
    (message,) = smtp_server.messages
    registration = outcome.registration
    with force_locale("ko"):
        assert message["Subject"] == str(_subject(Notice.CONFIRMED, "국제 요가의 날"))
    assert message["To"] == "seoyeon@example.kr"
    assert message["Message-ID"] and message["Date"]
    parts = _parts(message)
    text = parts["text/plain"].get_content()
    assert "이서연" in text and registration.reference in text and "국제 요가의 날" in text
    assert "https://events.example.test/ko/r/" in text
    assert '<html lang="ko">' in parts["text/html"].get_content()
    (entry,) = Calendar.from_ical(parts["text/calendar"].get_content()).walk("VEVENT")
    assert str(entry["uid"]) == f"registration-{registration.reference}@cantho-cultural-exchange"
    qr = parts["image/png"]
    assert qr.get_content() == tickets(registration)[0].png()
    assert f"cid:{qr['Content-ID'].strip('<>')}" in parts["text/html"].get_content()
    code = tickets(registration)[0].url.rsplit("/", 1)[1]
    assert read_ticket_code(code) == (registration.id, None)
    assert read_ticket_code(code[:-2] + "xx") is None
    assert code.split(".")[0] == registration.ticket_key  # a random key, no id


def _make_notice(kind, event, individual, delegation, lang, message="Bus leaves at 07:00."):
    """A registration in the state that `kind` announces, its notice queued (with `message` if an organizer writes one)."""
    delegates_decided = (Notice.DELEGATES_APPROVED, Notice.DELEGATES_DECLINED)
    if kind in (Notice.PENDING, Notice.APPROVED, Notice.DECLINED, Notice.LAPSED, Notice.SUBSTITUTED, *delegates_decided):
        registration = register(event.id, delegation(size=2, language=lang)).registration
    else:
        registration = register(event.id, individual(language=lang)).registration
    if kind == Notice.APPROVED:
        registration.status = RegistrationStatus.CONFIRMED
        for delegate in registration.delegates:  # as approve() leaves them
            delegate.status = DelegateStatus.APPROVED
    if kind == Notice.EVENT_CANCELLED:
        registration.status = RegistrationStatus.CANCELLED  # as cancel_event() does before telling them
        release_seats(event, registration.seats)
    if kind == Notice.CANCELLED:
        cancel(registration.id)
        return registration
    if kind == Notice.LAPSED:
        assert expire_pending(now=utcnow() + timedelta(hours=49)) == 1  # its address was never confirmed
        return registration
    if kind == Notice.SUBSTITUTED:
        substitute(registration.id, registration.delegates[0].key, DelegateData(full_name="Substitute 1"))  # queues it
        return registration
    if kind in (Notice.CONFIRMED, Notice.PENDING):
        return registration  # registering queued it
    about = []
    if kind in delegates_decided:  # as decide_delegates leaves them: one delegate approved, or one declined
        decided = registration.delegates[0 if kind == Notice.DELEGATES_APPROVED else 1]
        decided.status = DelegateStatus.APPROVED if kind == Notice.DELEGATES_APPROVED else DelegateStatus.DECLINED
        about = [decided.id]
    db.session.execute(update(OutboxMessage).values(status=OutboxStatus.SENT))
    with_message = (Notice.APPROVED, Notice.DECLINED, Notice.EVENT_CANCELLED, *delegates_decided)
    notify(registration, kind, message=message if kind in with_message else "", delegates=about)
    db.session.commit()
    return registration


@pytest.mark.parametrize("lang", LOCALES)
@pytest.mark.parametrize("kind", list(Notice))
def test_every_email_in_every_language(smtp_server, make_event, individual, delegation, kind, lang):
    event = make_event(titles=TITLES, capacity=0 if kind == Notice.WAITLISTED else 20)
    _make_notice(kind, event, individual, delegation, lang)
    (row,) = _outbox(OutboxStatus.QUEUED)[-1:]
    assert row.kind == f"registration_{kind.value}" and row.language == lang
    send_due()
    message = smtp_server.messages[-1]
    with force_locale(lang):
        assert message["Subject"] == str(_subject(kind, TITLES[lang]))
    parts = _parts(message)
    text, html = parts["text/plain"].get_content(), parts["text/html"].get_content()
    reference = db.session.scalar(select(Registration.reference).order_by(Registration.id.desc()))
    for body in (text, html):
        assert TITLES[lang] in body and reference in body
        assert f"https://events.example.test/{lang}/r/" in body
        assert "{{" not in body and "%(" not in body
    assert f'<html lang="{lang}">' in html
    without_calendar = (Notice.WAITLISTED, Notice.DECLINED, Notice.LAPSED, Notice.DELEGATES_DECLINED, Notice.SUBSTITUTED)
    assert ("text/calendar" in parts) == (kind not in without_calendar)
    with_tickets = (Notice.CONFIRMED, Notice.PROMOTED, Notice.APPROVED, Notice.REMINDER, Notice.LINK, Notice.DELEGATES_APPROVED)
    assert ("image/png" in parts) == (kind in with_tickets)
    if kind in (Notice.DELEGATES_APPROVED, Notice.DELEGATES_DECLINED):
        assert "Delegate 1" in text and "Bus leaves at 07:00." in text
    if kind == Notice.SUBSTITUTED:
        assert "Substitute 1" in text and "Delegate 1" in text  # who replaces whom
    if lang != "en":
        english_intro_words = {"registration", "waiting", "delegation", "organizers"}
        assert not english_intro_words & set(text.lower().split()), text


def test_a_stopped_server_loses_nothing_and_delivers_once_when_back(smtp_server, make_event, individual):
    event = make_event()
    smtp_server.stop()
    register(event.id, individual())
    report = send_due()
    assert report.retrying and not report.sent
    (row,) = _outbox()
    assert (row.status, row.attempts) == (OutboxStatus.QUEUED, 1) and "connect" in row.last_error
    smtp_server.start()
    assert len(send_due().sent) == 1
    assert send_due().handled == []
    assert len(smtp_server.messages) == 1


def test_a_451_then_250_delivers_once(smtp_server, make_event, individual):
    smtp_server.mailbox.replies = ["451 4.3.0 Mailbox busy, try again later"]
    register(make_event().id, individual())
    assert send_due().retrying
    assert send_due().sent
    (row,) = _outbox()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert len(smtp_server.messages) == 1 and smtp_server.mailbox.attempts == 2


def test_a_550_fails_once_without_a_retry_storm(smtp_server, make_event, individual):
    smtp_server.mailbox.replies = ["550 5.1.1 No such user"] * 10
    register(make_event().id, individual())
    assert send_due().failed
    for _ in range(3):
        assert send_due().handled == []
    (row,) = _outbox()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1) and row.last_error.startswith("550")
    assert smtp_server.mailbox.attempts == 1 and smtp_server.messages == []


def test_temporary_failures_give_up_after_the_last_attempt(app, smtp_server, make_event, individual):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    smtp_server.mailbox.replies = ["421 4.7.0 Try later"] * 10
    register(make_event().id, individual())
    reports = [send_due() for _ in range(3)]
    assert [(len(report.retrying), len(report.failed)) for report in reports] == [(1, 0), (1, 0), (0, 1)]
    assert send_due().handled == []


def test_retries_wait_longer_each_time(app, smtp_server, make_event, individual):
    app.config["OUTBOX_RETRY_BASE_SECONDS"] = 60
    smtp_server.mailbox.replies = ["451 later"] * 3
    register(make_event().id, individual())
    delays = []
    for _ in range(3):
        before = utcnow()
        send_due()
        row = _outbox()[0]
        delays.append(round((row.next_attempt_at - before).total_seconds() / 60))
        db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
    assert delays == [1, 2, 4]


def test_a_rolled_back_change_sends_nothing(smtp_server, make_event, individual):
    registration = register(make_event().id, individual()).registration
    send_due()
    notify(registration, Notice.REMINDER)
    db.session.rollback()
    assert send_due().handled == []
    assert len(smtp_server.messages) == 1


def test_a_server_that_never_answers_times_out(app, make_event, individual):
    from exchange.services import mailer

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT=1)
    mailer.init_app(app)
    register(make_event().id, individual())
    started = time.monotonic()
    report = send_due()
    silent.close()
    assert report.retrying and time.monotonic() - started < 10


def test_a_sender_that_dies_mid_send_leaves_the_message_for_the_next(app, smtp_server, make_event, individual):
    register(make_event().id, individual())
    claimed = claim_next()  # ...and the process is killed before it records anything
    assert claimed is not None
    assert send_due().handled == []  # the lease still holds
    db.session.execute(update(OutboxMessage).values(locked_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert len(send_due().sent) == 1
    assert len(smtp_server.messages) == 1


def test_two_senders_at_once_never_send_a_message_twice(app, smtp_server, make_event, individual):
    event = make_event(capacity=100)
    for number in range(40):
        register(event.id, individual(email=f"p{number}@example.com"))
    env = dict(
        os.environ,
        EXCHANGE_SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        EXCHANGE_SECRET_KEY="test",
        EXCHANGE_MAIL_SERVER="127.0.0.1",
        EXCHANGE_MAIL_PORT=str(smtp_server.port),
    )
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "send"]
    senders = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [sender.communicate(timeout=120)[0].decode() for sender in senders]
    assert [sender.returncode for sender in senders] == [0, 0], outputs
    received = [message["To"] for message in smtp_server.messages]
    assert sorted(received) == sorted(f"p{number}@example.com" for number in range(40))
    assert {row.status for row in _outbox()} == {OutboxStatus.SENT}


def test_without_a_mail_server_each_email_is_an_eml_file(app, make_event, individual, tmp_path, caplog):
    app.config.update(MAIL_SERVER=None, MAIL_FILE_DIR=str(tmp_path / "mail"))
    register(make_event().id, individual())
    with caplog.at_level("INFO"):
        assert send_due().sent
    (path,) = (tmp_path / "mail").glob("*.eml")
    assert str(path) in caplog.text
    assert b"Content-Type: text/calendar" in path.read_bytes()


def test_no_line_break_reaches_a_header(smtp_server, make_event, individual):
    from flask_babel import lazy_gettext

    registration = register(make_event().id, individual()).registration
    send_due()
    queue_email(
        kind="test",
        recipient="lan@example.com\r\nBcc: victim@example.org",
        language="en",
        subject=lazy_gettext("Your registration for %(title)s", title="Yoga\r\nBcc: victim@example.org"),
        template="registration",
        context={"notice": "link", "organizer_message": ""},
        registration=registration,
    )
    db.session.commit()
    send_due()
    message = smtp_server.messages[-1]
    assert "Bcc" not in message and "\n" not in message["Subject"]


def test_links_use_base_url_whatever_the_host_header(client, smtp_server, make_event):
    event = make_event()
    client.post(
        f"/en/events/{event.slug}/register",
        data={"full_name": "Lan", "email": "lan@example.com", "category": "student", "country": "VN", "consent": "y"},
        headers={"Host": "evil.example"},
    )
    send_due()
    text = _parts(smtp_server.messages[0])["text/plain"].get_content()
    assert "evil.example" not in text and "https://events.example.test/en/r/" in text


def test_reminders_go_once_to_confirmed_attendees_of_events_within_48_hours(make_event, individual, delegation):
    soon = make_event(starts_at=utcnow() + timedelta(hours=30), capacity=2)
    later = make_event(starts_at=utcnow() + timedelta(days=5))
    confirmed = register(soon.id, individual(email="a@example.com")).registration
    register(soon.id, delegation(size=1))  # awaiting approval: nothing to be reminded of yet
    register(soon.id, individual(email="waiting@example.com"))
    register(later.id, individual(email="later@example.com"))
    assert queue_reminders() == 1
    assert queue_reminders() == 0
    reminders = [row.registration_id for row in _outbox() if row.kind == "registration_reminder"]
    assert reminders == [confirmed.id]


def test_reminders_run_twice_at_once_still_remind_once(app, make_event, individual):
    starts_at = utcnow() + timedelta(hours=10)
    event = make_event(starts_at=starts_at, registration_closes_at=starts_at - timedelta(hours=1), capacity=50)
    for number in range(20):
        register(event.id, individual(email=f"p{number}@example.com"))
    db.session.remove()
    results = []

    def run():
        with app.app_context():
            results.append(queue_reminders())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 20
    assert len([row for row in _outbox() if row.kind == "registration_reminder"]) == 20


def test_send_reminders_command(runner, make_event, individual):
    starts_at = utcnow() + timedelta(hours=5)
    event = make_event(starts_at=starts_at, registration_closes_at=starts_at - timedelta(hours=1))
    register(event.id, individual())
    assert "Reminders queued: 1." in runner.invoke(args=["send-reminders"]).output


# What reaches the reader: escaping, secrets, lines and calendars ----------------------------------

HOSTILE = '<a href="https://evil.example/x">Tap</a> & "Co" <img src=x onerror=alert(1)>'


class _Markup(HTMLParser):
    """The tags and the text a mail reader would show."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _hostile_registrant(registration):
    registration.full_name = registration.organization = HOSTILE
    for delegate in registration.delegates:
        delegate.full_name = delegate.position = HOSTILE
    db.session.commit()


@pytest.mark.parametrize("lang", LOCALES)
@pytest.mark.parametrize("kind", [*Notice, "broadcast"])
def test_hostile_text_is_no_markup_in_html_parts_and_intact_in_text_parts(
    smtp_server, make_user, make_event, individual, delegation, kind, lang
):
    event = make_event(
        titles={lang: HOSTILE}, venue_name=HOSTILE, venue_address=HOSTILE, capacity=0 if kind == Notice.WAITLISTED else 20
    )
    if kind == "broadcast":
        registration = register(event.id, individual(language=lang)).registration
        db.session.execute(update(OutboxMessage).values(status=OutboxStatus.SENT))
        broadcast(Actor(user=make_user("o@example.org"), ip_address=""), event.id, {lang: ("News", HOSTILE)}, fallback=lang)
    else:
        registration = _make_notice(kind, event, individual, delegation, lang, message=HOSTILE)
    _hostile_registrant(db.session.get(Registration, registration.id))
    send_due()
    parts = _parts(smtp_server.messages[-1])
    html = _Markup(parts["text/html"].get_content())
    assert not [attrs for tag, attrs in html.tags if "evil.example" in attrs.get("href", "") or attrs.get("src") == "x"]
    assert not [name for _, attrs in html.tags for name in attrs if name.startswith("on")]
    assert HOSTILE in "".join(html.text)  # shown as the text it is
    text = parts["text/plain"].get_content()
    assert HOSTILE in text
    assert not [entity for entity in ("&lt;", "&gt;", "&amp;", "&quot;", "&#") if entity in text]


def _database_dump() -> str:
    """Every value of every row of every table, as text."""
    values = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).all():
            values.extend(value.decode("latin-1") if isinstance(value, bytes) else str(value) for value in row)
    return "\n".join(values)


def test_no_manage_link_or_ticket_code_rests_in_the_database_once_sent(
    client, smtp_server, make_user, make_event, individual, delegation
):
    from exchange.services import registration_admin

    actor = Actor(user=make_user("o@example.org"), ip_address="")
    event = make_event()
    person = register(event.id, individual(email="lan@example.com")).registration
    group = register(event.id, delegation(size=2)).registration
    registration_admin.approve(actor, group.id, "Welcome")
    broadcast(actor, event.id, {"vi": ("Tin", "Xe buýt lúc 7 giờ."), "en": ("News", "Bus at 7.")}, fallback="en")
    register(event.id, individual(email="lan@example.com"))  # the "your link" email
    assert len(send_due().sent) == 6  # confirmed, received, approved, two broadcasts, the link
    links = [re.search(r"https://events\.example\.test(/\w+/r/[\w-]+)", _parts(m)["text/plain"].get_content())[1]
             for m in smtp_server.messages]  # fmt: skip
    codes = [ticket.url.rsplit("/", 1)[1] for registration in (person, group) for ticket in tickets(registration)]
    assert len(set(links)) == 6 and len(codes) == 3
    dump = _database_dump()
    assert not [secret for secret in [*links, *(link.rsplit("/", 1)[1] for link in links), *codes] if secret in dump]
    assert all(client.get(link).status_code == 200 for link in links)  # ...and every link that left works


def test_a_link_in_an_email_that_was_not_delivered_opens_nothing(smtp_server, make_event, individual):
    smtp_server.mailbox.replies = ["451 4.3.0 try later", "550 5.1.1 No such user"]
    register(make_event().id, individual())
    live = db.session.scalar(select(func.count()).select_from(ManageToken))  # the one the confirmation page shows
    assert send_due().retrying and send_due().failed
    assert db.session.scalar(select(func.count()).select_from(ManageToken)) == live


@pytest.mark.seat_drift_expected  # the registration row is deleted by hand
def test_an_email_about_a_deleted_registration_fails_once(smtp_server, make_event, individual):
    registration = register(make_event().id, individual()).registration
    db.session.delete(registration)
    db.session.commit()
    assert send_due().failed and smtp_server.messages == []
    assert "no longer exists" in _outbox()[0].last_error


LONG_MESSAGE = ("Đoàn đại biểu vui lòng có mặt tại bến Ninh Kiều lúc 7 giờ sáng, mang theo hộ chiếu. " * 25)[:1820]


@pytest.mark.parametrize("kind", [Notice.DECLINED, "broadcast"])
def test_every_line_stays_within_998_octets_whatever_an_organizer_types(smtp_server, make_user, make_event, delegation, kind):
    from exchange.services import registration_admin

    actor = Actor(user=make_user("o@example.org"), ip_address="")
    event = make_event(titles={"vi": ("Lễ hội " * 40)[:200]})
    registration = register(event.id, delegation(size=2, language="vi")).registration
    if kind == "broadcast":
        registration_admin.approve(actor, registration.id)
        broadcast(actor, event.id, {"vi": ("Thông báo " * 30, LONG_MESSAGE)}, fallback="vi")
    else:
        registration_admin.decline(actor, registration.id, LONG_MESSAGE)
    send_due()
    raw = smtp_server.mailbox.raw[-1]
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    parts = _parts(email.message_from_bytes(raw, policy=email.policy.default))
    assert LONG_MESSAGE in parts["text/plain"].get_content() and LONG_MESSAGE in parts["text/html"].get_content()


def test_calendar_attachments_carry_charset_method_organizer_and_a_uid_that_survives_a_move(
    app, smtp_server, make_event, individual
):
    title = "ទិវាយោគៈអន្តរជាតិ នៅ Bến Ninh Kiều"
    registration = register(make_event(titles={"km": title}).id, individual(language="km")).registration
    cancel(registration.id)
    send_due()
    calendars = []
    for message, method in zip(smtp_server.messages, ("PUBLISH", "CANCEL"), strict=True):
        part = _parts(message)["text/calendar"]
        assert (part.get_content_charset(), part.get_param("method")) == ("utf-8", method)
        assert "\ufffd" not in part.get_content()
        calendars.append(Calendar.from_ical(part.get_content()))
    published, cancelled = (calendar.walk("VEVENT")[0] for calendar in calendars)
    assert str(published["summary"]) == str(cancelled["summary"]) == title
    assert str(cancelled["organizer"]) == "mailto:no-reply@localhost"
    assert cancelled["organizer"].params["CN"] == "ការផ្លាស់ប្ដូរវប្បធម៌កន្ធរ"  # the sender's name, in the registrant's Khmer
    app.config["BASE_URL"] = "http://127.0.0.1:38471"
    moved = Calendar.from_ical(registration_calendar(db.session.get(Registration, registration.id))).walk("VEVENT")[0]
    assert str(published["uid"]) == str(cancelled["uid"]) == str(moved["uid"])
    assert "127.0.0.1" not in str(moved["uid"])


def test_ticket_qr_codes_have_a_four_module_quiet_zone_and_scan(smtp_server, make_event, delegation, make_user):
    from exchange.services import registration_admin

    group = register(make_event().id, delegation(size=2)).registration
    registration_admin.approve(Actor(user=make_user("o@example.org"), ip_address=""), group.id)
    send_due()
    images = [part for part in smtp_server.messages[-1].walk() if part.get_content_type() == "image/png"]
    assert len(images) == 2
    for part, ticket in zip(images, tickets(db.session.get(Registration, group.id)), strict=True):
        image = Image.open(io.BytesIO(part.get_content())).convert("L")
        (found,) = zxingcpp.read_barcodes(image)  # a real scanner's decoder
        assert found.text == ticket.url
        modules = segno.make(ticket.url, error="m").symbol_size(border=0)[0]
        scale = image.width // (modules + 8)
        left, top, right, bottom = ImageOps.invert(image).getbbox()  # the dark modules' extent
        assert (left, top, image.width - right, image.height - bottom) == (4 * scale,) * 4


def test_an_email_that_cannot_be_rendered_is_retried_without_stopping_the_others(smtp_server, make_event, individual):
    event = make_event()
    register(event.id, individual(email="a@example.com"))
    broken = _outbox()[0]
    broken.context = {"notice": "no such notice"}
    db.session.commit()
    register(event.id, individual(email="b@example.com"))
    report = send_due()
    assert (report.retrying, len(report.sent)) == ([broken.id], 1)
    assert [message["To"] for message in smtp_server.messages] == ["b@example.com"]
    assert _outbox()[0].last_error == "cannot render: ValueError"
