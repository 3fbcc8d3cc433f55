"""Finding a country by what people type: its name in any of our languages, or a common alias.

One ranking serves both ways of choosing a country: the server resolves a name
typed without JavaScript (a delegate's nationality), and the country select's
script ranks the same search terms, which the page carries on each option.
"""

from __future__ import annotations

from functools import cache

from ..i18n import territory_choices
from ..text import fold_for_search

# The country a page's language most likely means, to preselect on the registration forms.
# English is spoken by visitors from everywhere, so it preselects nothing.
LOCALE_COUNTRIES: dict[str, str] = {"vi": "VN", "ko": "KR", "ja": "JP", "lo": "LA", "km": "KH", "th": "TH", "fr": "FR"}

# Names people use that the CLDR names miss: the short "Korea" for the Republic, and the
# names of our partner countries as each language commonly writes them. Any language's
# aliases are searched on every page (a Korean visitor may type "한국" on the English page).
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "vi": {
        "KR": ("Hàn Quốc", "Nam Hàn", "Đại Hàn Dân Quốc", "Đại Hàn"),
        "KP": ("Bắc Hàn", "Bắc Triều Tiên", "CHDCND Triều Tiên"),
        "LA": ("Lào", "CHDCND Lào"),
        "KH": ("Campuchia", "Cam-pu-chia", "Cao Miên"),
        "VN": ("Việt Nam",),
        "US": ("Mỹ", "Hoa Kỳ"),
    },
    "en": {
        "KR": ("Korea", "Republic of Korea", "ROK", "Korea, Republic of"),
        "KP": ("DPRK", "Democratic People's Republic of Korea"),
        "LA": ("Lao PDR", "Lao People's Democratic Republic", "Lao"),
        "KH": ("Kampuchea", "Kingdom of Cambodia"),
        "VN": ("Viet Nam",),
        "US": ("USA", "United States of America", "America"),
        "GB": ("UK", "Great Britain", "Britain", "England"),
        "MM": ("Burma",),
        "CZ": ("Czech Republic",),
        "TR": ("Turkey",),
        "NL": ("Holland",),
    },
    "ko": {
        "KR": ("한국", "대한민국", "남한", "코리아"),
        "KP": ("조선", "북조선"),
        "LA": ("라오스",),
        "KH": ("캄보디아",),
        "VN": ("베트남", "월남"),
    },
    "ja": {
        "KR": ("韓国", "大韓民国", "かんこく"),
        "KP": ("北朝鮮", "朝鮮民主主義人民共和国"),
        "LA": ("ラオス",),
        "KH": ("カンボジア",),
        "VN": ("ベトナム",),
    },
    "lo": {
        "KR": ("ເກົາຫຼີ", "ເກົາຫຼີໃຕ້", "ສ. ເກົາຫຼີ"),
        "KP": ("ເກົາຫຼີເໜືອ",),
        "LA": ("ລາວ", "ສປປ ລາວ"),
        "KH": ("ກຳປູເຈຍ",),
        "VN": ("ຫວຽດນາມ",),
    },
    "km": {
        "KR": ("កូរ៉េ", "កូរ៉េខាងត្បូង"),
        "KP": ("កូរ៉េខាងជើង",),
        "LA": ("ឡាវ",),
        "KH": ("កម្ពុជា", "ខ្មែរ"),
        "VN": ("វៀតណាម",),
    },
    "th": {
        "KR": ("เกาหลี", "เกาหลีใต้"),
        "KP": ("เกาหลีเหนือ",),
        "LA": ("ลาว", "สปป. ลาว"),
        "KH": ("กัมพูชา", "เขมร"),
        "VN": ("เวียดนาม",),
    },
    "fr": {
        "KR": ("Corée", "Corée du Sud", "République de Corée"),
        "KP": ("Corée du Nord",),
        "LA": ("Laos",),
        "KH": ("Cambodge",),
        "VN": ("Viêt Nam", "Vietnam"),
        "US": ("USA", "Amérique"),
    },
}

# Characters that change nothing a reader sees: Khmer names carry zero-width spaces between words.
# Lao writes the subscript lo (ຼ) or a full lo (ລ) after ຫ for the same sound.
_SEARCH_ONLY = str.maketrans({"\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None, "\u0ebc": "\u0ea5"})

# Where a typed text matched a country's term, best first.
EXACT, PREFIX, WORD_PREFIX, SUBSTRING = range(4)


def fold_country(text: str) -> str:
    """`text` as country terms are compared: folded like search columns, without invisible characters."""
    return fold_for_search(text.translate(_SEARCH_ONLY)).replace("\n", " ")


def _territory_names(locale: str) -> dict[str, str]:
    return dict(territory_choices(locale))


@cache
def country_terms(locale: str) -> dict[str, tuple[str, ...]]:
    """Every country's folded search terms on a page in `locale`, the page's own name first.

    Its names in the page's language, English and Vietnamese, its ISO code, and every
    language's aliases; each term once.
    """
    own, english, vietnamese = (_territory_names(code) for code in (locale, "en", "vi"))
    terms: dict[str, dict[str, None]] = {}
    for code, name in own.items():
        entry = terms.setdefault(code, {})
        for term in (name, *ALIASES.get(locale, {}).get(code, ()), english.get(code, ""), vietnamese.get(code, ""), code):
            entry[fold_country(term)] = None
    for aliases in ALIASES.values():
        for code, names in aliases.items():
            for term in names:
                terms[code][fold_country(term)] = None
    return {code: tuple(term for term in entry if term) for code, entry in terms.items()}


def _match(query: str, term: str) -> int | None:
    if term == query:
        return EXACT
    if term.startswith(query):
        return PREFIX
    if any(word.startswith(query) for word in term.replace("-", " ").split()):
        return WORD_PREFIX
    if query in term:
        return SUBSTRING
    return None


def rank_countries(text: str, locale: str, codes: list[str] | None = None) -> list[tuple[str, int]]:
    """The countries that `text` may mean on a page in `locale`, best first, each with how it matched.

    A whole name or alias comes before a name that starts with the text, then a
    word starting with it, then the text anywhere inside; ties keep the order
    of `codes` (the page's list, already sorted by name), or the code order.
    """
    query = fold_country(text)
    if not query:
        return []
    terms = country_terms(locale)
    order = codes if codes is not None else sorted(terms)
    found = []
    for position, code in enumerate(order):
        matches = [match for term in terms.get(code, ()) if (match := _match(query, term)) is not None]
        if matches:
            found.append((min(matches), position, code))
    return [(code, match) for match, _position, code in sorted(found)]


def resolve_country(text: str, locale: str) -> str | None:
    """The ISO code of the country `text` names exactly (a name, alias or code in any of our languages), or None."""
    ranked = rank_countries(text, locale)
    if ranked and ranked[0][1] == EXACT:
        return ranked[0][0]
    return None
