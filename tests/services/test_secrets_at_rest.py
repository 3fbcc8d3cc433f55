"""After a day of traffic, what a copy of the database and of instance/ would give an attacker.

Every manage token that ever left the server (to a browser after registering,
or in an email) is collected, then looked for in every row of every table and
in every file under instance/, raw and decoded (emails are base64 or
quoted-printable inside). A token found there must not open a page. The .eml
files are the mailbox of an installation without a mail server: the
registrants' own copies, which necessarily carry their newest links; they
are private (0600), hold at most MANAGE_LINKS_KEPT working links per
registration, and go when the registration is erased.
"""

from __future__ import annotations

import email
import email.policy
import re
import stat
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import Registration
from exchange.services import registration_admin as actions
from exchange.services.audit import Actor
from exchange.services.mailer import send_due
from exchange.services.privacy import erase_registration
from exchange.services.registrations import cancel, register

TOKEN = re.compile(r"/[rd]/([A-Za-z0-9_-]{43})")  # a registration's manage link, or a delegate's own
# The stored bodies of sent messages: the sec-mail branch renders links at send time or blanks them.
OUTBOX_BODIES = {("outbox_message", "body_text"), ("outbox_message", "body_html")}


@pytest.fixture
def instance(app, tmp_path):
    """A fresh instance folder, delivering email as .eml files into instance/mail."""
    folder = tmp_path / "instance"
    folder.mkdir()
    previous = app.instance_path
    app.instance_path = str(folder)
    app.config.update(MAIL_SERVER=None, MAIL_FILE_DIR=None)
    yield folder
    app.instance_path = previous


def _day_of_traffic(make_event, make_user, individual, delegation) -> tuple[list[str], list[int]]:
    """Registrations, emails, resends, a duplicate attempt, an approval and a cancel.

    Returns the tokens the browsers got after registering, and the registrations' ids.
    """
    event = make_event(capacity=3)
    current_app.config["RESEND_INTERVAL_SECONDS"] = 0  # the resends are minutes apart in a real day
    actor = Actor(user=make_user("organizer@example.org", events=[event]))
    outcomes = [register(event.id, individual(email=f"p{number}@example.com")) for number in range(3)]
    outcomes.append(register(event.id, individual(email="late@example.com")))  # waitlisted
    with_address = delegation(size=2)
    with_address.delegates[0].email = "delegate@example.org"  # their own ticket and link, once approved
    group = register(make_event().id, with_address)
    send_due()
    register(event.id, individual(email="p0@example.com"))  # a duplicate: the link again, by email
    for _ in range(3):
        actions.resend(actor, outcomes[1].registration.id)
    actions.approve(actor, group.registration.id, message="Welcome")
    send_due()
    cancel(outcomes[2].registration.id)  # promotes late@example.com
    send_due()
    everyone = (*outcomes, group)
    return [outcome.token for outcome in everyone], [outcome.registration.id for outcome in everyone]


def _database_texts(skip=frozenset()) -> dict[str, str]:
    """Every value of every table as text, by "table.column"."""
    texts: dict[str, list[str]] = {}
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).mappings():
            for column, value in row.items():
                if value is None or (table.name, column) in skip:
                    continue
                text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                texts.setdefault(f"{table.name}.{column}", []).append(text)
    return {place: "\n".join(values) for place, values in texts.items()}


def _file_texts(folder: Path) -> dict[str, str]:
    """Every file under `folder`, raw and, for emails, with each part decoded."""
    texts = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        decoded = [raw.decode("latin-1")]
        if path.suffix == ".eml":
            message = email.message_from_bytes(raw, policy=email.policy.default)
            decoded += [str(part.get_content()) for part in message.walk() if part.get_content_maintype() == "text"]
        texts[str(path.relative_to(folder))] = "\n".join(decoded)
    return texts


def _opens_a_page(client, token: str) -> bool:
    return any(client.get(f"/en/{page}/{token}").status_code == 200 for page in "rd")


def _working_links(client, places: dict[str, str], known: set[str]) -> dict[str, set[str]]:
    found = {}
    for place, text in places.items():
        tokens = {token for token in known if token in text} | set(TOKEN.findall(text))
        working = {token for token in tokens if _opens_a_page(client, token)}
        if working:
            found[place] = working
    return found


@pytest.mark.parametrize(
    "outbox_bodies",
    [
        False,
        True,
    ],
    ids=["without-outbox-bodies", "with-outbox-bodies"],
)
def test_a_dump_after_a_day_of_traffic_holds_no_working_manage_link(
    app, client, instance, make_event, make_user, individual, delegation, outbox_bodies
):
    browser_tokens, registration_ids = _day_of_traffic(make_event, make_user, individual, delegation)
    mailbox = instance / "mail"
    mails = _file_texts(mailbox)
    # 5 registrations, a duplicate attempt, 3 resends, approval (and a delegate's own ticket), cancel, promotion
    assert len(mails) == 13
    emailed = {token for text in mails.values() for token in TOKEN.findall(text)}
    known = set(browser_tokens) | emailed
    assert len(known) == 18

    database = _database_texts(skip=frozenset() if outbox_bodies else OUTBOX_BODIES)
    outside_the_mailbox = {place: text for place, text in _file_texts(instance).items() if not place.startswith("mail/")}
    assert _working_links(client, database, known) == {}
    assert _working_links(client, outside_the_mailbox, known) == {}

    # The mailbox: private files, and only each registration's newest links still work.
    assert {stat.S_IMODE(path.stat().st_mode) for path in mailbox.iterdir()} == {0o600}
    working = set().union(*_working_links(client, mails, known).values())
    by_registration: dict[str, int] = {}
    assert sum(client.get(f"/en/d/{token}").status_code == 200 for token in working) == 1  # the delegate's own
    for token in working:
        page = client.get(f"/en/r/{token}")
        if page.status_code != 200:
            continue
        reference = re.search(r'data-reference="([^"]+)"', page.get_data(as_text=True))[1]
        by_registration[reference] = by_registration.get(reference, 0) + 1
    assert by_registration and max(by_registration.values()) == app.config["MANAGE_LINKS_KEPT"] == 3
    assert not _opens_a_page(client, browser_tokens[1])  # four emails later, the first link is dead

    # The cancelled registrant erases their data: their emails leave the mailbox and no link of theirs works.
    cancelled = db.session.get(Registration, registration_ids[2])
    their_files = [path for path in mailbox.iterdir() if cancelled.email.encode() in path.read_bytes()]
    assert their_files
    erase_registration(cancelled.id)
    assert not any(path.exists() for path in their_files)
    db.session.expire_all()
    assert not any(
        db.session.get(Registration, registration_ids[2]).reference in client.get(f"/en/r/{token}").get_data(as_text=True)
        for token in known
        if _opens_a_page(client, token)
    )
