"""Anniversaries of Việt Nam's diplomatic relations, counted for the year an event is dated in.

The demo programme writes the count as `{years}` (a cardinal: "34 năm",
"34주년", "34周年") or `{nth}` (an ordinal where the language has one:
"34th anniversary", "34e anniversaire") and gets it filled in for each
edition. "Duplicate for next year" finds the counts again in the texts of an
event made that way and moves them on by a year.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# The year Việt Nam established diplomatic relations with each partner country.
RELATIONS_SINCE: dict[str, int] = {"KR": 1992, "LA": 1962, "KH": 1967, "IN": 1972}

_KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
_ARABIC_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


def years_since(country: str, year: int) -> int:
    """How many years relations with `country` have lasted in `year`, e.g. 34 for KR in 2026."""
    return year - RELATIONS_SINCE[country]


def cardinal(number: int, lang: str) -> str:
    """The count as a reader of `lang` writes it in running text (Khmer digits in Khmer)."""
    return str(number).translate(_KHMER_DIGITS) if lang == "km" else str(number)


def ordinal(number: int, lang: str) -> str:
    """'34th' in English, '34e' (or '1er') in French; the other languages count with a word after the number."""
    if lang == "en":
        suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
        return f"{number}{suffix}"
    if lang == "fr":
        return f"{number}{'er' if number == 1 else 'e'}"
    return cardinal(number, lang)


def fill(text: str, number: int, lang: str) -> str:
    """`text` with {years} and {nth} replaced by `number` written for `lang`."""
    return text.replace("{years}", cardinal(number, lang)).replace("{nth}", ordinal(number, lang))


# Where a count of years sits in an anniversary phrase, per language: the group `n`
# is the count (with its ordinal suffix), `kind` says how to write a new one.
_PHRASES: dict[str, tuple[tuple[str, str], ...]] = {
    "vi": ((r"(?P<n>\d+) năm", "years"),),
    "en": ((r"(?P<n>\d+) [Yy]ears?", "years"), (r"(?P<n>\d+(?:st|nd|rd|th)) [Aa]nniversary", "nth")),
    "fr": ((r"(?P<n>\d+) ans", "years"), (r"(?P<n>\d+(?:er|e|ème)) anniversaire", "nth")),
    "ko": ((r"(?P<n>\d+)\s?주년", "years"),),
    "ja": ((r"(?P<n>\d+)\s?周年", "years"),),
    "lo": ((r"(?P<n>\d+) ?ປີ", "years"),),
    "km": ((r"(?P<n>[0-9០-៩]+) ?ឆ្នាំ", "years"),),
    "th": ((r"(?P<n>\d+) ?ปี", "years"),),
}


def _matches(text: str, lang: str) -> Iterable[tuple[re.Match[str], str]]:
    for pattern, kind in _PHRASES.get(lang, ()):
        for match in re.finditer(rf"(?<![\d:.,]){pattern}", text):
            yield match, kind


def _count(match: re.Match[str]) -> int:
    return int(re.sub(r"\D", "", match.group("n").translate(_ARABIC_DIGITS)))


def counts_in(text: str, lang: str) -> set[int]:
    """The numbers that read as a count of years ("30 năm", "30주년", "30th anniversary") in `text`."""
    return {_count(match) for match, _ in _matches(text, lang)}


def shift_counts(text: str, lang: str, old: int, new: int) -> str:
    """`text` with every count of years equal to `old` rewritten as `new`; other numbers untouched."""
    pieces, last = [], 0
    for match, kind in sorted(_matches(text, lang), key=lambda found: found[0].start()):
        if _count(match) != old or match.start("n") < last:
            continue
        written = ordinal(new, lang) if kind == "nth" else cardinal(new, lang)
        pieces += [text[last : match.start("n")], written]
        last = match.end("n")
    return "".join(pieces) + text[last:]


@dataclass(frozen=True)
class AnniversaryOf:
    """An event that celebrates relations with `country`, `count` years on."""

    country: str
    count: int


def recognise(partner_countries: Iterable[str], year: int, titles: dict[str, str]) -> AnniversaryOf | None:
    """The anniversary an event's titles (lang → title) celebrate, if they count the years since relations began.

    An event made from the programme's anniversary template names one of the
    countries in RELATIONS_SINCE and counts exactly the years since then.
    """
    for country in partner_countries:
        if country in RELATIONS_SINCE:
            count = years_since(country, year)
            if any(count in counts_in(title, lang) for lang, title in titles.items()):
                return AnniversaryOf(country, count)
    return None


def looks_like_a_count(titles: dict[str, str]) -> bool:
    """Whether any title holds a number that reads as a count of years (to ask the organizer to check it)."""
    return any(counts_in(title, lang) for lang, title in titles.items())
