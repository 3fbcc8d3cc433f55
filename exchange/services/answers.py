"""Answers to an event's questions as people read them.

Storage is canonical (see `models.Answer`); this module turns a stored value into text in the
current locale, for pages, emails and spreadsheets, and into the stable form CSV exports use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from babel.numbers import format_decimal
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..i18n import country_name, format_day, language_name
from ..models import Answer, AskedOf, Delegate, Event, Question, QuestionType, Registration
from ..validators import format_phone


def answer_files_dir() -> Path:
    """Where file answers are kept (config ANSWER_FILES_DIR, default instance/answer-files); never served as static."""
    return Path(current_app.config["ANSWER_FILES_DIR"] or Path(current_app.instance_path) / "answer-files")


# Questions with a few fixed options: the registrations table filters by them and the statistics chart them.
COUNTABLE_TYPES = (QuestionType.CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.YES_NO)


def countable_questions(event: Event) -> list[Question]:
    """The event's choice and yes/no questions still asked, never sensitive ones (a filter or a chart
    would tell who gave which sensitive answer without a reveal)."""
    return [
        question
        for question in event.questions
        if question.type in COUNTABLE_TYPES and question.retired_at is None and not question.sensitive
    ]


def stored_answers(registration_id: int) -> dict[tuple[int, int], Answer]:
    """A registration's answers by (delegate id, or 0 for its own person; question id), in one query."""
    return {
        (answer.delegate_id or 0, answer.question_id): answer
        for answer in db.session.scalars(select(Answer).where(Answer.registration_id == registration_id))
    }


def option_keys(question: Question) -> list[str]:
    """The answers a countable question takes, in its order: its choice keys, or "yes" and "no"."""
    if question.type is QuestionType.YES_NO:
        return ["yes", "no"]
    return [choice["key"] for choice in question.choices if choice.get("key")]


def option_label(question: Question, key: str, lang: str) -> str:
    """One option in `lang` (yes/no in the current locale)."""
    if question.type is QuestionType.YES_NO:
        return _("Yes") if key == "yes" else _("No")
    return question.choice_label_in(key, lang)


def choice_keys(value: str) -> list[str]:
    """The keys a multiple-choice answer holds (an empty list for anything unreadable)."""
    try:
        keys = json.loads(value) if value else []
    except ValueError:
        return []
    return [key for key in keys if isinstance(key, str)] if isinstance(keys, list) else []


def stable_value(question: Question, answer: Answer | None) -> str:
    """The answer as CSV exports and the API give it: keys and codes, never labels.

    A multiple choice gives its keys separated by "|"; a file gives the name it downloads as.
    """
    if answer is None:
        return ""
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return "|".join(choice_keys(answer.value))
    if question.type is QuestionType.FILE:
        return answer.file_name or ""
    return answer.value


def display_value(question: Question, answer: Answer | None, lang: str) -> str:
    """The answer in the current locale: choice labels in `lang`, country and language names,
    localized dates and numbers, "Yes"/"No", a phone number as people write it, a file's name.

    Callers decide whether a sensitive answer may be shown at all.
    """
    if answer is None or not (answer.value or answer.file_name):
        return ""
    value = answer.value
    match question.type:
        case QuestionType.CHOICE:
            return question.choice_label_in(value, lang)
        case QuestionType.MULTIPLE_CHOICE:
            return ", ".join(question.choice_label_in(key, lang) for key in choice_keys(value))
        case QuestionType.YES_NO:
            return option_label(question, value, lang)
        case QuestionType.COUNTRY:
            return country_name(value)
        case QuestionType.LANGUAGE:
            return language_name(value)
        case QuestionType.DATE:
            try:
                return format_day(date.fromisoformat(value))
            except ValueError:
                return value
        case QuestionType.NUMBER:
            return _format_number(value)
        case QuestionType.PHONE:
            return format_phone(value)
        case QuestionType.FILE:
            return answer.file_name or ""
    return value


def _format_number(value: str) -> str:
    try:
        return format_decimal(Decimal(value), locale=get_locale())
    except (InvalidOperation, ValueError):
        return value


@dataclass(frozen=True)
class AnswerLine:
    """One question on a registration's page and the answer to it (None: not answered)."""

    question: Question
    answer: Answer | None
    text: str  # the answer as people read it; empty while masked
    masked: bool  # a sensitive answer, shown only by a reveal

    @property
    def retired(self) -> bool:
        return self.question.retired_at is not None


@dataclass(frozen=True)
class RegistrationAnswers:
    own: list[AnswerLine]  # the individual's, or the delegation contact's
    delegates: list[tuple[Delegate, list[AnswerLine]]]


def registration_answers(registration: Registration, lang: str, revealed: int | None = None) -> RegistrationAnswers:
    """The answers of a registration's person and of each delegate, labels in `lang`, in the order asked.

    Each person is listed the questions put to them and any other they answered (retired
    questions included). Sensitive answers are masked but for the answer with id `revealed`.
    Two queries: the event's questions and the registration's answers.
    """
    questions = registration.event.questions
    found = {
        (answer.delegate_id or 0, answer.question_id): answer
        for answer in db.session.scalars(select(Answer).where(Answer.registration_id == registration.id))
    }

    def lines(delegate_id: int, asked_of: AskedOf) -> list[AnswerLine]:
        shown = []
        for question in questions:
            answer = found.get((delegate_id, question.id))
            if answer is None and not question.is_asked_of(asked_of):
                continue
            masked = question.sensitive and answer is not None and answer.id != revealed
            shown.append(AnswerLine(question, answer, "" if masked else display_value(question, answer, lang), masked))
        return shown

    own = lines(0, AskedOf.CONTACT if registration.is_delegation else AskedOf.INDIVIDUAL)
    delegates = [(delegate, lines(delegate.id, AskedOf.DELEGATE)) for delegate in registration.delegates]
    return RegistrationAnswers(own=own, delegates=[(delegate, shown) for delegate, shown in delegates if shown])


def shared_answers(registration: Registration, lang: str, *, in_email: bool = False) -> RegistrationAnswers:
    """The answers a registrant's own page and emails show: given ones, never a sensitive one.

    An email leaves long texts out too: it goes to whatever address was typed, so it carries no page
    of someone else's words.
    """
    left_out = (QuestionType.LONG_TEXT,) if in_email else ()

    def shown(lines: list[AnswerLine]) -> list[AnswerLine]:
        return [
            line for line in lines
            if line.answer is not None and line.text and not line.question.sensitive and line.question.type not in left_out
        ]  # fmt: skip

    answers = registration_answers(registration, lang)
    delegates = [(delegate, shown(lines)) for delegate, lines in answers.delegates]
    return RegistrationAnswers(own=shown(answers.own), delegates=[(delegate, lines) for delegate, lines in delegates if lines])
