"""Cover images through HTTP: the editor's upload, the files' URLs and headers, the pages and link previews."""

import io
import re
import time

import pytest
from image_files import PHP, SVG, photo, png_bomb, truncated_jpeg
from PIL import Image
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import Event, EventTranslation
from exchange.services.images import KEPT_UPLOAD_SECONDS, discard_abandoned, media_dir

PASSWORD = "correct horse battery staple"


@pytest.fixture
def event(make_event):
    return make_event(slug="lantern-night-2031", titles={"vi": "Đêm hoa đăng", "en": "Lantern night"})


@pytest.fixture
def editor(client, login, make_user, event):
    login(make_user("organizer@example.org", events=[event]))
    return client


def _form(event: Event, **changes) -> dict:
    """The editor's form for `event` as it stands, with `changes` (a file as (bytes, name, type))."""
    data = {
        "slug": event.slug, "category": event.category.value, "timezone": event.timezone,
        "starts_at": "2031-06-01T18:00", "ends_at": "2031-06-01T22:00", "venue_name": event.venue_name,
        "venue_address": event.venue_address, "capacity": str(event.capacity),
        "registration_opens_at": "2031-04-01T08:00", "registration_closes_at": "2031-05-30T23:00",
        "allows_individuals": "y", "max_delegation_size": "5",
        "content-vi-title": "Đêm hoa đăng", "content-en-title": "Lantern night",
        "content-vi-image_alt": "Hoa đăng thả trên sông Hậu",
    }  # fmt: skip
    for key, value in changes.items():
        data[key] = (io.BytesIO(value[0]), value[1], value[2]) if isinstance(value, tuple) else value
    return data


def _upload(client, event, data: bytes = b"", name="lanterns.jpg", mimetype="image/jpeg", **changes):
    return client.post(
        f"/organizer/events/{event.slug}/edit",
        data=_form(event, image=(data or photo(), name, mimetype), **changes),
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )


def _files() -> set[str]:
    return {path.name for path in media_dir().glob("*")} if media_dir().exists() else set()


def _image_of(slug: str) -> str | None:
    db.session.rollback()
    return db.session.scalar(select(Event.image_hash).where(Event.slug == slug))


def test_an_uploaded_image_shows_on_the_event_page_the_catalog_and_link_previews(editor, event):
    assert _upload(editor, event).status_code == 303
    image_hash = _image_of(event.slug)
    assert image_hash and len(_files()) == 6
    editor.post("/organizer/logout")

    page = editor.get(f"/en/events/{event.slug}/").get_data(as_text=True)
    webp = ", ".join(f"/media/{image_hash}-{w}.webp {w}w" for w in (480, 960, 1600))
    assert f'<source type="image/webp" srcset="{webp}"' in page
    img = re.search(r'<img src="/media/[^>]+>', page).group(0)
    assert f'srcset="/media/{image_hash}-480.jpg 480w,' in img and 'width="1600" height="800"' in img
    assert 'loading="eager"' in img and 'sizes="' in img
    # English has no alt text: the Vietnamese one is read, marked as Vietnamese.
    assert 'alt="Hoa đăng thả trên sông Hậu" lang="vi"' in img
    base = "https://events.example.test"
    assert f'<meta property="og:image" content="{base}/media/{image_hash}-1600.jpg">' in page
    assert '<meta property="og:image:alt" content="Hoa đăng thả trên sông Hậu">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert f'<meta name="twitter:image" content="{base}/media/{image_hash}-1600.jpg">' in page
    # The facts and the registration box come before the picture in the page.
    assert page.index('class="registration-box"') < page.index('class="event__cover"')

    catalog = editor.get("/en/events/").get_data(as_text=True)
    card = re.search(r'<picture class="card__image">.*?</picture>', catalog, re.S).group(0)
    assert 'loading="lazy"' in card and 'alt=""' in card and f"{image_hash}-480.webp 480w" in card

    api = editor.get(f"/api/v1/events/{event.slug}").get_json()
    assert api["image"]["alt"] == {"vi": "Hoa đăng thả trên sông Hậu"}
    assert api["image"]["sources"][0] == {
        "width": 480, "height": 240,
        "webp": f"{base}/media/{image_hash}-480.webp", "jpeg": f"{base}/media/{image_hash}-480.jpg",
    }  # fmt: skip


def test_a_page_without_an_image_keeps_the_small_twitter_card(client, event):
    page = client.get(f"/en/events/{event.slug}/").get_data(as_text=True)
    assert '<meta name="twitter:card" content="summary">' in page and "og:image" not in page and "<picture" not in page


def test_image_files_are_served_for_a_year_with_their_own_type(editor, event):
    _upload(editor, event)
    image_hash = _image_of(event.slug)
    for extension, mimetype in (("webp", "image/webp"), ("jpg", "image/jpeg")):
        with editor.get(f"/media/{image_hash}-960.{extension}") as response:
            assert response.status_code == 200 and response.mimetype == mimetype
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert "Cookie" not in response.headers.get("Vary", "") and "Set-Cookie" not in response.headers
            assert response.data[:4] in (b"RIFF", b"\xff\xd8\xff\xe0")


@pytest.mark.parametrize(
    "path",
    [
        "/media/0123456789abcdef0123456789abcdef-480.webp",  # well formed, no such image
        "/media/secret_key",
        "/media/..%2fsecret_key",
        "/media/../instance/secret_key",
        "/media/%2e%2e/%2e%2e/exchange/config.py",
        "/media/0123456789abcdef0123456789abcdef-480.png",
        "/media/0123456789abcdef0123456789abcdef-480.webp.php",
        "/media/0123456789ABCDEF0123456789ABCDEF-480.webp",
        "/media/",
    ],
)
def test_unknown_names_and_paths_out_of_the_directory_are_404(client, path):
    media_dir().mkdir(parents=True, exist_ok=True)
    (media_dir() / "secret_key").write_text("not for you")
    response = client.get(path)
    assert response.status_code == 404 and b"not for you" not in response.data


@pytest.mark.parametrize(
    "data, name, mimetype, message",
    [
        (PHP, "shell.jpg", "image/jpeg", "This file is not a JPEG, PNG or WebP image, or it is damaged."),
        (SVG, "logo.svg", "image/svg+xml", "This file is not a JPEG, PNG or WebP image, or it is damaged."),
        (truncated_jpeg(), "cut.jpg", "image/jpeg", "This file is not a JPEG, PNG or WebP image, or it is damaged."),
        (png_bomb(), "bomb.png", "image/png", "The image has too many pixels (at most 40 million); make it smaller."),
    ],
    ids=["php-as-jpg", "svg", "truncated-jpeg", "png-bomb"],
)
def test_a_refused_upload_is_explained_by_the_field_and_changes_nothing(editor, event, data, name, mimetype, message):
    response = _upload(editor, event, data, name, mimetype, **{"content-vi-title": "Changed"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<p class="error" id="image-error">{message}</p>' in page
    assert 'href="#image"' in page  # the error summary links to the field
    assert _image_of(event.slug) is None and _files() == set()
    assert db.session.scalar(select(EventTranslation.title).where(EventTranslation.lang == "vi")) == "Đêm hoa đăng"


def test_a_file_over_the_image_limit_is_refused_by_the_field(editor, event, app):
    app.config["IMAGE_MAX_BYTES"] = int(0.3 * 1024 * 1024)  # the request may still be 1.3 MB
    noise = Image.effect_noise((380, 380), 100).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "PNG")
    # Under 500 kB, which the test client would spool to a file it never closes.
    assert app.config["IMAGE_MAX_BYTES"] < len(out.getvalue()) < 500 * 1024
    page = _upload(editor, event, out.getvalue(), "noise.png", "image/png").get_data(as_text=True)
    assert '<p class="error" id="image-error">The image is larger than 0.3 MB; choose a smaller one.</p>' in page
    assert _image_of(event.slug) is None and _files() == set()


@pytest.mark.parametrize("lang, words", [("en", "File too large"), ("vi", "Tệp quá lớn"), ("ko", "파일이 너무 큽니다")])
def test_a_body_past_the_request_limit_gets_a_translated_413_page(client, login, make_user, event, app, lang, words):
    login(make_user("organizer@example.org", events=[event], language=lang))  # the back office speaks the organizer's language
    app.config.update(MAX_CONTENT_LENGTH=64 * 1024, IMAGE_MAX_BYTES=64 * 1024)
    huge = b"\xff\xd8\xff\xe0" + b"\0" * (200 * 1024)
    response = client.post(
        f"/organizer/events/{event.slug}/edit",
        data=_form(event, image=(huge, "huge.jpg", "image/jpeg")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 413 and words in response.get_data(as_text=True)
    assert _image_of(event.slug) is None and _files() == set()


def test_the_editor_shows_the_image_warns_without_alt_text_and_removes_it(editor, event):
    _upload(editor, event, **{"content-vi-image_alt": ""})
    first = _image_of(event.slug)
    page = editor.get(f"/organizer/events/{event.slug}/edit", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and f"/media/{first}-1600.jpg" in page
    assert "The image has no description in any language" in page and 'name="remove_image"' in page

    # Replacing it deletes the old files (no other event uses them).
    _upload(editor, event, photo(color=(200, 90, 10)))
    second = _image_of(event.slug)
    assert second != first and {name.split("-")[0] for name in _files()} == {second}

    editor.post(f"/organizer/events/{event.slug}/edit", data=_form(event, remove_image="y"))
    assert _image_of(event.slug) is None and _files() == set()


def test_an_image_sent_with_a_mistake_elsewhere_is_kept_for_the_corrected_form(editor, event):
    response = _upload(editor, event, capacity="many")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="capacity-error"' in page
    assert "The image you chose is kept" in page and _image_of(event.slug) is None
    kept = re.search(r'name="kept_image" type="hidden" value="([^"]+)"', page).group(1)
    image_hash = re.search(r'src="/media/([0-9a-f]{32})-1600.jpg"', page).group(1)

    # The browser sends the form again without the file: the kept one is saved.
    fixed = editor.post(f"/organizer/events/{event.slug}/edit", data=_form(event, kept_image=kept))
    assert fixed.status_code == 303 and _image_of(event.slug) == image_hash
    assert {name.split("-")[0] for name in _files()} == {image_hash}


@pytest.mark.parametrize("token", ["forged", "W1siZmFrZSJdXQ.aaaa.bbbb", ""])
def test_a_forged_kept_image_is_ignored(editor, event, token):
    assert editor.post(f"/organizer/events/{event.slug}/edit", data=_form(event, kept_image=token)).status_code == 303
    assert _image_of(event.slug) is None


def test_kept_uploads_never_saved_are_deleted_a_day_later(app, editor, event):
    _upload(editor, event, capacity="many")  # kept, never sent again
    _upload(editor, event, photo(color=(10, 120, 200)))  # another one saved with the event
    saved = _image_of(event.slug)
    assert len({name.split("-")[0] for name in _files()}) == 2
    assert discard_abandoned() == []  # still waiting for its form
    deleted = discard_abandoned(now=time.time() + KEPT_UPLOAD_SECONDS + 1)
    assert len(deleted) == 6 and {name.split("-")[0] for name in _files()} == {saved}


def test_a_cached_event_page_shows_a_new_image_at_once(client, login, make_user, event):
    assert "<picture" not in client.get(f"/en/events/{event.slug}/").get_data(as_text=True)
    assert "<picture" not in client.get("/en/events/").get_data(as_text=True)
    organizer = make_user("organizer@example.org", events=[event])
    for change in ("upload", "remove"):
        login(organizer)
        if change == "upload":
            assert _upload(client, event).status_code == 303
        else:
            client.post(f"/organizer/events/{event.slug}/edit", data=_form(event, remove_image="y"))
        login(None)
        client.delete_cookie("session")
        shown = "<picture" in client.get(f"/en/events/{event.slug}/").get_data(as_text=True)
        assert shown == (change == "upload")
        assert ("<picture" in client.get("/en/events/").get_data(as_text=True)) == (change == "upload")
        assert (client.get(f"/api/v1/events/{event.slug}").get_json()["image"] is not None) == (change == "upload")
