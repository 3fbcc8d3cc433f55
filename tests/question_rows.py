"""Questions and answers written straight into the database, for tests of what organizers see."""

from exchange.extensions import db
from exchange.models import Answer, Question

# A delegation form's own fields, filled in by a consulate; the tests add the delegate rows.
CONSULATE = {
    "organization": "Consulate General of Korea", "country": "KR", "contact_name": "Kim Min-jun",
    "email": "consulate@example.org", "phone": "+82 2 1234 5678", "consent": "y",
}  # fmt: skip
SIZES = [{"key": "s", "labels": {"en": "Small", "vi": "Nhỏ"}}, {"key": "m", "labels": {"en": "Medium", "vi": "Vừa"}}]


def add_question(event, key, kind, asked_of, position, **values) -> Question:
    """A committed question labelled "<Key> label" in English and "<Key> nhãn" in Vietnamese."""
    question = Question(
        event_id=event.id, key=key, type=kind, asked_of=asked_of, position=position,
        labels={"en": {"label": f"{key.title()} label"}, "vi": {"label": f"{key.title()} nhãn"}}, **values,
    )  # fmt: skip
    db.session.add(question)
    db.session.commit()
    return question


def add_answer(question, registration, value, delegate=None, **values) -> None:
    db.session.add(
        Answer(question_id=question.id, registration_id=registration.id, delegate_id=delegate.id if delegate else None,
               value=value, **values)
    )  # fmt: skip
    db.session.commit()
