"""The error summary of a form sent back with mistakes: one link per invalid field."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from wtforms import Field, FieldList, Form, FormField


@dataclass(frozen=True)
class InvalidField:
    """A field to fix: the id of its control (the link's target), its label and its first error."""

    id: str
    label: str
    message: str


def invalid_fields(*forms: Form) -> list[InvalidField]:
    """Every invalid field of `forms` in page order, delegate rows included; the CSRF token is not a field.

    A form whose template shows its fields in another order than its class declares them (an
    inherited form adding a field in the middle) lists the template's order in `page_order`.
    """
    found: list[InvalidField] = []
    for form in forms:
        order = getattr(form, "page_order", ())
        for field in sorted(form, key=lambda field: order.index(field.short_name) if field.short_name in order else len(order)):
            if field.name != "csrf_token":
                _collect(field, "", found)
    return found


def _collect(field: Field, prefix: str, found: list[InvalidField]) -> None:
    if isinstance(field, FieldList):
        # The list's own errors (strings) sit beside its rows' (dicts); the rows are numbered for people.
        for message in field.errors:
            if isinstance(message, str):
                found.append(InvalidField(field.id, prefix + str(field.label.text), message))
        for number, entry in enumerate(field.entries, start=1):
            _collect(entry, _("Delegate %(number)s", number=number) + ": ", found)
        return
    if isinstance(field, FormField):
        for subfield in field.form:
            _collect(subfield, prefix, found)
        return
    if field.errors:
        found.append(InvalidField(field.id, prefix + str(field.label.text), str(field.errors[0])))
