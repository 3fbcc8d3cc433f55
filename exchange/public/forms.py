"""Registration forms: an individual, a delegation and its delegates.

The manage page edits with the same forms minus what cannot change (the
e-mail address, consent), so the details forms are the base classes.
"""

from __future__ import annotations

import re
from functools import cache

from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    FieldList,
    FileField,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from ..errors import DelegationTooLarge
from ..i18n import (
    country_choices,
    country_name,
    language_choices,
    language_code_for,
    language_name_in_locale,
    language_names,
    territory_choices,
)
from ..models import AttendeeCategory, Registration, RegistrationKind
from ..services.answer_store import Answers
from ..services.countries import LOCALE_COUNTRIES, country_terms, resolve_country
from ..services.delegate_import import (
    MAX_FILE_BYTES,
    DelegateListRefused,
    DelegateListRow,
    parse_delegate_text,
    read_delegate_file,
)
from ..services.event_io import MAX_DELEGATION_SIZE
from ..services.registrations import ContactData, DelegateData, RegistrationRequest
from ..services.tokens import normalize_invitation_code
from ..validators import Accepted, Choice, Email, Empty, MaxLength, Phone, Required, SafeText, format_phone

NAME_LIMIT = 120
ORGANIZATION_LIMIT = 200
POSITION_LIMIT = 120
DIETARY_LIMIT = 200
NOTES_LIMIT = 2000
CONSENT_MESSAGE = _l("Please accept the privacy notice to register.")
# A delegate's own address is for their own ticket: the contact already gets every one.
SHARED_ADDRESS = _l("Each delegate needs an address of their own, not the contact's or another delegate's, or none.")


def text_field(label, limit: int, *, required: bool = False, **kwargs) -> StringField:
    validators = [SafeText(), Required()] if required else [SafeText()]
    return StringField(label, validators=[*validators, MaxLength(limit)], **kwargs)


def select_field(label, *, required: bool = False) -> SelectField:
    validators = [Required(_l("Please choose one."))] if required else []
    return SelectField(label, validators=[*validators, Choice()], validate_choice=False)


def email_field() -> EmailField:
    return EmailField(_l("Email"), validators=[SafeText(), Required(), MaxLength(254), Email()])


def country_options(blank_label) -> list[tuple]:
    """The country select's options; each carries the other names it is found by (the script's search terms)."""
    return [("", blank_label), *_country_rows(str(get_locale()))]


@cache
def _country_rows(locale: str) -> tuple[tuple, ...]:
    # Some 250 rows, the same for every form in a language: built once per language and process.
    terms = country_terms(locale)
    return tuple((code, name, {"data-terms": "|".join(terms.get(code, ())[1:])}) for code, name in territory_choices(locale))


def page_country_code_for(text: str) -> str | None:
    """The country a typed name, alias or code means on this page (see services.countries)."""
    return resolve_country(text, str(get_locale()))


def preselect_country(form: FlaskForm) -> None:
    """A blank form's country is the one the page's language suggests (ko → KR); a choice sent is kept."""
    if not form.is_submitted() and not form.country.data:
        form.country.data = LOCALE_COUNTRIES.get(str(get_locale()), "")


class WithoutQuestions:
    """A form's answers to the event's questions: none, unless `answer_forms.with_questions` gave it fields."""

    kept: dict[str, str] = {}
    has_file_questions = False

    def question_fields(self) -> list:
        return []

    def keep_files_unvalidated(self) -> None:
        """No file questions: nothing to keep."""

    def answer_inputs(self) -> Answers:
        return {}


class ContactForm(WithoutQuestions, FlaskForm):
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
            phone=format_phone(registration.phone),
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

    page_order = ("full_name", "email", "phone", "category", "organization", "country", "consent", "website")

    email = email_field()
    consent = BooleanField(_l("Privacy notice"), validators=[Accepted(CONSENT_MESSAGE)])  # its name in the error summary
    # The honeypot: hidden from people by CSS, left empty by them.
    website = StringField(_l("Leave this field empty"), validators=[Empty()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        preselect_country(self)

    def registration_request(self, language: str, client_address: str = "") -> RegistrationRequest:
        return RegistrationRequest(
            kind=RegistrationKind.INDIVIDUAL,
            email=self.email.data,
            language=language,
            contact=self.contact_data(),
            answers=self.answer_inputs(),
            client_address=client_address,
        )


class NamedCodeField(StringField):
    """A code (country, language) typed or picked by its name from one list the page shares (a datalist).

    A select per row would repeat ~250 options in every delegate row; this
    field shows the name in the page's language and stores the code. Scripts
    may post the code itself. `before` runs first (a question's condition), `required` after the cleaning.
    """

    def __init__(self, label, *, to_code, to_name, message, before=(), required=None, **kwargs):
        validators = [*before, SafeText(), *([required] if required else []), MaxLength(80)]
        super().__init__(label, validators=validators, **kwargs)
        self.to_code, self.to_name, self.message = to_code, to_name, message

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.to_name(self.data) if self.data else ""

    def post_validate(self, form, validation_stopped: bool) -> None:
        if validation_stopped:
            return
        if not self.data:
            self.data = ""
            return
        code = self.to_code(self.data)
        if code is None:
            self.errors.append(self.message)
        else:
            self.data = code


def nationality_field() -> NamedCodeField:
    return NamedCodeField(
        _l("Nationality"), to_code=page_country_code_for, to_name=country_name, message=_l("Choose a country from the list.")
    )


def interpreter_field() -> NamedCodeField:
    return NamedCodeField(
        _l("Interpreter language"),
        to_code=language_code_for,
        to_name=language_name_in_locale,
        message=_l("Choose a language from the list, or leave it empty if no interpreter is needed."),
    )


def delegate_email_field() -> EmailField:
    return EmailField(_l("Their own email (optional)"), validators=[SafeText(), MaxLength(254), Email()])


def _email_language_choices() -> list[tuple[str, str]]:
    return [("", _l("The contact's language")), *language_names().items()]


def email_language_field(label=None) -> SelectField:
    """One of the UI locales for a delegate's own emails; empty for the contact's."""
    return SelectField(
        label or _l("Language of their emails"), choices=_email_language_choices, validators=[Choice()], validate_choice=False
    )


class DelegateKey:
    """A row's key is one the server issued (or empty for a new person); anything else counts as new."""

    def __call__(self, form: Form, field: Field) -> None:
        if field.data and not re.fullmatch(r"[A-Za-z0-9_-]{1,24}", field.data):
            field.data = ""


class DelegateForm(WithoutQuestions, Form):
    """One delegate: a row of the delegation form."""

    key = HiddenField(validators=[DelegateKey()])
    full_name = text_field(_l("Full name"), NAME_LIMIT, required=True)
    position = text_field(_l("Position"), POSITION_LIMIT)
    nationality = nationality_field()
    dietary = text_field(_l("Dietary needs"), DIETARY_LIMIT)
    interpreter_language = interpreter_field()
    email = delegate_email_field()
    language = email_language_field()


def delegate_data_of(form, key: str = "") -> DelegateData:
    """One person's delegate fields (a delegation row, or the manage page's substitute) and answers, as the services take them."""
    return DelegateData(
        key=key,
        full_name=form.full_name.data,
        position=form.position.data or "",
        nationality=form.nationality.data or "",
        dietary=form.dietary.data or "",
        interpreter_language=form.interpreter_language.data or "",
        answers=form.answer_inputs(),
        email=form.email.data or "",
        language=form.language.data or "",
    )


_DELEGATE_ROW = re.compile(r"delegates-(\d{1,6})-")


def delegate_rows(formdata) -> list[int]:
    """The row numbers a delegation POST carries, read from its field names without building any form."""
    return sorted({int(match.group(1)) for key in formdata.keys() if (match := _DELEGATE_ROW.match(key))})


def bounded_delegation_formdata(formdata, max_delegates: int):
    """`formdata`, checked to carry at most `max_delegates` delegate rows before any row's form is built.

    Raises DelegationTooLarge, carrying the first `max_delegates` rows (so the
    page shown again stays as small as the largest allowed delegation).
    """
    rows = delegate_rows(formdata)
    if len(rows) <= max_delegates:
        return formdata
    kept = {str(number) for number in rows[:max_delegates]}
    raise DelegationTooLarge(
        _l("A delegation has at most %(size)s delegates; only the first %(size)s rows are shown.", size=max_delegates),
        MultiDict(
            [
                (key, value)
                for key, value in formdata.items(multi=True)
                if not (match := _DELEGATE_ROW.match(key)) or match.group(1) in kept
            ]
        ),
    )


def _row_data(row: DelegateListRow) -> dict[str, str]:
    """An imported row as a delegate row's data: names resolved to codes where they are known, else kept as typed."""
    data = row.as_form_data()
    data["nationality"] = page_country_code_for(row.nationality) or row.nationality if row.nationality else ""
    language = row.interpreter_language
    data["interpreter_language"] = (language_code_for(language) or language) if language else ""
    return data


class DelegationDetailsForm(WithoutQuestions, FlaskForm):
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
    # A list to fill the rows from (see edit_rows); never saved itself.
    delegate_list = TextAreaField(_l("Paste the list"))
    delegate_file = FileField(_l("Or choose a CSV or Excel file"))

    def __init__(self, *args, max_delegates: int, contact_email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.max_delegates = max_delegates
        self.contact_email = contact_email  # the manage page's (its form has no address field): no delegate may share it
        self.import_error: str | None = None
        self.import_notice: str | None = None
        self.country.choices = country_options(_l("Choose…"))
        # One list each that every delegate row shares (datalists), not a select per row.
        self.country_names = [name for _code, name in country_choices()]
        self.language_names = [name for _code, name in language_choices()]

    @classmethod
    def for_registration(cls, registration: Registration) -> DelegationDetailsForm:
        return cls(
            max_delegates=registration.event.max_delegation_size,
            contact_email=registration.email,
            organization=registration.organization,
            country=registration.country,
            contact_name=registration.full_name,
            contact_position=registration.position,
            phone=format_phone(registration.phone),
            notes=registration.notes,
            delegates=[
                {
                    "key": delegate.key,
                    "full_name": delegate.full_name,
                    "position": delegate.position,
                    "nationality": delegate.nationality,
                    "dietary": delegate.dietary,
                    "interpreter_language": delegate.interpreter_language,
                    "email": delegate.email,
                    "language": delegate.language,
                }
                for delegate in registration.delegates
            ],
        )

    def validate_delegates(self, field: FieldList) -> None:
        if not 1 <= len(field.entries) <= self.max_delegates:
            raise ValidationError(_l("A delegation has from 1 to %(size)s delegates.", size=self.max_delegates))
        contact = self.email.data if isinstance(getattr(self, "email", None), Field) else self.contact_email
        taken = {(contact or "").casefold()} - {""}
        shared = False
        for row in (entry.form for entry in field.entries):
            address = (row.email.data or "").casefold()
            if address and address in taken:
                row.email.errors.append(SHARED_ADDRESS)
                shared = True
            taken.add(address)
        if shared:
            raise ValidationError(SHARED_ADDRESS)

    def edit_rows(self, formdata, files=None) -> bool:
        """Add, remove or import delegate rows when such a button was pressed (no JavaScript); True if so.

        File answers sent with the button are kept for the submission to come.
        """
        remove = formdata.get("remove_delegate", "")
        if not ("import_delegates" in formdata or "add_delegate" in formdata or remove.isdigit()):
            return False
        self.keep_files_unvalidated()
        if "import_delegates" in formdata:
            self.import_rows(files.get("delegate_file") if files else None)
            return True
        if "add_delegate" in formdata:
            if len(self.delegates.entries) < self.max_delegates:
                self.delegates.append_entry()
            return True
        kept = [entry.data for index, entry in enumerate(self.delegates.entries) if index != int(remove)]
        self.delegates.entries, self.delegates.last_index = [], -1
        for data in kept or [{}]:
            self.delegates.append_entry(data)
        return True

    def import_rows(self, upload) -> None:
        """Fill the delegate rows from the pasted list or the uploaded file, after the rows already filled in.

        Nothing is saved: the visitor checks the rows and submits. A list that
        cannot be read or would pass the event's maximum changes no row and
        keeps the pasted text, with `import_error` saying why.
        """
        try:
            if upload is not None and upload.filename:
                imported = read_delegate_file(upload.filename, upload.stream.read(MAX_FILE_BYTES + 1), self.max_delegates)
            elif (self.delegate_list.data or "").strip():
                imported = parse_delegate_text(self.delegate_list.data, self.max_delegates)
            else:
                raise DelegateListRefused(_l("Paste a list of delegates or choose a file first."))
            self._append_rows(imported)
        except DelegateListRefused as refused:
            self.import_error = str(refused.message)
            return
        self.delegate_list.data = ""
        self.import_notice = ngettext(
            "%(num)s delegate was added from the list. Check the rows below, then register.",
            "%(num)s delegates were added from the list. Check the rows below, then register.",
            len(imported),
        )

    def _append_rows(self, imported: list[DelegateListRow]) -> None:
        kept = [
            entry.data
            for entry in self.delegates.entries
            if any((entry.data.get(name) or "") for name in ("full_name", "position", "nationality", "dietary", "email"))
        ]
        if len(kept) + len(imported) > self.max_delegates:
            raise DelegateListRefused(
                _l(
                    "With the rows already filled in, that makes %(count)s delegates; a delegation has at most %(size)s.",
                    count=len(kept) + len(imported),
                    size=self.max_delegates,
                )
            )
        self.delegates.entries, self.delegates.last_index = [], -1
        for data in [*kept, *(_row_data(row) for row in imported)]:
            self.delegates.append_entry(data)

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
        return [delegate_data_of(row, key=row.key.data or "") for row in (entry.form for entry in self.delegates.entries)]


class DelegationForm(DelegationDetailsForm):
    """A consulate or partner registering a delegation."""

    page_order = (
        "invitation", "organization", "country", "contact_name", "contact_position", "email", "phone", "notes",
        "delegates", "consent", "website",
    )  # fmt: skip

    invitation = StringField(_l("Invitation code"), validators=[SafeText(), MaxLength(20)])
    email = email_field()
    consent = BooleanField(_l("Privacy notice"), validators=[Accepted(CONSENT_MESSAGE)])  # its name in the error summary
    website = StringField(_l("Leave this field empty"), validators=[Empty()])

    def __init__(self, *args, invitation_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation_only = invitation_only  # the event takes delegations through an invitation only
        preselect_country(self)

    def validate_invitation(self, field: Field) -> None:
        if not field.data:
            if self.invitation_only:
                raise ValidationError(_l("Delegations register for this event by invitation only: type your invitation code."))
            return
        if not normalize_invitation_code(field.data):
            raise ValidationError(_l("An invitation code has eight letters and digits, such as 7KQ3-9XZD."))

    def registration_request(self, language: str, client_address: str = "") -> RegistrationRequest:
        return RegistrationRequest(
            invitation_code=self.invitation.data or "",
            kind=RegistrationKind.DELEGATION,
            email=self.email.data,
            language=language,
            contact=self.contact_data(),
            delegates=self.delegate_data(),
            answers=self.answer_inputs(),
            client_address=client_address,
        )
