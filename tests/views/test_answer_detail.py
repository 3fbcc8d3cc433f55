"""Answers in the back office: the registration's page (sensitive answers masked, reveals audited and
only for organizers and administrators), the list's answer filters, and the statistics' charts."""

import pytest
from question_rows import SIZES, add_question
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import Answer, AuditEntry, QuestionType, utcnow
from exchange.services.audit import Actor
from exchange.services.registration_admin import perform
from exchange.services.registrations import register

PASSPORT = "B7654321"


@pytest.fixture
def answered(make_event, make_user, individual, delegation):
    """An event with a T-shirt size (choice), a sensitive passport number and a retired question, answered."""
    event = make_event(slug="viet-han-2031")
    size = add_question(event, "size", QuestionType.CHOICE, ["individual", "delegate"], 1, choices=SIZES)
    passport = add_question(event, "passport", QuestionType.TEXT, ["individual", "delegate"], 2, sensitive=True)
    old = add_question(event, "old", QuestionType.TEXT, ["individual"], 3, retired_at=utcnow())
    bus = add_question(event, "bus", QuestionType.YES_NO, ["contact"], 4)
    person = register(event.id, individual(email="lan@example.com")).registration
    other = register(event.id, individual(email="minh@example.com", full_name="Trần Văn Minh")).registration
    group = register(event.id, delegation(size=2)).registration
    perform(Actor(user=make_user("approver@example.org")), "approve", group.id, "")
    answers = [
        Answer(question_id=size.id, registration_id=person.id, value="m"),
        Answer(question_id=passport.id, registration_id=person.id, value=PASSPORT),
        Answer(question_id=old.id, registration_id=person.id, value="an old answer"),
        Answer(question_id=size.id, registration_id=other.id, value="s"),
        Answer(question_id=size.id, registration_id=group.id, delegate_id=group.delegates[0].id, value="m"),
        Answer(question_id=size.id, registration_id=group.id, delegate_id=group.delegates[1].id, value="s"),
        Answer(question_id=bus.id, registration_id=group.id, value="yes"),
    ]
    db.session.add_all(answers)
    db.session.commit()
    return event, person, other, group, answers[1]


def _detail(client, event, registration):
    return client.get(f"/organizer/events/{event.slug}/registrations/{registration.reference}")


def _reveal(client, event, registration, answer):
    return client.post(f"/organizer/events/{event.slug}/registrations/{registration.reference}/answers/{answer.id}/reveal")


def test_the_detail_shows_answers_in_the_organizers_language_and_masks_sensitive_ones(client, login, make_user, answered):
    event, person, other, group, passport = answered
    login(make_user("org@example.org", events=[event], language="vi"))

    page = _detail(client, event, person).get_data(as_text=True)

    assert "Size nhãn" in page and "Vừa" in page
    assert "Passport nhãn" in page and "••••••" in page and PASSPORT not in page
    assert f"/answers/{passport.id}/reveal" in page
    assert "Old nhãn" in page and "an old answer" in page
    delegation_page = _detail(client, event, group).get_data(as_text=True)
    assert "Delegate 1" in delegation_page and "Nhỏ" in delegation_page and "Bus nhãn" in delegation_page


def test_a_reveal_shows_the_value_once_uncached_and_is_audited_without_it(client, login, make_user, answered):
    event, person, other, group, passport = answered
    organizer = make_user("org@example.org", events=[event])
    login(organizer)

    response = _reveal(client, event, person, passport)

    assert response.status_code == 200 and PASSPORT in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "answer.revealed"))
    assert (entry.user_id, entry.registration_id, entry.event_id) == (organizer.id, person.id, event.id)
    assert entry.details == {"reference": person.reference, "question": "passport"}
    assert PASSPORT not in _detail(client, event, person).get_data(as_text=True)  # masked again
    admin_log = str([entry.details for entry in db.session.scalars(select(AuditEntry))])
    assert PASSPORT not in admin_log


def test_an_answer_of_another_registration_or_a_forged_id_is_a_404(client, login, make_user, answered):
    event, person, other, group, passport = answered
    login(make_user("org@example.org", events=[event]))

    assert _reveal(client, event, other, passport).status_code == 404
    forged = client.post(f"/organizer/events/{event.slug}/registrations/{person.reference}/answers/99999999999/reveal")
    assert forged.status_code == 404
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "answer.revealed")) is None


@pytest.mark.parametrize("role", ["viewer", "door"])
def test_viewers_and_door_staff_cannot_reveal(client, login, make_user, answered, role):
    event, person, other, group, passport = answered
    login(make_user(f"{role}@example.org", role=role, events=[event]))

    assert _reveal(client, event, person, passport).status_code == 404
    if role == "viewer":
        page = _detail(client, event, person).get_data(as_text=True)
        assert "••••••" in page and "/reveal" not in page and PASSPORT not in page
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "answer.revealed")) is None


def test_an_organizer_of_another_event_cannot_reveal(client, login, make_user, make_event, answered):
    event, person, other, group, passport = answered
    login(make_user("elsewhere@example.org", events=[make_event(slug="another-2031")]))

    assert _reveal(client, event, person, passport).status_code == 404
    assert _detail(client, event, person).status_code == 404


def test_the_list_filters_by_an_answer_combined_with_other_filters(client, login, make_user, answered):
    event, person, other, group, passport = answered
    login(make_user("org@example.org", events=[event]))
    base = f"/organizer/events/{event.slug}/registrations"

    medium = client.get(f"{base}?answer_size=m").get_data(as_text=True)
    assert person.reference in medium and group.reference in medium and other.reference not in medium
    combined = client.get(f"{base}?answer_size=m&kind=individual").get_data(as_text=True)
    assert person.reference in combined and group.reference not in combined
    page = client.get(base).get_data(as_text=True)
    assert 'name="answer_size"' in page and "Medium" in page
    assert 'name="answer_passport"' not in page and PASSPORT not in page  # no sensitive filter or value


@pytest.mark.parametrize("value", ["xl", "%", "_", "s\x00m", "\u202em", "x" * 5000, ""])
def test_forged_answer_filters_are_ignored(client, login, make_user, answered, value):
    event, person, other, group, passport = answered
    login(make_user("org@example.org", events=[event]))

    response = client.get(f"/organizer/events/{event.slug}/registrations", query_string={"answer_size": value,
                          "answer_passport": PASSPORT, "answer_nothing": "m"})  # fmt: skip

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert all(registration.reference in body for registration in (person, other, group))


def test_statistics_chart_counts_attendees_per_option_with_labels(client, login, make_user, answered):
    event, person, other, group, passport = answered
    login(make_user("org@example.org", events=[event]))

    page = client.get(f"/organizer/events/{event.slug}/stats").get_data(as_text=True)

    assert "Size label" in page and "Medium" in page and "Small" in page
    assert "Medium: 2" in page and "Small: 2" in page  # the chart's description: individuals and delegates
    assert "Bus label" in page and "Yes: 2" in page  # the contact's answer counts for both delegates
    assert "Passport label" not in page


def test_exports_leave_sensitive_answers_out_unless_chosen_and_only_organizers_choose(client, login, make_user, answered):
    event, person, other, group, passport = answered
    login(make_user("org@example.org", events=[event]))
    plain = client.get(f"/organizer/events/{event.slug}/export.csv").get_data(as_text=True)
    chosen = client.get(f"/organizer/events/{event.slug}/export.csv?include_sensitive=1").get_data(as_text=True)

    assert "q_size" in plain and "q_passport" not in plain and PASSPORT not in plain
    assert "q_passport" in chosen and PASSPORT in chosen
    details = [entry.details for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "event.exported"))]
    assert details == [{"format": "csv"}, {"format": "csv", "sensitive": True}]

    viewer = make_user("viewer@example.org", role="viewer", events=[event])
    viewer.may_export = True
    db.session.commit()
    login(viewer)
    assert client.get(f"/organizer/events/{event.slug}/export.csv?include_sensitive=1").status_code == 403
    assert PASSPORT not in client.get(f"/organizer/events/{event.slug}/export.csv").get_data(as_text=True)


def test_the_xlsx_export_takes_the_choice_to_its_background_job(client, login, make_user, answered, xlsx_export):
    import io

    from openpyxl import load_workbook

    event, person, other, group, passport = answered
    login(make_user("org@example.org", events=[event]))

    _, download = xlsx_export(f"/organizer/events/{event.slug}/export.xlsx?include_sensitive=1")

    sheet = load_workbook(io.BytesIO(download.data)).active
    download.close()
    assert PASSPORT in [cell.value for row in sheet.iter_rows() for cell in row]
