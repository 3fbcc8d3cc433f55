"""Text search over the folded columns the models keep (`text.fold_for_search`).

A query is folded like the columns, split into words, and each word must appear
somewhere: "nguyen lan" finds "Nguyễn Thị Lan", "ＮＧＵＹＥＮ" and "NGUYỄN" find it
too. The database compares only plain, already-folded strings with LIKE (its
wildcards escaped), so SQLite and PostgreSQL answer alike.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_

from ..text import fold_for_search

MAX_WORDS = 8  # a longer query is cut here, which bounds the SQL it makes


def search_words(query: str) -> list[str]:
    """The folded words of `query`; none for a blank one."""
    return fold_for_search(query).split()[:MAX_WORDS]


def all_words_in(words: list[str], *columns) -> ColumnElement[bool]:
    """True where every word appears in at least one of `columns`."""
    return and_(*(or_(*(column.contains(word, autoescape=True) for column in columns)) for word in words))
