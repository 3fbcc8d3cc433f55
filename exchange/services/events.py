"""Reading events for the public pages, the feeds and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, bindparam, case, select
from sqlalchemy.orm import aliased, lazyload, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from ..extensions import db
from ..i18n import CONTENT_FALLBACK
from ..models import Audience, Category, Event, EventStatus, EventTranslation, utcnow
from .search import all_words_in, search_words

# Drafts are never public; cancelled events stay visible so people learn of it.
PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


@dataclass(frozen=True)
class CatalogFilters:
    category: Category | None = None
    month: tuple[int, int] | None = None  # (year, month) in the programme's time zone
    audience: Audience | None = None
    search: str = ""  # words to find in the title or summary of any one language


def _public_events() -> Select:
    return select(Event).where(Event.status.in_(PUBLIC_STATUSES))


def _one_translation(lang: str, *, description: bool = False) -> LoaderOption:
    """Load each event's translations as only the one `Event.content(lang)` would pick.

    The choice is the same as `Event.content`: `lang`, then the fallbacks in order, then
    any (the first by language code), made by a correlated subquery so that a page reads
    one translation row per event whatever the number of languages. Cards leave the
    description unread; it is the bulk of every row.
    """
    ranked = aliased(EventTranslation)
    order = {candidate: rank for rank, candidate in enumerate(dict.fromkeys((lang, *CONTENT_FALLBACK)))}
    best = (
        select(ranked.id)
        .where(ranked.event_id == EventTranslation.event_id)
        .order_by(case(order, value=ranked.lang, else_=len(order)), ranked.lang)
        .limit(1)
        .scalar_subquery()
    )
    columns = [
        EventTranslation.lang, EventTranslation.title, EventTranslation.summary,
        EventTranslation.venue_name, EventTranslation.venue_address,
    ]  # fmt: skip
    if description:
        columns.append(EventTranslation.description)
    return selectinload(Event.translations.and_(EventTranslation.id == best)).load_only(*columns)


def _not_ended(query: Select, now: datetime) -> Select:
    return query.where(Event.ends_at >= now)


def upcoming_events(limit: int, lang: str, now: datetime | None = None) -> list[Event]:
    """The next public events that have not ended, soonest first, with their card content in `lang`.

    Each event's `translations` holds only the one `content(lang)` shows, without its description.
    """
    query = _not_ended(_public_events(), now or utcnow()).order_by(Event.starts_at, Event.id).limit(limit)
    return list(db.session.scalars(query.options(_one_translation(lang))))


def catalog_page(filters: CatalogFilters, page: int, lang: str, now: datetime | None = None) -> Pagination:
    """One page of the catalog: public events not yet ended, filtered, soonest first.

    A search matches an event whose title or summary in any language holds every word
    (accents, case and width aside): "can tho" finds "Cần Thơ" in a French page too.
    It is a subquery of the same statement, so a page runs as many statements with
    a search as without. Each event's `translations` holds only the one
    `content(lang)` shows, without its description.
    """
    query = _not_ended(_public_events(), now or utcnow()).options(_one_translation(lang))
    if filters.category:
        query = query.where(Event.category == filters.category)
    if filters.audience == Audience.INDIVIDUALS:
        query = query.where(Event.allows_individuals.is_(True))
    elif filters.audience == Audience.DELEGATIONS:
        query = query.where(Event.allows_delegations.is_(True))
    if filters.month:
        month_start, month_end = _month_bounds(*filters.month)
        query = query.where(Event.starts_at < month_end, Event.ends_at >= month_start)
    if words := search_words(filters.search):
        query = query.where(
            Event.id.in_(select(EventTranslation.event_id).where(all_words_in(words, EventTranslation.search_text)))
        )
    query = query.order_by(Event.starts_at, Event.id)
    return db.paginate(query, page=page, per_page=current_app.config["EVENTS_PER_PAGE"], error_out=False)


def catalog_months(now: datetime | None = None) -> list[tuple[int, int]]:
    """The (year, month) pairs in which upcoming public events start, for the month filter."""
    zone = ZoneInfo(current_app.config["DEFAULT_EVENT_TIMEZONE"])
    starts = db.session.scalars(_not_ended(select(Event.starts_at).where(Event.status.in_(PUBLIC_STATUSES)), now or utcnow()))
    return sorted({(local.year, local.month) for local in (start.astimezone(zone) for start in starts)})


def _month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    zone = ZoneInfo(current_app.config["DEFAULT_EVENT_TIMEZONE"])
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start, end


def public_event(slug: str) -> Event | None:
    """A published or cancelled event by slug; None for drafts and unknown slugs."""
    return db.session.scalar(_public_events().where(Event.slug == slug))


def public_event_page(slug: str, lang: str) -> Event | None:
    """Like `public_event`, with `translations` holding only the one `content(lang)` shows."""
    return db.session.scalar(_public_events().where(Event.slug == slug).options(_one_translation(lang, description=True)))


def public_event_for_form(slug: str) -> Event | None:
    """Like `public_event`, its translations left unread until a page is rendered (a successful POST renders none)."""
    return db.session.scalar(_PUBLIC_EVENT_FOR_FORM, {"slug": slug})


# Every registration POST runs it; built once, since building it costs more than running it.
_PUBLIC_EVENT_FOR_FORM = _public_events().where(Event.slug == bindparam("slug")).options(lazyload(Event.translations))


class FeedWindow(StrEnum):
    """Which public events the API and the calendar feed list (`?when=`)."""

    UPCOMING = "upcoming"  # not yet ended: the default, so a feed stays small however long the programme runs
    PAST = "past"  # ended
    ALL = "all"


def _feed_query(when: FeedWindow, now: datetime | None) -> Select:
    query = _public_events()
    if when == FeedWindow.UPCOMING:
        query = _not_ended(query, now or utcnow())
    elif when == FeedWindow.PAST:
        query = query.where(Event.ends_at < (now or utcnow()))
    return query.order_by(Event.starts_at, Event.id)


def public_events(when: FeedWindow = FeedWindow.UPCOMING, now: datetime | None = None) -> list[Event]:
    """The public events in `when`, soonest first (the calendar feed)."""
    return list(db.session.scalars(_feed_query(when, now)))


def public_events_page(when: FeedWindow, page: int, per_page: int, now: datetime | None = None) -> Pagination:
    """One page of the public events in `when`, soonest first (the API), with their questions loaded in one
    statement for the page; a page past the last is empty."""
    query = _feed_query(when, now).options(selectinload(Event.questions))
    return db.paginate(query, page=page, per_page=per_page, max_per_page=per_page, error_out=False)
