"""Checks and normalisation for text that people send us.

The same rules apply on SQLite and PostgreSQL: PostgreSQL refuses NUL bytes
outright and SQLite stores anything, so text is checked before it reaches
either.
"""

from __future__ import annotations

import unicodedata

# Embedding, override and isolate controls can make a name display as
# something else ("Trojan Source"); nobody needs them in a form field.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible characters removed from one-line fields (names, emails): they
# only make two identical-looking values differ. ZWJ and ZWNJ stay, since
# several scripts need them.
INVISIBLE = frozenset("\u200b\u2060\ufeff\u00ad")


class UnsafeText(ValueError):
    """The text holds characters we refuse; `reason` says which kind."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Return `value` in NFC with surrounding space trimmed, or raise UnsafeText.

    Refused: NUL and other control characters (line breaks and tabs are
    allowed in multi-line text), lone surrogates, bidirectional controls.
    One-line text also loses invisible characters and has runs of
    whitespace collapsed.
    """
    for char in value:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            raise UnsafeText("surrogate")
        if char in BIDI_CONTROLS:
            raise UnsafeText("bidi")
        if unicodedata.category(char) == "Cc" and not (multiline and char in "\n\r\t"):
            raise UnsafeText("control")
    value = unicodedata.normalize("NFC", value)
    if multiline:
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    value = "".join(char for char in value if char not in INVISIBLE)
    return " ".join(value.split())


def header_safe(value: str) -> str:
    """`value` fit for an email header: no CR, LF or other control character can split it."""
    return " ".join("".join(" " if unicodedata.category(char) == "Cc" else char for char in value).split())


# Letters that carry their mark in the letter itself, so that decomposition does not strip it.
_FOLDED_LETTERS = str.maketrans({"đ": "d", "ð": "d", "ł": "l", "ø": "o", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe"})


def _is_latin_mark(char: str) -> bool:
    """A combining accent of the Latin, Greek and Cyrillic scripts (not a Thai, Lao or Khmer vowel sign)."""
    code = ord(char)
    return 0x0300 <= code <= 0x036F or 0x1AB0 <= code <= 0x1AFF or 0x1DC0 <= code <= 0x1DFF or 0xFE20 <= code <= 0xFE2F


def fold_for_search(*parts: str) -> str:
    """`parts` in the form the search columns keep, one non-empty part per line: "Nguyễn Thị ĐOÀN" → "nguyen thi doan".

    Full-width and other compatibility forms become their plain letters (NFKC), case is
    folded, Latin accents are removed and Vietnamese đ becomes d, so a search typed
    without accents, in capitals or on a full-width keyboard finds the name. The vowel
    signs and tone marks of Thai, Lao and Khmer are letters of those scripts and stay,
    as do Korean and Japanese characters (recomposed, NFC). Runs of spaces become one.
    The same function folds a query, so the database only compares plain strings and
    SQLite and PostgreSQL give the same answer.
    """
    folded = []
    for part in parts:
        # Control characters (NUL among them, which PostgreSQL refuses) separate words like spaces.
        text = "".join(" " if unicodedata.category(char) == "Cc" else char for char in part)
        text = unicodedata.normalize("NFKC", text).casefold().translate(_FOLDED_LETTERS)
        text = "".join(char for char in unicodedata.normalize("NFD", text) if not _is_latin_mark(char))
        folded.append(" ".join(unicodedata.normalize("NFC", text).split()))
    return "\n".join(part for part in folded if part)
