"""Locale conventions a native reader expects: Buddhist-era years in Thai, French zone names,
Korean line breaking, and a `lang` on every piece of content not in the page's language."""

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale

from exchange.i18n import format_day, format_event_dates, format_month, format_short_date, format_timezone

STATIC = Path(__file__).resolve().parents[2] / "exchange" / "static" / "css"

ONE_DAY = datetime(2026, 12, 12, 11, 0, tzinfo=UTC)  # 18:00 in Cần Thơ
ZONE = "Asia/Ho_Chi_Minh"


def _text(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_thai_dates_count_years_in_the_buddhist_era_in_every_pattern(app):
    with force_locale("th"):
        assert format_event_dates(ONE_DAY, ONE_DAY + timedelta(hours=3), ZONE) == "วันเสาร์ที่ 12 ธันวาคม พ.ศ. 2569"
        days = format_event_dates(datetime(2026, 12, 3, 1, tzinfo=UTC), datetime(2026, 12, 7, 14, tzinfo=UTC), ZONE)
        assert "พ.ศ. 2569" in days and "2026" not in days
        across = format_event_dates(datetime(2026, 12, 30, 1, tzinfo=UTC), datetime(2027, 1, 2, 14, tzinfo=UTC), ZONE)
        assert "2569" in across and "2570" in across and "202" not in across
        assert format_short_date(ONE_DAY, ZONE) == "12 ธ.ค. 2569"
        assert format_day(date(2027, 6, 21)) == "21 มิ.ย. 2570"
        assert format_month(2026, 12) == "ธันวาคม 2569"
        for text in (format_event_dates(ONE_DAY, ONE_DAY, ZONE), format_short_date(ONE_DAY, ZONE)):
            assert "ค.ศ." not in text
    with force_locale("lo"):  # only Thai: Lao keeps the Gregorian year
        assert "2026" in format_event_dates(ONE_DAY, ONE_DAY, ZONE)


def test_thai_event_page_and_catalog_show_buddhist_era_years(client, make_event):
    event = make_event(starts_at=ONE_DAY, ends_at=ONE_DAY + timedelta(hours=3), titles={"th": "ฉลอง 34 ปี"})
    page = _text(client.get(f"/th/events/{event.slug}/"))
    assert "วันเสาร์ที่ 12 ธันวาคม พ.ศ. 2569" in page and "ค.ศ." not in page
    catalog = _text(client.get("/th/events/"))
    assert "ธันวาคม 2569" in catalog and "ค.ศ." not in catalog


def test_french_names_the_time_zone_as_a_french_reader_would(app):
    with force_locale("fr"):
        assert format_timezone("Asia/Ho_Chi_Minh") == "heure de Hô-Chi-Minh-Ville"
        assert format_timezone("Asia/Bangkok") == "heure de Bangkok"
        assert format_timezone("America/Anchorage") == "heure d’Anchorage"
    with force_locale("vi"):
        assert format_timezone("Asia/Ho_Chi_Minh") == "Giờ Việt Nam"


def test_the_french_event_page_has_no_colon_in_its_time_zone(client, make_event):
    event = make_event(titles={"fr": "Journée de la Francophonie"})
    page = _text(client.get(f"/fr/events/{event.slug}/"))
    assert "(heure de Hô-Chi-Minh-Ville)" in page and "heure :" not in page


def test_korean_breaks_between_words_and_each_script_has_its_font():
    css = (STATIC / "site.css").read_text(encoding="utf-8")
    assert re.search(r":lang\(ko\)\s*\{\s*word-break:\s*keep-all", css)
    rule = r"body:lang\({0}\), \[lang\]:lang\({0}\) \{{ font-family: ([^;]+);"
    fonts = {lang: re.search(rule.format(lang), css) for lang in ("ja", "ko", "lo", "km", "th")}
    assert all(fonts.values()), fonts
    assert "Noto Sans CJK JP" in fonts["ja"].group(1) and "CJK KR" not in fonts["ja"].group(1)
    assert "Noto Sans CJK KR" in fonts["ko"].group(1) and "CJK JP" not in fonts["ko"].group(1)
    for lang, family in (("lo", "Noto Sans Lao"), ("km", "Noto Sans Khmer"), ("th", "Noto Sans Thai")):
        assert family in fonts[lang].group(1)


@pytest.mark.parametrize("page_lang", ["ko", "fr"])
def test_japanese_content_on_another_languages_page_is_marked_japanese(client, make_event, page_lang):
    event = make_event(titles={"ja": "日本文化の日"})
    for path in (f"/{page_lang}/events/{event.slug}/", f"/{page_lang}/events/", f"/{page_lang}/events/{event.slug}/register"):
        page = _text(client.get(path))
        assert re.search(r'lang="ja"[^>]*>(← )?日本文化の日', page), path


def test_language_names_are_marked_in_their_own_language(client, login, make_user, make_event, individual):
    from exchange.services.registrations import register

    event = make_event()
    registration = register(event.id, individual(language="km")).registration
    login(make_user("organizer@example.org", events=[event], language="ko"))
    detail = _text(client.get(f"/organizer/events/{event.slug}/registrations/{registration.reference}"))
    assert '<dd lang="km">ខ្មែរ</dd>' in detail
    editor = _text(client.get(f"/organizer/events/{event.slug}/edit"))
    assert '<span lang="ja">日本語</span>' in editor and '<span lang="th">ไทย</span>' in editor
    switcher = _text(client.get("/ko/"))
    assert 'lang="lo"' in switcher and 'lang="ko"' in switcher
