"""What a browser would submit from a page's forms: inputs, checked boxes, selected options, text areas."""

from __future__ import annotations

from html.parser import HTMLParser


class FormValues(HTMLParser):
    """Every field name of the page (or of its form whose action is `action`) with the values it would send, in order."""

    def __init__(self, action: str | None = None):
        super().__init__()
        self.action = action
        self.values: dict[str, list[str]] = {}
        self._select = self._textarea = None
        self._multiple = self._chosen = False
        self._inside = action is None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is not None:
            self._inside = attrs.get("action", "") == self.action  # "": the form that posts to its own page
        if not self._inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.values.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self._select, self._multiple, self._chosen = name, "multiple" in attrs, False
            if not self._multiple:
                self.values[name] = []
        elif tag == "option" and self._select:
            # A single select sends its first option unless another is selected; a multiple one only what is selected.
            value = attrs.get("value", "")
            if self._multiple:
                if "selected" in attrs:
                    self.values.setdefault(self._select, []).append(value)
            elif "selected" in attrs and not self._chosen:
                self.values[self._select], self._chosen = [value], True
            elif not self.values[self._select]:
                self.values[self._select] = [value]
        elif tag == "textarea" and name:
            self._textarea = name
            self.values.setdefault(name, []).append("")

    def handle_endtag(self, tag):
        if tag == "form" and self.action is not None:
            self._inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Browsers drop the line break that follows <textarea>.
            text = self.values[self._textarea][-1]
            self.values[self._textarea][-1] = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data


def page_form(client, url: str, action: str | None = None) -> dict[str, list[str]]:
    """The values the page at `url` would send (from its form posting to `action`, if given); empty if it is no page."""
    response = client.get(url)
    parser = FormValues(action)
    if response.status_code == 200 and response.mimetype == "text/html":
        parser.feed(response.get_data(as_text=True))
    response.close()
    return parser.values
