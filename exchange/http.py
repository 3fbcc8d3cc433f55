"""The request class (how query strings and form bodies are decoded) and safe reading of numbers."""

from __future__ import annotations

import unicodedata
from urllib.parse import parse_qsl

from flask import Request, abort, current_app, request
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from werkzeug.formparser import FormDataParser
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

# Endpoints whose form carries a file: the event editor's cover image (IMAGE_MAX_BYTES more than
# MAX_CONTENT_LENGTH) and the forms that answer an event's questions (ANSWER_UPLOADS_MAX_BYTES more);
# every other request keeps the small limit.
UPLOAD_ALLOWANCES = {
    "manage.event_create": "IMAGE_MAX_BYTES",
    "manage.event_edit": "IMAGE_MAX_BYTES",
    "public.registration_create": "ANSWER_UPLOADS_MAX_BYTES",
    "public.delegation_create": "ANSWER_UPLOADS_MAX_BYTES",
    "registrant.registration_manage": "ANSWER_UPLOADS_MAX_BYTES",
}

# Ids and page numbers are 64-bit integers on every database; a bigger number
# names no row and would make the driver fail instead of finding nothing.
MAX_ID = 2**63 - 1
# Far past any real list, and small enough that page * per_page stays a 64-bit offset.
MAX_PAGE = 1_000_000


class FormParser(FormDataParser):
    """Decode URL-encoded forms as multipart ones are: undecodable bytes become U+FFFD.

    Werkzeug keeps invalid UTF-8 of URL-encoded forms as literal "%FF" text,
    which would be stored as if someone had typed it; U+FFFD is what the
    form validators recognise and refuse with a message.
    """

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        items = parse_qsl(stream.read().decode("utf-8", "replace"), keep_blank_values=True, errors="replace")
        return stream, self.cls(items), self.cls()


def _without_controls(text: str) -> str:
    return "".join(char for char in text if unicodedata.category(char) != "Cc")


class ExchangeRequest(Request):
    form_data_parser_class = FormParser

    # The URL is matched before any hook reads the body (CSRF reads the form in before_request),
    # so the limit is known by then; past it Werkzeug answers 413 before reading the rest.
    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        limit = Request.max_content_length.fget(self)  # type: ignore[attr-defined]
        allowance = UPLOAD_ALLOWANCES.get(self.endpoint or "")
        if limit is not None and allowance is not None:
            limit += current_app.config[allowance]
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        Request.max_content_length.fset(self, value)  # type: ignore[attr-defined]

    @cached_property
    def args(self) -> MultiDict[str, str]:
        """The query string, decoded as Werkzeug does, without control characters.

        Query values are filters and search terms, where NUL or a line break
        is never meant; PostgreSQL refuses NUL in any string, so it must not
        reach a query.
        """
        pairs = parse_qsl(self.query_string.decode(errors="replace"), keep_blank_values=True, errors="werkzeug.url_quote")
        return self.parameter_storage_class((_without_controls(key), _without_controls(value)) for key, value in pairs)


def refuse_control_characters_in_path() -> None:
    """A before_request hook: a path with a control character (NUL, …) names nothing here, so 404."""
    if any(unicodedata.category(char) == "Cc" for char in request.path):
        abort(404)


def parse_id(value: str | None) -> int | None:
    """`value` as a positive 64-bit integer written in ASCII digits, or None."""
    if value and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
        if 0 < number <= MAX_ID:
            return number
    return None


def page_number(args: MultiDict[str, str]) -> int:
    """The ?page= number: 1 when absent or not a positive number, at most MAX_PAGE."""
    return min(parse_id(args.get("page")) or 1, MAX_PAGE)


class IdConverter(IntegerConverter):
    """The `<int:…>` URL converter, matching only numbers that fit a 64-bit id (so bigger ones 404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def with_files(formdata):
    """A posted form with the request's files, as the forms read them (file answers in delegate rows)."""
    return CombinedMultiDict((request.files, formdata)) if request.files else formdata
