"""Back-office forms."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..i18n import LOCALES, country_choices, language_names
from ..models import AskedOf, Category, Event, Question, QuestionType, RegistrationKind, RegistrationStatus, User, UserRole
from ..services.event_admin import EventDraft
from ..services.event_io import MAX_CAPACITY, MAX_DELEGATION_SIZE, SLUG_PATTERN, TEXT_LIMITS
from ..services.images import ImageRefused, PreparedImage, StoredImage, keep_upload, kept_upload, prepare_image
from ..services.questions import MAX_CHOICES, MAX_QUESTIONS, QuestionProblem
from ..validators import Choice, Email, MaxLength, Phone, PlausibleYear, Required, SafeText, format_phone

TIMEZONES = (
    "Asia/Ho_Chi_Minh",
    "Asia/Bangkok",
    "Asia/Vientiane",
    "Asia/Phnom_Penh",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Europe/Paris",
)
_NUMBER_MESSAGE = _l("Enter a whole number from %(min)s to %(max)s.")


def _date_field(label) -> DateTimeLocalField:
    return DateTimeLocalField(
        label, format="%Y-%m-%dT%H:%M", validators=[Required(_l("Enter a date and time.")), PlausibleYear()]
    )


def _coordinate(low: int, high: int):
    """A validator reading degrees written with a point or a comma ("10,0341" as in Vietnamese and French)."""
    message = _l("Enter a number of degrees from %(min)s to %(max)s, such as 10.0341.", min=low, max=high)

    def check(form, field) -> None:
        text = (field.data or "").strip().replace(",", ".").replace("\u2212", "-")  # U+2212, the minus sign
        if not text:
            field.data = None
            return
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not low <= value <= high:  # NaN, inf and "1e400" fail here too
            raise ValidationError(message)
        field.data = round(value, 7)  # about a centimetre: more is noise

    return check


class TranslationForm(Form):
    """An event's content in one language."""

    title = StringField(_l("Title"), validators=[SafeText(), MaxLength(TEXT_LIMITS["title"])])
    summary = TextAreaField(_l("Summary"), validators=[SafeText(multiline=True), MaxLength(TEXT_LIMITS["summary"])])
    description = TextAreaField(
        _l("Description (Markdown)"), validators=[SafeText(multiline=True), MaxLength(TEXT_LIMITS["description"])]
    )
    venue_name = StringField(_l("Venue in this language"), validators=[SafeText(), MaxLength(200)])
    venue_address = StringField(_l("Address in this language"), validators=[SafeText(), MaxLength(300)])
    image_alt = StringField(
        _l("What the cover image shows (for people who cannot see it)"), validators=[SafeText(), MaxLength(300)]
    )


class EventForm(FlaskForm):
    # The order of the editor's grid, which the error summary follows.
    page_order = (
        "slug", "category", "starts_at", "ends_at", "timezone", "capacity", "venue_name", "venue_address",
        "latitude", "longitude", "registration_opens_at", "registration_closes_at", "allows_individuals", "allows_delegations",
        "max_delegation_size", "approval_digest", "substitution_deadline", "substitutes_need_approval",
        "delegations_by_invitation", "partner_countries",
        "contact_name", "contact_email", "contact_phone",
        "image", "remove_image",
    )  # fmt: skip

    slug = StringField(
        _l("Web address"),
        validators=[
            SafeText(),
            Required(),
            MaxLength(80),
            Regexp(SLUG_PATTERN, message=_l("Use lowercase letters, digits and hyphens.")),
        ],
    )
    category = SelectField(_l("Category"), validators=[Required(), Choice()], validate_choice=False)
    timezone = SelectField(_l("Time zone"), validators=[Required(), Choice()], validate_choice=False)
    starts_at = _date_field(_l("Starts"))
    ends_at = _date_field(_l("Ends"))
    venue_name = StringField(_l("Venue"), validators=[SafeText(), Required(), MaxLength(200)])
    venue_address = StringField(_l("Address"), validators=[SafeText(), MaxLength(300)])
    latitude = StringField(_l("Latitude"), validators=[SafeText(), MaxLength(30), _coordinate(-90, 90)])
    longitude = StringField(_l("Longitude"), validators=[SafeText(), MaxLength(30), _coordinate(-180, 180)])
    contact_name = StringField(_l("Contact person"), validators=[SafeText(), MaxLength(200)])
    contact_email = EmailField(_l("Contact email"), validators=[SafeText(), MaxLength(254), Email()])
    contact_phone = StringField(_l("Contact phone"), validators=[SafeText(), MaxLength(40), Phone()])
    capacity = IntegerField(_l("Capacity (seats)"), validators=[Required(), NumberRange(0, MAX_CAPACITY, _NUMBER_MESSAGE)])
    registration_opens_at = _date_field(_l("Registration opens"))
    registration_closes_at = _date_field(_l("Registration closes"))
    allows_individuals = BooleanField(_l("Individuals may register"))
    allows_delegations = BooleanField(_l("Delegations may register"))
    max_delegation_size = IntegerField(
        _l("Largest delegation"), validators=[Required(), NumberRange(1, MAX_DELEGATION_SIZE, _NUMBER_MESSAGE)]
    )
    partner_countries = SelectMultipleField(_l("Partner countries"), validators=[Optional()], validate_choice=False)
    approval_digest = BooleanField(_l("Tell the organizers of delegations awaiting approval in one daily email"))
    substitution_deadline = DateTimeLocalField(
        _l("Delegations may replace a delegate until (optional: until registration closes)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional(), PlausibleYear()],
    )
    substitutes_need_approval = BooleanField(_l("A substitute awaits the organizers' approval"))
    delegations_by_invitation = BooleanField(_l("Delegations register only through an invitation"))
    # Checked by its content in validate_image, whatever its name or declared type says.
    image = FileField(_l("Cover image (JPEG, PNG or WebP)"))
    # An upload sent with a mistake elsewhere, kept for the corrected form (browsers do not send a file twice).
    kept_image = HiddenField()
    remove_image = BooleanField(_l("Remove the cover image"))
    prepared_image: StoredImage | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [(category.value, category.title) for category in Category]
        self.timezone.choices = [(zone, zone) for zone in TIMEZONES]
        self.partner_countries.choices = list(country_choices())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Only one of the pair: the empty one is the field to fix.
        if valid and (self.latitude.data is None) != (self.longitude.data is None):
            missing = self.latitude if self.latitude.data is None else self.longitude
            missing.errors = [*missing.errors, _l("Enter both the latitude and the longitude, or neither.")]
            return False
        return valid

    def validate_partner_countries(self, field) -> None:
        known = {code for code, _ in field.choices}
        if any(code not in known for code in field.data or []):
            raise ValidationError(_l("Please choose one of the options in the list."))

    def validate_image(self, field) -> None:
        upload = field.data
        if not upload or not getattr(upload, "filename", None):
            self.prepared_image = kept_upload(self.kept_image.data) if self.kept_image.data else None
            return
        try:
            self.prepared_image = prepare_image(upload.stream)
        except ImageRefused as error:
            raise ValidationError(error.message) from None

    def keep_image_for_next_try(self) -> StoredImage | None:
        """After a failed submit: the image chosen (kept, and named in the form for the next submit), if any."""
        if isinstance(self.prepared_image, PreparedImage):
            self.kept_image.data = keep_upload(self.prepared_image)
        return self.prepared_image

    @classmethod
    def for_event(cls, event: Event, **kwargs) -> EventForm:
        zone = ZoneInfo(event.timezone)

        def local(moment: datetime) -> datetime:
            return moment.astimezone(zone).replace(tzinfo=None)

        form = cls(
            slug=event.slug, category=event.category.value, timezone=event.timezone, starts_at=local(event.starts_at),
            ends_at=local(event.ends_at), venue_name=event.venue_name, venue_address=event.venue_address,
            capacity=event.capacity, registration_opens_at=local(event.registration_opens_at),
            registration_closes_at=local(event.registration_closes_at), allows_individuals=event.allows_individuals,
            allows_delegations=event.allows_delegations, max_delegation_size=event.max_delegation_size,
            partner_countries=list(event.partner_countries), approval_digest=event.approval_digest,
            substitution_deadline=local(event.substitution_deadline) if event.substitution_deadline else None,
            substitutes_need_approval=event.substitutes_need_approval, latitude=_degrees(event.latitude),
            delegations_by_invitation=event.delegations_by_invitation,
            longitude=_degrees(event.longitude), contact_name=event.contact_name,
            contact_email=event.contact_email, contact_phone=format_phone(event.contact_phone), **kwargs,
        )  # fmt: skip
        return form

    def draft(self, translations: dict[str, dict[str, str]]) -> EventDraft:
        zone = ZoneInfo(self.timezone.data)

        def aware(moment: datetime) -> datetime:
            return moment.replace(tzinfo=zone)

        return EventDraft(
            slug=self.slug.data, category=Category(self.category.data), starts_at=aware(self.starts_at.data),
            ends_at=aware(self.ends_at.data), timezone=self.timezone.data, venue_name=self.venue_name.data,
            venue_address=self.venue_address.data or "", capacity=self.capacity.data,
            registration_opens_at=aware(self.registration_opens_at.data),
            registration_closes_at=aware(self.registration_closes_at.data),
            allows_individuals=self.allows_individuals.data, allows_delegations=self.allows_delegations.data,
            max_delegation_size=self.max_delegation_size.data, partner_countries=list(self.partner_countries.data or []),
            approval_digest=bool(self.approval_digest.data),
            substitution_deadline=aware(self.substitution_deadline.data) if self.substitution_deadline.data else None,
            substitutes_need_approval=bool(self.substitutes_need_approval.data), latitude=self.latitude.data,
            delegations_by_invitation=bool(self.delegations_by_invitation.data),
            longitude=self.longitude.data,
            contact_name=self.contact_name.data or "", contact_email=self.contact_email.data or "",
            contact_phone=self.contact_phone.data or "", translations=translations,
            image=self.prepared_image, remove_image=bool(self.remove_image.data) and self.prepared_image is None,
        )  # fmt: skip


def _degrees(value: float | None) -> str:
    return "" if value is None else f"{value:.7f}".rstrip("0").rstrip(".")


def translation_forms(event: Event | None, formdata=None) -> dict[str, TranslationForm]:
    """One content form per locale, prefixed content-<lang>-, filled from the event on GET."""
    by_lang = {translation.lang: translation for translation in (event.translations if event else [])}
    forms = {}
    for lang in LOCALES:
        translation = by_lang.get(lang)
        forms[lang] = TranslationForm(formdata, prefix=f"content-{lang}-", obj=translation if formdata is None else None)
    return forms


class MessageForm(FlaskForm):
    """An action on a registration, with an optional note that is emailed to the registrant."""

    message = TextAreaField(_l("Message to the registrant (optional)"), validators=[SafeText(multiline=True), MaxLength(2000)])


class CancelEventForm(MessageForm):
    confirm = BooleanField(_l("Yes, cancel this event and every registration"))

    def validate_confirm(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Tick the box to confirm."))


class BroadcastForm(FlaskForm):
    fallback = SelectField(
        _l("For registrants whose language has no text, send"), validators=[Required(), Choice()], validate_choice=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fallback.choices = [(code, language_names()[code]) for code in LOCALES]


class BroadcastTextForm(Form):
    subject = StringField(_l("Subject"), validators=[SafeText(), MaxLength(200)])
    body = TextAreaField(_l("Message"), validators=[SafeText(multiline=True), MaxLength(10_000)])


def broadcast_text_forms(formdata=None) -> dict[str, BroadcastTextForm]:
    return {lang: BroadcastTextForm(formdata, prefix=f"text-{lang}-") for lang in LOCALES}


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[SafeText(), Required(), MaxLength(254), Email()])
    role = SelectField(_l("Role"), validators=[Required(), Choice()], validate_choice=False)
    active = BooleanField(_l("May sign in"), default=True)
    events = SelectMultipleField(_l("Events this organizer manages"), coerce=int, validate_choice=False)
    may_export = BooleanField(_l("Viewers may download exports"), default=False)
    password = PasswordField(_l("Password (new accounts)"), validators=[MaxLength(200)])

    def __init__(self, *args, all_events: list[Event], **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [(role.value, role.title) for role in UserRole]
        self.events.choices = [(event.id, event.slug) for event in all_events]

    def validate_events(self, field) -> None:
        known = {event_id for event_id, _ in field.choices}
        if any(event_id not in known for event_id in field.data or []):
            raise ValidationError(_l("Please choose one of the options in the list."))

    @classmethod
    def for_user(cls, user: User, all_events: list[Event]) -> UserForm:
        return cls(
            all_events=all_events, email=user.email, role=user.role.value, active=user.active,
            events=[event.id for event in user.events], may_export=user.may_export,
        )  # fmt: skip


STATUS_FILTERS = list(RegistrationStatus)
KIND_FILTERS = list(RegistrationKind)


# Questions ----------------------------------------------------------------------------------------

# Whom a question is put to, as the editor's checkboxes name them.
ASKED_OF_TITLES = {
    AskedOf.INDIVIDUAL: _l("Individual registrants"),
    AskedOf.CONTACT: _l("A delegation's contact"),
    AskedOf.DELEGATE: _l("Each delegate"),
}
# Empty rows offered below the questions (and choice rows below a question's choices): adding needs no script.
SPARE_QUESTIONS = 3
SPARE_CHOICES = 2


def _decimal(form, field) -> None:
    """A number written with a point or a comma ("2,5" as in Vietnamese and French); empty is none."""
    text = (field.data or "").strip().replace(",", ".").replace("\u2212", "-")
    if not text:
        field.data = None
        return
    try:
        value = float(text) if len(text) <= 30 else float("nan")
    except ValueError:
        value = float("nan")
    if not math.isfinite(value):
        raise ValidationError(_l("Enter a number, such as 1 or 2.5."))
    field.data = value


class ChoiceRowForm(Form):
    """One option of a choice question: its key, and its label per language (label_<lang>)."""

    key = StringField(_l("Choice key"))


class QuestionRowForm(Form):
    """One question of the editor; label_<lang> and help_<lang> are added per locale below."""

    key = StringField(_l("Key"))
    type = SelectField(_l("Type"), validate_choice=False)
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(1, 999, _NUMBER_MESSAGE)])
    asked_of = SelectMultipleField(
        _l("Asked of"), validate_choice=False, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    required = BooleanField(_l("An answer is required"))
    sensitive = BooleanField(_l("Sensitive: answers masked until revealed, never emailed"))
    min = StringField(_l("Lowest number accepted"), validators=[_decimal])
    max = StringField(_l("Highest number accepted"), validators=[_decimal])
    show_if_question = StringField(_l("Ask only if the question with the key"))
    show_if_equals = StringField(_l("was answered (a choice key, or yes or no)"))
    remove = BooleanField(_l("Remove this question"))
    choices = FieldList(FormField(ChoiceRowForm), max_entries=MAX_CHOICES + SPARE_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = [(kind.value, kind.title) for kind in QuestionType]
        self.asked_of.choices = [(who.value, title) for who, title in ASKED_OF_TITLES.items()]
        names = language_names()
        for lang in LOCALES:
            self[f"label_{lang}"].label.text = _("Label (%(language)s)", language=names[lang])
            self[f"help_{lang}"].label.text = _("Help text (%(language)s)", language=names[lang])

    def is_blank(self) -> bool:
        """A spare row nobody filled in (its defaults aside)."""
        return not (self.key.data or "").strip() and not any(self[f"label_{lang}"].data for lang in LOCALES)

    def fields_with_errors(self, lang: str | None = None) -> list[Field]:
        """The row's fields (its choices' included) that carry a message; with `lang`, only that language's texts."""
        fields = [field for field in self if not isinstance(field, FieldList)]
        fields += [field for entry in self.choices for field in entry.form]
        if lang is not None:
            fields = [field for field in fields if field.short_name.endswith(f"_{lang}")]
        return [field for field in fields if field.errors]

    def sent_choices(self) -> list[ChoiceRowForm]:
        return [entry.form for entry in self.choices if (entry.form.key.data or "").strip() or _choice_labels(entry.form)]

    def definition(self) -> dict[str, Any]:
        """The row in the API's shape, for the question service to check."""
        has_choices = self.type.data in (QuestionType.CHOICE.value, QuestionType.MULTIPLE_CHOICE.value)
        show_if = (self.show_if_question.data or "").strip()
        return {
            "key": (self.key.data or "").strip(), "type": self.type.data, "asked_of": list(self.asked_of.data or []),
            "required": bool(self.required.data), "sensitive": bool(self.sensitive.data),
            "min": self.min.data, "max": self.max.data,
            "choices": [
                {"key": (choice.key.data or "").strip(), "labels": _choice_labels(choice)} for choice in self.sent_choices()
            ] if has_choices else [],
            "labels": {
                lang: {"label": self[f"label_{lang}"].data or "", "help": self[f"help_{lang}"].data or ""}
                for lang in LOCALES if self[f"label_{lang}"].data or self[f"help_{lang}"].data
            },
            "show_if": {"question": show_if, "equals": (self.show_if_equals.data or "").strip()} if show_if else None,
        }  # fmt: skip

    def field_for(self, path: str, lang: str) -> Field:
        """The field a question service problem at `path` (an API field path such as labels.vi.label) is about."""
        parts = path.replace("[", ".").replace("]", "").split(".")
        if parts[0] == "labels":
            which = "help" if parts[-1] == "help" else "label"
            return self[f"{which}_{parts[1] if len(parts) > 1 and parts[1] in LOCALES else lang}"]
        if parts[0] == "choices":
            rows = self.sent_choices() or [entry.form for entry in self.choices]
            if len(parts) < 2 or not parts[1].isdecimal() or int(parts[1]) >= len(rows):
                return rows[0].key if rows else self.type
            choice = rows[int(parts[1])]
            if len(parts) > 2 and parts[2] == "labels":
                return choice[f"label_{parts[3] if len(parts) > 3 and parts[3] in LOCALES else lang}"]
            return choice.key
        if parts[0] == "show_if":
            return self.show_if_equals if parts[-1] == "equals" else self.show_if_question
        if parts[0] in ("type", "asked_of", "required", "sensitive", "min", "max"):
            return self[parts[0]]
        return self.key


for _lang in LOCALES:
    setattr(ChoiceRowForm, f"label_{_lang}", StringField(_l("Choice label")))
    setattr(QuestionRowForm, f"label_{_lang}", StringField(_l("Label")))
    setattr(QuestionRowForm, f"help_{_lang}", TextAreaField(_l("Help text")))


def _choice_labels(choice: ChoiceRowForm) -> dict[str, str]:
    return {lang: choice[f"label_{lang}"].data for lang in LOCALES if choice[f"label_{lang}"].data}


class QuestionsForm(FlaskForm):
    """An event's questions as rows named questions-N-<field>, their choices questions-N-choices-M-<field>."""

    questions = FieldList(FormField(QuestionRowForm), max_entries=MAX_QUESTIONS + SPARE_QUESTIONS)
    # The questions_version the page was made from: a save over someone else's newer one is refused once.
    version = HiddenField()

    @classmethod
    def for_event(cls, questions: list[Question], version: str = "") -> QuestionsForm:
        rows = []
        for position, question in enumerate(questions, start=1):
            row: dict[str, Any] = {
                "key": question.key, "type": question.type.value, "position": position, "asked_of": list(question.asked_of),
                "required": question.required, "sensitive": question.sensitive, "min": _number(question.min_value),
                "max": _number(question.max_value), "show_if_question": question.show_if_question or "",
                "show_if_equals": question.show_if_equals or "",
                "choices": [
                    {"key": choice["key"], **{f"label_{lang}": text for lang, text in choice.get("labels", {}).items()}}
                    for choice in question.choices
                ],
            }  # fmt: skip
            for lang, texts in question.labels.items():
                row[f"label_{lang}"], row[f"help_{lang}"] = texts.get("label", ""), texts.get("help", "")
            rows.append(row)
        return cls(questions=rows, version=version)

    def add_spare_rows(self) -> None:
        """Empty question rows after the last, and empty choice rows in each question, to fill in without a script."""
        for entry in self.questions:
            _add_blank_choices(entry.form, SPARE_CHOICES)
        blank = sum(entry.form.is_blank() for entry in self.questions)
        last = max((entry.form.position.data or 0 for entry in self.questions), default=0)
        for number in range(1, SPARE_QUESTIONS - blank + 1):
            if len(self.questions.entries) >= MAX_QUESTIONS + SPARE_QUESTIONS:
                break
            spare = self.questions.append_entry({"position": min(last + number, 999), "asked_of": ["individual", "delegate"]})
            _add_blank_choices(spare.form, SPARE_CHOICES + 2)

    def definitions(self) -> tuple[list[dict[str, Any]], list[QuestionRowForm]]:
        """The filled rows in the API's shape, by their order numbers (then as listed), and the rows they came from."""
        rows = [
            (entry.form.position.data or 1000, number, entry.form)
            for number, entry in enumerate(self.questions)
            if not entry.form.remove.data and not entry.form.is_blank()
        ]
        rows.sort(key=lambda item: item[:2])
        return [row.definition() for *_, row in rows], [row for *_, row in rows]


def _add_blank_choices(row: QuestionRowForm, wanted: int) -> None:
    missing = wanted - (len(row.choices.entries) - len(row.sent_choices()))
    for _blank in range(min(missing, MAX_CHOICES + SPARE_CHOICES - len(row.choices.entries))):
        row.choices.append_entry()


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() else str(value)


def place_problems(rows: list[QuestionRowForm], problems: list[QuestionProblem], lang: str) -> list[str]:
    """Put each question problem beside its field; returns those about the whole list, to show on their own."""
    general = []
    for problem in problems:
        if problem.index is None or problem.index >= len(rows):
            general.append(str(problem.message))
            continue
        field = rows[problem.index].field_for(problem.field, lang)
        field.errors = [*field.errors, problem.message]
    return general


class DayField(DateField):
    """A date (YYYY-MM-DD) whose refusal says so in our languages (WTForms' own message has no Khmer or Lao)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_("Enter a date.")) from None


class InvitationForm(FlaskForm):
    """An organizer invites a consulate or partner: whom, in which language, how many seats, until when."""

    organization = StringField(_l("Organisation"), validators=[SafeText(), Required(), MaxLength(200)])
    email = EmailField(_l("Contact email"), validators=[SafeText(), Required(), MaxLength(254), Email()])
    language = SelectField(_l("Language of the invitation"), validators=[Required(), Choice()], validate_choice=False)
    seats = IntegerField(_l("Seats reserved"), validators=[Required(), NumberRange(1, MAX_CAPACITY, _NUMBER_MESSAGE)])
    deadline = DayField(_l("Reserved until (the whole day)"), validators=[Required(_l("Enter a date.")), PlausibleYear()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [(code, language_names()[code]) for code in LOCALES]


class InvitationDeadlineForm(FlaskForm):
    """A new deadline for an open invitation."""

    deadline = DayField(_l("Reserved until (the whole day)"), validators=[Required(_l("Enter a date.")), PlausibleYear()])
