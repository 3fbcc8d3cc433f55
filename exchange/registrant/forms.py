"""Forms of the manage page and the delegate's page that the registration forms do not already cover."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import ValidationError

from ..i18n import language_choices
from ..models import Delegate, Registration
from ..public.forms import (
    DIETARY_LIMIT,
    NAME_LIMIT,
    POSITION_LIMIT,
    SHARED_ADDRESS,
    WithoutQuestions,
    delegate_data_of,
    delegate_email_field,
    email_language_field,
    interpreter_field,
    nationality_field,
    select_field,
    text_field,
)
from ..services.registrations import DelegateData, OwnDetails
from ..validators import Accepted


class CancelForm(FlaskForm):
    """Cancelling needs a ticked box: the confirmation step."""

    confirm = BooleanField(
        _l("Yes, cancel my registration"),
        validators=[Accepted(_l("Tick the box to confirm that you want to cancel."))],
    )


class ConfirmAddressForm(FlaskForm):
    """The "Confirm" button of a delegation's contact: a POST, so mail scanners opening the link change nothing."""


class ResendForm(FlaskForm):
    """The "Send again" button by a delegate with their own address (a POST with its CSRF token)."""


class EraseForm(FlaskForm):
    """Erasing one's data needs a ticked box too: it cannot be undone.

    Prefixed (`erase-confirm`), so its ids differ from the cancel form's on the same page.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="erase", **kwargs)

    confirm = BooleanField(
        _l("Yes, erase my personal data"),
        validators=[Accepted(_l("Tick the box to confirm that you want your data erased."))],
    )


class SubstituteForm(WithoutQuestions, FlaskForm):
    """The contact replaces one delegate by another person: whom, and who comes instead.

    Prefixed (`substitute-full_name`), so its ids differ from the edit form's on the same page.
    """

    replaces = select_field(_l("Who is replaced"), required=True)
    full_name = text_field(_l("Full name"), NAME_LIMIT, required=True)
    position = text_field(_l("Position"), POSITION_LIMIT)
    nationality = nationality_field()
    dietary = text_field(_l("Dietary needs"), DIETARY_LIMIT)
    interpreter_language = interpreter_field()
    email = delegate_email_field()
    language = email_language_field()

    def __init__(self, *args, registration: Registration, **kwargs):
        super().__init__(*args, prefix="substitute", **kwargs)
        self.replaces.choices = [("", _l("Choose…")), *((d.key, d.full_name) for d in registration.delegates)]
        # The replaced person's address may pass to their substitute; no one else's.
        self.addresses = {d.key: d.email.casefold() for d in registration.delegates if d.email}
        self.contact_email = registration.email.casefold()

    def validate_email(self, field) -> None:
        address = (field.data or "").casefold()
        others = {email for key, email in self.addresses.items() if key != self.replaces.data} | {self.contact_email}
        if address and address in others:
            raise ValidationError(SHARED_ADDRESS)

    def delegate_data(self) -> DelegateData:
        return delegate_data_of(self)


class OwnDetailsForm(FlaskForm):
    """A delegate corrects their own details from their personal link (their address is the contact's to change)."""

    full_name = text_field(_l("Full name"), NAME_LIMIT, required=True)
    position = text_field(_l("Position"), POSITION_LIMIT)
    dietary = text_field(_l("Dietary needs"), DIETARY_LIMIT)
    interpreter_language = interpreter_field()
    language = email_language_field(_l("Language of my emails"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language_names = [name for _code, name in language_choices()]  # the interpreter field's list

    @classmethod
    def for_delegate(cls, delegate: Delegate) -> OwnDetailsForm:
        return cls(
            formdata=None,
            full_name=delegate.full_name,
            position=delegate.position,
            dietary=delegate.dietary,
            interpreter_language=delegate.interpreter_language,
            language=delegate.language,
        )

    def own_details(self) -> OwnDetails:
        return OwnDetails(
            full_name=self.full_name.data,
            position=self.position.data or "",
            dietary=self.dietary.data or "",
            interpreter_language=self.interpreter_language.data or "",
            language=self.language.data or "",
        )
