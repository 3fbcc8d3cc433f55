"""Venue per language, coordinates, the organizers' contact as Reply-To, and the sender's name per language."""

import email
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from exchange.extensions import db
from exchange.i18n import LOCALES
from exchange.models import Event, EventTranslation, utcnow
from exchange.services.audit import Actor
from exchange.services.broadcast import broadcast
from exchange.services.calendar import events_calendar
from exchange.services.event_admin import EventRefused, duplicate_for_next_year, save_event
from exchange.services.mailer import send_due
from exchange.services.registrations import register
from exchange.services.reminders import queue_reminders

# The site's name as each catalog spells it: what a recipient sees as the sender.
SENDER_NAMES = {
    "vi": "Giao lưu văn hóa Cần Thơ",
    "en": "Cần Thơ Cultural Exchange",
    "ko": "껀터 문화 교류",
    "ja": "カントー文化交流",
    "lo": "ການແລກປ່ຽນວັດທະນະທຳກັນເທີ",
    "km": "ការផ្លាស់ប្ដូរវប្បធម៌កន្ធរ",
    "th": "การแลกเปลี่ยนวัฒนธรรมเกิ่นเทอ",
    "fr": "Échanges culturels de Cần Thơ",
}
CONTACT = {
    "contact_name": "Nguyễn Thị Lan, Sở Ngoại vụ",
    "contact_email": "lan@songoaivu.cantho.example",
    "contact_phone": "+842923832663",
}


def _mailbox(raw: bytes, header: str) -> tuple[str, str] | None:
    """(name, address) of an address header, decoded as RFC 2047 says: adjacent encoded words join without a space.

    (Python's structured header parser puts a space between them, so "Cần Thơ" split over two
    words would read "Cần Th ơ"; mail readers do not, and neither does decode_header.)
    """
    value = email.message_from_bytes(raw)[header]
    if value is None:
        return None
    encoded, address = value.rsplit("<", 1)
    return str(make_header(decode_header(encoded.strip()))), address.rstrip(">").strip()


def _with_venues(event: Event, venues: dict[str, tuple[str, str]]) -> Event:
    by_lang = {translation.lang: translation for translation in event.translations}
    for lang, (name, address) in venues.items():
        translation = by_lang.get(lang) or EventTranslation(lang=lang, title=f"Title {lang}")
        translation.venue_name, translation.venue_address = name, address
        if lang not in by_lang:
            event.translations.append(translation)
    db.session.commit()
    return event


def test_the_venue_follows_the_content_shown_and_else_is_the_events_own(make_event):
    event = make_event(titles={"vi": "Ngày Yoga", "en": "Yoga Day", "ko": "요가의 날"}, venue_name="Bến Ninh Kiều")
    _with_venues(event, {"en": ("Ninh Kiều Wharf", "Hai Bà Trưng Street"), "ko": ("닌끼에우 부두", "")})
    korean = event.venue_in("ko")
    assert (korean.name, korean.name_lang) == ("닌끼에우 부두", "ko")
    assert (korean.address, korean.address_lang) == ("Hai Bà Trưng, Ninh Kiều, Cần Thơ", None)  # no Korean address: the event's
    assert event.venue_in("th").name == "Ninh Kiều Wharf"  # no Thai content: the page reads English, venue included
    vietnamese = event.venue_in("vi")
    assert (vietnamese.name, vietnamese.name_lang) == ("Bến Ninh Kiều", None)


def test_a_page_reads_the_venue_from_the_one_translation_it_loads(app, make_event):
    from exchange.services.events import public_event_page, upcoming_events

    event = make_event(titles={"vi": "Ngày Yoga", "ko": "요가의 날"})
    _with_venues(event, {"ko": ("닌끼에우 부두", "껀터시 닌끼에우군")})
    slug = event.slug
    db.session.expire_all()
    statements = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    page = public_event_page(slug, "ko")
    (card,) = upcoming_events(10, "ko")
    assert (page.venue_in("ko").address, card.venue_in("ko").name) == ("껀터시 닌끼에우군", "닌끼에우 부두")
    selects = [statement for statement in statements if statement.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 4  # an event and its translation, twice: no column read later, row by row


def test_without_any_venue_per_language_every_language_reads_the_events_own(make_event):
    event = make_event(titles={lang: f"Title {lang}" for lang in LOCALES})
    assert {event.venue_in(lang).name for lang in LOCALES} == {"Bến Ninh Kiều"}


def _draft(event, **changes):
    from exchange.manage.forms import EventForm

    form = EventForm.for_event(event, meta={"csrf": False})
    form.validate()
    draft = form.draft({t.lang: {"title": t.title, "summary": t.summary} for t in event.translations})
    for key, value in changes.items():
        setattr(draft, key, value)
    return draft


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(10.03, None), (None, 105.78), (91.0, 105.0), (-90.5, 105.0), (10.0, 180.5), (float("nan"), 105.0), (10.0, float("inf"))],
)
def test_the_service_refuses_coordinates_that_are_half_a_pair_or_off_the_earth(app, make_event, make_user, latitude, longitude):
    event = make_event()
    actor = Actor(make_user("admin@example.org", role="admin"))
    with pytest.raises(EventRefused) as refused:
        save_event(actor, event.id, _draft(event, latitude=latitude, longitude=longitude))
    assert "latitude" in str(refused.value.message)
    db.session.expire_all()
    assert (event.latitude, event.longitude) == (None, None)


def test_the_database_itself_refuses_half_a_pair_or_an_impossible_latitude(app, make_event):
    event = make_event()
    for values in ({"latitude": 10.0}, {"latitude": 95.0, "longitude": 10.0}, {"latitude": 10.0, "longitude": -200.0}):
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.update(Event).where(Event.id == event.id).values(**values))
        db.session.rollback()
    db.session.execute(sa.update(Event).where(Event.id == event.id).values(latitude=-89.9, longitude=179.9))
    db.session.commit()


def test_the_map_link_marks_the_venue_on_openstreetmap(make_event):
    assert make_event().map_url is None
    event = make_event(latitude=10.0336, longitude=105.7876)
    assert event.map_url == "https://www.openstreetmap.org/?mlat=10.0336&mlon=105.7876#map=17/10.0336/105.7876"


def test_the_calendar_has_geo_and_the_location_in_the_readers_language(make_event):
    event = make_event(titles={"vi": "Ngày Yoga", "ko": "요가의 날"}, latitude=10.0336, longitude=105.7876)
    _with_venues(event, {"ko": ("닌끼에우 부두", "껀터시 닌끼에우군")})
    without = make_event()
    korean, plain = Calendar.from_ical(events_calendar([event, without], "ko")).walk("VEVENT")
    assert (korean["geo"].latitude, korean["geo"].longitude) == (10.0336, 105.7876)
    assert str(korean["location"]) == "닌끼에우 부두, 껀터시 닌끼에우군"
    assert "geo" not in plain
    (vietnamese,) = Calendar.from_ical(events_calendar([event], "vi")).walk("VEVENT")
    assert str(vietnamese["location"]) == "Bến Ninh Kiều, Hai Bà Trưng, Ninh Kiều, Cần Thơ"


def test_duplicating_keeps_the_venues_the_coordinates_and_the_contact(app, make_event, make_user):
    event = make_event(titles={"vi": "Ngày Yoga 2031", "en": "Yoga Day 2031"}, latitude=10.0336, longitude=105.7876, **CONTACT)
    _with_venues(event, {"en": ("Ninh Kiều Wharf", "Hai Bà Trưng Street")})
    copy = duplicate_for_next_year(Actor(make_user("admin@example.org", role="admin")), event.id)
    assert (copy.latitude, copy.longitude, copy.contact_email) == (10.0336, 105.7876, CONTACT["contact_email"])
    assert copy.venue_in("en").name == "Ninh Kiều Wharf"


@pytest.mark.parametrize("lang", LOCALES)
def test_the_sender_is_named_in_the_recipients_language_and_replies_go_to_the_events_contact(
    smtp_server, make_event, individual, lang
):
    event = make_event(**CONTACT)
    register(event.id, individual(language=lang))
    assert send_due().sent
    (raw,) = smtp_server.mailbox.raw
    assert _mailbox(raw, "From") == (SENDER_NAMES[lang], "no-reply@localhost")
    assert _mailbox(raw, "Reply-To") == (CONTACT["contact_name"], CONTACT["contact_email"])
    headers = raw.split(b"\r\n\r\n")[0].decode("ascii")  # 7-bit headers: names travel as RFC 2047 encoded words
    if not SENDER_NAMES[lang].isascii():
        assert "\r\nFrom: =?utf-8?b?" in headers
    assert max(len(line) for line in headers.split("\r\n")) <= 78


def test_every_email_about_the_event_replies_to_its_contact_and_others_reply_to_nobody(
    smtp_server, make_event, make_user, individual, delegation
):
    with_contact = make_event(
        starts_at=utcnow() + timedelta(hours=20),
        registration_closes_at=utcnow() + timedelta(hours=10),
        approval_digest=False,
        **CONTACT,
    )
    make_user("organizer@example.org", events=[with_contact])
    without = make_event()
    register(with_contact.id, individual(email="an@example.com"))
    register(with_contact.id, delegation())  # tells the event's organizer too
    queue_reminders()
    admin = Actor(make_user("admin@example.org", role="admin"))
    broadcast(admin, with_contact.id, {"vi": ("Lời nhắn", "Xe đón lúc 7 giờ.")}, "vi")
    register(without.id, individual(email="binh@example.com"))
    send_due()
    replies = {(message["To"], message["Subject"].split(":")[0]): message["Reply-To"] for message in smtp_server.messages}
    about_the_event = [reply for (to, _), reply in replies.items() if to in ("an@example.com", "consulate@example.org")]
    assert len(about_the_event) >= 4  # confirmation, delegation received, reminder, broadcast …
    assert all(str(reply) and CONTACT["contact_email"] in str(reply) for reply in about_the_event)
    assert all(reply is None for (to, _), reply in replies.items() if to in ("binh@example.com", "organizer@example.org"))


def test_a_configured_reply_to_serves_events_without_a_contact(app, smtp_server, make_event, individual):
    app.config["MAIL_REPLY_TO"] = "Ban tổ chức <events@cantho.example>"
    register(make_event().id, individual())
    send_due()
    assert _mailbox(smtp_server.mailbox.raw[0], "Reply-To") == ("Ban tổ chức", "events@cantho.example")


def test_configured_sender_names_win_and_the_eml_file_reads_back(app, tmp_path, make_event, individual):
    long_name = "Sở Ngoại vụ thành phố Cần Thơ – Phòng Hợp tác quốc tế và Lễ tân đối ngoại"
    app.config.update(MAIL_SERVER=None, MAIL_FILE_DIR=str(tmp_path), MAIL_SENDER_NAMES={"vi": long_name})
    register(make_event(**CONTACT).id, individual(language="vi"))
    assert send_due().sent
    (path,) = tmp_path.glob("*.eml")
    raw = path.read_bytes()
    assert _mailbox(raw, "From") == (long_name, "no-reply@localhost")  # folded over lines, every space kept
    headers = raw.split(b"\r\n\r\n")[0].decode("ascii")
    assert max(len(line) for line in headers.split("\r\n")) <= 78
    assert _mailbox(raw, "Reply-To")[1] == CONTACT["contact_email"]
