"""Locales, locale selection and locale-aware formatting.

Public URLs carry the locale as their first segment; that wins. Elsewhere
(the back office, API errors, `/`) the language cookie decides, then the
browser's Accept-Language, then BABEL_DEFAULT_LOCALE.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton, format_time, get_timezone_location
from flask import abort, current_app, g, has_request_context, request, url_for
from flask_babel import get_locale, refresh
from flask_login import current_user
from markupsafe import Markup

from .links import url_with_query
from .validators import format_phone

# The UI locales, in the order the language switcher lists them.
LOCALES: tuple[str, ...] = ("vi", "en", "ko", "ja", "lo", "km", "th", "fr")

# Open Graph names a page's language with a territory (language_TERRITORY).
OG_LOCALES = {
    "vi": "vi_VN",
    "en": "en_GB",
    "ko": "ko_KR",
    "ja": "ja_JP",
    "lo": "lo_LA",
    "km": "km_KH",
    "th": "th_TH",
    "fr": "fr_FR",
}

# Where event content comes from when it is missing in the page's language.
CONTENT_FALLBACK: tuple[str, ...] = ("en", "vi")


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    lang = g.get("lang")
    if lang in LOCALES:
        return lang
    if current_user and current_user.is_authenticated:
        return current_user.language  # the back office speaks the organizer's chosen language
    return preferred_locale()


def preferred_locale() -> str:
    """The visitor's language from the cookie, then Accept-Language."""
    cookie = request.cookies.get(current_app.config["LANGUAGE_COOKIE_NAME"])
    if cookie in LOCALES:
        return cookie
    return request.accept_languages.best_match(LOCALES) or current_app.config["BABEL_DEFAULT_LOCALE"]


@cache
def language_names() -> dict[str, str]:
    """Each UI locale's name written in that language (for the switcher)."""
    return {code: Locale.parse(code).get_display_name(code) for code in LOCALES}


def language_name(code: str) -> str:
    """The name of a language in the current locale, e.g. 'tiếng Anh' for en in vi."""
    return Locale.parse(str(get_locale())).languages.get(code, code)


@cache
def territory_choices(locale: str) -> tuple[tuple[str, str], ...]:
    """(ISO code, name) of every country in `locale`, sorted by name."""
    names = Locale.parse(locale).territories
    # Two-letter codes are countries and territories; digits are regions such as "World".
    pairs = [
        (code, name)
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB", "XK"}
    ]
    return tuple(sorted(pairs, key=lambda pair: pair[1]))


def country_choices() -> tuple[tuple[str, str], ...]:
    """(ISO code, name) of every country, named and sorted in the current locale."""
    return territory_choices(str(get_locale()))


@cache
def _languages(locale: str) -> tuple[tuple[str, str], ...]:
    names = Locale.parse(locale).languages
    return tuple(sorted(((code, name) for code, name in names.items() if len(code) == 2), key=lambda pair: pair[1]))


def language_choices() -> tuple[tuple[str, str], ...]:
    """(ISO 639-1 code, name) of every language, named and sorted in the current locale."""
    return _languages(str(get_locale()))


def _code_for_name(text: str, names_by_locale) -> str | None:
    """The code whose name (in the current locale, English or Vietnamese) or code is `text`, ignoring case."""
    wanted = text.strip().casefold()
    if not wanted:
        return None
    for locale in dict.fromkeys((str(get_locale()), "en", "vi")):
        for code, name in names_by_locale(locale):
            if wanted in (code.casefold(), name.casefold()):
                return code
    return None


def language_code_for(text: str) -> str | None:
    """ISO 639-1 code of a language typed or picked by code or by name; None if unknown."""
    return _code_for_name(text, _languages)


def language_name_in_locale(code: str) -> str:
    return Locale.parse(str(get_locale())).languages.get(code, code)


def is_country_code(code: str) -> bool:
    return any(code == known for known, _ in territory_choices("en"))


def country_name(code: str) -> str:
    return Locale.parse(str(get_locale())).territories.get(code, code)


def _local(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(ZoneInfo(timezone))


# Thai readers count years in the Buddhist era (พ.ศ.), 543 years ahead of the
# Gregorian one Babel formats with (ค.ศ.).
BUDDHIST_ERA_OFFSET = 543


def _in_era(text: str, *days: date) -> str:
    """`text` (a date just formatted) with its years in the calendar the current locale reads them in."""
    if str(get_locale()).split("_")[0] != "th":
        return text
    for year in sorted({day.year for day in days}, reverse=True):
        text = re.sub(rf"(?<!\d){year}(?!\d)", str(year + BUDDHIST_ERA_OFFSET), text)
    return text.replace("ค.ศ.", "พ.ศ.")


def format_event_dates(starts_at: datetime, ends_at: datetime, timezone: str) -> str:
    """The event's day or days, e.g. 'Monday, 21 June 2027', in the event's time zone."""
    locale = get_locale()
    start, end = _local(starts_at, timezone), _local(ends_at, timezone)
    if start.date() == end.date():
        return _in_era(format_date(start, "full", locale=locale), start)
    return _in_era(format_interval(start.date(), end.date(), "yMMMMEEEEd", locale=locale), start, end)


def format_event_times(starts_at: datetime, ends_at: datetime, timezone: str) -> str:
    """The daily hours, e.g. '06:00 – 08:30', in the event's time zone."""
    locale = get_locale()
    start, end = _local(starts_at, timezone), _local(ends_at, timezone)
    return f"{format_time(start, 'short', locale=locale)} – {format_time(end, 'short', locale=locale)}"


def format_short_date(moment: datetime, timezone: str) -> str:
    local = _local(moment, timezone)
    return _in_era(format_date(local, "medium", locale=get_locale()), local)


def format_day_month(moment: datetime, timezone: str, now: datetime | None = None) -> str:
    """The day and month ("3 March", "3월 3일"), with the year only when it is not the current one."""
    local = _local(moment, timezone)
    this_year = _local(now or datetime.now(UTC), timezone).year
    return format_skeleton("MMMMd" if local.year == this_year else "yMMMMd", local, locale=get_locale())


def format_day(day) -> str:
    """A calendar day, e.g. '21 thg 6, 2027'."""
    return _in_era(format_date(day, "medium", locale=get_locale()), day)


def format_time_in(moment: datetime, timezone: str) -> str:
    """The time of day of `moment` in `timezone`, e.g. '06:05'."""
    return format_time(_local(moment, timezone), "short", locale=get_locale())


def format_timezone(timezone: str) -> str:
    """A readable name for the zone, e.g. 'Giờ Việt Nam' for Asia/Ho_Chi_Minh in vi.

    French CLDR writes "heure : Viêt Nam"; a French reader says "heure de
    Hô-Chi-Minh-Ville" (the zone's city, elided before a vowel: "heure d’Anchorage").
    """
    locale = get_locale()
    if str(locale).split("_")[0] == "fr":
        city = get_timezone_location(ZoneInfo(timezone), locale=locale, return_city=True)
        return f"heure d’{city}" if city[:1].upper() in "AEIOUYÂÉÈÊÎÔÛ" else f"heure de {city}"
    return get_timezone_location(ZoneInfo(timezone), locale=locale)


def format_month(year: int, month: int) -> str:
    first = datetime(year, month, 1)
    return _in_era(format_skeleton("yMMMM", first, locale=get_locale()), first)


def lang_attr(lang: str | None) -> Markup:
    """` lang="xx"` for content in another language than the page's (so it gets its script's font), else nothing."""
    if not lang or lang == str(get_locale()):
        return Markup("")
    return Markup(' lang="%s"') % lang


def switch_language_url(code: str) -> str:
    """The current page in another language, query string kept."""
    rule = request.url_rule
    if rule is not None and "lang" in rule.arguments and request.endpoint:
        return url_with_query(request.endpoint, request.args, **{**(request.view_args or {}), "lang": code})
    return url_for("public.home", lang=code)


def localize_blueprint(bp) -> None:
    """Make `bp`'s URLs start with /<lang>/: read it, add it to url_for, remember it in a cookie."""

    @bp.url_value_preprocessor
    def pull_lang(_endpoint, values):
        lang = values.pop("lang", None) if values else None
        if lang not in LOCALES:
            abort(404)
        g.lang = lang

    @bp.url_defaults
    def add_lang(_endpoint, values):
        if "lang" not in values and g.get("lang"):
            values["lang"] = g.lang

    @bp.after_request
    def remember_lang(response):
        # The language a visitor last read in is where / sends them next time.
        name, lang = current_app.config["LANGUAGE_COOKIE_NAME"], g.get("lang")
        if lang and request.cookies.get(name) != lang:
            response.set_cookie(name, lang, **language_cookie_settings(current_app.config))
        return response


def language_cookie_settings(config) -> dict:
    """How the language cookie is set (here and by the page cache's front, caching.PageCacheFront)."""
    return {
        "max_age": config["LANGUAGE_COOKIE_MAX_AGE"],
        "samesite": "Lax",
        "secure": config["SESSION_COOKIE_SECURE"],
        "httponly": True,
    }


def reset_request_state(_endpoint=None, _values=None) -> None:
    """Let each request choose its locale and load its user afresh.

    Flask-Babel caches the locale and Flask-Login the user on the application
    context, which requests share whenever one is already pushed (as in
    tests and CLI code).
    """
    g.pop("lang", None)
    g.pop("_login_user", None)
    refresh()


def register_template_helpers(app) -> None:
    # A URL value preprocessor, so it runs before the public blueprint reads <lang>.
    app.url_value_preprocessor(reset_request_state)
    app.jinja_env.globals.update(
        LOCALES=LOCALES,
        language_names=language_names,
        language_name=language_name,
        lang_attr=lang_attr,
        switch_language_url=switch_language_url,
        url_with_query=url_with_query,
        country_name=country_name,
        current_locale=lambda: str(get_locale()),
    )
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.filters.update(
        event_dates=lambda event: format_event_dates(event.starts_at, event.ends_at, event.timezone),
        event_times=lambda event: format_event_times(event.starts_at, event.ends_at, event.timezone),
        timezone_name=format_timezone,
        phone=format_phone,
    )
    app.jinja_env.globals["format_short_date"] = format_short_date
    app.jinja_env.globals["format_day_month"] = format_day_month
    app.jinja_env.globals["og_locale"] = OG_LOCALES.__getitem__
    app.jinja_env.globals["format_time_in"] = format_time_in
