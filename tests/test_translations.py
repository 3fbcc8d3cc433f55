"""The eight UI catalogs are complete, current and consistent."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from exchange.i18n import LOCALES

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def _catalog(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


def _placeholders(text: str) -> set[str]:
    return {name for match in PLACEHOLDER.finditer(text) for name in match.groups() if name}


@pytest.mark.parametrize("lang", LOCALES)
def test_catalog_is_complete_without_fuzzy_entries(lang):
    catalog = _catalog(lang)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    assert problems == []


@pytest.mark.parametrize("lang", LOCALES)
def test_translations_keep_every_placeholder(lang):
    problems = []
    for message in _catalog(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(_placeholders(text) for text in ids))
        for text in strings:
            found = _placeholders(text)
            # A plural form may leave out the number (e.g. "one seat left"); it may never invent a name.
            if not found <= expected or (len(ids) == 1 and found != expected):
                problems.append(f"{message.id!r}: {sorted(found)} instead of {sorted(expected)}")
    assert problems == []


def test_catalogs_hold_every_string_of_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "_ln:1,2",
            "-k",
            "lazy_ngettext:1,2",
            "-k",
            "lazy_pgettext:1c,2",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as handle:
        extracted = {message.id for message in read_po(handle) if message.id}
    missing = {lang: sorted(map(str, extracted - {message.id for message in _catalog(lang)})) for lang in LOCALES}
    assert {lang: ids for lang, ids in missing.items() if ids} == {}, "run `make translations` and translate"


@pytest.mark.parametrize("lang", LOCALES)
def test_catalogs_pass_babels_own_checks(lang):
    """What `pybabel compile` would report: a translation whose placeholders Python's % could not fill."""
    problems = [f"{message.id!r}: {error}" for message, errors in _catalog(lang).check() for error in errors]
    assert problems == []
