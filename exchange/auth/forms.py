"""Sign-in and account forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField

from ..i18n import LOCALES, language_names
from ..validators import Choice, MaxLength, Required, SafeText


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[SafeText(), Required(), MaxLength(254)])
    password = PasswordField(_l("Password"), validators=[Required(), MaxLength(200)])
    next = HiddenField()


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[Required(), MaxLength(200)])
    new_password = PasswordField(_l("New password"), validators=[Required(), MaxLength(200)])


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language of the back office"), validators=[Required(), Choice()], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [(code, language_names()[code]) for code in LOCALES]


class TwoFactorCodeForm(FlaskForm):
    code = StringField(_l("Code from the app, or a recovery code"), validators=[SafeText(), Required(), MaxLength(20)])


class TwoFactorDisableForm(FlaskForm):
    password = PasswordField(_l("Current password"), validators=[Required(), MaxLength(200)])
