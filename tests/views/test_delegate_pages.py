"""A delegate's own address on the forms, their personal page, and the contact's view of who was emailed."""

import html
from datetime import timedelta
from urllib.parse import quote

import pytest
from contacts import delegation_post
from page_forms import page_form
from question_rows import add_question
from sqlalchemy import select, update

from exchange.extensions import db
from exchange.models import Delegate, Event, OutboxMessage, QuestionType, Registration, User, utcnow
from exchange.services.audit import Actor
from exchange.services.mailer import send_due
from exchange.services.registration_admin import approve
from exchange.services.registrations import DelegateData, register
from exchange.services.tokens import issue_delegate_token, issue_manage_token

DELEGATES = [
    DelegateData(full_name="김민준", email="minjun@example.kr", language="ko"),
    DelegateData(full_name="ສົມພອນ ວົງສາ", email="somphone@example.la", language="lo"),
    DelegateData(full_name="No Address"),
]


@pytest.fixture
def approved(app, make_event, make_user, delegation):
    """An approved delegation of DELEGATES, its contact's manage token, and each delegate's personal token."""
    event = make_event(titles={"en": "Việt–Hàn exchange", "ko": "한-베 교류", "lo": "ແລກປ່ຽນ ຫວຽດ-ເກົາຫຼີ"}, capacity=10)
    request = delegation(size=0, language="en")
    request.delegates = list(DELEGATES)
    outcome = register(event.id, request)
    approve(Actor(user=make_user("organizer@example.org", events=[event]), ip_address="127.0.0.1"), outcome.registration.id)
    group = db.session.get(Registration, outcome.registration.id)
    tokens = [issue_delegate_token(delegate) for delegate in group.delegates]
    db.session.commit()
    return group, outcome.token, tokens


def _fresh(registration_id: int) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, registration_id)


def test_the_delegation_form_takes_each_delegates_own_address_and_language(client, make_event):
    event = make_event(capacity=10)
    form = client.get(f"/en/events/{event.slug}/delegation").get_data(as_text=True)
    assert 'name="delegates-0-email"' in form and 'name="delegates-0-language"' in form
    assert '<option value="km">ខ្មែរ</option>' in form  # each language named in itself

    response = client.post(
        f"/en/events/{event.slug}/delegation",
        data=delegation_post(2, **{"delegates-0-email": " Minjun@Example.KR ", "delegates-0-language": "ko"}),
    )

    assert response.status_code == 303
    first, second = db.session.scalar(select(Registration)).delegates
    assert (first.email, first.language, second.email, second.language) == ("Minjun@example.kr", "ko", "", "")
    # The manage page's edit form gives them back as they were saved.
    page = client.get(response.location).get_data(as_text=True)
    assert 'value="Minjun@example.kr"' in page and '<option selected value="ko">' in page


def test_a_delegate_page_shows_their_ticket_and_nobody_elses(client, approved):
    group, _contact_token, tokens = approved
    response = client.get(f"/ko/d/{tokens[0]}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-delegate-status="approved"' in page and '<figure class="ticket">' in page and "김민준" in page
    assert "ສົມພອນ" not in page and "No Address" not in page and "/r/" not in page
    assert response.headers["Referrer-Policy"] == "no-referrer" and "no-store" in response.headers["Cache-Control"]
    assert '<html lang="ko"' in page


def test_unknown_and_wrong_delegate_tokens_look_like_any_missing_page(client, approved):
    _group, contact_token, tokens = approved
    for token in ("x" * 43, tokens[0][:-2], contact_token, "short", "%00" * 30):
        assert client.get(f"/en/d/{token}").status_code == 404
    assert client.get(f"/en/r/{tokens[0]}").status_code == 404  # a delegate's link opens no contact's page


def test_a_delegate_corrects_their_own_details_and_nothing_else(client, approved):
    group, _contact_token, tokens = approved
    other = group.delegates[1]
    response = client.post(
        f"/en/d/{tokens[0]}",
        data={
            "full_name": "Kim Minjun",
            "position": "Attaché",
            "dietary": "Vegetarian",
            "interpreter_language": "ko",
            "language": "en",
            # What the form does not declare changes nothing: not their address, not another delegate.
            "email": "attacker@example.org",
            "key": other.key,
            "delegates-1-full_name": "Forged",
        },
    )
    assert response.status_code == 303
    group = _fresh(group.id)
    minjun, somphone, _ = group.delegates
    assert (minjun.full_name, minjun.position, minjun.dietary, minjun.language) == ("Kim Minjun", "Attaché", "Vegetarian", "en")
    assert minjun.email == "minjun@example.kr" and somphone.full_name == "ສົມພອນ ວົງສາ"
    assert "Your details are saved." in client.get(response.location).get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"full_name": ""}, "This field is required."),
        ({"full_name": "n" * 121}, "Please use at most 120 characters."),
        ({"language": "xx"}, "Please choose one of the options"),
        ({"interpreter_language": "klingon"}, "Choose a language from the list"),
        ({"dietary": "\u202eevil"}, "change the text direction"),
    ],
)
def test_bad_corrections_are_refused_and_change_nothing(client, approved, changes, message):
    group, _contact_token, tokens = approved
    response = client.post(f"/en/d/{tokens[0]}", data={"full_name": "Kim Minjun", **changes})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _fresh(group.id).delegates[0].full_name == "김민준"


def test_after_registration_closes_the_page_shows_the_ticket_but_takes_no_correction(client, approved):
    group, _contact_token, tokens = approved
    db.session.execute(update(Event).values(registration_closes_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    page = client.get(f"/en/d/{tokens[0]}").get_data(as_text=True)
    assert '<figure class="ticket">' in page and "Correct my details" not in page
    response = client.post(f"/en/d/{tokens[0]}", data={"full_name": "Too late"})
    assert response.status_code == 409 and "Your details can no longer be changed here." in response.get_data(as_text=True)
    assert _fresh(group.id).delegates[0].full_name == "김민준"


def test_the_contact_sees_who_was_emailed_and_resends_a_ticket(smtp_server, client, approved):
    group, contact_token, _tokens = approved
    page = client.get(f"/en/r/{contact_token}").get_data(as_text=True)
    assert page.count('data-delegate-mail="queued"') == 2 and "ticket email on its way" in page
    send_due()
    page = client.get(f"/en/r/{contact_token}").get_data(as_text=True)
    assert page.count('data-delegate-mail="sent"') == 2 and "ticket emailed" in page
    minjun = group.delegates[0]
    assert f"/en/r/{contact_token}/delegates/{minjun.key}/resend" in page

    too_soon = client.post(f"/en/r/{contact_token}/delegates/{minjun.key}/resend")
    assert too_soon.status_code == 409 and "김민준 was emailed a moment ago." in too_soon.get_data(as_text=True)
    db.session.execute(update(OutboxMessage).values(created_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    resent = client.post(f"/en/r/{contact_token}/delegates/{minjun.key}/resend")
    assert resent.status_code == 303
    flashed = html.unescape(client.get(resent.location).get_data(as_text=True))
    assert "김민준's ticket is on its way to minjun@example.kr." in flashed
    recipients = db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.kind == "delegate_ticket")).all()
    assert recipients.count("minjun@example.kr") == 2


def test_a_failed_delivery_shows_on_the_contacts_page(client, approved):
    group, contact_token, _tokens = approved
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.recipient == "somphone@example.la").values(status="failed", attempts=1)
    )
    db.session.commit()
    page = client.get(f"/en/r/{contact_token}").get_data(as_text=True)
    assert 'data-delegate-mail="failed"' in page and "could not be delivered: check the address" in page


def test_resending_for_a_forged_or_addressless_delegate_sends_nothing(client, approved):
    group, contact_token, _tokens = approved
    before = db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()))
    for key in ("forged-key", group.delegates[2].key, "x" * 300):
        response = client.post(f"/en/r/{contact_token}/delegates/{key}/resend")
        assert response.status_code == 409 and "no email address" in response.get_data(as_text=True)
    assert db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc())) == before


def test_a_replaced_delegates_page_says_they_have_no_ticket(client, approved):
    group, contact_token, tokens = approved
    response = client.post(
        f"/en/r/{contact_token}/substitute",
        data={
            "substitute-replaces": group.delegates[1].key,
            "substitute-full_name": "ບຸນມີ",
            "substitute-email": "bounmy@example.la",
        },
    )
    assert response.status_code == 303
    page = client.get(f"/en/d/{tokens[1]}").get_data(as_text=True)
    assert 'data-delegate-status="substituted"' in page and '<figure class="ticket">' not in page
    assert "You are no longer on the delegation" in page and "Correct my details" not in page
    assert db.session.scalar(select(Delegate.email).where(Delegate.full_name == "ບຸນມີ")) == "bounmy@example.la"
    assert client.post(f"/en/d/{tokens[1]}", data={"full_name": "Back"}).status_code == 409
    token = issue_manage_token(group)  # the contact's page lists the substitute with their own address
    db.session.commit()
    assert "bounmy@example.la" in client.get(f"/en/r/{token}").get_data(as_text=True)


HOSTILE = ["", "\x00", "%ED%A0%80", "%FF%FE", "x" * 4000, "9" * 25, "<script>alert(1)</script>", "ສະບາຍດີ\u202e"]


@pytest.mark.parametrize("name", ["full_name", "position", "dietary", "interpreter_language", "language", "csrf_token"])
def test_hostile_values_in_any_field_of_the_delegate_page_never_cause_a_server_error(client, approved, name):
    _group, _contact_token, tokens = approved
    valid = {"full_name": "Kim Minjun", "position": "", "dietary": "", "interpreter_language": "", "language": ""}
    for value in HOSTILE:
        body = "&".join(f"{key}={quote(text)}" for key, text in valid.items() if key != name)
        response = client.post(
            f"/en/d/{tokens[0]}", data=f"{body}&{name}={value}", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code in (303, 422), (name, value, response.status_code)


def test_the_contacts_page_says_what_still_needs_doing_and_until_when(client, approved):
    group, contact_token, _tokens = approved
    page = client.get(f"/en/r/{contact_token}").get_data(as_text=True)
    assert 'data-to-do="0"' in page and "Nothing: your registration is complete." in page
    assert "Changes to the delegation" in page and "Replace a delegate" in page
    add_question(group.event, "passport", QuestionType.TEXT, ["delegate"], 0, required=True)
    page = html.unescape(client.get(f"/en/r/{contact_token}").get_data(as_text=True))
    assert 'data-to-do="3"' in page
    assert "Answer “Passport label” for 김민준." in page and "Answer “Passport label” for No Address." in page
    assert 'href="#details"' in page and 'id="details"' in page


def test_the_organizer_sees_each_delegates_own_address_and_language(client, login, approved):
    group, _contact_token, _tokens = approved
    login(db.session.scalar(select(User).where(User.email == "organizer@example.org")))
    page = client.get(f"/organizer/events/{group.event.slug}/registrations/{group.reference}").get_data(as_text=True)
    assert "<bdi>minjun@example.kr</bdi> · Korean" in page and "<bdi>somphone@example.la</bdi> · Lao" in page


@pytest.mark.parametrize(
    "addresses",
    [("same@example.org", "SAME@example.org"), ("consulate@example.org", ""), ("", "Consulate@Example.org")],
    ids=["two delegates", "the contact's", "the contact's in other case"],
)
def test_a_shared_address_is_refused_by_the_row_and_nothing_is_stored(client, make_event, addresses):
    event = make_event(capacity=10)
    data = delegation_post(2, **{f"delegates-{index}-email": address for index, address in enumerate(addresses)})
    page = client.post(f"/en/events/{event.slug}/delegation", data=data).get_data(as_text=True)
    row = 1 if addresses[1] else 0
    assert f'id="delegates-{row}-email-error"' in page and "Each delegate needs an address of their own" in page
    assert db.session.scalar(select(Registration.id)) is None


def test_the_manage_page_and_the_substitute_form_refuse_a_shared_address_too(client, approved):
    group, contact_token, _tokens = approved
    form = page_form(client, f"/en/r/{contact_token}", action=f"/en/r/{contact_token}")
    form["delegates-2-email"] = ["consulate@example.org"]  # No Address gets the contact's
    page = client.post(f"/en/r/{contact_token}", data=form).get_data(as_text=True)
    assert 'id="delegates-2-email-error"' in page and "Each delegate needs an address of their own" in page
    somphone = group.delegates[1]
    taken = {"substitute-replaces": somphone.key, "substitute-full_name": "ບຸນມີ", "substitute-email": "minjun@example.kr"}
    refused = client.post(f"/en/r/{contact_token}/substitute", data=taken)
    assert refused.status_code == 422 and "Each delegate needs an address of their own" in refused.get_data(as_text=True)
    kept = taken | {"substitute-email": "somphone@example.la"}  # the replaced person's own address may pass on
    assert client.post(f"/en/r/{contact_token}/substitute", data=kept).status_code == 303
    assert [d.email for d in _fresh(group.id).delegates] == ["minjun@example.kr", "somphone@example.la", ""]
