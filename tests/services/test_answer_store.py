"""Answers are written against the questions as they are when the registration commits."""

import json

import pytest
from question_rows import SIZES, add_question
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import Answer, QuestionType
from exchange.services.answer_store import AnswerInput, fits
from exchange.services.registrations import register


@pytest.mark.parametrize(
    ("kind", "values", "good", "bad"),
    [
        (QuestionType.CHOICE, {"choices": SIZES}, "m", "xl"),
        (QuestionType.MULTIPLE_CHOICE, {"choices": SIZES}, json.dumps(["s", "m"]), json.dumps(["s", "xl"])),
        (QuestionType.YES_NO, {}, "yes", "maybe"),
        (QuestionType.NUMBER, {"min_value": 1, "max_value": 6}, "2.5", "abc"),
        (QuestionType.NUMBER, {"min_value": 1, "max_value": 6}, "6", "7"),
        (QuestionType.DATE, {}, "2027-05-21", "21/05/2027"),
        (QuestionType.FILE, {}, None, "a-name.pdf"),
    ],
)
def test_a_value_that_no_longer_fits_its_question_is_not_saved(make_event, individual, kind, values, good, bad):
    event = make_event()
    question = add_question(event, "asked", kind, ["individual"], 1, **values)
    if good is not None:
        assert fits(question, good)
    assert not fits(question, bad)

    request = individual()
    request.answers = {"asked": AnswerInput(bad)}
    registration = register(event.id, request).registration

    assert registration is not None and db.session.scalar(select(Answer)) is None
