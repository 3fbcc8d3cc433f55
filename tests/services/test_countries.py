"""Finding a country by what people type, in every language of the site."""

import pytest

from exchange.i18n import LOCALES
from exchange.services.countries import (
    EXACT,
    LOCALE_COUNTRIES,
    PREFIX,
    SUBSTRING,
    WORD_PREFIX,
    fold_country,
    rank_countries,
    resolve_country,
)

# How each language writes "Korea" (the short name people type) and a full name.
KOREA = {
    "vi": "Hàn Quốc",
    "en": "Korea",
    "ko": "한국",
    "ja": "韓国",
    "lo": "ເກົາຫຼີ",
    "km": "កូរ៉េ",
    "th": "เกาหลี",
    "fr": "Corée",
}


@pytest.mark.parametrize("page", LOCALES)
@pytest.mark.parametrize("typed", sorted(set(KOREA.values())))
def test_korea_in_any_language_finds_south_korea_first_on_every_page(page, typed):
    ranked = rank_countries(typed, page)
    assert ranked[0][0] == "KR"
    assert resolve_country(typed, page) == "KR"


@pytest.mark.parametrize("page", LOCALES)
def test_korea_in_english_puts_north_korea_second_and_not_kazakhstan(page):
    codes = [code for code, _match in rank_countries("Korea", page)]
    assert codes[:2] == ["KR", "KP"] and "KZ" not in codes


@pytest.mark.parametrize(
    ("page", "typed", "code"),
    [
        ("vi", "lao", "LA"),
        ("vi", "Campuchia", "KH"),
        ("vi", "viet nam", "VN"),
        ("en", "Lao PDR", "LA"),
        ("en", "CAMBODIA", "KH"),
        ("ko", "라오스", "LA"),
        ("ko", "북한", "KP"),
        ("ja", "北朝鮮", "KP"),
        ("ja", "ラオス", "LA"),
        ("lo", "ລາວ", "LA"),
        ("lo", "ເກົາຫລີໃຕ້", "KR"),  # the CLDR spelling, with a full lo
        ("km", "កម្ពុជា", "KH"),
        ("km", "កូរ៉េខាងជើង", "KP"),  # typed without the zero-width spaces CLDR puts between words
        ("th", "กัมพูชา", "KH"),
        ("th", "เกาหลีเหนือ", "KP"),
        ("fr", "coree du nord", "KP"),
        ("fr", "Viet Nam", "VN"),
        ("fr", "kr", "KR"),
    ],
)
def test_names_aliases_and_codes_resolve_in_each_language(page, typed, code):
    assert resolve_country(typed, page) == code


def test_whole_names_come_before_prefixes_and_prefixes_before_substrings():
    # The alias "Korea" starts with "kor"; "North Korea" only has a word that does; "Ecuador" has "ador" inside.
    assert rank_countries("kor", "en")[:2] == [("KR", PREFIX), ("KP", WORD_PREFIX)]
    assert ("EC", SUBSTRING) in rank_countries("ador", "en")
    assert rank_countries("Laos", "en")[0] == ("LA", EXACT)


@pytest.mark.parametrize("typed", ["", "   ", "Atlantis", "\x00", "ZZ"])
def test_unknown_or_empty_text_resolves_to_nothing(typed):
    assert resolve_country(typed, "en") is None


def test_a_prefix_alone_is_not_a_choice():
    assert rank_countries("Kor", "en")[0][0] == "KR"
    assert resolve_country("Kor", "en") is None  # the server never guesses; the row asks to choose


def test_folding_ignores_accents_case_width_and_invisible_marks():
    assert fold_country("ＨÀＮ QUỐC") == "han quoc"
    assert fold_country("កូរ៉េ\u200bខាង\u200bត្បូង") == fold_country("កូរ៉េខាងត្បូង")
    assert fold_country("ເກົາຫຼີ") == fold_country("ເກົາຫລີ")


def test_each_page_language_but_english_suggests_its_country():
    assert LOCALE_COUNTRIES == {"vi": "VN", "ko": "KR", "ja": "JP", "lo": "LA", "km": "KH", "th": "TH", "fr": "FR"}
    assert set(LOCALE_COUNTRIES) | {"en"} == set(LOCALES)
