"""The documentation stands alone: its links stay inside the repository, and the tests it cites exist."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
# [text](target) and [text](target "title"); images too.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def _relative_links(document: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", document.read_text(), flags=re.DOTALL)  # code blocks are not links
    return [target for target in LINK.findall(text) if not urlsplit(target).scheme and not target.startswith("#")]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_resolves_to_a_file_in_the_repository(document):
    for target in _relative_links(document):
        path = (document.parent / unquote(urlsplit(target).path)).resolve()
        assert path.is_relative_to(ROOT), f"{target} in {document.name} points outside the repository"
        assert path.exists(), f"{target} in {document.name} points to nothing"


def test_the_link_check_sees_links():
    # The pattern must find the README's links, or the test above would pass on anything.
    assert "docs/product.md" in _relative_links(ROOT / "README.md")


def test_every_test_security_md_cites_exists():
    """`tests/x.py::test_name`, and `::test_name` for the file named last before it."""
    text = (ROOT / "docs" / "security.md").read_text()
    current = None
    cited = 0
    for match in re.finditer(r"(tests/[\w/]+\.py)?::(test_\w+)|(tests/[\w/]+\.py)", text):
        current = match.group(1) or match.group(3) or current
        if match.group(2):
            assert current is not None, f"::{match.group(2)} names no file"
            source = (ROOT / current).read_text()
            assert re.search(rf"^def {match.group(2)}\(", source, flags=re.MULTILINE), f"{current}::{match.group(2)}"
            cited += 1
    assert cited >= 20
