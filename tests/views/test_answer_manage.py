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
    # The removed delegate stays on record, as cancelled, without their answers.
    remaining = {delegate.id for delegate in db.session.scalars(select(Delegate).where(Delegate.status != "cancelled"))}
    rows = db.session.execute(select(Answer.delegate_id, Answer.question_id, Answer.value)).all()
    assert {delegate for delegate, _question, _value in rows} == remaining and len(remaining) == 2
    assert sorted(value for _d, _q, value in rows) == ["M0M0M0M0", "M1M1M1M1", "m", "s"]


def test_the_registrants_data_download_names_every_answer_and_gives_no_sensitive_one(client, registered):
    _event, manage = registered

    data = client.get(f"{manage}/data.json").get_json()

    assert data["answers"] == {"size": "m", "passport": None, "card": "card.pdf"}  # a sensitive one is named, not given


def test_a_kept_sensitive_answer_still_decides_the_questions_that_depend_on_it(client, make_event):
    event = make_event()
    add_question(event, "visa", T.YES_NO, ["individual"], 1, sensitive=True)
    add_question(event, "flight", T.TEXT, ["individual"], 2, show_if_question="visa", show_if_equals="yes")
    manage = client.post(f"/en/events/{event.slug}/register", data={
        "full_name": "Lan", "email": "lan@example.com", "category": "student", "country": "VN", "consent": "y",
        "q_visa": "yes", "q_flight": "VN123",
    }).headers["Location"]  # fmt: skip

    response = client.post(manage, data={"full_name": "Lan B", "category": "student", "country": "VN", "q_flight": "VN123"})

    assert response.status_code == 303 and _values() == {"visa": "yes", "flight": "VN123"}


def test_a_chain_of_conditions_holds_only_when_every_link_does(client, make_event):
    event = make_event()
    add_question(event, "one", T.YES_NO, ["individual"], 1)
    add_question(event, "two", T.YES_NO, ["individual"], 2, show_if_question="one", show_if_equals="yes")
    add_question(event, "three", T.TEXT, ["individual"], 3, required=True, show_if_question="two", show_if_equals="yes")

    response = client.post(f"/en/events/{event.slug}/register", data={
        "full_name": "Lan", "email": "lan@example.com", "category": "student", "country": "VN", "consent": "y",
        "q_one": "no", "q_two": "yes", "q_three": "",
    })  # fmt: skip

    assert response.status_code == 303 and _values() == {"one": "no"}


def _delegation(client, event, rows):
    data = dict(CONSULATE)
    for number, row in enumerate(rows):
        data |= {f"delegates-{number}-{name}": value for name, value in row.items()}
    return client.post(f"/ko/events/{event.slug}/delegation", data=data, content_type="multipart/form-data")


def test_a_delegate_clears_an_answer_on_the_manage_page(client, make_event):
    event = make_event()
    add_question(event, "size", T.MULTIPLE_CHOICE, ["delegate"], 1, choices=SIZES)
    add_question(event, "bus", T.YES_NO, ["delegate"], 2)
    manage = _delegation(client, event, [{"full_name": "A", "q_size": ["s", "m"], "q_bus": "yes"}]).headers["Location"]
    key = db.session.scalar(select(Delegate.key))

    edited = {name: CONSULATE[name] for name in ("organization", "country", "contact_name", "phone")}
    response = client.post(manage, data=edited | {"delegates-0-key": key, "delegates-0-full_name": "A", "delegates-0-q_bus": ""})

    assert response.status_code == 303 and _values() == {}


def test_a_removed_delegates_file_goes_from_the_disk(app, client, make_event):
    event = make_event()
    add_question(event, "page", T.FILE, ["delegate"], 1)
    rows = [{"full_name": name, "q_page": (io.BytesIO(PDF + name.encode()), f"{name}.pdf")} for name in ("A", "B")]
    manage = _delegation(client, event, rows).headers["Location"]
    first = db.session.scalars(select(Delegate).order_by(Delegate.sort_order)).first()
    assert len(list(Path(app.config["ANSWER_FILES_DIR"]).iterdir())) == 2

    edited = {name: CONSULATE[name] for name in ("organization", "country", "contact_name", "phone")}
    response = client.post(manage, data=edited | {"delegates-0-key": first.key, "delegates-0-full_name": "A"})

    assert response.status_code == 303
    assert [path.name for path in Path(app.config["ANSWER_FILES_DIR"]).iterdir()] == [db.session.scalar(select(Answer.value))]


def test_a_forged_duplicate_delegate_key_does_not_skip_a_required_sensitive_answer(client, make_event):
    event = make_event()
    add_question(event, "passport", T.TEXT, ["delegate"], 1, sensitive=True, required=True)
    manage = _delegation(client, event, [{"full_name": "A", "q_passport": "M1"}]).headers["Location"]
    key = db.session.scalar(select(Delegate.key))

    edited = {name: CONSULATE[name] for name in ("organization", "country", "contact_name", "phone")}
    rows = {"delegates-0-key": key, "delegates-0-full_name": "A", "delegates-1-key": key, "delegates-1-full_name": "B"}
    response = client.post(manage, data=edited | rows)

    assert response.status_code == 200 and 'id="delegates-1-q_passport-error"' in response.get_data(as_text=True)
