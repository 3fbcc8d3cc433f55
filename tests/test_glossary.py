"""One spelling of each proper name per language (translations/glossary.toml), in the catalogs and the demo programme."""

import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from exchange.i18n import LOCALES
from exchange.services.demo import load_programme

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = tomllib.loads((ROOT / "translations" / "glossary.toml").read_text(encoding="utf-8"))["terms"]


def _catalog(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as file:
        return read_po(file, locale=lang)


def _strings(message) -> list[str]:
    return [text for text in (message.string if isinstance(message.string, tuple) else (message.string,)) if text]


def test_every_term_is_spelled_in_every_language():
    for term, spellings in GLOSSARY.items():
        assert set(LOCALES) <= set(spellings), term
        assert all(isinstance(spellings[lang], str) and spellings[lang] for lang in LOCALES), term
        for lang, avoided in spellings.get("avoid", {}).items():
            assert all(spellings[lang] not in bad for bad in avoided), (term, lang)  # an avoided form is not the right one


@pytest.mark.parametrize("lang", LOCALES)
def test_the_catalog_spells_names_as_the_glossary_does(lang):
    for message in _catalog(lang):
        if not message.id:
            continue  # the header
        source = " ".join(message.id) if isinstance(message.id, tuple) else message.id
        for text in _strings(message):
            for term, spellings in GLOSSARY.items():
                for bad in spellings.get("avoid", {}).get(lang, ()):
                    assert bad not in text, (term, lang, bad, source)
                if spellings.get("presence", True) and spellings["en"] in source:
                    assert spellings[lang] in text, (term, lang, source, text)


@pytest.mark.parametrize("lang", LOCALES)
def test_the_demo_programme_spells_names_as_the_glossary_does(lang):
    for entry in load_programme():
        source = " ".join(entry["translations"]["vi"].values())
        text = " ".join(entry["translations"][lang].values())
        for term, spellings in GLOSSARY.items():
            for bad in spellings.get("avoid", {}).get(lang, ()):
                assert bad not in text, (entry["key"], term, lang, bad)
            if spellings.get("presence", True) and spellings["vi"] in source:
                assert spellings[lang] in text, (entry["key"], term, lang)


def test_lao_and_khmer_have_one_spelling_of_the_city():
    # The catalogs once had ກ່ຽນເທີ and ກ່າເທີ beside ກັນເທີ, and four Khmer spellings.
    lao = {"ກັນເທີ", "ກ່າເທີ", "ກ່ຽນເທີ"}
    khmer = {"កន្ធរ", "កានថូ", "កាន់ធើ", "កន្ធោ", "កឹនធឺ"}
    for lang, spellings in (("lo", lao), ("km", khmer)):
        texts = [" ".join(entry["translations"][lang].values()) for entry in load_programme()]
        texts += [text for message in _catalog(lang) for text in _strings(message)]
        found = {spelling for spelling in spellings if any(spelling in text for text in texts)}
        assert found == {GLOSSARY["Cần Thơ"][lang]}, (lang, found)
