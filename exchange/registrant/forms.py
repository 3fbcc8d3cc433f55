"""Forms of the manage page that the registration forms do not already cover."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField

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
