"""The event page's venue, map link and contact; the editor's venue per language, coordinates and contact."""

import pytest
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import Event, EventTranslation


@pytest.fixture
def event(make_event):
    event = make_event(
        slug="yoga-day-2031",
        titles={"vi": "Ngày Quốc tế Yoga", "en": "International Yoga Day", "ko": "국제 요가의 날"},
        latitude=10.0336,
        longitude=105.7876,
        contact_name="Nguyễn Thị Lan",
        contact_email="lan@songoaivu.cantho.example",
        contact_phone="+842923832663",
    )
    by_lang = {t.lang: t for t in event.translations}
    by_lang["ko"].venue_name = "닌끼에우 부두"
    by_lang["en"].venue_name, by_lang["en"].venue_address = "Ninh Kiều Wharf", "Hai Bà Trưng Street, Ninh Kiều"
    db.session.commit()
    return event


def _page(client, url: str) -> str:
    # The tests share one session across requests: forget what the last page loaded (one translation per event).
    db.session.expire_all()
    return client.get(url).get_data(as_text=True)


def test_the_event_page_shows_the_venue_in_the_pages_language_with_a_map_and_whom_to_ask(client, event):
    korean = _page(client, "/ko/events/yoga-day-2031/")
    assert '<span dir="auto">닌끼에우 부두</span>' in korean
    assert '<span class="muted" dir="auto">Hai Bà Trưng, Ninh Kiều, Cần Thơ</span>' in korean  # no Korean address: the event's
    assert "Hai Bà Trưng Street" in _page(client, "/en/events/yoga-day-2031/")
    assert 'href="https://www.openstreetmap.org/?mlat=10.0336&amp;mlon=105.7876#map=17/10.0336/105.7876"' in korean
    assert "지도에서 보기" in korean and "문의 사항이 있으신가요?" in korean and "문의: Nguyễn Thị Lan" in korean
    assert 'href="mailto:lan@songoaivu.cantho.example"' in korean and 'href="tel:+842923832663"' in korean
    assert "0292 3832 663" in korean  # a Vietnamese number as people write it
    vietnamese = _page(client, "/vi/events/yoga-day-2031/")
    assert '<span dir="auto">Bến Ninh Kiều</span>' in vietnamese and "Ninh Kiều Wharf" not in vietnamese
    assert "Mở bản đồ" in vietnamese and "Liên hệ Nguyễn Thị Lan" in vietnamese
    french = _page(client, "/fr/events/yoga-day-2031/")  # no French content: English, venue marked
    assert '<span dir="auto" lang="en">Ninh Kiều Wharf</span>' in french


def test_cards_and_the_catalog_name_the_venue_in_the_readers_language(client, event):
    assert "닌끼에우 부두" in _page(client, "/ko/events/")
    assert "Bến Ninh Kiều" in _page(client, "/vi/events/")


def test_a_contact_email_cannot_add_recipients_to_the_mail_it_opens(client, make_event):
    make_event(slug="odd-2031", contact_email="lan?cc=all@example.org")
    page = _page(client, "/en/events/odd-2031/")
    assert 'href="mailto:lan%3Fcc%3Dall@example.org"' in page and "Questions?" in page


def test_an_event_without_coordinates_or_contact_shows_neither(client, make_event):
    make_event(slug="plain-2031")
    page = _page(client, "/en/events/plain-2031/")
    assert "openstreetmap" not in page and "Questions?" not in page and "mailto:" not in page


def test_the_event_calendar_carries_geo(client, event):
    body = _page(client, "/ko/events/yoga-day-2031/calendar.ics")
    assert "GEO:10.0336;105.7876" in body and "LOCATION:닌끼에우 부두" in body


def test_the_api_gives_coordinates_contact_and_the_venue_per_language(client, event):
    data = client.get("/api/v1/events/yoga-day-2031").get_json()
    assert data["venue"] == {
        "name": "Bến Ninh Kiều", "address": "Hai Bà Trưng, Ninh Kiều, Cần Thơ", "latitude": 10.0336, "longitude": 105.7876,
    }  # fmt: skip
    assert data["contact"] == {"name": "Nguyễn Thị Lan", "email": "lan@songoaivu.cantho.example", "phone": "+842923832663"}
    assert data["translations"]["ko"]["venue_name"] == "닌끼에우 부두"
    assert data["translations"]["vi"]["venue_name"] == ""


def _form(**changes):
    data = {
        "slug": "mekong-day-2031", "category": "culture", "timezone": "Asia/Ho_Chi_Minh", "starts_at": "2031-06-01T09:00",
        "ends_at": "2031-06-01T12:00", "venue_name": "Bến Ninh Kiều", "venue_address": "Hai Bà Trưng, Ninh Kiều",
        "capacity": "30", "registration_opens_at": "2031-04-01T08:00", "registration_closes_at": "2031-05-30T23:00",
        "allows_individuals": "y", "max_delegation_size": "5", "content-vi-title": "Ngày hội sông Mê Kông",
        "content-ko-title": "메콩강 축제", "content-ko-venue_name": "닌끼에우 부두", "latitude": "10,0336",
        "longitude": "105.7876", "contact_name": "Nguyễn Thị Lan", "contact_email": "Lan@SoNgoaiVu.CanTho.example",
        "contact_phone": "0292 3832 663",
    }  # fmt: skip
    return data | changes


@pytest.fixture
def organizer(make_user, login):
    user = make_user("organizer@example.org", role="admin", language="vi")
    login(user)
    return user


def test_the_editor_saves_venues_per_language_coordinates_and_the_contact(client, organizer):
    response = client.post("/organizer/events/new", data=_form())
    assert response.status_code == 303
    saved = db.session.scalar(select(Event).where(Event.slug == "mekong-day-2031"))
    assert (saved.latitude, saved.longitude) == (10.0336, 105.7876)  # a decimal comma, as Vietnamese write it
    assert (saved.contact_email, saved.contact_phone) == ("Lan@songoaivu.cantho.example", "+842923832663")
    assert saved.venue_in("ko").name == "닌끼에우 부두" and saved.venue_in("vi").name == "Bến Ninh Kiều"
    page = _page(client, "/organizer/events/mekong-day-2031/edit")
    assert 'value="10.0336"' in page and 'value="0292 3832 663"' in page and 'value="닌끼에우 부두"' in page
    assert 'placeholder="Bến Ninh Kiều"' in page  # an empty language shows what it falls back on


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"latitude": "91"}, "latitude", "Nhập số độ từ -90 đến 90, ví dụ 10,0341."),
        ({"longitude": "east"}, "longitude", "Nhập số độ từ -180 đến 180, ví dụ 10,0341."),
        ({"longitude": "nan"}, "longitude", "Nhập số độ từ -180 đến 180"),
        ({"latitude": "1e400"}, "latitude", "Nhập số độ từ -90 đến 90"),
        ({"longitude": ""}, "longitude", "Nhập cả vĩ độ và kinh độ, hoặc để trống cả hai."),
        ({"contact_email": "lan@"}, "contact_email", "nhập địa chỉ email hợp lệ"),
        ({"contact_phone": "12"}, "contact_phone", "nhập số điện thoại hợp lệ"),
        ({"content-ko-venue_name": "x" * 201}, "content-ko-venue_name", ""),
    ],
)
def test_the_editor_refuses_bad_coordinates_email_or_phone_in_the_organizers_language(client, organizer, changes, field, message):
    page = client.post("/organizer/events/new", data=_form(**changes)).get_data(as_text=True)
    assert f'href="#{field}"' in page  # the error summary links to the field
    assert f'id="{field}-error"' in page and message in page
    assert db.session.scalar(select(Event).where(Event.slug == "mekong-day-2031")) is None


def test_clearing_the_coordinates_and_contact_removes_the_map_and_the_contact(client, organizer):
    client.post("/organizer/events/new", data=_form())
    client.post(
        "/organizer/events/mekong-day-2031/edit",
        data=_form(latitude="", longitude="", contact_name="", contact_email="", contact_phone=""),
    )
    saved = db.session.scalar(select(Event).where(Event.slug == "mekong-day-2031"))
    db.session.refresh(saved)
    assert (saved.latitude, saved.contact_email, saved.map_url) == (None, "", None)
    assert isinstance(saved.translations[0], EventTranslation)
