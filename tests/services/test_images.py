"""Cover images: checked by content, re-encoded at a few widths without metadata, fingerprinted, cleaned up."""

import io
from dataclasses import replace

import pytest
from image_files import GPS, PHP, SVG, phone_photo, photo, png_bomb, truncated_jpeg
from PIL import Image
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import Event
from exchange.services.audit import Actor
from exchange.services.event_admin import EventDraft, EventRefused, duplicate_for_next_year, save_event
from exchange.services.images import FILE_NAME, ImageRefused, media_dir, prepare_image


@pytest.fixture(autouse=True)
def in_english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def actor(make_user):
    return Actor(user=make_user("organizer@example.org", role="admin"), ip_address="203.0.113.7")


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_an_upload_is_saved_at_each_width_as_webp_and_jpeg(app):
    image = prepare_image(io.BytesIO(photo(2000, 1000)))
    assert image.widths == (480, 960, 1600) and (image.width, image.height) == (1600, 800)
    assert sorted(image.files) == sorted(f"{image.hash}-{w}.{ext}" for w in (480, 960, 1600) for ext in ("webp", "jpg"))
    for name, data in image.files.items():
        decoded = _open(data)
        assert decoded.format == ("WEBP" if name.endswith(".webp") else "JPEG")
        width = int(FILE_NAME.fullmatch(name).group(2))
        assert decoded.size == (width, width // 2)
    # WebP is the smaller file at every width (what the <picture> offers first).
    for width in image.widths:
        assert len(image.files[f"{image.hash}-{width}.webp"]) < len(image.files[f"{image.hash}-{width}.jpg"])


def test_a_small_image_is_never_enlarged(app):
    assert prepare_image(io.BytesIO(photo(700, 400, format="PNG"))).widths == (480, 700)
    tiny = prepare_image(io.BytesIO(photo(300, 200, format="WEBP")))
    assert tiny.widths == (300,) and (tiny.width, tiny.height) == (300, 200)


def test_a_phone_photo_is_turned_upright_and_loses_every_piece_of_metadata(app):
    source = _open(phone_photo(1200, 900))
    assert source.getexif()[GPS] and "icc_profile" in source.info and "xmp" in source.info  # what the phone wrote
    image = prepare_image(io.BytesIO(phone_photo(1200, 900)))
    assert image.widths == (480, 900) and (image.width, image.height) == (900, 1200)  # portrait, as it was taken
    for data in image.files.values():
        decoded = _open(data)
        assert len(decoded.getexif()) == 0
        assert not {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp"} & set(decoded.info)
        assert b"PhoneMaker" not in data and b"GPS" not in data and b"xmpmeta" not in data
    # The red corner, top-left in the stored pixels, is top-right once turned a quarter clockwise.
    upright = _open(image.files[f"{image.hash}-900.jpg"]).convert("RGB")
    red, _, blue = upright.getpixel((upright.width - 5, 5))
    assert red > 180 and blue < 80


def test_transparency_is_flattened_on_white(app):
    clear = Image.new("RGBA", (600, 300), (0, 0, 0, 0))
    out = io.BytesIO()
    clear.save(out, "PNG")
    image = prepare_image(io.BytesIO(out.getvalue()))
    assert _open(image.files[f"{image.hash}-600.jpg"]).convert("RGB").getpixel((10, 10)) >= (250, 250, 250)


def test_names_are_fingerprints_of_the_upload(app):
    first, again = prepare_image(io.BytesIO(photo())), prepare_image(io.BytesIO(photo()))
    other = prepare_image(io.BytesIO(photo(color=(200, 100, 0))))
    assert first.hash == again.hash != other.hash
    assert len(first.hash) == 32 and all(FILE_NAME.fullmatch(name) for name in first.files)


@pytest.mark.parametrize(
    "data, message",
    [
        (PHP, "not a JPEG, PNG or WebP image"),  # a script renamed photo.jpg: the name is never looked at
        (SVG, "not a JPEG, PNG or WebP image"),
        (truncated_jpeg(), "not a JPEG, PNG or WebP image, or it is damaged"),
        (photo(200, 100, format="GIF"), "not a JPEG, PNG or WebP image"),
        (photo(200, 100, format="TIFF"), "not a JPEG, PNG or WebP image"),
        (b"", "The file is empty."),
        (png_bomb(), "too many pixels (at most 40 million)"),
    ],
    ids=["php", "svg", "truncated-jpeg", "gif", "tiff", "empty", "png-bomb"],
)
def test_hostile_or_foreign_files_are_refused(app, data, message):
    with pytest.raises(ImageRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        prepare_image(io.BytesIO(data))


def test_the_pixel_and_size_caps_come_from_the_configuration(app):
    app.config.update(IMAGE_MAX_PIXELS=1_000_000, IMAGE_MAX_BYTES=2 * 1024 * 1024)
    with pytest.raises(ImageRefused, match="at most 1 million"):
        prepare_image(io.BytesIO(photo(1200, 900)))  # 1.08 Mpx, a small file
    app.config.update(IMAGE_MAX_PIXELS=40_000_000)
    noise = Image.effect_noise((1500, 1500), 100).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "PNG")
    assert len(out.getvalue()) > 2 * 1024 * 1024
    with pytest.raises(ImageRefused, match="larger than 2 MB"):
        prepare_image(io.BytesIO(out.getvalue()))


def _draft(**changes) -> EventDraft:
    from datetime import timedelta

    from exchange.models import Category, utcnow

    starts_at = utcnow().replace(microsecond=0) + timedelta(days=40)
    values = dict(
        slug="lantern-night-2031", category=Category.CULTURE, starts_at=starts_at, ends_at=starts_at + timedelta(hours=3),
        timezone="Asia/Ho_Chi_Minh", venue_name="Bến Ninh Kiều", venue_address="", capacity=20,
        registration_opens_at=utcnow() - timedelta(days=1), registration_closes_at=starts_at - timedelta(days=1),
        allows_individuals=True, allows_delegations=False, max_delegation_size=5,
        translations={"vi": {"title": "Đêm hoa đăng", "summary": "", "description": "", "image_alt": "Hoa đăng trên sông"}},
    )  # fmt: skip
    return EventDraft(**(values | changes))


def _files() -> set[str]:
    return {path.name for path in media_dir().glob("*")} if media_dir().exists() else set()


def test_files_stay_while_an_event_uses_them_and_go_with_the_last_one(app, actor):
    first = prepare_image(io.BytesIO(photo()))
    event = save_event(actor, None, _draft(image=first))
    assert _files() == set(first.files)
    assert event.image_hash == first.hash and event.image_widths == [480, 960, 1600]
    assert event.content("vi").image_alt == "Hoa đăng trên sông"

    copy = duplicate_for_next_year(actor, event.id)  # next year's edition shows the same picture
    assert copy.image_hash == first.hash and copy.content("vi").image_alt == "Hoa đăng trên sông"

    second = prepare_image(io.BytesIO(photo(color=(200, 100, 0))))
    save_event(actor, event.id, _draft(image=second))
    assert _files() == set(first.files) | set(second.files)  # the copy still shows the first image

    save_event(actor, copy.id, replace(_draft(slug=copy.slug), remove_image=True))
    assert _files() == set(second.files)
    assert db.session.scalar(select(Event.image_hash).where(Event.id == copy.id)) is None

    save_event(actor, event.id, _draft())  # neither image nor remove: kept
    assert db.session.get(Event, event.id).image_hash == second.hash


def test_a_refused_save_leaves_no_files_behind(app, actor):
    save_event(actor, None, _draft(slug="taken"))
    image = prepare_image(io.BytesIO(photo()))
    with pytest.raises(EventRefused):
        save_event(actor, None, _draft(slug="taken", image=image))
    assert _files() == set()
