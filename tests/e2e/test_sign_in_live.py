"""Sessions and the sign-in throttle through gunicorn: several workers, real cookies, CSRF on, Redis counters."""

import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """Cookies, no automatic redirects, form posts with the page's CSRF token: what a person's browser does."""

    def __init__(self, base_url: str):
        self.base_url, self.cookies = base_url, CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect)

    def open(self, path: str, data: dict | None = None, cookie: str | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.base_url + path, data=urllib.parse.urlencode(data).encode() if data else None)
        if cookie is not None:
            request.add_header("Cookie", f"session={cookie}")
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def post_form(self, path: str, form_page: str, **fields) -> tuple[int, str]:
        token = CSRF.search(self.open(form_page)[1]).group(1)
        return self.open(path, {"csrf_token": token, **fields})

    def sign_in(self, email: str, password: str = PASSWORD) -> int:
        return self.post_form("/organizer/login", "/organizer/login", email=email, password=password)[0]

    def session_cookie(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == "session")


def test_a_captured_cookie_stops_working_at_sign_out_on_every_worker(start_server, make_user):
    make_user("organizer@example.org")
    with start_server(workers=3) as base_url:
        person, thief = Browser(base_url), Browser(base_url)
        assert person.sign_in("organizer@example.org") == 303
        captured = person.session_cookie()
        assert all(thief.open("/organizer/", cookie=captured)[0] == 200 for _ in range(6))
        assert person.post_form("/organizer/logout", "/organizer/")[0] == 303
        assert all(thief.open("/organizer/", cookie=captured)[0] == 302 for _ in range(6))


def test_a_soft_hyphen_gains_no_extra_guesses_across_workers(start_server, make_user):
    make_user("organizer@example.org")
    settings = {
        "RATELIMIT_ENABLED": "true", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}", "LOGIN_FAILURES_PER_ACCOUNT": '"3 per 1 minute"',
    }  # fmt: skip
    with start_server(workers=3, **settings) as base_url:
        owner, attacker = Browser(base_url), Browser(base_url)
        assert owner.sign_in("organizer@example.org") == 303  # the owner's browser becomes a known device
        spellings = ["organizer@example.org", "organi\u00adzer@example.org", "ORGANIZER@example.org"]
        assert [attacker.sign_in(email, "a wrong guess") for email in spellings] == [200, 200, 200]
        assert attacker.sign_in("organ\u00adizer@example.org", PASSWORD) == 429  # refused unchecked
        assert attacker.sign_in("organizer@exa\u200bmple.org", PASSWORD) == 429
        owner.post_form("/organizer/logout", "/organizer/")
        assert owner.sign_in("organizer@example.org") == 303  # the owner is not locked out
