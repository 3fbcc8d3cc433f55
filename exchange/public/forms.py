"""Registration forms: an individual, a delegation and its delegates.

The manage page edits with the same forms minus what cannot change (the
e-mail address, consent), so the details forms are the base classes.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, FieldList, Form, FormField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import ValidationError

from ..i18n import country_choices, language_choices
from ..models import AttendeeCategory, Registration, RegistrationKind
from ..services.event_io import MAX_DELEGATION_SIZE
from ..services.registrations import ContactData, DelegateData, RegistrationRequest
from ..validators import Accepted, Choice, Email, Empty, MaxLength, Phone, Required, SafeText

NAME_LIMIT = 120
ORGANIZATION_LIMIT = 200
POSITION_LIMIT = 120
DIETARY_LIMIT = 200
NOTES_LIMIT = 2000
CONSENT_MESSAGE = _l("Please accept the privacy notice to register.")


def text_field(label, limit: int, *, required: bool = False, **kwargs) -> StringField:
    validators = [SafeText(), Required()] if required else [SafeText()]
    return StringField(label, validators=[*validators, MaxLength(limit)], **kwargs)


def select_field(label, *, required: bool = False) -> SelectField:
    validators = [Required(_l("Please choose one."))] if required else []
    return SelectField(label, validators=[*validators, Choice()], validate_choice=False)


def email_field() -> EmailField:
    return EmailField(_l("Email"), validators=[SafeText(), Required(), MaxLength(254), Email()])


def country_options(blank_label) -> list[tuple[str, str]]:
    return [("", blank_label), *country_choices()]


class ContactForm(FlaskForm):
    """An individual's details that the manage page can change."""

    full_name = text_field(_l("Full name"), NAME_LIMIT, required=True)
    phone = TelField(_l("Phone (optional)"), validators=[SafeText(), MaxLength(32), Phone()])
    category = select_field(_l("I am a"), required=True)
    organization = text_field(_l("School or organisation (optional)"), ORGANIZATION_LIMIT)
    country = select_field(_l("Country"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _l("Choose…")), *((category.value, category.title) for category in AttendeeCategory)]
        self.country.choices = country_options(_l("Choose…"))

    @classmethod
    def for_registration(cls, registration: Registration) -> ContactForm:
        return cls(
            full_name=registration.full_name,
            phone=registration.phone,
            category=registration.category.value if registration.category else "",
            organization=registration.organization,
            country=registration.country,
        )

    def contact_data(self) -> ContactData:
        return ContactData(
            full_name=self.full_name.data,
            phone=self.phone.data or "",
            category=AttendeeCategory(self.category.data),
            organization=self.organization.data or "",
            country=self.country.data,
        )


class RegistrationForm(ContactForm):
    """An individual registering themselves."""

    email = email_field()
    consent = BooleanField(validators=[Accepted(CONSENT_MESSAGE)])
    # The honeypot: hidden from people by CSS, left empty by them.
    website = StringField(_l("Leave this field empty"), validators=[Empty()])

    def registration_request(self, language: str) -> RegistrationRequest:
        return RegistrationRequest(
            kind=RegistrationKind.INDIVIDUAL, email=self.email.data, language=language, contact=self.contact_data()
        )


class DelegateForm(Form):
    """One delegate: a row of the delegation form."""

    full_name = text_field(_l("Full name"), NAME_LIMIT, required=True)
    position = text_field(_l("Position"), POSITION_LIMIT)
    nationality = select_field(_l("Nationality"))
    dietary = text_field(_l("Dietary needs"), DIETARY_LIMIT)
    interpreter_language = select_field(_l("Interpreter language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.nationality.choices = country_options("—")
        self.interpreter_language.choices = [("", _l("No interpreter needed")), *language_choices()]


class DelegationDetailsForm(FlaskForm):
    """A delegation's details and delegates, which the manage page can change until the deadline."""

    organization = text_field(_l("Organisation"), ORGANIZATION_LIMIT, required=True)
    country = select_field(_l("Country"), required=True)
    contact_name = text_field(_l("Contact person"), NAME_LIMIT, required=True)
    contact_position = text_field(_l("Contact person's position"), POSITION_LIMIT)
    phone = TelField(_l("Phone"), validators=[SafeText(), Required(), MaxLength(32), Phone()])
    notes = TextAreaField(
        _l("Notes for the organizers (optional)"), validators=[SafeText(multiline=True), MaxLength(NOTES_LIMIT)]
    )
    delegates = FieldList(FormField(DelegateForm), min_entries=1, max_entries=MAX_DELEGATION_SIZE)

    def __init__(self, *args, max_delegates: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_delegates = max_delegates
        self.country.choices = country_options(_l("Choose…"))

    @classmethod
    def for_registration(cls, registration: Registration) -> DelegationDetailsForm:
        return cls(
            max_delegates=registration.event.max_delegation_size,
            organization=registration.organization,
            country=registration.country,
            contact_name=registration.full_name,
            contact_position=registration.position,
            phone=registration.phone,
            notes=registration.notes,
            delegates=[
                {
                    "full_name": delegate.full_name,
                    "position": delegate.position,
                    "nationality": delegate.nationality,
                    "dietary": delegate.dietary,
                    "interpreter_language": delegate.interpreter_language,
                }
                for delegate in registration.delegates
            ],
        )

    def validate_delegates(self, field: FieldList) -> None:
        if not 1 <= len(field.entries) <= self.max_delegates:
            raise ValidationError(_l("A delegation has from 1 to %(size)s delegates.", size=self.max_delegates))

    def edit_rows(self, formdata) -> bool:
        """Add or remove a delegate row when a row button was pressed (no JavaScript); True if so."""
        if "add_delegate" in formdata:
            if len(self.delegates.entries) < self.max_delegates:
                self.delegates.append_entry()
            return True
        remove = formdata.get("remove_delegate", "")
        if not remove.isdigit():
            return False
        kept = [entry.data for index, entry in enumerate(self.delegates.entries) if index != int(remove)]
        self.delegates.entries, self.delegates.last_index = [], -1
        for data in kept or [{}]:
            self.delegates.append_entry(data)
        return True

    def contact_data(self) -> ContactData:
        return ContactData(
            full_name=self.contact_name.data,
            position=self.contact_position.data or "",
            phone=self.phone.data,
            organization=self.organization.data,
            country=self.country.data,
            notes=self.notes.data or "",
        )

    def delegate_data(self) -> list[DelegateData]:
        return [
            DelegateData(
                full_name=row.full_name.data,
                position=row.position.data or "",
                nationality=row.nationality.data or "",
                dietary=row.dietary.data or "",
                interpreter_language=row.interpreter_language.data or "",
            )
            for row in (entry.form for entry in self.delegates.entries)
        ]


class DelegationForm(DelegationDetailsForm):
    """A consulate or partner registering a delegation."""

    email = email_field()
    consent = BooleanField(validators=[Accepted(CONSENT_MESSAGE)])
    website = StringField(_l("Leave this field empty"), validators=[Empty()])

    def registration_request(self, language: str) -> RegistrationRequest:
        return RegistrationRequest(
            kind=RegistrationKind.DELEGATION,
            email=self.email.data,
            language=language,
            contact=self.contact_data(),
            delegates=self.delegate_data(),
        )
