"""The organizer approves or declines delegates one by one from the delegation's page; the contact sees each status."""

import pytest
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import Event, OutboxMessage, Registration, RegistrationStatus, UserRole
from exchange.services.registrations import register
from exchange.services.tokens import issue_manage_token


@pytest.fixture
def organizer(make_user, make_event, happening_now):
    event = make_event(slug="viet-han-2031", titles={"en": "Việt–Hàn exchange", "ko": "한-베 교류"}, capacity=10, **happening_now)
    return make_user("organizer@example.org", events=[event]), event


def _fresh(registration_id: int) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, registration_id)


def _statuses(registration_id: int) -> list[str]:
    return [delegate.status.value for delegate in _fresh(registration_id).all_delegates]


def _url(event, registration, decision: str) -> str:
    return f"/organizer/events/{event.slug}/registrations/{registration.reference}/delegates/{decision}"


def test_the_page_shows_each_delegates_status_and_approves_the_ticked_ones(client, login, organizer, delegation):
    user, event = organizer
    group = register(event.id, delegation(size=3)).registration
    first, second, _third = (delegate.id for delegate in group.delegates)
    login(user)
    page = client.get(f"/organizer/events/{event.slug}/registrations/{group.reference}").get_data(as_text=True)
    assert page.count('name="delegate"') == 3 and 'form="delegate-decisions"' in page
    assert "Approve the ticked delegates" in page and "Awaiting approval: 3" in page

    response = client.post(_url(event, group, "approve"), data={"delegate": [str(first), str(second)], "message": "안녕하세요"})

    assert response.status_code == 303
    assert _statuses(group.id) == ["approved", "approved", "pending"]
    assert _fresh(group.id).status == RegistrationStatus.PENDING
    page = client.get(response.location).get_data(as_text=True)
    assert "Done. The contact person is being emailed." in page
    assert "Approved: 2" in page and "Awaiting approval: 1" in page
    kinds = db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.recipient == "consulate@example.org")).all()
    assert kinds[-1] == "registration_delegates_approved"


def test_declining_delegates_asks_first_then_frees_their_seats(client, login, organizer, delegation):
    user, event = organizer
    group = register(event.id, delegation(size=3)).registration
    leaving = group.delegates[2]
    login(user)

    asked = client.post(_url(event, group, "decline"), data={"delegate": [str(leaving.id)], "message": "Sorry."})

    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Decline 1 delegate?" in page
    assert f"<bdi>{leaving.full_name}</bdi>" in page and 'name="confirmed" value="1"' in page and "Sorry." in page
    assert _statuses(group.id) == ["pending"] * 3
    assert db.session.get(Event, event.id).seats_taken == 3

    done = client.post(_url(event, group, "decline"), data={"delegate": [str(leaving.id)], "message": "Sorry.", "confirmed": "1"})

    assert done.status_code == 303
    assert _statuses(group.id) == ["pending", "pending", "declined"]
    assert db.session.get(Event, event.id).seats_taken == 2
    page = client.get(done.location).get_data(as_text=True)
    assert "No longer on the list" in page and page.count('name="delegate"') == 2


def test_declining_every_delegate_says_the_whole_delegation_goes(client, login, organizer, delegation):
    user, event = organizer
    group = register(event.id, delegation(size=2)).registration
    login(user)
    ids = [str(delegate.id) for delegate in group.delegates]
    page = client.post(_url(event, group, "decline"), data={"delegate": ids}).get_data(as_text=True)
    assert "These are all its delegates: the whole delegation is declined." in page
    client.post(_url(event, group, "decline"), data={"delegate": ids, "confirmed": "1"})
    assert _fresh(group.id).status == RegistrationStatus.DECLINED


@pytest.mark.parametrize(
    "form",
    [
        {},  # nothing ticked
        {"delegate": ["x", "-1", "99999999999999999999"]},  # not ids
        {"delegate": [str(n) for n in range(1, 600)]},  # a 600-row forged list
    ],
    ids=["none", "garbage", "600 rows"],
)
def test_a_forged_or_empty_selection_changes_nothing_and_says_so(client, login, organizer, delegation, form):
    user, event = organizer
    group = register(event.id, delegation(size=2)).registration
    login(user)
    response = client.post(_url(event, group, "approve"), data=form | {"confirmed": "1"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "nothing was changed" in page
    assert _statuses(group.id) == ["pending", "pending"]


def test_another_delegations_delegate_cannot_be_decided_from_this_page(client, login, organizer, delegation):
    user, event = organizer
    mine = register(event.id, delegation(size=1)).registration
    theirs = register(event.id, delegation(size=1, email="other@example.org")).registration
    login(user)
    response = client.post(
        _url(event, mine, "decline"), data={"delegate": [str(theirs.delegates[0].id)], "confirmed": "1"}, follow_redirects=True
    )
    assert "no longer on this delegation's list: nothing was changed" in response.get_data(as_text=True)
    assert (_statuses(mine.id), _statuses(theirs.id)) == (["pending"], ["pending"])


def test_an_unknown_decision_is_a_404_and_door_staff_cannot_decide(client, login, organizer, make_user, delegation):
    user, event = organizer
    group = register(event.id, delegation(size=1)).registration
    login(user)
    assert client.post(_url(event, group, "promote"), data={"delegate": [str(group.delegates[0].id)]}).status_code == 404
    door = make_user("door@example.org", role=UserRole.DOOR, events=[event])
    login(door)
    response = client.post(_url(event, group, "approve"), data={"delegate": [str(group.delegates[0].id)]})
    assert response.status_code in (403, 404)
    assert _statuses(group.id) == ["pending"]


def test_the_contact_sees_each_delegates_status_and_who_left_the_list(client, login, organizer, delegation):
    user, event = organizer
    group = register(event.id, delegation(size=2, language="en")).registration
    login(user)
    client.post(_url(event, group, "approve"), data={"delegate": [str(group.delegates[0].id)]})
    client.post(_url(event, group, "decline"), data={"delegate": [str(group.delegates[1].id)], "confirmed": "1"})
    login(None)
    token = issue_manage_token(_fresh(group.id))
    db.session.commit()

    page = client.get(f"/en/r/{token}").get_data(as_text=True)

    assert "<bdi>Delegate 1</bdi>" in page and "· Approved" in page
    assert "No longer on the list" in page and "· Declined" in page


def test_the_registrations_list_says_how_many_delegates_of_a_pending_delegation_are_approved(
    client, login, organizer, delegation
):
    user, event = organizer
    group = register(event.id, delegation(size=3)).registration
    login(user)
    client.post(_url(event, group, "approve"), data={"delegate": [str(group.delegates[0].id)]})
    page = client.get(f"/organizer/events/{event.slug}/registrations").get_data(as_text=True)
    assert "1 of 3 approved" in page


# Substitutions from the contact's page ------------------------------------------------------------------------


def _contact_page(group) -> str:
    token = issue_manage_token(_fresh(group.id))
    db.session.commit()
    return f"/en/r/{token}"


def test_the_contact_replaces_a_delegate_from_their_page(client, login, organizer, delegation):
    user, event = organizer
    group = register(event.id, delegation(size=2, language="en")).registration
    login(user)
    client.post(_url(event, group, "approve"), data={"delegate": [str(d.id) for d in group.delegates]})
    login(None)
    page_url = _contact_page(group)
    page = client.get(page_url).get_data(as_text=True)
    assert "Replace a delegate" in page and 'name="substitute-replaces"' in page
    leaving = _fresh(group.id).delegates[0]

    response = client.post(
        f"{page_url}/substitute",
        data={"substitute-replaces": leaving.key, "substitute-full_name": "Phạm Minh Châu", "substitute-nationality": "Vietnam"},
    )

    assert response.status_code == 303
    assert _statuses(group.id) == ["substituted", "approved", "approved"]
    page = client.get(page_url).get_data(as_text=True)
    assert "Phạm Minh Châu is now on your delegation&#39;s list" in page and "· Replaced" in page
    assert [d.nationality for d in _fresh(group.id).delegates] == ["VN", "KR"]


@pytest.mark.parametrize(
    "form, message",
    [
        ({"substitute-full_name": "No one chosen"}, "Please choose one."),
        ({"substitute-replaces": "forged-key", "substitute-full_name": "Forged"}, "Please choose one of the options"),
        ({"substitute-replaces": "KEY"}, "This field is required"),
    ],
    ids=["nobody chosen", "forged key", "no name"],
)
def test_a_substitution_form_with_a_mistake_says_so_and_changes_nothing(client, organizer, delegation, form, message):
    _user, event = organizer
    group = register(event.id, delegation(size=1, language="en")).registration
    page_url = _contact_page(group)
    data = {name: (group.delegates[0].key if value == "KEY" else value) for name, value in form.items()}
    response = client.post(f"{page_url}/substitute", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _statuses(group.id) == ["pending"]


def test_after_the_deadline_the_page_says_whom_to_write_to(client, make_event, delegation):
    from datetime import timedelta

    from exchange.models import utcnow

    event = make_event(contact_email="protocol@cantho.gov.vn", substitution_deadline=utcnow() - timedelta(hours=1))
    group = register(event.id, delegation(size=1, language="en")).registration
    page_url = _contact_page(group)
    page = client.get(page_url).get_data(as_text=True)
    assert "Delegates could be replaced until" in page and 'href="mailto:protocol@cantho.gov.vn"' in page
    assert 'name="substitute-replaces"' not in page
    response = client.post(
        f"{page_url}/substitute", data={"substitute-replaces": group.delegates[0].key, "substitute-full_name": "Late"}
    )
    assert "could be replaced until" in response.get_data(as_text=True)
    assert _statuses(group.id) == ["pending"]


def test_the_event_editor_sets_the_substitution_deadline_and_approval(client, login, organizer):
    user, event = organizer
    login(user)
    page = client.get(f"/organizer/events/{event.slug}/edit").get_data(as_text=True)
    assert 'name="substitution_deadline"' in page and 'name="substitutes_need_approval"' in page


def test_the_organizers_page_says_whom_a_substitute_replaces(client, login, organizer, delegation):
    from exchange.services.registrations import DelegateData, substitute

    user, event = organizer
    group = register(event.id, delegation(size=2)).registration
    substitute(group.id, group.delegates[1].key, DelegateData(full_name="Phạm Minh Châu"))
    login(user)
    page = client.get(f"/organizer/events/{event.slug}/registrations/{group.reference}").get_data(as_text=True)
    assert '<bdi>Phạm Minh Châu</bdi></label><br><span class="muted">replaces <bdi>Delegate 2</bdi>' in page


def test_an_individuals_link_or_a_cancelled_delegation_cannot_replace_anyone(client, make_event, individual, delegation):
    from exchange.services.registrations import cancel

    event = make_event()
    person = register(event.id, individual(email="solo@example.org", language="en")).registration
    group = register(event.id, delegation(size=1, language="en")).registration
    key = group.delegates[0].key
    cancel(group.id)
    for registration in (person, group):
        response = client.post(
            f"{_contact_page(registration)}/substitute", data={"substitute-replaces": key, "substitute-full_name": "X"}
        )
        assert response.status_code == 409
    assert "This registration is already cancelled." in response.get_data(as_text=True)
    assert _statuses(group.id) == ["pending"]  # the cancelled delegation's list as it was
