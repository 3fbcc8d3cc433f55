"""Registrants change their answers on the manage page until registration closes; sensitive answers and
files are never shown back there (an empty field keeps them), and a removed delegate's answers go."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from question_rows import CONSULATE, SIZES, add_question
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import Answer, Delegate, Registration, utcnow
from exchange.models import QuestionType as T

PDF = b"%PDF-1.4\n%%EOF\n"


def _values() -> dict[str, str]:
    return {answer.question.key: answer.value for answer in db.session.scalars(select(Answer))}


@pytest.fixture
def registered(client, make_event):
    """An individual who answered a size, a sensitive passport number and a card; the manage page's path."""
    event = make_event()
    add_question(event, "size", T.CHOICE, ["individual"], 1, choices=SIZES, required=True)
    add_question(event, "passport", T.TEXT, ["individual"], 2, sensitive=True, required=True)
    add_question(event, "card", T.FILE, ["individual"], 3)
    response = client.post(f"/en/events/{event.slug}/register", content_type="multipart/form-data", data={
        "full_name": "Nguyễn Thị Lan", "email": "lan@example.com", "category": "student", "country": "VN", "consent": "y",
        "q_size": "m", "q_passport": "B7654321", "q_card": (io.BytesIO(PDF), "card.pdf"),
    })  # fmt: skip
    assert response.status_code == 303
    return event, response.headers["Location"]


def _details(**changes):
    return {"full_name": "Nguyễn Thị Lan", "category": "student", "country": "VN", "q_size": "m"} | changes


def test_the_manage_page_shows_answers_but_never_a_sensitive_one(client, registered):
    _event, manage = registered

    page = client.get(manage).get_data(as_text=True)

    assert "Size label" in page and "Medium" in page  # in the facts, and selected in the form
    assert '<option selected value="m">' in page or 'value="m" selected' in page
    assert "B7654321" not in page
    assert "Your answer is saved and not shown again here." in page
    assert "Saved: card.pdf. Choose a file only to replace it." in page


def test_an_answer_is_changed_and_an_empty_sensitive_field_keeps_the_stored_one(client, registered):
    _event, manage = registered

    response = client.post(manage, data=_details(q_size="s", q_passport=""), content_type="multipart/form-data")

    assert response.status_code == 303
    values = _values()
    assert values["size"] == "s" and values["passport"] == "B7654321" and values["card"].endswith(".pdf")


def test_a_new_sensitive_answer_and_a_new_file_replace_the_stored_ones(app, client, registered):
    _event, manage = registered
    old_file = _values()["card"]

    response = client.post(
        manage, content_type="multipart/form-data",
        data=_details(q_passport="C1111111", q_card=(io.BytesIO(PDF + b"%v2"), "new card.pdf")),
    )  # fmt: skip

    assert response.status_code == 303
    values = _values()
    assert values["passport"] == "C1111111" and values["card"] != old_file
    assert [path.name for path in Path(app.config["ANSWER_FILES_DIR"]).iterdir()] == [values["card"]]


def test_an_invalid_change_is_refused_beside_the_field_and_changes_nothing(client, registered):
    _event, manage = registered

    response = client.post(manage, data=_details(q_size="xxl"), content_type="multipart/form-data")

    assert response.status_code == 200 and 'id="q_size-error"' in response.get_data(as_text=True)
    assert _values()["size"] == "m"


def test_answers_cannot_change_once_registration_has_closed(client, registered):
    event, manage = registered
    event.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    response = client.post(manage, data=_details(q_size="s"), content_type="multipart/form-data")

    assert "Registration has closed, so this registration can no longer be changed." in response.get_data(as_text=True)
    assert _values()["size"] == "m"


def test_a_delegation_edits_each_delegates_answers_and_a_removed_delegate_takes_theirs(client, make_event):
    event = make_event()
    add_question(event, "passport", T.TEXT, ["delegate"], 1, sensitive=True)
    add_question(event, "size", T.CHOICE, ["delegate"], 2, choices=SIZES)
    data = dict(CONSULATE)
    for number in range(3):
        data |= {f"delegates-{number}-full_name": f"Delegate {number}", f"delegates-{number}-q_passport": f"M{number}" * 4,
                 f"delegates-{number}-q_size": "m"}  # fmt: skip
    manage = client.post(f"/ko/events/{event.slug}/delegation", data=data).headers["Location"]
    group = db.session.scalar(select(Registration))
    keys = [delegate.key for delegate in group.delegates]

    page = client.get(manage).get_data(as_text=True)
    edited = {name: data[name] for name in ("organization", "country", "contact_name", "phone")}
    for number, key in enumerate(keys[:2]):  # the third delegate is removed
        edited |= {f"delegates-{number}-key": key, f"delegates-{number}-full_name": f"Delegate {number}",
                   f"delegates-{number}-q_passport": "", f"delegates-{number}-q_size": "s" if number else "m"}  # fmt: skip
    response = client.post(manage, data=edited)

    assert "M0M0M0M0" not in page and 'name="delegates-0-q_passport"' in page
    assert response.status_code == 303
    remaining = {delegate.id for delegate in db.session.scalars(select(Delegate))}
    rows = db.session.execute(select(Answer.delegate_id, Answer.question_id, Answer.value)).all()
    assert {delegate for delegate, _question, _value in rows} == remaining and len(remaining) == 2
    assert sorted(value for _d, _q, value in rows) == ["M0M0M0M0", "M1M1M1M1", "m", "s"]


def test_the_registrants_data_download_holds_every_answer_of_theirs(client, registered):
    _event, manage = registered

    data = client.get(f"{manage}/data.json").get_json()

    assert data["answers"] == {"size": "m", "passport": "B7654321", "card": "card.pdf"}
