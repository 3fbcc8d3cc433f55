"""XLSX exports built in the background: progress page, one download by the organizer who asked, then gone."""

import io
import json
import os
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import AuditEntry
from exchange.services.export_jobs import wait_for_exports
from exchange.services.registrations import register

EXPORT = "/organizer/events/yoga-day-2031/export.xlsx"


@pytest.fixture
def organizer(make_user, make_event, individual):
    event = make_event(slug="yoga-day-2031", titles={"en": "Yoga Day"}, capacity=10)
    for number, name in enumerate(("Nguyễn Văn An", "김민준", "ສົມພອນ")):
        register(event.id, individual(email=f"guest{number}@example.com", full_name=name))
    return make_user("organizer@example.org", events=[event]), event


def _exports_dir(app) -> Path:
    return Path(app.config["EXPORTS_DIR"])


def test_the_export_is_built_aside_then_downloaded_once_and_deleted(app, client, login, organizer, xlsx_export):
    user, _ = organizer
    login(user)
    progress, download = xlsx_export(EXPORT)
    assert download.status_code == 200
    assert download.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(download.data)).active
    download.close()
    # In the organizer's alphabetical order: ICU puts Latin, then Lao, then Hangul.
    assert [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Nguyễn Văn An", "ສົມພອນ", "김민준"]
    assert list(_exports_dir(app).glob("*.xlsx*")) == []
    # The page now says so, and a second download finds nothing to send.
    again = client.get(progress + "download")
    assert (again.status_code, again.headers["Location"]) == (302, progress)
    page = client.get(progress, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The file has been downloaded and deleted from the server." in page
    assert 'http-equiv="refresh"' not in page
    assert [entry.details["format"] for entry in db.session.scalars(select(AuditEntry))] == ["xlsx"]


def test_the_progress_page_refreshes_until_the_file_is_ready(app, client, login, organizer):
    user, _ = organizer
    login(user)
    progress = client.get(EXPORT).headers["Location"]
    page = client.get(progress, headers={"Accept-Language": "en"}).get_data(as_text=True)
    # Either still running (refreshes itself, counts rows) or done (sends the browser to the download).
    assert ('http-equiv="refresh" content="2"' in page and "rows written" in page) or (
        f'content="0; url={progress}download"' in page
    )
    deadline = time.monotonic() + 20
    while 'content="2"' in (page := client.get(progress, headers={"Accept-Language": "en"}).get_data(as_text=True)):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert "The file is ready; the download starts by itself." in page


def test_only_the_organizer_who_asked_may_see_or_download_it(app, client, login, organizer, make_user, xlsx_export):
    user, event = organizer
    colleague = make_user("colleague@example.org", events=[event])  # may export this event, did not ask for this file
    login(user)
    progress, download = xlsx_export(EXPORT + "?status=confirmed")
    download.close()
    progress = client.get(EXPORT).headers["Location"]  # a fresh one, not yet downloaded
    login(colleague)
    assert client.get(progress).status_code == 404
    assert client.get(progress + "download").status_code == 404
    login(user)
    assert client.get(progress).status_code == 200


def test_an_export_is_gone_after_an_hour(app, client, login, organizer):
    user, _ = organizer
    login(user)
    progress = client.get(EXPORT).headers["Location"]
    wait_for_exports()  # built and its state saved: nothing rewrites the files after they are backdated
    assert any(_exports_dir(app).glob("*.xlsx")) and not any(_exports_dir(app).glob("*.part"))
    two_hours_ago = time.time() - 7200
    for path in _exports_dir(app).iterdir():
        os.utime(path, (two_hours_ago, two_hours_ago))
    assert client.get(progress + "download").status_code == 404
    assert list(_exports_dir(app).iterdir()) == []


def test_an_export_whose_worker_died_says_it_failed(app, client, login, organizer, xlsx_export):
    user, _ = organizer
    login(user)
    progress, download = xlsx_export(EXPORT)
    download.close()
    # A worker killed mid-build leaves its state at "running" and stops updating it.
    (state_file,) = _exports_dir(app).glob("*.json")
    state = json.loads(state_file.read_text())
    state.update(state="running", updated_at="2026-01-01T00:00:00+00:00")
    state_file.write_text(json.dumps(state))
    page = client.get(progress, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The file could not be built. Please try again." in page
    assert 'http-equiv="refresh"' not in page


def test_unknown_and_malformed_export_ids_are_404(client, login, organizer):
    user, _ = organizer
    login(user)
    for job_id in ("a" * 22, "..%2F..%2Fsecret_key", "x"):
        assert client.get(f"/organizer/exports/{job_id}/").status_code == 404
        assert client.get(f"/organizer/exports/{job_id}/download").status_code == 404
