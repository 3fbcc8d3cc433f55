"""Invitations through the pages: the invitee's page and code, the delegation form, the back office, the commands."""

import html
import re
from datetime import timedelta

import pytest
from contacts import delegation_post
from sqlalchemy import select, update

from exchange.extensions import db
from exchange.models import Event, Invitation, InvitationStatus, OutboxMessage, Registration, utcnow
from exchange.services.audit import Actor
from exchange.services.invitations import InvitationDraft, invite
from exchange.services.seats import seat_drift


@pytest.fixture
def organizer(make_user, make_event):
    event = make_event(slug="viet-han-2031", titles={"en": "Việt–Hàn exchange", "ko": "한-베 교류"}, capacity=12)
    return make_user("organizer@example.org", events=[event]), event


@pytest.fixture
def invited(organizer):
    user, event = organizer
    draft = InvitationDraft(
        organization="Consulate General of Korea",
        email="consulate@example.kr",
        language="ko",
        seats=5,
        deadline=utcnow() + timedelta(days=10),
    )
    return event, invite(Actor(user=user), event.id, draft)


def test_the_invitation_page_shows_the_seats_and_leads_to_the_form_with_the_code(client, invited):
    event, invitation = invited
    response = client.get(f"/ko/i/{invitation.code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-invitation-status="active"' in page
    assert invitation.code in page and "Consulate General of Korea" in page
    assert response.headers["Referrer-Policy"] == "no-referrer" and "no-store" in response.headers["Cache-Control"]
    link = html.unescape(re.search(r'href="([^"]*/delegation\?invitation=[^"]*)"', page)[1])
    form = client.get(link).get_data(as_text=True)
    assert re.search(rf'name="invitation"[^>]*value="{invitation.code}"', form)
    assert "consulate@example.kr" not in form  # the form looks nothing up: no code guessing, no address shown
    assert client.get(f"/ko/i/{invitation.code.lower().replace('-', '')}").status_code == 200  # typed, it opens too
    for code in ("ZZZZ-ZZZZ", "x" * 500, "%00"):
        assert client.get(f"/ko/i/{code}").status_code == 404


def test_registering_with_the_code_draws_the_reserved_seats(client, invited):
    event, invitation = invited
    response = client.post(
        f"/en/events/{event.slug}/delegation",
        data=delegation_post(4, invitation=invitation.code.lower()),
    )
    assert response.status_code == 303
    assert db.session.get(Invitation, invitation.id).seats_used == 4
    assert db.session.scalar(select(Registration.invitation_id)) == invitation.id
    page = html.unescape(client.get(response.location).get_data(as_text=True))
    assert 'data-invitation-seats="4/5"' in page and "4 of the 5 reserved seats used, 1 left" in page


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("12", "An invitation code has eight letters and digits"),
        ("ZZZZ-ZZZZ", "This invitation code is not known for this event"),
    ],
)
def test_a_wrong_code_is_refused_by_its_field_and_nothing_is_stored(client, invited, code, message):
    event, _invitation = invited
    response = client.post(f"/en/events/{event.slug}/delegation", data=delegation_post(2, invitation=code))
    page = response.get_data(as_text=True)
    assert 'id="invitation-error"' in page and message in page and 'value="대표 2"' in page
    assert db.session.scalar(select(Registration.id)) is None


def test_an_invitation_only_event_asks_for_the_code(client, invited):
    event, invitation = invited
    db.session.execute(update(Event).values(delegations_by_invitation=True))
    db.session.commit()
    page = client.post(f"/en/events/{event.slug}/delegation", data=delegation_post(2)).get_data(as_text=True)
    assert 'id="invitation-error"' in page and "by invitation only" in page
    assert db.session.scalar(select(Registration.id)) is None
    assert (
        client.post(f"/en/events/{event.slug}/delegation", data=delegation_post(2, invitation=invitation.code)).status_code == 303
    )


def test_an_expired_invitation_page_says_so(client, invited):
    _event, invitation = invited
    db.session.execute(update(Invitation).values(deadline=utcnow() - timedelta(hours=1)))
    db.session.commit()
    page = client.get(f"/en/i/{invitation.code}").get_data(as_text=True)
    assert 'data-invitation-status="expired"' in page and "This invitation ran until" in page and "/delegation?" not in page


def test_the_organizer_invites_sees_the_uptake_and_extends_resends_and_revokes(client, login, organizer, delegation):
    user, event = organizer
    login(user)
    url = f"/organizer/events/{event.slug}/invitations"
    day = (utcnow() + timedelta(days=7)).date().isoformat()
    form = {"organization": "Lao Consulate", "email": "la@example.la", "language": "lo", "seats": "4", "deadline": day}
    response = client.post(url, data=form)
    assert response.status_code == 303
    invitation = db.session.scalar(select(Invitation))
    assert (invitation.organization, invitation.seats, invitation.language) == ("Lao Consulate", 4, "lo")
    assert invitation.deadline_day.isoformat() == day and db.session.get(Event, event.id).seats_left == 8
    assert db.session.scalar(select(OutboxMessage.recipient).where(OutboxMessage.kind == "invitation")) == "la@example.la"
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert "Lao Consulate" in page and invitation.code in page and "0 of 4" in page, page[page.find("<main") :][:3000]

    later = (utcnow() + timedelta(days=9)).date().isoformat()
    assert client.post(f"{url}/{invitation.id}/extend", data={"deadline": later}).status_code == 303
    assert db.session.get(Invitation, invitation.id).deadline_day.isoformat() == later
    too_soon = client.post(f"{url}/{invitation.id}/resend", follow_redirects=True).get_data(as_text=True)
    assert "This invitation was emailed a moment ago." in too_soon
    assert client.post(f"{url}/{invitation.id}/revoke").status_code == 303
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status == InvitationStatus.REVOKED
    assert db.session.get(Event, event.id).seats_left == 12 and seat_drift() == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"seats": "-3"}, "Enter a whole number from 1 to"),
        ({"seats": "13"}, "Reserve from 1 to 12 seats."),
        ({"deadline": "2031-02-30"}, "Enter a date."),
        ({"deadline": "2000-01-01"}, "The deadline must be in the future."),
        ({"language": "xx"}, "Please choose one of the options"),
        ({"email": "not-an-address"}, "Enter a valid email address"),
        ({"organization": ""}, "This field is required."),
    ],
)
def test_bad_invitations_are_refused_and_reserve_nothing(client, login, organizer, changes, message):
    user, event = organizer
    login(user)
    day = (utcnow() + timedelta(days=7)).date().isoformat()
    form = {"organization": "Lao Consulate", "email": "la@example.la", "language": "lo", "seats": "4", "deadline": day}
    page = client.post(f"/organizer/events/{event.slug}/invitations", data=form | changes, follow_redirects=True)
    assert message in page.get_data(as_text=True)
    assert db.session.scalar(select(Invitation.id)) is None and db.session.get(Event, event.id).seats_left == 12


def test_another_events_invitation_or_a_forged_id_looks_missing(client, login, organizer, make_event, make_user):
    user, event = organizer
    elsewhere = make_event()
    other = invite(Actor(user=make_user("o@example.org", events=[elsewhere])), elsewhere.id, InvitationDraft(
        organization="X", email="x@example.org", language="en", seats=1, deadline=utcnow() + timedelta(days=3)))  # fmt: skip
    login(user)
    for invitation_id, action in ((other.id, "revoke"), (999999, "revoke"), (other.id, "explode"), (2**40, "resend")):
        assert client.post(f"/organizer/events/{event.slug}/invitations/{invitation_id}/{action}").status_code == 404
    assert db.session.get(Invitation, other.id).status == InvitationStatus.ACTIVE


def test_the_invite_and_expire_commands(runner, organizer):
    _user, event = organizer
    day = (utcnow() + timedelta(days=5)).date().isoformat()
    result = runner.invoke(
        args=["invite", event.slug, "--organization", "Embassy of India", "--email", "delhi@example.in", "--seats", "3",
              "--until", day, "--language", "en"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    invitation = db.session.scalar(select(Invitation))
    assert f"https://events.example.test/en/i/{invitation.code}" in result.output and invitation.seats == 3
    refused = runner.invoke(args=["invite", event.slug, "--organization", "X", "--email", "x@example.org", "--seats", "99",
                                  "--until", day])  # fmt: skip
    assert refused.exit_code != 0 and "Reserve from 1 to 12 seats." in refused.output
    too_long = runner.invoke(args=["invite", event.slug, "--organization", "x" * 201, "--email", "x@example.org", "--seats",
                                   "1", "--until", day])  # fmt: skip
    assert too_long.exit_code != 0 and "at most 200 characters" in too_long.output
    far = runner.invoke(args=["invite", event.slug, "--organization", "X", "--email", "x@example.org", "--seats", "1",
                              "--until", "9999-12-31"])  # fmt: skip
    assert far.exit_code != 0 and "between the years" in far.output
    assert runner.invoke(args=["invite", "no-such-event", "--organization", "X", "--email", "x@example.org", "--seats", "1",
                               "--until", day]).exit_code != 0  # fmt: skip
    db.session.execute(update(Invitation).values(deadline=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    expired = runner.invoke(args=["expire-invitations"])
    assert expired.exit_code == 0 and "Invitations expired: 1; reminded: 0." in expired.output
    assert db.session.get(Event, event.id).seats_left == 12
    assert runner.invoke(args=["check-seats"]).exit_code == 0
