"""A person's HTTP session against the real server: cookies, CSRF tokens, no redirects followed."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PASSWORD = "correct horse battery staple"  # make_user's


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int
    body: str
    location: str = ""


class Session:
    """One visitor: a cookie jar and the CSRF token of the last page they loaded."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)
        self.token = ""

    def request(self, path: str, data: dict | None = None, timeout: float = 120) -> Answer:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base_url + path, data=body, timeout=timeout) as response:
                answer = Answer(response.status, response.read().decode(errors="replace"), response.headers.get("Location", ""))
        except urllib.error.HTTPError as error:
            answer = Answer(error.code, error.read().decode(errors="replace"), error.headers.get("Location", ""))
        found = CSRF.search(answer.body)
        if found:
            self.token = found.group(1)
        return answer

    def get(self, path: str) -> Answer:
        return self.request(path)

    def post(self, path: str, data: dict | None = None) -> Answer:
        return self.request(path, {"csrf_token": self.token, **(data or {})})

    def sign_in(self, email: str, password: str = PASSWORD) -> Session:
        self.get("/organizer/login")
        answer = self.post("/organizer/login", {"email": email, "password": password, "next": "/organizer/"})
        assert answer.status == 303, answer.body[:2000]
        self.get("/organizer/")  # a page with a fresh CSRF token
        return self


def all_at_once(actions: list[Callable[[], Answer]]) -> list[Answer]:
    """Run every prepared action in its own thread, released at the same moment; answers in the same order."""
    start = threading.Barrier(len(actions), timeout=120)

    def run(action: Callable[[], Answer]) -> Answer:
        start.wait()
        return action()

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        return list(pool.map(run, actions))
