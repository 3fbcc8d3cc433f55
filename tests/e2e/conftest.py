"""A real server (gunicorn) and a real browser (headless Chromium) for end-to-end tests."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from screens import PHONE

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {url} within {timeout}s")


class ServerURL(str):
    """A running server's base URL, which also knows its gunicorn master process and port."""

    process: subprocess.Popen
    port: int
    media_dir: Path
    answer_files_dir: Path


@contextlib.contextmanager
def running_server(
    database_url: str,
    log_dir: Path,
    workers: int = 3,
    threads: int = 1,
    extra_args=(),
    app: str = "wsgi:app",
    port: int | None = None,
    **settings: str,
):
    """The app (`app`, a gunicorn app spec) under gunicorn on a free port (or `port`); yields its base URL.

    `settings` become EXCHANGE_* variables; stdout and stderr go to log_dir/gunicorn-<port>.log.
    """
    port = port or _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        EXCHANGE_SQLALCHEMY_DATABASE_URI=database_url,
        EXCHANGE_SECRET_KEY="e2e-secret-key",
        EXCHANGE_RATELIMIT_ENABLED="false",
        EXCHANGE_BASE_URL=base_url,
        # The tests empty the tables between them without a commit the cache sees: a cache per server.
        EXCHANGE_CACHE_DIR=str(log_dir / f"cache-{port}"),
        # Cover images a test stores go here (url.media_dir), never into the worktree's instance/.
        EXCHANGE_MEDIA_DIR=str(log_dir / "media"),
        EXCHANGE_ANSWER_FILES_DIR=str(log_dir / "answer-files"),  # files answered in a test: url.answer_files_dir
    ) | {f"EXCHANGE_{key}": value for key, value in settings.items()}  # settings may override the defaults above
    command = [sys.executable, "-m", "gunicorn", *extra_args, "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    log_path = log_dir / f"gunicorn-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([*command, app], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(base_url + "/healthz", process)
            url = ServerURL(base_url)
            url.process, url.port, url.media_dir = process, port, log_dir / "media"
            url.answer_files_dir = log_dir / "answer-files"
            yield url
        except RuntimeError as error:
            raise RuntimeError(f"{error}\n{log_path.read_text(errors='replace')}") from error
        finally:
            process.terminate()
            process.wait(timeout=15)


@pytest.fixture(scope="session")
def live_server(database_url, tmp_path_factory):
    """The app under gunicorn with several workers, on the tests' database; yields its base URL."""
    with running_server(database_url, tmp_path_factory.mktemp("gunicorn")) as base_url:
        yield base_url


@pytest.fixture
def start_server(database_url, tmp_path):
    """Start another gunicorn server on the tests' database: `with start_server(workers=4, SETTING="x") as url:`."""
    return functools.partial(running_server, database_url, tmp_path)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium driven by Selenium; fails (never skips) under CI when it is missing."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not (chromium and driver_path):
        message = "chromium and chromedriver are needed for browser tests: apt-get install chromium chromium-driver"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=390,844",
    ):  # fmt: skip
        options.add_argument(argument)
    profile = tempfile.mkdtemp(prefix="chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def phone(browser):
    browser.set_window_size(390, 844)
    browser.delete_all_cookies()
    return browser


@pytest.fixture
def exact_phone(phone):
    """A viewport of exactly 390×844 CSS pixels, as on the phone."""
    phone.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    yield phone
    phone.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.fixture
def desktop(browser):
    browser.set_window_size(1366, 900)
    browser.delete_all_cookies()
    yield browser
    browser.set_window_size(390, 844)
