"""An event's own questions as form fields, named as PRODUCT.md gives them: `q_<key>`, `delegates-N-q_<key>`.

`with_questions` makes, per request, a subclass of a registration form with one
field per question asked of that form's person, validated by type on the
server with translated messages. A question whose condition (`show_if`) is
not met in the same form is neither checked nor saved, whatever was sent for
it. `answer_inputs` turns a valid form's fields into the canonical answers the
services save (`services.answer_store`).

On the manage page some stored answers are not shown again: a file, and any
sensitive answer (a passport number stays out of pages a forwarded link
opens). An empty field keeps them (`kept`); a new value replaces them.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    EmailField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, DateInput, ListWidget, NumberInput

from ..i18n import country_name, language_choices, language_code_for, language_name_in_locale
from ..models import Answer, AskedOf, Event, Question, QuestionType, Registration
from ..services.answer_files import AnswerFileRefused, check_answer_file, file_from_token, file_token, write_answer_file
from ..services.answer_store import AnswerInput, Answers
from ..services.answers import choice_keys, option_keys, option_label, stored_answers
from ..services.event_io import MAX_DELEGATION_SIZE
from ..validators import Choice, Email, MaxLength, Phone, SafeText, format_phone
from .forms import (
    DelegateForm,
    DelegationForm,
    NamedCodeField,
    RegistrationForm,
    country_options,
    page_country_code_for,
)

TEXT_LIMIT = 500
LONG_TEXT_LIMIT = 5000
NUMBER_LIMIT = 30  # characters of a typed number
NUMBER_BOUND = Decimal("1e15")  # far past any count or amount a form asks for
FIRST_YEAR, LAST_YEAR = 1900, 2200
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def field_name(question: Question) -> str:
    return f"q_{question.key}"


def kept_file_name(question: Question) -> str:
    """The hidden field carrying a file already sent with this form; `-` keeps it apart from every question key."""
    return f"kept-q_{question.key}"


def with_questions(form_class: type, questions, asked_of: AskedOf, *, before: str | None = None, rows=None) -> type:
    """`form_class` with a field per question asked of `asked_of`, shown in the page order before `before`.

    `rows`: the delegate rows' form, for a delegation form, already given its own questions.
    """
    asked = tuple(question for question in questions if question.is_asked_of(asked_of))
    if not asked and rows is None:
        return form_class
    attributes: dict[str, object] = {"questions": asked}
    for question in asked:
        attributes[field_name(question)] = _question_field(question, in_row=asked_of is AskedOf.DELEGATE)
        if question.type is QuestionType.FILE:
            attributes[kept_file_name(question)] = HiddenField()
    if rows is not None:
        attributes["delegates"] = rows
    order = getattr(form_class, "page_order", None)
    if order is not None:
        at = order.index(before) if before in order else len(order)
        attributes["page_order"] = (*order[:at], *(field_name(question) for question in asked), *order[at:])
    return type(form_class.__name__, (QuestionsMixin, form_class), attributes)


class QuestionsMixin:
    """What a form with questions adds: the conditions, the kept answers and the answers it gives."""

    questions: tuple[Question, ...] = ()
    # Keys of stored answers an empty field keeps (files, sensitive answers), with the text the page shows for each,
    # and their stored values (never shown: a kept answer may decide another question's condition).
    kept: dict[str, str]
    kept_values: dict[str, str]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept, self.kept_values = {}, {}
        for question, field in self.question_fields():
            if isinstance(field, SelectField | SelectMultipleField):
                field.choices = _choices(question, g.lang)

    @property
    def has_file_questions(self) -> bool:
        """Whether the form must be sent as multipart (a file question here or in a delegate row)."""
        rows = getattr(self, "delegates", None)
        row_questions = rows.entries[0].form.questions if rows is not None and rows.entries else ()
        return any(question.type is QuestionType.FILE for question in (*self.questions, *row_questions))

    def question_fields(self) -> list[tuple[Question, Field]]:
        return [(question, self[field_name(question)]) for question in self.questions]  # type: ignore[index]

    def is_shown(self, question: Question) -> bool:
        """Whether the question's condition on an earlier answer of this form holds, that answer's own included
        (no condition, or one on a question this form does not ask: yes). A kept answer left empty counts as given."""
        if not question.show_if_question:
            return True
        source = next((asked for asked in self.questions if asked.key == question.show_if_question), None)
        if source is None or source.position >= question.position:  # another person's, or not earlier: not checked here
            return True
        given = self[field_name(source)].data  # type: ignore[index]
        if not given and source.key in self.kept:
            given = choice_keys(self.kept_values[source.key]) if source.type.has_choices else self.kept_values[source.key]
        values = given if isinstance(given, list) else [given]
        return question.show_if_equals in values and self.is_shown(source)

    def file_fields(self) -> list[tuple[QuestionsMixin, Question, Field]]:
        """The file questions of this form and of its delegate rows, with the form (or row) each is in."""
        rows = getattr(self, "delegates", None)
        forms = [self, *(entry.form for entry in rows.entries)] if rows is not None else [self]
        return [
            (form, question, field)
            for form in forms
            for question, field in form.question_fields()
            if question.type is QuestionType.FILE
        ]

    def keep_files(self) -> None:
        """Store the files this form carries (checked by content; a refused one is left out), so the page sent back
        names them and the next submission needs them not again. Called once the sender is known to be a person:
        after the CSRF check and the honeypot, before a page with mistakes, or when a row button was pressed."""
        for form, question, field in self.file_fields():
            if not hasattr(field, "stored"):  # not validated (a row button was pressed): check the file now
                try:
                    FileAnswer(question)(form, field)
                except StopValidation:
                    continue
            pending = getattr(field, "pending", None)
            if pending is not None:
                field.stored = write_answer_file(pending)  # type: ignore[attr-defined]
                field.pending = None  # type: ignore[attr-defined]
            stored = getattr(field, "stored", None)
            form[kept_file_name(question)].data = file_token(stored) if stored is not None else ""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)  # type: ignore[misc]
        if not isinstance(self, FlaskForm):
            return valid  # a delegate row: the whole form keeps the files, once it has checked its sender
        if self._sent_by_a_person() and self.file_fields():
            self.keep_files()
        return valid

    def keep_files_unvalidated(self) -> None:
        """`keep_files` for a form that is shown again without being validated (a delegate row button)."""
        csrf = getattr(self, "csrf_token", None)
        if csrf is not None and not csrf.errors:
            csrf.validate(self)
        if self._sent_by_a_person() and self.file_fields():
            self.keep_files()

    def _sent_by_a_person(self) -> bool:
        """The CSRF token was good and the honeypot left empty (their checks ran)."""
        csrf, honeypot = getattr(self, "csrf_token", None), getattr(self, "website", None)
        return not (csrf is not None and csrf.errors) and not (honeypot is not None and honeypot.data)

    def answer_inputs(self) -> Answers:
        """The canonical answers of a validated form, by question key (a kept answer left empty is left out)."""
        inputs: Answers = {}
        for question, field in self.question_fields():
            if not self.is_shown(question):
                inputs[question.key] = AnswerInput()
                continue
            if question.type is QuestionType.FILE:
                stored = getattr(field, "stored", None)
                if stored is not None or question.key not in self.kept:
                    inputs[question.key] = AnswerInput(file=stored)
                continue
            value = _canonical(question, field.data)
            if value or question.key not in self.kept:
                inputs[question.key] = AnswerInput(value)
        return inputs


def _canonical(question: Question, data) -> str:
    if question.type is QuestionType.MULTIPLE_CHOICE:
        ticked = set(data or ())
        keys = [key for key in option_keys(question) if key in ticked]
        return json.dumps(keys) if keys else ""
    return str(data or "")


def _question_field(question: Question, *, in_row: bool) -> Field:
    lang = g.lang
    label, description = question.label_in(lang), question.help_in(lang)
    first = [QuestionShown(question)]
    required = [AnswerRequired(question)] if question.required else []
    match question.type:
        case QuestionType.TEXT:
            return StringField(label, [*first, SafeText(), *required, MaxLength(TEXT_LIMIT)], description=description)
        case QuestionType.LONG_TEXT:
            return TextAreaField(
                label, [*first, SafeText(multiline=True), *required, MaxLength(LONG_TEXT_LIMIT)], description=description
            )
        case QuestionType.NUMBER:
            bounds = {
                name: _plain(value)
                for name, value in (("min", question.min_value), ("max", question.max_value))
                if value is not None
            }
            return StringField(
                label, [*first, SafeText(), *required, NumberAnswer(question)], description=description,
                widget=NumberInput(step="any", **bounds), render_kw={"inputmode": "decimal"},
            )  # fmt: skip
        case QuestionType.DATE:
            return StringField(label, [*first, SafeText(), *required, DateAnswer()], description=description, widget=DateInput())
        case QuestionType.CHOICE | QuestionType.YES_NO:
            return SelectField(label, [*first, *required, Choice()], description=description, validate_choice=False)
        case QuestionType.MULTIPLE_CHOICE:
            return SelectMultipleField(
                label, [*first, *required, Choices()], description=description, validate_choice=False,
                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(), filters=[_ticked],
            )  # fmt: skip
        case QuestionType.COUNTRY | QuestionType.LANGUAGE:
            return _code_field(question, label, description, first, in_row=in_row)
        case QuestionType.EMAIL:
            return EmailField(label, [*first, SafeText(), *required, MaxLength(254), Email()], description=description)
        case QuestionType.PHONE:
            return TelField(label, [*first, SafeText(), *required, MaxLength(32), Phone()], description=description)
        case QuestionType.FILE:
            return FileField(
                label, [*first, FileAnswer(question), *([FileRequired()] if question.required else [])], description=description
            )
    raise ValueError(question.type)


def _ticked(values):
    """The boxes ticked: an empty value (which no browser sends for a box) is no box."""
    return [value for value in values or () if value]


def _plain(value: float) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def _choices(question: Question, lang: str) -> list:
    """A select's options (a blank first but for multiple choice), assigned once the field is bound."""
    match question.type:
        case QuestionType.MULTIPLE_CHOICE:
            return _options(question, lang)
        case QuestionType.COUNTRY:
            return country_options(_l("Choose…"))
        case QuestionType.LANGUAGE:
            return [("", _l("Choose…")), *language_choices()]
    return [("", _l("Choose…")), *_options(question, lang)]


def _options(question: Question, lang: str) -> list[tuple[str, str]]:
    return [(key, option_label(question, key, lang)) for key in option_keys(question)]


def _code_field(question: Question, label, description, first, *, in_row: bool) -> Field:
    """A country or a language: a select on a person's own form, typed with a shared list in a delegate row."""
    required = AnswerRequired(question) if question.required else None
    if in_row:
        if question.type is QuestionType.COUNTRY:
            to_code, to_name, message = page_country_code_for, country_name, _l("Choose a country from the list.")
        else:
            to_code, to_name, message = language_code_for, language_name_in_locale, _l("Choose a language from the list.")
        return NamedCodeField(
            label, to_code=to_code, to_name=to_name, message=message, description=description,
            before=[*first], required=required,
        )  # fmt: skip
    return SelectField(
        label, [*first, *([required] if required else []), Choice()], description=description, validate_choice=False
    )


class QuestionShown:
    """Runs first: a question whose condition is not met in this form is not checked (what was sent is dropped)."""

    def __init__(self, question: Question):
        self.question = question

    def __call__(self, form: QuestionsMixin, field: Field) -> None:
        if not form.is_shown(self.question):
            field.errors[:] = []
            raise StopValidation()


class AnswerRequired:
    """A required question: an answer must remain once cleaned, unless a stored one is kept."""

    field_flags = {"required": True}

    def __init__(self, question: Question):
        self.question = question

    def __call__(self, form: QuestionsMixin, field: Field) -> None:
        if not field.data and self.question.key not in form.kept:
            field.errors[:] = []
            raise StopValidation(_l("This field is required."))


class NumberAnswer:
    """A number within the question's bounds; "1,5" is read as 1.5. The field keeps it as a plain decimal."""

    def __init__(self, question: Question):
        self.question = question

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        text = field.data.replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = Decimal(text) if len(text) <= NUMBER_LIMIT else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or abs(number) >= NUMBER_BOUND:
            raise StopValidation(_l("Enter a number, such as 12 or 3.5."))
        low, high = self.question.min_value, self.question.max_value
        if low is not None and high is not None and not Decimal(str(low)) <= number <= Decimal(str(high)):
            raise StopValidation(_l("Enter a number from %(min)s to %(max)s.", min=_plain(low), max=_plain(high)))
        if low is not None and number < Decimal(str(low)):
            raise StopValidation(_l("Enter a number of at least %(min)s.", min=_plain(low)))
        if high is not None and number > Decimal(str(high)):
            raise StopValidation(_l("Enter a number of at most %(max)s.", max=_plain(high)))
        field.data = format(number.normalize(), "f") if number else "0"


class DateAnswer:
    """A date as the browser's date picker sends it (YYYY-MM-DD), in the years a person's dates fall in."""

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        try:
            day = date.fromisoformat(field.data) if _ISO_DATE.fullmatch(field.data) else None
        except ValueError:
            day = None
        if day is None:
            raise StopValidation(_l("Enter a date as year-month-day, such as 2027-05-21."))
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise StopValidation(_l("Enter a date between the years %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR))


class Choices:
    """Every ticked box is one of the question's choices."""

    def __call__(self, form: Form, field: Field) -> None:
        known = {str(choice[0]) for choice in field.choices}
        if any(value not in known for value in field.data or ()):
            raise StopValidation(_l("Please choose among the options shown."))


class FileAnswer:
    """A file sent now, checked by content (`field.pending`, written by `keep_files` once the form is known to come
    from a person), else the one an earlier try of this form sent (`field.stored`, from the hidden carrier)."""

    def __init__(self, question: Question):
        self.question = question

    def __call__(self, form: Form, field: Field) -> None:
        carrier = form[kept_file_name(self.question)]  # type: ignore[index]
        field.stored = field.pending = None  # type: ignore[attr-defined]
        upload = field.data
        if isinstance(upload, FileStorage) and upload.filename:
            try:
                field.pending = check_answer_file(  # type: ignore[attr-defined]
                    upload.filename, upload.stream.read(current_app.config["ANSWER_FILE_MAX_BYTES"] + 1)
                )
            except AnswerFileRefused as refused:
                carrier.data = ""
                raise StopValidation(refused.message) from refused
        elif carrier.data:
            field.stored = file_from_token(carrier.data)  # type: ignore[attr-defined]


class FileRequired:
    """A required file question: a file sent now or before, or one stored already."""

    field_flags = {"required": True}

    def __call__(self, form: QuestionsMixin, field: Field) -> None:
        question = next(q for q in form.questions if field.short_name == field_name(q))
        sent = getattr(field, "stored", None) or getattr(field, "pending", None)
        if sent is None and question.key not in form.kept:
            raise StopValidation(_l("Please choose a file."))


def individual_form(event: Event, base: type = RegistrationForm) -> type:
    """The individual form of `event` (or the manage page's `ContactForm`) with its questions."""
    return with_questions(base, event.questions, AskedOf.INDIVIDUAL, before="consent")


def delegation_form(event: Event, base: type = DelegationForm) -> type:
    """The delegation form of `event` (or the manage page's details form): the contact's questions, each row's."""
    rows = with_questions(DelegateForm, event.questions, AskedOf.DELEGATE)
    delegates = FieldList(FormField(rows), min_entries=1, max_entries=MAX_DELEGATION_SIZE) if rows is not DelegateForm else None
    return with_questions(base, event.questions, AskedOf.CONTACT, before="delegates", rows=delegates)


def load_answers(form, registration: Registration, *, prefill: bool) -> None:
    """Show a registration's stored answers in its manage-page form.

    Files and sensitive answers are never put back into a page: they are
    marked kept, with a line that says so. The rest fill their fields when
    `prefill` (the page's first view; a form sent back keeps what was sent).
    """
    stored = stored_answers(registration.id)
    if not stored:
        return
    _load(form, 0, stored, prefill)
    if registration.is_delegation and hasattr(form, "delegates"):
        delegate_ids = {delegate.key: delegate.id for delegate in registration.delegates}
        for entry in form.delegates.entries:
            # A key sent twice (forged: the page gives each row its own) keeps answers for its first row only.
            delegate_id = delegate_ids.pop(entry.form.key.data or "", None)
            if delegate_id is not None:
                _load(entry.form, delegate_id, stored, prefill)


def _load(form, owner: int, stored: dict[tuple[int, int], Answer], prefill: bool) -> None:
    for question, field in form.question_fields():
        answer = stored.get((owner, question.id))
        if answer is None:
            continue
        if question.sensitive or question.type is QuestionType.FILE:
            form.kept[question.key] = "" if question.sensitive else answer.file_name or ""
            form.kept_values[question.key] = answer.value
        elif prefill:
            if question.type is QuestionType.MULTIPLE_CHOICE:
                field.data = choice_keys(answer.value)
            elif question.type is QuestionType.PHONE:
                field.data = format_phone(answer.value)
            else:
                field.data = answer.value
