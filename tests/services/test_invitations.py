"""Invitations that reserve seats: nobody else takes them, the invitee draws from them, unused ones return on time."""

from datetime import timedelta

import pytest
from contacts import contact_of
from flask_babel import force_locale, gettext
from sqlalchemy import select, update

from exchange.errors import ExchangeError, InvitationRefused, NotEnoughSeats, RegistrationLocked, SeatLimitReached
from exchange.extensions import db
from exchange.i18n import LOCALES
from exchange.models import Event, Invitation, InvitationStatus, OutboxMessage, Registration, RegistrationStatus, utcnow
from exchange.services.audit import Actor
from exchange.services.event_admin import cancel_event
from exchange.services.invitations import (
    InvitationDraft,
    _subject,
    deadline_on,
    expire_invitations,
    extend,
    invitation_for_code,
    invite,
    resend,
    revoke,
)
from exchange.services.mailer import send_due
from exchange.services.registration_admin import DelegateDecision, approve, decide_delegates
from exchange.services.registrations import DelegateData, register, update_delegates
from exchange.services.seats import seat_drift
from exchange.services.tokens import normalize_invitation_code

TITLES = {"en": "Việt–Hàn exchange", "ko": "한-베 교류", "lo": "ແລກປ່ຽນ", "km": "ការផ្លាស់ប្តូរ"}


@pytest.fixture
def actor(make_user):
    return Actor(user=make_user("protocol@example.org"), ip_address="203.0.113.9")


def _draft(seats: int = 5, days: int = 10, **values) -> InvitationDraft:
    fields = {"organization": "Consulate General of Korea", "email": "consulate@example.kr", "language": "ko"} | values
    return InvitationDraft(seats=seats, deadline=utcnow() + timedelta(days=days), **fields)


def _seats_left(event_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Event, event_id).seats_left


def _fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def _through(delegation, invitation, size: int, email: str = "consulate@example.kr"):
    request = delegation(size=size, email=email, language="ko")
    request.invitation_code = invitation.code.replace("-", "").lower()  # typed as people type it
    return request


def test_an_invitation_reserves_its_seats_and_is_emailed_in_the_invitees_language(smtp_server, actor, make_event):
    event = make_event(titles=TITLES, capacity=20, contact_email="protocol@cantho.example")
    invitation = invite(actor, event.id, _draft(seats=5))
    assert _seats_left(event.id) == 15 and seat_drift() == []
    assert invitation_for_code(invitation.code.lower()).id == invitation.id
    assert normalize_invitation_code("0000-0000") == "" and normalize_invitation_code("ab") == ""
    send_due()
    (message,) = smtp_server.messages
    with force_locale("ko"):
        assert message["Subject"] == str(_subject(False, "한-베 교류"))
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain").get_content()
    assert invitation.code in text and f"https://events.example.test/ko/i/{invitation.code}" in text
    assert "Consulate General of Korea" in text
    assert "protocol@cantho.example" in message["Reply-To"]  # a reply reaches the event's organizers


def test_an_invitation_cannot_reserve_seats_that_are_not_there(actor, make_event, individual):
    event = make_event(capacity=3)
    register(event.id, individual())
    with pytest.raises(NotEnoughSeats, match="Only 2 seats are left to reserve"):
        invite(actor, event.id, _draft(seats=3))
    with pytest.raises(ExchangeError, match="in the future"):
        invite(actor, event.id, _draft(seats=1, days=-1))
    with pytest.raises(ExchangeError, match="after registration closes"):
        invite(actor, event.id, _draft(seats=1, days=40))
    assert db.session.scalar(select(Invitation.id)) is None and _seats_left(event.id) == 2


def test_nobody_else_takes_the_reserved_seats(actor, make_event, individual, delegation):
    event = make_event(capacity=6)
    invitation = invite(actor, event.id, _draft(seats=5))
    assert register(event.id, individual(email="first@example.com")).registration.status == RegistrationStatus.CONFIRMED
    assert register(event.id, individual(email="second@example.com")).registration.status == RegistrationStatus.WAITLISTED
    assert register(event.id, delegation(size=2, email="other@example.org")).registration.status == RegistrationStatus.WAITLISTED

    group = register(event.id, _through(delegation, invitation, 4)).registration

    assert group.status == RegistrationStatus.PENDING and group.invitation_id == invitation.id
    assert _fresh(Invitation, invitation.id).seats_used == 4 and _seats_left(event.id) == 0 and seat_drift() == []


def test_more_delegates_than_reserved_take_free_seats_or_are_refused(actor, make_event, delegation):
    event = make_event(capacity=8)
    invitation = invite(actor, event.id, _draft(seats=3))
    with pytest.raises(NotEnoughSeats, match="Your invitation has 3 seats left"):
        register(event.id, _through(delegation, invitation, 9))
    assert _fresh(Invitation, invitation.id).seats_used == 0 and _seats_left(event.id) == 5
    register(event.id, _through(delegation, invitation, 5))  # 3 reserved, 2 free
    assert _fresh(Invitation, invitation.id).seats_used == 3 and _seats_left(event.id) == 3 and seat_drift() == []
    # A second registration through it draws nothing more from it: the rest comes from the free seats.
    register(event.id, _through(delegation, invitation, 2, email="attache@example.kr"))
    assert _fresh(Invitation, invitation.id).seats_used == 3 and _seats_left(event.id) == 1


def test_codes_that_open_nothing_are_refused_and_invitation_only_events_need_one(actor, make_event, delegation):
    event = make_event(delegations_by_invitation=True)
    elsewhere = invite(actor, make_event().id, _draft(seats=2))
    with pytest.raises(InvitationRefused, match="by invitation only"):
        register(event.id, delegation(size=2))
    for code in ("ZZZZ-ZZZZ", elsewhere.code, "not a code"):
        request = delegation(size=2)
        request.invitation_code = code
        with pytest.raises(InvitationRefused, match="not known for this event"):
            register(event.id, request)
    mine = invite(actor, event.id, _draft(seats=2))
    db.session.execute(update(Invitation).where(Invitation.id == mine.id).values(deadline=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    with pytest.raises(InvitationRefused, match="no longer open"):
        register(event.id, _through(delegation, mine, 2))
    assert db.session.scalar(select(Registration.id)) is None


def test_unused_seats_return_to_the_waiting_list_when_the_deadline_passes_once(actor, make_event, delegation, individual):
    event = make_event(capacity=5)
    invitation = invite(actor, event.id, _draft(seats=5, days=2))
    register(event.id, _through(delegation, invitation, 3))
    waiting = [register(event.id, individual(email=f"w{n}@example.com")).registration.id for n in range(3)]
    later = utcnow() + timedelta(days=3)

    assert expire_invitations(now=later).expired == 1
    assert expire_invitations(now=later).expired == 0  # a second cron run, or a second machine

    assert _fresh(Invitation, invitation.id).status == InvitationStatus.EXPIRED
    statuses = [_fresh(Registration, number).status for number in waiting]
    assert statuses == [RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
    assert seat_drift() == []
    kinds = db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.recipient.like("w%"))).all()
    assert kinds.count("registration_promoted") == 2


def test_revoking_frees_the_unused_seats_once_and_extending_moves_the_deadline(actor, make_event):
    event = make_event(capacity=10)
    invitation = invite(actor, event.id, _draft(seats=4))
    new_day = (utcnow() + timedelta(days=20)).date()
    extend(actor, invitation.id, deadline_on(event, new_day))
    assert _fresh(Invitation, invitation.id).deadline_day == new_day
    with pytest.raises(ExchangeError, match="after registration closes"):
        extend(actor, invitation.id, utcnow() + timedelta(days=60))
    revoke(actor, invitation.id)
    assert _seats_left(event.id) == 10 and seat_drift() == []
    with pytest.raises(RegistrationLocked, match="no longer open"):
        revoke(actor, invitation.id)
    with pytest.raises(RegistrationLocked, match="no longer open"):
        resend(actor, invitation.id)
    assert _seats_left(event.id) == 10


def test_a_reminder_goes_once_before_the_deadline_while_seats_are_unused(actor, make_event, delegation):
    event = make_event(capacity=20)
    unused = invite(actor, event.id, _draft(seats=3, days=9))
    used = invite(actor, event.id, _draft(seats=2, days=9, organization="Lao Consulate", email="la@example.la"))
    register(event.id, _through(delegation, used, 2, email="la@example.la"))
    invite(actor, event.id, _draft(seats=2, days=9, organization="Far Away", email="far@example.org"))
    # An invitation sent inside the window says it all: no reminder on its heels.
    invite(actor, event.id, _draft(seats=2, days=1, organization="Late", email="late@example.org"))
    assert expire_invitations().reminded == 0
    soon = utcnow() + timedelta(days=2)  # a week later, for the first two
    db.session.execute(update(Invitation).where(Invitation.id.in_([unused.id, used.id])).values(deadline=soon))
    db.session.commit()

    assert expire_invitations().reminded == 1 and expire_invitations().reminded == 0

    (reminder,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "invitation_reminder")).all()
    assert reminder.recipient == unused.email and reminder.language == "ko"


def test_resending_is_once_a_minute(actor, make_event):
    invitation = invite(actor, make_event().id, _draft(seats=1))
    with pytest.raises(RegistrationLocked, match="a moment ago"):
        resend(actor, invitation.id)
    db.session.execute(update(Invitation).values(sent_at=utcnow() - timedelta(minutes=2)))
    db.session.commit()
    resend(actor, invitation.id)
    assert len(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "invitation")).all()) == 2


def test_a_cancelled_event_closes_its_invitations_and_their_seats(actor, make_event):
    event = make_event(capacity=10)
    invitation = invite(actor, event.id, _draft(seats=4))
    cancel_event(actor, event.id)
    assert _fresh(Invitation, invitation.id).status == InvitationStatus.REVOKED and seat_drift() == []


def test_an_invitation_closed_before_its_email_left_is_not_sent(smtp_server, actor, make_event):
    invitation = invite(actor, make_event().id, _draft(seats=1))
    revoke(actor, invitation.id)
    assert send_due().failed and smtp_server.messages == []


def test_a_consulate_invited_with_five_seats_as_the_issue_tells_it(smtp_server, actor, make_event, delegation, individual):
    """Invited with 5 seats; 4 delegates with their own emails in Korean, Lao and Khmer; one declined and replaced;
    the unused seat returns to the public after the deadline."""
    event = make_event(titles=TITLES, capacity=5)
    invitation = invite(actor, event.id, _draft(seats=5, days=2))
    request = _through(delegation, invitation, 0)
    request.delegates = [
        DelegateData(full_name="김민준", email="minjun@example.kr", language="ko"),
        DelegateData(full_name="ສົມພອນ", email="somphone@example.la", language="lo"),
        DelegateData(full_name="សុខ ចាន់ថា", email="chantha@example.kh", language="km"),
        DelegateData(full_name="이서연", email="seoyeon@example.kr", language="ko"),
    ]
    group = register(event.id, request).registration
    latecomer = register(event.id, individual(email="late@example.com")).registration
    assert latecomer.status == RegistrationStatus.WAITLISTED  # the fifth seat is the consulate's
    approve(actor, group.id)
    send_due()
    tickets = {m["To"]: m for m in smtp_server.messages if m["To"] not in ("consulate@example.kr", "late@example.com")}
    assert set(tickets) == {"minjun@example.kr", "somphone@example.la", "chantha@example.kh", "seoyeon@example.kr"}
    assert all("image/png" in {part.get_content_type() for part in m.walk()} for m in tickets.values())
    declined = _fresh(Registration, group.id).delegates[1]
    decide_delegates(actor, group.id, [declined.id], DelegateDecision.DECLINE, "Sorry.")
    # The declined delegate's seat goes back to the invitation, not to the waiting list, until the deadline.
    assert _fresh(Invitation, invitation.id).seats_used == 3
    assert _fresh(Registration, latecomer.id).status == RegistrationStatus.WAITLISTED
    group = _fresh(Registration, group.id)
    rows = [DelegateData(key=d.key, full_name=d.full_name, email=d.email, language=d.language) for d in group.delegates]
    rows.append(DelegateData(full_name="ບຸນມີ", email="bounmy@example.la", language="lo"))  # the contact replaces them
    update_delegates(group.id, contact_of(group), rows)
    assert _fresh(Invitation, invitation.id).seats_used == 4 and _seats_left(event.id) == 0

    expire_invitations(now=utcnow() + timedelta(days=3))

    assert _fresh(Invitation, invitation.id).status == InvitationStatus.EXPIRED and seat_drift() == []
    # The one reserved seat never used goes to the public: the waiting list's first takes it.
    assert _fresh(Registration, latecomer.id).status == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize("lang", LOCALES)
@pytest.mark.parametrize("reminder", [False, True], ids=["invitation", "reminder"])
def test_the_invitation_and_its_reminder_in_every_language(smtp_server, actor, make_event, lang, reminder):
    titles = {code: f"Exchange ({code})" for code in LOCALES}
    event = make_event(titles=titles, capacity=10)
    invitation = invite(actor, event.id, _draft(seats=3, days=9, language=lang, organization="Đại sứ quán Ấn Độ"))
    if reminder:
        send_due()
        db.session.execute(update(Invitation).values(deadline=utcnow() + timedelta(days=2)))  # a week later
        db.session.commit()
        assert expire_invitations().reminded == 1
    send_due()
    message = smtp_server.messages[-1]
    with force_locale(lang):
        assert message["Subject"] == str(_subject(reminder, titles[lang]))
        greeting = gettext("Dear %(name)s,", name="Đại sứ quán Ấn Độ")
    for kind in ("text/plain", "text/html"):
        body = next(part for part in message.walk() if part.get_content_type() == kind).get_content()
        assert greeting in body and invitation.code in body and titles[lang] in body
        assert f"https://events.example.test/{lang}/i/{invitation.code}" in body


def test_seats_beyond_the_reserve_count_against_the_address_share(app, actor, make_event, delegation):
    app.config["SEATS_PER_ADDRESS_LIMIT"] = 6
    event = make_event(capacity=40, max_delegation_size=6)
    invitation = invite(actor, event.id, _draft(seats=2))
    register(event.id, _through(delegation, invitation, 6, email="many@example.org"))  # 2 reserved, 4 public
    with pytest.raises(SeatLimitReached):
        register(event.id, _through(delegation, invitation, 3, email="many@example.org"))  # 3 more public: over 6
    assert seat_drift() == []
