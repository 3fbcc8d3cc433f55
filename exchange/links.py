"""Absolute links for emails, calendar files and QR codes."""

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """`endpoint`'s URL on BASE_URL; works outside requests (CLI, outbox worker)."""
    adapter = current_app.url_map.bind("localhost")
    return current_app.config["BASE_URL"].rstrip("/") + adapter.build(endpoint, values)


def base_host() -> str:
    """The host part of BASE_URL, for identifiers such as calendar UIDs."""
    return current_app.config["BASE_URL"].split("://", 1)[-1].split("/", 1)[0]
