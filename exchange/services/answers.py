"""Answers to an event's questions as people read them.

Storage is canonical (see `models.Answer`); this module turns a stored value into text in the
current locale, for pages, emails and spreadsheets, and into the stable form CSV exports use.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from babel.numbers import format_decimal
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from ..i18n import country_name, format_day, language_name
from ..models import Answer, Event, Question, QuestionType
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
