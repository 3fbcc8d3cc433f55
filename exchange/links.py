"""Links: absolute ones for emails, calendar files and QR codes; page links that keep a query string."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from flask import current_app, url_for
from werkzeug.datastructures import MultiDict


def external_url(endpoint: str, **values) -> str:
    """`endpoint`'s URL on BASE_URL; works outside requests (CLI, outbox worker)."""
    adapter = current_app.url_map.bind("localhost")
    return current_app.config["BASE_URL"].rstrip("/") + adapter.build(endpoint, values)


def base_host() -> str:
    """The host part of BASE_URL, for identifiers such as calendar UIDs."""
    return current_app.config["BASE_URL"].split("://", 1)[-1].split("/", 1)[0]


def url_with_query(endpoint: str, query: Mapping[str, str], **values) -> str:
    """`url_for(endpoint, **values)` followed by `query` (e.g. request.args) as its query string.

    The query is never passed to url_for as keywords: there a visitor's
    `?_anchor=`, `?_external=` or `?endpoint=` would be taken as url_for's
    own arguments (a crash, or a link built on the client's Host header).
    """
    url = url_for(endpoint, **values)
    pairs = query.items(multi=True) if isinstance(query, MultiDict) else query.items()
    encoded = urlencode(list(pairs))
    return f"{url}?{encoded}" if encoded else url
