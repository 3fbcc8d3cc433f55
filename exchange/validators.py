"""WTForms validators with translated messages, shared by every form."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms import Field, Form
from wtforms.validators import StopValidation, ValidationError

from .text import UnsafeText, clean_text

_UNSAFE_MESSAGES = {
    "control": _l("This field contains control characters. Please remove them."),
    "bidi": _l("This field contains invisible characters that change the text direction. Please remove them."),
    "surrogate": _l("This field contains characters that could not be read. Please type it again."),
    "unreadable": _l("This field contains characters that could not be read. Please type it again."),
}


class SafeText:
    """Normalise the field's text (NFC, trimmed) or refuse hostile characters; runs first."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        if "\ufffd" in field.data:  # what invalid UTF-8 in the request became
            raise StopValidation(_UNSAFE_MESSAGES["unreadable"])
        try:
            field.data = clean_text(field.data, multiline=self.multiline)
        except UnsafeText as error:
            raise StopValidation(_UNSAFE_MESSAGES[error.reason]) from error


class Required:
    """A value must remain once the text is cleaned (whitespace or invisible characters alone do not count)."""

    def __init__(self, message=None):
        self.message = message or _l("This field is required.")
        self.field_flags = {"required": True}

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            field.errors[:] = []
            raise StopValidation(self.message)


class PlausibleYear:
    """A date and time in the years an event can have: far ones name no event and overflow time zone arithmetic."""

    def __init__(self, first: int = 2000, last: int = 2200):
        self.first, self.last = first, last

    def __call__(self, form: Form, field: Field) -> None:
        if field.data is not None and not self.first <= field.data.year <= self.last:
            raise ValidationError(_l("Enter a date between the years %(first)s and %(last)s.", first=self.first, last=self.last))


class MaxLength:
    def __init__(self, limit: int):
        self.limit = limit
        self.field_flags = {"maxlength": limit}

    def __call__(self, form: Form, field: Field) -> None:
        if field.data and len(field.data) > self.limit:
            raise ValidationError(_l("Please use at most %(limit)s characters.", limit=self.limit))


class Email:
    """A syntactically valid address (no DNS look-up); the field keeps the normalised form."""

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        try:
            field.data = validate_email(field.data, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise ValidationError(_l("Enter a valid email address, such as name@example.com.")) from error


HOME_REGION = "VN"


def format_phone(value: str | None) -> str:
    """A stored (E.164) number as people write it: "0292 3832 663" for a Vietnamese one, and any other
    in its own country's grouping after its country code, "+82 10-1234-5678", so it dials from here.

    A value that does not parse is shown as stored. The Phone validator reads both forms back.
    """
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, HOME_REGION)
    except phonenumbers.NumberParseException:
        return value
    if phonenumbers.region_code_for_number(number) == HOME_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class Phone:
    """A dialable number, Vietnamese unless it starts with +; the field keeps it in E.164."""

    def __init__(self, default_region: str = HOME_REGION):
        self.default_region = default_region

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        try:
            number = phonenumbers.parse(field.data, self.default_region)
        except phonenumbers.NumberParseException as error:
            raise ValidationError(_PHONE_MESSAGE) from error
        if not phonenumbers.is_valid_number(number):
            raise ValidationError(_PHONE_MESSAGE)
        field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_PHONE_MESSAGE = _l("Enter a valid phone number; add the country code if it is not Vietnamese, such as +82 10 1234 5678.")


class Accepted:
    """A checkbox that must be ticked."""

    def __init__(self, message):
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            raise StopValidation(self.message)


class Empty:
    """The honeypot: people never see this field, so only robots fill it in."""

    def __call__(self, form: Form, field: Field) -> None:
        if field.data:
            raise StopValidation(_l("Please leave this field empty."))


class Choice:
    """The value is one of the field's choices (WTForms' own check has no message in our languages)."""

    def __call__(self, form: Form, field: Field) -> None:
        if field.data and field.data not in {str(choice[0]) for choice in field.choices}:
            raise StopValidation(_l("Please choose one of the options in the list."))
