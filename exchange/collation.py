"""Sorting names the way a reader of a language expects, with ICU's collation (PyICU).

Code-point order puts "Đặng", "Ánh" and "Élodie" after "Zhang Wei"; ICU's
collation for Vietnamese gives A Ă Â B C D Đ E Ê …, for French ignores accents
first, and has the orders of Korean, Japanese, Thai, Lao and Khmer. Numbers
inside names sort by value. The order
depends on the reader's language, so it cannot be a database column: lists sort
in Python with `sort_key(lang)` (see each service for how it keeps pagination
and memory in bounds).

A collator is not safe to share between threads (export builds run in their
own), so each thread keeps its own, one per language.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

import icu

T = TypeVar("T")
_local = threading.local()


def _collator(lang: str) -> icu.Collator:
    collators: dict[str, icu.Collator] = _local.__dict__.setdefault("collators", {})
    if lang not in collators:
        collator = icu.Collator.createInstance(icu.Locale(lang))
        # Numbers by value: "Delegate 2" before "Delegate 10".
        collator.setAttribute(icu.UCollAttribute.NUMERIC_COLLATION, icu.UCollAttributeValue.ON)
        collators[lang] = collator
    return collators[lang]


def sort_key(lang: str) -> Callable[[str], bytes]:
    """A key function ordering strings as readers of `lang` expect (bytes, comparable with each other)."""
    return _collator(lang).getSortKey


def sorted_by_name(items: Iterable[T], lang: str, name: Callable[[T], str]) -> list[T]:
    """`items` in the order of their `name` for readers of `lang`."""
    key = sort_key(lang)
    return sorted(items, key=lambda item: key(name(item)))
