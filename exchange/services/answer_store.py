"""Saving the answers a registration form gives: inside the registration's own transaction.

A form gives, per person (the registration's own person, or one delegate), an
`AnswerInput` by question key, canonical already (see `models.Answer`). A key
left out keeps what is stored (a file or a sensitive answer the manage page
does not show again); an empty input removes the stored answer (a question
whose condition no longer holds). Keys that name no question still asked of
that person are ignored, so a form built before an organizer changed the
questions saves what still applies.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from ..database import locking_enabled
from ..extensions import db
from ..models import Answer, AskedOf, Delegate, Event, Question, QuestionType, Registration
from .answer_files import StoredFile
from .answers import choice_keys, option_keys, stored_answers

logger = logging.getLogger(__name__)


def fits(question: Question, value: str) -> bool:
    """Whether a canonical value is one `question`, as it is now, takes (its type's shape, choices and bounds)."""
    match question.type:
        case QuestionType.CHOICE | QuestionType.YES_NO:
            return value in option_keys(question)
        case QuestionType.MULTIPLE_CHOICE:
            keys = choice_keys(value)
            return bool(keys) and set(keys) <= set(option_keys(question))
        case QuestionType.NUMBER:
            try:
                number = Decimal(value)
            except InvalidOperation:
                return False
            low, high = question.min_value, question.max_value
            return (low is None or number >= Decimal(str(low))) and (high is None or number <= Decimal(str(high)))
        case QuestionType.DATE:
            try:
                date.fromisoformat(value)
            except ValueError:
                return False
            return len(value) == 10
        case QuestionType.FILE:
            return False  # a file answer is a file, never text
    return True


@dataclass(frozen=True)
class AnswerInput:
    """One answer as a form gives it: canonical text, or a stored file; neither means no answer."""

    value: str = ""
    file: StoredFile | None = None

    @property
    def empty(self) -> bool:
        return not self.value and self.file is None


Answers = dict[str, AnswerInput]


def has_answers(*inputs: Answers) -> bool:
    return any(not answer.empty for answers in inputs for answer in answers.values())


class AnswerWriter:
    """Writes one registration's answers: its stored answers read in one query, files to delete collected.

    `replaced_files` lists stored files no answer names any more once the
    transaction commits; delete them after the commit (`answer_files.remove_answer_files`).
    """

    def __init__(self, registration: Registration, event: Event):
        self.registration = registration
        # The event's questions as they are now, locked against change until this commits: an
        # organizer's edit waits (or has committed, and a question gone or retired is skipped).
        statement = select(Question).where(Question.event_id == event.id).execution_options(populate_existing=True)
        questions = db.session.scalars(statement.with_for_update(read=True) if locking_enabled() else statement).all()
        self.questions = {question.key: question for question in questions if question.retired_at is None}
        self.by_id = {question.id: question for question in questions}
        self.replaced_files: list[str] = []
        self.stored = stored_answers(registration.id) if registration.id is not None else {}

    def write(self, answers: Answers, asked_of: AskedOf, delegate: Delegate | None = None) -> None:
        """Save one person's answers (`delegate` None: the registration's own person)."""
        for key, given in answers.items():
            question = self.questions.get(key)
            if question is None or not question.is_asked_of(asked_of):
                continue
            owner = 0 if delegate is None else delegate.id  # None: a delegate not yet saved, who has no answers
            stored = None if owner is None else self.stored.get((owner, question.id))
            if not given.empty and given.file is None and not fits(question, given.value):
                # The organizer changed the question (its type or choices) after this form was built: the
                # value answers a question that no longer exists, so it is not stored as an answer to this one.
                logger.warning("An answer to question %s no longer fits it and was not saved", question.id)
                continue
            if given.empty:
                if stored is not None:
                    self._forget(question, stored)
                    db.session.delete(stored)
                continue
            if stored is None:
                stored = Answer(registration=self.registration, delegate=delegate, question_id=question.id)
                db.session.add(stored)
            elif question.type is QuestionType.FILE and given.file is not None and stored.value != given.file.stored_name:
                self._forget(question, stored)
            if given.file is not None:
                stored.value, stored.file_name, stored.file_type = (
                    given.file.stored_name, given.file.download_name, given.file.file_type,
                )  # fmt: skip
            else:
                stored.value, stored.file_name, stored.file_type = given.value, None, None

    def forget_delegates(self, delegate_ids: Iterable[int]) -> None:
        """Delete the answers of delegates taken off the list (their files once this commits); the rows stay on record."""
        gone = set(delegate_ids)
        for (delegate_id, _question_id), answer in self.stored.items():
            if delegate_id in gone:
                self._forget(self.by_id[answer.question_id], answer)
                db.session.delete(answer)

    def _forget(self, question: Question, answer: Answer) -> None:
        if question.type is QuestionType.FILE and answer.value:
            self.replaced_files.append(answer.value)
