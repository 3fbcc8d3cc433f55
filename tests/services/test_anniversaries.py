"""Anniversary counts: filled in when the programme is seeded, moved on by "duplicate for next year"."""

from datetime import date

import pytest
from sqlalchemy import select

from exchange.extensions import db
from exchange.i18n import LOCALES
from exchange.models import Event
from exchange.services.anniversaries import fill, ordinal, shift_counts
from exchange.services.audit import Actor
from exchange.services.demo import seed_demo
from exchange.services.event_admin import anniversary_needs_checking, duplicate_for_next_year


@pytest.mark.parametrize(
    ("number", "english", "french"),
    [(1, "1st", "1er"), (2, "2nd", "2e"), (3, "3rd", "3e"), (11, "11th", "11e"), (12, "12th", "12e"),
     (13, "13th", "13e"), (21, "21st", "21e"), (34, "34th", "34e"), (111, "111th", "111e")],
)  # fmt: skip
def test_ordinals_read_naturally(number, english, french):
    assert (ordinal(number, "en"), ordinal(number, "fr")) == (english, french)


def test_khmer_counts_in_khmer_digits_and_lao_and_thai_in_arabic_ones():
    assert fill("អបអរខួប {years} ឆ្នាំ", 34, "km") == "អបអរខួប ៣៤ ឆ្នាំ"
    assert fill("ສະເຫຼີມສະຫຼອງ {years} ປີ", 34, "lo") == "ສະເຫຼີມສະຫຼອງ 34 ປີ"
    assert fill("ฉลอง {years} ปี", 34, "th") == "ฉลอง 34 ปี"
    assert fill("Pour le {nth} anniversaire, {years} ans", 34, "fr") == "Pour le 34e anniversaire, 34 ans"


def test_shifting_counts_leaves_every_other_number_alone():
    text = "Từ 18:30 đến 21:30, mừng 30 năm quan hệ; 600 ghế, 30 gian hàng, 3 năm học."
    assert shift_counts(text, "vi", 30, 31) == "Từ 18:30 đến 21:30, mừng 31 năm quan hệ; 600 ghế, 30 gian hàng, 3 năm học."
    assert shift_counts("For the 30th anniversary: 30 years", "en", 30, 31) == "For the 31st anniversary: 31 years"
    assert shift_counts("ខួប ៣០ ឆ្នាំ ម៉ោង 18:30", "km", 30, 31) == "ខួប ៣១ ឆ្នាំ ម៉ោង 18:30"


def _seeded(slug_start: str) -> Event:
    return next(e for e in db.session.scalars(select(Event)) if e.slug.startswith(slug_start))


def test_duplicating_an_anniversary_counts_one_year_more_in_every_language(app, make_user):
    seed_demo(today=date(2026, 12, 1))
    source = _seeded("viet-han-cultural-exchange-2026")
    copy = duplicate_for_next_year(Actor(user=make_user("organizer@example.org")), source.id)
    assert copy.slug == "viet-han-cultural-exchange-2027"
    expected = {"vi": "35 năm", "en": "35 Years", "ko": "35주년", "ja": "35周年", "lo": "35 ປີ", "km": "៣៥ ឆ្នាំ",
                "th": "35 ปี", "fr": "35 ans"}  # fmt: skip
    for lang in LOCALES:
        content = copy.content(lang)
        assert expected[lang] in content.title, (lang, content.title)
        everything = content.title + content.summary + content.description
        assert "34" not in everything and "៣៤" not in everything, lang
        assert "18:00" in everything and "21:30" in everything, lang
    assert not anniversary_needs_checking(copy)


def test_a_count_the_platform_does_not_know_is_flagged_for_the_organizer(app, make_user, make_event):
    club = make_event(titles={"vi": "Câu lạc bộ Yoga Cần Thơ: 10 năm", "en": "Cần Thơ Yoga Club: 10 Years"})
    plain = make_event(titles={"vi": "Ngày hội Yoga", "en": "Yoga Day"})
    assert anniversary_needs_checking(club) and not anniversary_needs_checking(plain)
    copy = duplicate_for_next_year(Actor(user=make_user("organizer@example.org")), club.id)
    assert copy.content("en").title == "Cần Thơ Yoga Club: 10 Years"  # left for the organizer, and flagged
    assert anniversary_needs_checking(copy)
