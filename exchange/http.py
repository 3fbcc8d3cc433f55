"""The request class: how form bodies are decoded."""

from urllib.parse import parse_qsl

from flask import Request
from werkzeug.formparser import FormDataParser


class FormParser(FormDataParser):
    """Decode URL-encoded forms as multipart ones are: undecodable bytes become U+FFFD.

    Werkzeug keeps invalid UTF-8 of URL-encoded forms as literal "%FF" text,
    which would be stored as if someone had typed it; U+FFFD is what the
    form validators recognise and refuse with a message.
    """

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        items = parse_qsl(stream.read().decode("utf-8", "replace"), keep_blank_values=True, errors="replace")
        return stream, self.cls(items), self.cls()


class ExchangeRequest(Request):
    form_data_parser_class = FormParser
