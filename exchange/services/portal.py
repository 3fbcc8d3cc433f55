"""What a registrant still has to do, for the top of their own page: one list, in the order it matters."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..models import AskedOf, Delegate, OutboxStatus, Question, Registration
from .answers import stored_answers


class ToDoKind(enum.StrEnum):
    CONFIRM_ADDRESS = "confirm_address"  # a delegation's contact has not confirmed their address yet
    ANSWER = "answer"  # a required question put to this person is unanswered (added later, or newly shown)
    CHECK_ADDRESS = "check_address"  # a delegate's own email could not be delivered


@dataclass(frozen=True)
class ToDo:
    kind: ToDoKind
    delegate: Delegate | None = None  # whom it is about (None: the registrant or contact themselves)
    question: Question | None = None


def unanswered_required(registration: Registration) -> list[tuple[Delegate | None, Question]]:
    """The required questions still unanswered, of the registrant (or contact) and of each delegate on the list.

    A question with a condition counts only where the condition holds for
    that person's stored answers; retired questions never count. One query.
    """
    questions = [question for question in registration.event.questions if question.retired_at is None]
    if not any(question.required for question in questions):
        return []
    answers = stored_answers(registration.id)
    by_key = {question.key: question for question in questions}

    def shown(person: int, question: Question) -> bool:
        if not question.show_if_question:
            return True
        source = by_key.get(question.show_if_question)
        if source is None:
            return False
        answer = answers.get((person, source.id))
        return answer is not None and answer.value == question.show_if_equals and shown(person, source)

    def missing(person: int, asked_of: AskedOf) -> list[Question]:
        return [
            question
            for question in questions
            if question.required
            and question.is_asked_of(asked_of)
            and (person, question.id) not in answers
            and shown(person, question)
        ]

    own_role = AskedOf.CONTACT if registration.is_delegation else AskedOf.INDIVIDUAL
    found: list[tuple[Delegate | None, Question]] = [(None, question) for question in missing(0, own_role)]
    for delegate in registration.delegates:
        found += [(delegate, question) for question in missing(delegate.id, AskedOf.DELEGATE)]
    return found


def to_do(registration: Registration, mail_states: dict[int, OutboxStatus]) -> list[ToDo]:
    """What the registrant can still do to complete an active registration; empty when nothing is left."""
    if not registration.is_active:
        return []
    items = []
    if registration.awaits_address_confirmation:
        items.append(ToDo(ToDoKind.CONFIRM_ADDRESS))
    items += [ToDo(ToDoKind.ANSWER, delegate, question) for delegate, question in unanswered_required(registration)]
    items += [
        ToDo(ToDoKind.CHECK_ADDRESS, delegate)
        for delegate in registration.delegates
        if delegate.email and mail_states.get(delegate.id) == OutboxStatus.FAILED
    ]
    return items
