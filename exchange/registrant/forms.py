"""Forms of the manage page that the registration forms do not already cover."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField

from ..models import Registration
from ..public.forms import (
    DIETARY_LIMIT,
    NAME_LIMIT,
    POSITION_LIMIT,
    WithoutQuestions,
    delegate_data_of,
    interpreter_field,
    nationality_field,
    select_field,
    text_field,
)
from ..services.registrations import DelegateData
from ..validators import Accepted


class CancelForm(FlaskForm):
    """Cancelling needs a ticked box: the confirmation step."""

    confirm = BooleanField(
        _l("Yes, cancel my registration"),
        validators=[Accepted(_l("Tick the box to confirm that you want to cancel."))],
    )


class ConfirmAddressForm(FlaskForm):
    """The "Confirm" button of a delegation's contact: a POST, so mail scanners opening the link change nothing."""


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

    def __init__(self, *args, registration: Registration, **kwargs):
        super().__init__(*args, prefix="substitute", **kwargs)
        self.replaces.choices = [("", _l("Choose…")), *((d.key, d.full_name) for d in registration.delegates)]

    def delegate_data(self) -> DelegateData:
        return delegate_data_of(self)
