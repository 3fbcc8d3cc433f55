"""The event editor's rules: create, edit, duplicate, publish, cancel."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import select, update

from ..database import for_update, transactional
from ..errors import ExchangeError
from ..extensions import db
from ..models import (
    ACTIVE_STATUSES,
    Category,
    Event,
    EventStatus,
    EventTranslation,
    Invitation,
    InvitationStatus,
    Registration,
    RegistrationStatus,
)
from .anniversaries import looks_like_a_count, recognise, shift_counts, years_since
from .audit import Actor, changes, record
from .images import PreparedImage, StoredImage, discard_abandoned, discard_unused, store_image
from .notifications import Notice, notify
from .registrations import notify_promoted
from .seats import fill_from_waitlist, record_change, release_seats, set_capacity
from .transitions import lock_event


class EventRefused(ExchangeError):
    """An event change was refused; nothing changed."""


@dataclass
class EventDraft:
    """What the editor submits: every field of an event and its content per language."""

    slug: str
    category: Category
    starts_at: datetime
    ends_at: datetime
    timezone: str
    venue_name: str
    venue_address: str
    capacity: int
    registration_opens_at: datetime
    registration_closes_at: datetime
    allows_individuals: bool
    allows_delegations: bool
    max_delegation_size: int
    partner_countries: list[str] = field(default_factory=list)
    # Organizers hear of delegations awaiting approval in a daily digest rather than one email each.
    approval_digest: bool = False
    # Until when delegations may replace a delegate (None: until registration closes), and whether a substitute
    # awaits approval.
    substitution_deadline: datetime | None = None
    substitutes_need_approval: bool = False
    delegations_by_invitation: bool = False
    # The venue's position in degrees: both or neither.
    latitude: float | None = None
    longitude: float | None = None
    # Whom attendees ask; contact_email is the Reply-To of the event's emails.
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    # lang -> {"title", "summary", "description", "venue_name", "venue_address", "image_alt"}; a
    # language without a title is left out; an empty venue part means the event's own.
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    # The cover image to set (a new upload, or one already stored); None with remove_image False keeps it.
    image: StoredImage | None = None
    remove_image: bool = False


# EventDraft fields that are not columns of the event, so neither copied onto it nor compared by the audit.
_NOT_COLUMNS = ("translations", "capacity", "image", "remove_image")


# The per-language fields of an event, as the editor, the audit log and duplication see them.
CONTENT_FIELDS = ("title", "summary", "description", "venue_name", "venue_address", "image_alt")


def _check(draft: EventDraft, event_id: int | None) -> None:
    if not any(content.get("title") for content in draft.translations.values()):
        raise EventRefused(_l("Give the event a title in at least one language."))
    if draft.ends_at <= draft.starts_at:
        raise EventRefused(_l("The event must end after it starts."))
    if draft.registration_closes_at <= draft.registration_opens_at:
        raise EventRefused(_l("Registration must close after it opens."))
    if draft.substitution_deadline is not None and draft.substitution_deadline > draft.ends_at:
        raise EventRefused(_l("Substitutions must close before the event ends."))
    if coordinates_problem(draft.latitude, draft.longitude):
        raise EventRefused(_l("Enter the venue's latitude (−90 to 90) and longitude (−180 to 180), or neither."))
    taken = db.session.scalar(select(Event.id).where(Event.slug == draft.slug, Event.id != (event_id or 0)))
    if taken is not None:
        raise EventRefused(_l("Another event already uses this web address."))


def coordinates_problem(latitude: float | None, longitude: float | None) -> bool:
    """Whether a pair of coordinates cannot be stored: only one given, out of range, or not a number."""
    if latitude is None and longitude is None:
        return False
    if latitude is None or longitude is None:
        return True
    # `not <=` also refuses NaN, which compares false with everything.
    return not (-90 <= latitude <= 90 and -180 <= longitude <= 180)


def capacity_refusal(seats_taken: int):
    return _ln(
        "%(num)s seat is already held, so the capacity cannot be lower.",
        "%(num)s seats are already held, so the capacity cannot be lower.",
        seats_taken,
    )


def change_capacity(event: Event, capacity: int) -> list[Registration]:
    """Set the capacity of an existing, locked event and fill the waiting list; returns whom to notify.

    Raises EventRefused when more seats are held than the new capacity.
    """
    if capacity == event.capacity:
        return []
    if not set_capacity(event, capacity):
        raise EventRefused(capacity_refusal(event.seats_taken))
    return fill_from_waitlist(event)


def _audited(event: Event) -> dict[str, object]:
    """The editor's fields of an event as the audit log compares them (content per language as `title.vi`)."""
    fields: dict[str, object] = {
        name: getattr(event, name) for name in EventDraft.__dataclass_fields__ if name not in _NOT_COLUMNS or name == "capacity"
    }
    fields["image"] = event.image_hash
    for translation in event.translations:
        for part in CONTENT_FIELDS:
            fields[f"{part}.{translation.lang}"] = getattr(translation, part)
    return fields


def save_event(actor: Actor, event_id: int | None, draft: EventDraft) -> Event:
    """Create an event (as a draft, assigned to its creator) or update one.

    Capacity cannot drop below the seats held; raising it promotes the
    waiting list, whose promoted registrants are emailed. A new cover image's
    files are written first; the files of an image no event uses any more
    (replaced, removed, or a refused save's upload) are deleted after the
    transaction, and so are those of uploads kept for a corrected form that
    never came (see images.keep_upload).
    """
    uploaded = isinstance(draft.image, PreparedImage)
    if isinstance(draft.image, PreparedImage):
        store_image(draft.image)
    try:
        event, dropped = _save_event(actor, event_id, draft)
    except BaseException:
        # An upload kept from an earlier try stays for the next one (discard_abandoned deletes it in time).
        discard_unused([draft.image.hash if uploaded and draft.image else None])
        raise
    discard_unused([dropped])
    discard_abandoned()
    return event


@transactional
def _save_event(actor: Actor, event_id: int | None, draft: EventDraft) -> tuple[Event, str | None]:
    _check(draft, event_id)
    values = {key: value for key, value in draft.__dict__.items() if key not in _NOT_COLUMNS}
    promoted: list[Registration] = []
    if event_id is None:
        event = Event(status=EventStatus.DRAFT, seats_taken=0, capacity=draft.capacity, **values)
        db.session.add(event)
        if not actor.user.is_admin:
            actor.user.events.append(event)
    else:
        event = lock_event(event_id)
        before = _audited(event)
        promoted = change_capacity(event, draft.capacity)
        for key, value in values.items():
            setattr(event, key, value)
    dropped = event.image_hash
    if draft.image is not None:
        event.image_hash, event.image_width, event.image_height = draft.image.hash, draft.image.width, draft.image.height
        event.image_widths = list(draft.image.widths)
    elif draft.remove_image:
        event.image_hash = event.image_width = event.image_height = None
        event.image_widths = []
    dropped = dropped if dropped != event.image_hash else None
    by_lang = {translation.lang: translation for translation in event.translations}
    kept = []
    for lang, content in draft.translations.items():
        if content.get("title"):
            translation = by_lang.get(lang) or EventTranslation(lang=lang)
            for part in CONTENT_FIELDS:
                setattr(translation, part, content.get(part, ""))
            kept.append(translation)
    event.translations = kept
    db.session.flush()
    for registration in promoted:
        notify_promoted(registration)
    if event_id is None:
        record(actor, "event.created", event=event, slug=event.slug)
    else:
        record(actor, "event.updated", event=event, slug=event.slug, changes=changes(before, _audited(event)) or None)
    return event, dropped


@transactional
def publish(actor: Actor, event_id: int) -> Event:
    """Make the event public. Raises EventRefused for a cancelled event."""
    event = lock_event(event_id)
    if event.status == EventStatus.CANCELLED:
        raise EventRefused(_l("A cancelled event cannot be published again; duplicate it instead."))
    if event.status == EventStatus.PUBLISHED:
        raise EventRefused(_l("This event is already published."))
    event.status = EventStatus.PUBLISHED
    record(actor, "event.published", event=event)
    return event


@transactional
def cancel_event(actor: Actor, event_id: int, message: str = "") -> int:
    """Cancel an event: every active registration is cancelled and emailed in its language. Returns how many.

    The event row is locked first, so no registration or transition of this
    event runs meanwhile, and a second click finds the event cancelled.
    """
    event = lock_event(event_id)
    if event.status == EventStatus.CANCELLED:
        raise EventRefused(_l("This event is already cancelled."))
    event.status = EventStatus.CANCELLED
    registrations = db.session.scalars(
        for_update(
            select(Registration).where(Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES))
        ).execution_options(populate_existing=True)
    ).all()
    held = sum(registration.seats for registration in registrations if registration.status.holds_seats)
    for registration in registrations:
        record_change(registration, "event_cancelled", RegistrationStatus.CANCELLED)
        notify(registration, Notice.EVENT_CANCELLED, message=message)
    # Open invitations close with it, and so give back the seats they hold.
    reserved = db.session.execute(
        update(Invitation)
        .where(Invitation.event_id == event.id, Invitation.status == InvitationStatus.ACTIVE)
        .values(status=InvitationStatus.REVOKED)
        .returning(Invitation.seats - Invitation.seats_used)
        .execution_options(synchronize_session=False)
    ).scalars()
    held += sum(reserved)
    if held:
        release_seats(event, held)
    record(actor, "event.cancelled", event=event, registrations=len(registrations))
    return len(registrations)


def next_year_slug(slug: str, year: int) -> str:
    """yoga-day-2027 becomes yoga-day-2028; other slugs get the year added."""
    match = re.fullmatch(r"(.+)-(\d{4})", slug)
    return f"{match.group(1)}-{year}" if match else f"{slug}-{year}"[:80]


def _local_year(event: Event | EventDraft) -> int:
    return event.starts_at.astimezone(ZoneInfo(event.timezone)).year


def _titles(event: Event) -> dict[str, str]:
    return {t.lang: t.title for t in event.translations}


def anniversary_needs_checking(event: Event) -> bool:
    """Whether a title counts years that are not the years of Việt Nam's relations with a partner in its year.

    "Duplicate for next year" moves such counts on by itself only for the
    anniversaries of relations it knows; any other "10 years" is the organizer's to check.
    """
    titles = _titles(event)
    return looks_like_a_count(titles) and recognise(event.partner_countries, _local_year(event), titles) is None


def duplicate_for_next_year(actor: Actor, event_id: int) -> Event:
    """Next year's edition as a draft: same content, dates and window one year later, no registrations.

    An anniversary of relations (see services/anniversaries.py) counts one
    year more in every language.
    """
    source = db.session.get(Event, event_id)
    if source is None:
        raise EventRefused(_l("This event no longer exists."))

    def shifted(moment: datetime) -> datetime:
        try:
            return moment.replace(year=moment.year + 1)
        except ValueError:  # 29 February
            return moment.replace(year=moment.year + 1, day=28)

    draft = EventDraft(
        slug=next_year_slug(source.slug, shifted(source.starts_at).year),
        category=source.category,
        starts_at=shifted(source.starts_at),
        ends_at=shifted(source.ends_at),
        timezone=source.timezone,
        venue_name=source.venue_name,
        venue_address=source.venue_address,
        capacity=source.capacity,
        registration_opens_at=shifted(source.registration_opens_at),
        registration_closes_at=shifted(source.registration_closes_at),
        allows_individuals=source.allows_individuals,
        allows_delegations=source.allows_delegations,
        max_delegation_size=source.max_delegation_size,
        partner_countries=list(source.partner_countries),
        approval_digest=source.approval_digest,
        substitution_deadline=shifted(source.substitution_deadline) if source.substitution_deadline else None,
        substitutes_need_approval=source.substitutes_need_approval,
        delegations_by_invitation=source.delegations_by_invitation,
        latitude=source.latitude,
        longitude=source.longitude,
        contact_name=source.contact_name,
        contact_email=source.contact_email,
        contact_phone=source.contact_phone,
        translations={t.lang: {part: getattr(t, part) for part in CONTENT_FIELDS} for t in source.translations},
        image=StoredImage.of(source),  # the same files: they stay while either edition uses them
    )
    anniversary = recognise(source.partner_countries, _local_year(source), _titles(source))
    if anniversary is not None:
        count = years_since(anniversary.country, _local_year(draft))
        draft.translations = {
            # The venue's name is a name: "Công viên 30 tháng 4" stays as it is.
            lang: {
                name: text if name.startswith("venue_") else shift_counts(text, lang, anniversary.count, count)
                for name, text in fields.items()
            }
            for lang, fields in draft.translations.items()
        }
    if db.session.scalar(select(Event.id).where(Event.slug == draft.slug)) is not None:
        draft = replace(draft, slug=f"{draft.slug}-copy"[:80])
    return save_event(actor, None, draft)
