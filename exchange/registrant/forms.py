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
