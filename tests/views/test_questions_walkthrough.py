"""Issue 12 as a new user would try it, end to end over HTTP: an organizer adds the visa-letter set and a
T-shirt size to an event, a consulate registers three delegates in Korean with their passport details, the
organizer sees the passports masked, reveals one (audited), exports XLSX with the T-shirt column and
without the passport columns, and the API's event goes through `import-events` into another installation
with every question in all eight languages."""

import io
import json

from flask_migrate import upgrade
from openpyxl import load_workbook
from page_forms import page_form
from sqlalchemy import select

from exchange import create_app
from exchange.extensions import db
from exchange.i18n import LOCALES
from exchange.models import Answer, AuditEntry, Event, Registration, RegistrationStatus
from exchange.services.audit import Actor
from exchange.services.registration_admin import approve

PASSPORTS = ["M12345678", "M23456789", "M34567890"]
TSHIRT_ROW = {
    "key": "tshirt_size", "type": "choice", "asked_of": ["individual", "delegate"], "required": "y",
    "label_en": "T-shirt size", "label_vi": "Cỡ áo", "label_ko": "티셔츠 사이즈", "label_ja": "Tシャツのサイズ",
    "label_lo": "ຂະໜາດເສື້ອ", "label_km": "ទំហំអាវយឺត", "label_th": "ขนาดเสื้อยืด", "label_fr": "Taille de t-shirt",
    "choices-0-key": "m", "choices-0-label_en": "Medium", "choices-0-label_ko": "M (중간)",
    "choices-1-key": "l", "choices-1-label_en": "Large", "choices-1-label_ko": "L (큰)",
}  # fmt: skip


def _add_tshirt_in_the_first_spare_row(form: dict[str, list[str]]) -> dict[str, list[str]]:
    filled = {key for key, values in form.items() if key.endswith("-key") and "-choices-" not in key and values != [""]}
    row = f"questions-{len(filled)}-"
    for name, value in TSHIRT_ROW.items():
        form[row + name] = value if isinstance(value, list) else [value]
    form[row + "position"] = [str(len(filled) + 1)]
    return form


def test_visa_letter_and_tshirt_questions_from_the_editor_to_an_export_and_another_installation(
    app, client, login, make_user, make_event, xlsx_export, runner, scratch_url, config_for, tmp_path
):
    event = make_event(slug="viet-han-2031", titles={"en": "Việt–Hàn exchange", "ko": "한-베 교류"}, max_delegation_size=5)
    organizer = make_user("organizer@example.org", events=[event], language="en")
    login(organizer)
    questions_url = f"/organizer/events/{event.slug}/questions"

    # The organizer adds the visa-letter set in one click, then a T-shirt size in the first empty row.
    assert client.post(f"{questions_url}/sets", data={"set": "visa_letter"}).status_code == 303
    form = _add_tshirt_in_the_first_spare_row(page_form(client, questions_url, action=""))
    assert client.post(questions_url, data=form).status_code == 303
    db.session.expire_all()
    keys = [question.key for question in event.questions]
    assert keys == ["passport_number", "passport_expiry", "date_of_birth", "nationality", "arrival_date",
                    "departure_date", "port_of_entry", "tshirt_size"]  # fmt: skip

    # A consulate registers three delegates in Korean, each with passport details and a size.
    login(None)
    page = client.get(f"/ko/events/{event.slug}/delegation").get_data(as_text=True)
    assert "여권 번호" in page and "티셔츠 사이즈" in page and 'name="delegates-0-q_passport_number"' in page
    data = {
        "organization": "주호치민 대한민국 총영사관", "country": "KR", "contact_name": "김민준",
        "email": "consulate@example.org", "phone": "+82 2 1234 5678", "consent": "y",
    }  # fmt: skip
    for number, (name, passport) in enumerate(zip(["이서연", "박지훈", "최유나"], PASSPORTS, strict=True)):
        row = f"delegates-{number}-"
        data |= {
            row + "full_name": name, row + "q_passport_number": passport, row + "q_passport_expiry": "2031-04-30",
            row + "q_date_of_birth": f"199{number}-05-0{number + 1}", row + "nationality": "대한민국",
            row + "q_arrival_date": "2031-05-20", row + "q_departure_date": "2031-05-24", row + "q_port_of_entry": "Tân Sơn Nhất",
            row + "q_tshirt_size": "l" if number else "m",
        }  # fmt: skip
    response = client.post(f"/ko/events/{event.slug}/delegation", data=data)
    assert response.status_code == 303
    group = db.session.scalar(select(Registration))
    assert {delegate.nationality for delegate in group.delegates} == {"KR"}  # the row's own field: the set asks individuals
    assert db.session.scalar(select(Answer.value).where(Answer.question.has(key="port_of_entry")).limit(1)) == "Tân Sơn Nhất"
    approve(Actor(user=organizer), group.id, "")
    assert group.status == RegistrationStatus.CONFIRMED

    # The organizer sees the passports masked, and reveals one: the reveal is in the audit log.
    login(organizer)
    detail_url = f"/organizer/events/{event.slug}/registrations/{group.reference}"
    detail = client.get(detail_url).get_data(as_text=True)
    assert not any(passport in detail for passport in PASSPORTS) and detail.count("••••••") == 9
    first = db.session.scalar(select(Answer).where(Answer.value == PASSPORTS[0]))
    revealed = client.post(f"{detail_url}/answers/{first.id}/reveal").get_data(as_text=True)
    assert PASSPORTS[0] in revealed and PASSPORTS[1] not in revealed
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "answer.revealed"))
    assert audit.user_id == organizer.id and PASSPORTS[0] not in json.dumps(audit.details, ensure_ascii=False)

    # XLSX: the size column (labels in the organizer's language), no passport columns.
    _progress, download = xlsx_export(f"/organizer/events/{event.slug}/export.xlsx")
    sheet = load_workbook(io.BytesIO(download.data)).active
    download.close()
    header = [cell.value for cell in sheet[1]]
    assert "T-shirt size" in header and not any("Passport" in str(title) for title in header)
    sizes = [row[header.index("T-shirt size")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(sizes) == ["Large", "Large", "Medium"]
    assert not any(passport in str(cell.value) for row in sheet.iter_rows() for cell in row for passport in PASSPORTS)

    # The API's event, imported into another installation, keeps every question in all eight languages.
    exported = client.get(f"/api/v1/events/{event.slug}").get_json()
    assert [question["key"] for question in exported["questions"]] == keys
    assert all(set(question["labels"]) == set(LOCALES) for question in exported["questions"])
    path = tmp_path / "events.json"
    path.write_text(json.dumps({"events": [exported]}, ensure_ascii=False), encoding="utf-8")
    other = create_app(config_for(scratch_url))
    with other.app_context():
        upgrade()
        result = other.test_cli_runner().invoke(args=["import-events", str(path)])
        assert result.exit_code == 0, result.output
        imported = db.session.scalar(select(Event).where(Event.slug == event.slug))
        again = other.test_client().get(f"/api/v1/events/{event.slug}").get_json()
        assert again["questions"] == exported["questions"] and len(imported.questions) == 8
        db.session.remove()
        db.engine.dispose()
