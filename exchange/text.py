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
