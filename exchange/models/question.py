"""An event's own registration questions and the answers people give them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .event import Event, db_enum, in_language
from .registration import Delegate, Registration
from .types import UTCDateTime, utcnow


class QuestionType(enum.StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    COUNTRY = "country"
    LANGUAGE = "language"
    EMAIL = "email"
    PHONE = "phone"
    FILE = "file"

    # Shadows str.title() on purpose: templates show every status and category as `.title`.
    @property
    def title(self) -> str:  # type: ignore[override]
        return str(_TYPE_TITLES[self])

    @property
    def has_choices(self) -> bool:
        return self in (QuestionType.CHOICE, QuestionType.MULTIPLE_CHOICE)


_TYPE_TITLES = {
    QuestionType.TEXT: _l("Short text"),
    QuestionType.LONG_TEXT: _l("Long text"),
    QuestionType.NUMBER: _l("Number"),
    QuestionType.DATE: _l("Date"),
    QuestionType.CHOICE: _l("Single choice"),
    QuestionType.MULTIPLE_CHOICE: _l("Multiple choice"),
    QuestionType.YES_NO: _l("Yes or no"),
    QuestionType.COUNTRY: _l("Country"),
    QuestionType.LANGUAGE: _l("Language"),
    QuestionType.EMAIL: _l("Email"),
    QuestionType.PHONE: _l("Phone"),
    QuestionType.FILE: _l("File"),
}


class AskedOf(enum.StrEnum):
    """Whom a question is put to: people registering alone, a delegation's contact, each delegate."""

    INDIVIDUAL = "individual"
    CONTACT = "contact"
    DELEGATE = "delegate"


class Question(Model):
    """One question of an event's registration form.

    The texts are JSON in the API's own shape (PRODUCT.md, "Questions"): `labels` is
    `{lang: {"label": ..., "help": ...}}`, `choices` a list of `{"key": ..., "labels": {lang: text}}`.
    A question that people have answered is never deleted: removing it sets `retired_at`, so
    forms stop asking it while the answers stay on the registrations and in exports.
    """

    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("event_id", "key", name="uq_question_event_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))  # lowercase letters, digits and _; names the form field q_<key>
    position: Mapped[int] = mapped_column(default=0)
    type: Mapped[QuestionType] = mapped_column(db_enum(QuestionType, "question_type"))
    asked_of: Mapped[list[str]] = mapped_column(JSON, default=list)  # AskedOf values
    required: Mapped[bool] = mapped_column(default=False)
    # Sensitive answers (a passport number) are masked until revealed, left out of emails, logs and
    # (unless chosen) exports, and purged first.
    sensitive: Mapped[bool] = mapped_column(default=False)
    min_value: Mapped[float | None] = mapped_column(Float, nullable=True)  # numbers only
    max_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    choices: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    labels: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    # Asked only when the earlier question `show_if_question` (a key) was answered `show_if_equals`.
    show_if_question: Mapped[str | None] = mapped_column(String(40), nullable=True)
    show_if_equals: Mapped[str | None] = mapped_column(String(100), nullable=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="questions")

    def label_in(self, lang: str) -> str:
        """The label in `lang`, else in the fallback languages, else any; the key when none has one."""
        texts = in_language({code: t for code, t in self.labels.items() if t.get("label")}, lang)
        return texts["label"] if texts else self.key

    def help_in(self, lang: str) -> str:
        texts = in_language({code: t for code, t in self.labels.items() if t.get("help")}, lang)
        return texts["help"] if texts else ""

    def choice_label_in(self, choice_key: str, lang: str) -> str:
        for choice in self.choices:
            if choice.get("key") == choice_key:
                return in_language({code: label for code, label in choice.get("labels", {}).items() if label}, lang) or choice_key
        return choice_key

    def is_asked_of(self, asked_of: AskedOf) -> bool:
        return self.retired_at is None and asked_of.value in self.asked_of

    def __repr__(self) -> str:
        return f"<Question {self.key} of event {self.event_id}>"


class Answer(Model):
    """One person's answer to one question.

    `delegate_id` is None for an individual's answer and for a delegation contact's; it names the
    delegate otherwise. `value` is canonical text: as written for text, email and phone (E.164),
    a decimal for numbers, ISO 8601 for dates, a choice key, a JSON list of keys in the question's
    order for multiple choice, "yes"/"no", an ISO 3166 code, a locale code, and for a file the
    name it is stored under (in `instance/`, never served from `static/`), with the name it is
    downloaded as in `file_name` and its checked type in `file_type`.
    """

    __tablename__ = "answer"
    __table_args__ = (
        # One answer per question for a registration's own person, and one per delegate.
        Index(
            "uq_answer_registration_question",
            "registration_id",
            "question_id",
            unique=True,
            sqlite_where=text("delegate_id IS NULL"),
            postgresql_where=text("delegate_id IS NULL"),
        ),
        Index(
            "uq_answer_delegate_question",
            "delegate_id",
            "question_id",
            unique=True,
            sqlite_where=text("delegate_id IS NOT NULL"),
            postgresql_where=text("delegate_id IS NOT NULL"),
        ),
        # A registration's page, emails and exports read all its answers (its delegates' included);
        # statistics and the registrations table's filters read one question's.
        Index("ix_answer_registration_id", "registration_id"),
        Index("ix_answer_question_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    delegate_id: Mapped[int | None] = mapped_column(ForeignKey("delegate.id", ondelete="CASCADE"), nullable=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    file_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    question: Mapped[Question] = relationship()
    registration: Mapped[Registration] = relationship()
    delegate: Mapped[Delegate | None] = relationship()

    def __repr__(self) -> str:
        return f"<Answer to question {self.question_id} of registration {self.registration_id}>"
