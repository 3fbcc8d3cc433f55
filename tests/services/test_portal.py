"""What a registrant's page lists as still to do: the address to confirm, required answers missing, undeliverable tickets."""

from question_rows import add_answer, add_question
from sqlalchemy import update

from exchange.extensions import db
from exchange.models import OutboxMessage, OutboxStatus, QuestionType, Registration, utcnow
from exchange.services.delegate_mail import delegate_mail_states
from exchange.services.portal import ToDoKind, to_do, unanswered_required
from exchange.services.registrations import DelegateData, cancel, confirm_address, register


def _kinds(registration: Registration) -> list[tuple[str, str, str]]:
    db.session.expire_all()
    registration = db.session.get(Registration, registration.id)
    return [
        (item.kind.value, item.delegate.full_name if item.delegate else "", item.question.key if item.question else "")
        for item in to_do(registration, delegate_mail_states(registration))
    ]


def test_a_new_delegation_must_confirm_its_address_and_nothing_else(make_event, delegation):
    group = register(make_event().id, delegation(size=2)).registration
    assert _kinds(group) == [("confirm_address", "", "")]
    confirm_address(group.id)
    assert _kinds(group) == []


def test_required_questions_added_later_are_listed_per_person_and_conditions_count(make_event, delegation):
    event = make_event()
    group = register(event.id, delegation(size=2)).registration
    confirm_address(group.id)
    passport = add_question(event, "passport", QuestionType.TEXT, ["delegate"], 0, required=True)
    visa = add_question(event, "visa", QuestionType.YES_NO, ["delegate"], 1, required=True)
    visa_city = add_question(event, "visa_city", QuestionType.TEXT, ["delegate"], 2, required=True,
                             show_if_question="visa", show_if_equals="yes")  # fmt: skip
    add_question(event, "motto", QuestionType.TEXT, ["contact"], 3)  # optional: never to do
    retired = add_question(event, "old", QuestionType.TEXT, ["contact"], 4, required=True, retired_at=utcnow())
    first, second = group.delegates
    add_answer(passport, group, "B1234567", first)
    add_answer(visa, group, "yes", first)  # so their visa city is asked, and missing
    add_answer(visa, group, "no", second)  # no visa: no city to give

    assert _kinds(group) == [
        ("answer", "Delegate 1", "visa_city"),
        ("answer", "Delegate 2", "passport"),
    ]
    add_answer(visa_city, group, "Seoul", first)
    add_answer(passport, group, "M7654321", second)
    assert _kinds(group) == []
    assert retired.required and unanswered_required(db.session.get(Registration, group.id)) == []


def test_an_undeliverable_delegate_ticket_asks_to_check_the_address(make_event, make_user, delegation):
    from exchange.services.audit import Actor
    from exchange.services.registration_admin import approve

    event = make_event()
    request = delegation(size=0)
    request.delegates = [DelegateData(full_name="김민준", email="minjun@example.kr")]
    group = register(event.id, request).registration
    approve(Actor(user=make_user("o@example.org", events=[event])), group.id)
    assert _kinds(group) == []
    db.session.execute(update(OutboxMessage).where(OutboxMessage.delegate_id.is_not(None)).values(status=OutboxStatus.FAILED))
    db.session.commit()
    assert _kinds(group) == [("check_address", "김민준", "")]


def test_a_cancelled_registration_has_nothing_left_to_do(make_event, individual):
    event = make_event()
    add_question(event, "shirt", QuestionType.TEXT, ["individual"], 0, required=True)
    person = register(event.id, individual()).registration
    assert [kind for kind, _, _ in _kinds(person)] == [ToDoKind.ANSWER.value]
    cancel(person.id)
    assert _kinds(person) == []
