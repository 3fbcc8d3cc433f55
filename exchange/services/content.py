"""Organizer-written Markdown, rendered safely."""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML in the source is escaped by the parser; nh3 then keeps only these tags.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "a",
    "code",
    "pre",
    "hr",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@lru_cache(maxsize=512)
def render_markdown(source: str, top_level: int = 2) -> Markup:
    """HTML for a Markdown text, with nothing a visitor's browser could run.

    Headings are renumbered to follow the page's own: the text's highest heading becomes
    `top_level` and each lower level the next one, so no level is skipped (`###` under the
    page's `h1` becomes `h2`).
    """
    tokens = _markdown.parse(source or "")
    headings = [token for token in tokens if token.type in ("heading_open", "heading_close")]
    levels = sorted({int(token.tag[1]) for token in headings})
    for token in headings:
        token.tag = f"h{min(top_level + levels.index(int(token.tag[1])), 6)}"
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)
