"""`make bench`: the app under production gunicorn settings, side by side with a Flask hello-world.

    .venv/bin/python bench/run.py [--quick] [--events 200] [--registrations 100000] [--duration 10]
                                  [--pg-admin-url URL] [--output docs/benchmarks.md]

For SQLite (a temporary file) and PostgreSQL (a database created on
--pg-admin-url's server and dropped at the end) in turn: generate the data set
(bench/dataset.py), start `gunicorn -c gunicorn.conf.py wsgi:app` with rate
limits off, and drive each page with `wrk -t2 -c32 --latency` for --duration
seconds. The registration POST and the door's check-in use wrk Lua scripts
with real sessions and CSRF tokens (bench/register.lua, bench/checkin.lua);
the rush sends 200 registrations at once for 50 seats from 200 threads and
counts the confirmed rows afterwards. Then the attendee exports
(bench/export_bench.py) and the time per request of each public page at 14
and at 1,000 events (test client, in this process). One table is printed and
written, with the machine's description, to --output.

BENCH_QUICK=1 (or --quick) is the few-minute round: 20 events, 2,000
registrations, 2 s per measurement, exports of 5,000 attendees, page cost at
14 and 200 events.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]

import dataset  # noqa: E402

WRK_THREADS = 2
WRK_CONNECTIONS = 32
RUSH_CLIENTS = 200
FORM_SESSIONS = 64
FORM_FIELDS = {
    "full_name": "Nguyễn Thị Lan",
    "phone": "0912 345 678",
    "category": "student",
    "organization": "Đại học Cần Thơ",
    "country": "VN",
    "consent": "y",
}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
STYLESHEET = re.compile(r'href="(/static/[^"]+\.css[^"]*)"')


@dataclass
class Result:
    """One line of the table: a wrk run (requests/s, p50, p99 in ms) or a note."""

    label: str
    rps: float | None = None
    p50: float | None = None
    p99: float | None = None
    errors: int = 0
    note: str = ""
    confirmed: int | None = None  # the rush: registrations confirmed afterwards


@dataclass
class Run:
    settings: dict
    hello: Result | None = None
    databases: dict[str, list[Result]] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    exports: list[str] = field(default_factory=list)
    page_cost: dict[int, dict[str, float]] = field(default_factory=dict)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    parser.add_argument("--quick", action="store_true", default=quick, help="the short round (also BENCH_QUICK=1)")
    parser.add_argument("--events", type=int)
    parser.add_argument("--registrations", type=int)
    parser.add_argument("--duration", type=int, help="seconds per wrk run")
    parser.add_argument("--attendees", type=int, help="attendees in the export benchmark")
    parser.add_argument(
        "--pg-admin-url", default=os.environ.get("PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    settings = {
        "quick": args.quick,
        "events": args.events or (20 if args.quick else 200),
        "registrations": args.registrations if args.registrations is not None else (2_000 if args.quick else 100_000),
        "duration": args.duration or (2 if args.quick else 10),
        "attendees": args.attendees or (5_000 if args.quick else 100_000),
        "page_cost_sizes": (14, 200) if args.quick else (14, 1_000),
    }
    wrk = shutil.which("wrk")
    if not wrk:
        sys.exit("wrk is missing: apt-get install wrk (Debian's package), or run `make bench` as root.")
    run = Run(settings=settings)
    run.versions = machine(wrk)
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        scratch_path = Path(scratch)
        print(f"hello-world  ({settings['duration']} s per measurement)", flush=True)
        with gunicorn(["--pythonpath", str(BENCH), "hello:app"], {}, scratch_path) as base:
            run.hello = wrk_run("Flask hello-world", base + "/", settings["duration"])
        print(f"  {run.hello.rps:.0f} requests/s", flush=True)
        run.databases["SQLite"] = measure_database(f"sqlite:///{scratch_path / 'bench.sqlite3'}", settings, scratch_path)
        with postgres_database(args.pg_admin_url) as url:
            if url is None:
                print(f"PostgreSQL does not answer at {args.pg_admin_url}: its column stays empty", flush=True)
            else:
                run.versions["PostgreSQL"] = server_version(url)
                run.databases["PostgreSQL"] = measure_database(url, settings, scratch_path)
        print("exports", flush=True)
        run.exports = exports(settings["attendees"])
        print("page cost (test client)", flush=True)
        run.page_cost = page_cost(settings["page_cost_sizes"], scratch_path)
    report = render(run, "BENCH_QUICK=1 make bench" if args.quick else "make bench")
    print(report)
    Path(args.output).write_text(report, encoding="utf-8")
    print(f"written to {args.output}")


def measure_database(url: str, settings: dict, scratch: Path) -> list[Result]:
    name = make_url(url).get_backend_name()
    print(f"{name}: generating {settings['events']} events, {settings['registrations']} registrations", flush=True)
    checkin_attendees = 500 if settings["quick"] else 50_000
    generated = subprocess.run(
        [sys.executable, str(BENCH / "dataset.py"), "--database-url", url, "--events", str(settings["events"]),
         "--registrations", str(settings["registrations"]), "--checkin-attendees", str(checkin_attendees)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if generated.returncode:
        sys.exit(f"bench/dataset.py failed:\n{generated.stderr[-3000:]}")
    engine = create_engine(url)
    event_slug = dataset.event_page_slug()
    duration = settings["duration"]
    results = []
    with gunicorn(["wsgi:app"], {"SQLALCHEMY_DATABASE_URI": url}, scratch) as base:
        home = requests.get(base + "/vi/", timeout=30).text
        stylesheet = (STYLESHEET.search(home) or [None, "/static/css/site.css"])[1]
        pages = [
            ("home page `/vi/`", "/vi/"),
            ("catalog `/vi/events/`", "/vi/events/"),
            ("catalog `/ko/events/?category=culture`", "/ko/events/?category=culture"),
            ("event page", f"/en/events/{event_slug}/"),
            ("`/api/v1/events`", "/api/v1/events"),
            ("`/events.ics`", "/events.ics"),
            (f"static file `{stylesheet.split('?')[0]}`", stylesheet),
        ]
        for label, path in pages:
            results.append(wrk_run(label, base + path, duration))
            print(f"  {label}: {results[-1].rps:.0f} requests/s", flush=True)
        results.append(registration_post(base, duration, scratch))
        print(f"  registration POST: {results[-1].rps:.0f} requests/s", flush=True)
        results.append(checkin_post(base, duration, checkin_attendees))
        print(f"  check-in POST: {results[-1].rps:.0f} requests/s", flush=True)
        results.append(rush(base, engine))
        print(f"  rush: {results[-1].note}", flush=True)
    engine.dispose()
    return results


def registration_post(base: str, duration: int, scratch: Path) -> Result:
    """wrk POSTs registrations, each with a prepared session and its CSRF token and a new email."""
    path = f"/vi/events/{dataset.REGISTER_SLUG}/register"
    sessions = scratch / "sessions.txt"
    with open(sessions, "w", encoding="ascii") as out:
        for _ in range(FORM_SESSIONS):
            cookie, token = form_session(base + path)
            out.write(f"{cookie}\t{token}\n")
    fields = urllib.parse.urlencode(FORM_FIELDS)
    return wrk_run("registration POST", base + path, duration, BENCH / "register.lua", [str(sessions), path, fields])


def checkin_post(base: str, duration: int, attendees: int) -> Result:
    """wrk checks attendees in at the door, signed in as the event's organizer."""
    client = requests.Session()
    login = client.get(base + "/organizer/login", timeout=30)
    client.post(
        base + "/organizer/login",
        data={"email": dataset.ORGANIZER_EMAIL, "password": dataset.ORGANIZER_PASSWORD, "csrf_token": csrf(login.text)},
        timeout=30,
    )
    path = f"/organizer/events/{dataset.CHECKIN_SLUG}/checkin"
    page = client.get(base + path, timeout=30)
    if page.status_code != 200:
        return Result("door check-in POST", note=f"the door page answered {page.status_code}: not signed in")
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    arguments = [cookie, csrf(page.text), path, dataset.CHECKIN_REFERENCE, str(WRK_THREADS)]
    return wrk_run("door check-in POST", base + path, duration, BENCH / "checkin.lua", [*arguments, str(attendees)])


def rush(base: str, engine) -> Result:
    """200 people send the form at the same moment for 50 seats; all must be answered and exactly 50 confirmed."""
    url = f"{base}/vi/events/{dataset.RUSH_SLUG}/register"
    prepared = [form_session(url) for _ in range(RUSH_CLIENTS)]
    barrier = threading.Barrier(RUSH_CLIENTS)
    timings: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        cookie, token = prepared[number]
        data = {**FORM_FIELDS, "email": f"rush-{number}@bench.example", "csrf_token": token}
        barrier.wait()
        started = time.perf_counter()
        try:
            status = requests.post(url, data=data, headers={"Cookie": cookie}, allow_redirects=False, timeout=60).status_code
        except requests.RequestException:
            status = 0
        with lock:
            timings.append((time.perf_counter() - started) * 1000)
            statuses.append(status)

    threads = [threading.Thread(target=client, args=(number,)) for number in range(RUSH_CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    answered = sum(1 for status in statuses if 200 <= status < 500)
    with engine.connect() as connection:
        confirmed = connection.scalar(
            text(
                "SELECT count(*) FROM registration JOIN event ON event.id = registration.event_id "
                "WHERE event.slug = :slug AND registration.status = 'confirmed'"
            ),
            {"slug": dataset.RUSH_SLUG},
        )
    verdict = "exactly" if confirmed == dataset.RUSH_SEATS else "WRONG:"
    note = f"{answered}/{RUSH_CLIENTS} answered, {verdict} {confirmed} of {dataset.RUSH_SEATS} seats confirmed"
    return Result(
        f"{RUSH_CLIENTS} registrations at once for {dataset.RUSH_SEATS} seats",
        rps=RUSH_CLIENTS / elapsed,
        p50=statistics.median(timings),
        p99=percentile(timings, 99),
        errors=RUSH_CLIENTS - answered,
        note=note,
        confirmed=confirmed,
    )


def form_session(url: str) -> tuple[str, str]:
    """A new visitor opens the form: their session cookie header and the form's CSRF token."""
    client = requests.Session()
    page = client.get(url, timeout=30)
    page.raise_for_status()
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items()), csrf(page.text)


def csrf(html: str) -> str:
    found = CSRF.search(html)
    if not found:
        raise RuntimeError("the page has no CSRF token")
    return found[1]


def percentile(values: list[float], rank: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(rank / 100 * len(ordered)) - 1))]


WRK_LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_run(label: str, url: str, duration: int, script: Path | None = None, arguments: list[str] = ()) -> Result:
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{duration}s", "--latency", "--timeout", "30s"]
    if script:
        command += ["-s", str(script)]
    command.append(url)
    if script:
        command += ["--", *arguments]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(label, output)


def parse_wrk(label: str, output: str) -> Result:
    """Requests/s, p50 and p99 in ms, and the failed requests (socket errors, non-2xx/3xx, unexpected statuses)."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    latency = {rank: float(value) * UNITS[unit] for rank, value, unit in WRK_LATENCY.findall(output)}
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    # The Lua scripts count every status but the expected 303 (a superset of wrk's own non-2xx/3xx count).
    unexpected = re.search(r"^UNEXPECTED (\d+)$", output, re.M) or re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(unexpected[1]) if unexpected else 0
    return Result(label, rps=rps, p50=latency.get("50"), p99=latency.get("99"), errors=errors)


@contextlib.contextmanager
def gunicorn(app_arguments: list[str], settings: dict[str, str], scratch: Path):
    """`gunicorn -c gunicorn.conf.py` (the production settings) on a free local port; yields the base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        EXCHANGE_SECRET_KEY="bench-secret-key",
        EXCHANGE_RATELIMIT_ENABLED="false",
        # Every request comes from 127.0.0.1: the per-client seat cap would refuse the load script after 100 seats.
        EXCHANGE_SEATS_PER_CLIENT_LIMIT="0",
        EXCHANGE_BASE_URL=base,
    ) | {f"EXCHANGE_{key}": value for key, value in settings.items()}
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", *app_arguments]
    log_path = scratch / f"gunicorn-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
                with contextlib.suppress(requests.RequestException):
                    requests.get(base + "/", timeout=2)
                    break
                time.sleep(0.3)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a request still hanging must not lose the figures measured so far
                process.kill()
                process.wait()


@contextlib.contextmanager
def postgres_database(admin_url: str):
    """A new database on the server of `admin_url`, dropped at the end; None when the server does not answer."""
    maintenance = make_url(admin_url).set(database="postgres")
    name = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(maintenance, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any failure to reach the server means "no PostgreSQL column", not a crash
        print(f"PostgreSQL: {type(error).__name__}", flush=True)
        yield None
        return
    try:
        yield maintenance.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def server_version(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as connection:
        version = connection.scalar(text("SHOW server_version"))
    engine.dispose()
    return version


def exports(attendees: int) -> list[str]:
    """The existing export benchmark's lines (CSV and XLSX at N/10 and N attendees, time and peak memory)."""
    output = subprocess.run(
        [sys.executable, str(BENCH / "export_bench.py"), "--attendees", str(attendees)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout  # fmt: skip
    return [line for line in output.splitlines() if line.startswith(("csv", "xlsx"))]


PUBLIC_PAGES = (
    ("home page", "/vi/"),
    ("catalog", "/vi/events/"),
    ("catalog, one category", "/ko/events/?category=culture"),
    ("event page", None),
    ("`/api/v1/events`", "/api/v1/events"),
    ("`/events.ics`", "/events.ics"),
)


def page_cost(sizes: tuple[int, ...], scratch: Path) -> dict[int, dict[str, float]]:
    """Milliseconds per request of each public page through the test client, with `size` events in the database."""
    from flask_migrate import upgrade

    from exchange import create_app
    from exchange.extensions import db

    costs = {}
    for size in sizes:
        url = f"sqlite:///{scratch / f'cost-{size}.sqlite3'}"
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
        with app.app_context():
            upgrade()
            dataset.generate(size, registrations=size * 10, checkin_attendees=10)
            db.session.remove()
        client = app.test_client()
        costs[size] = {}
        for label, path in PUBLIC_PAGES:
            path = path or f"/en/events/{dataset.event_page_slug()}/"
            client.get(path)  # warm: templates compiled, connection open
            costs[size][label] = min(_ms_per_request(client, path) for _ in range(PAGE_COST_ROUNDS))
        print(f"  {size} events: " + ", ".join(f"{cost:.2f} ms" for cost in costs[size].values()), flush=True)
    return costs


# The best of several short rounds: a page answered in a tenth of a millisecond is otherwise at the mercy of
# whatever else the machine does for a moment.
PAGE_COST_ROUNDS = 5


def _ms_per_request(client, path: str) -> float:
    count, started = 0, time.perf_counter()
    while count < 3 or (count < 200 and time.perf_counter() - started < 0.3):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        count += 1
    return (time.perf_counter() - started) * 1000 / count


def machine(wrk: str) -> dict[str, str]:
    kilobytes = next(
        (int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:")), 0
    )
    memory = f"{kilobytes / 2**20:.1f} GiB"
    wrk_version = subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout.splitlines()[0:1]
    return {
        "CPU": f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {platform.processor() or platform.machine()}",
        "memory": memory,
        "system": platform.platform(),
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "wrk": (wrk_version[0] if wrk_version else "?").split(" [")[0],
        # Other work on the machine lowers every figure; the hello-world ratio partly corrects for it.
        "load average at the start (1, 5, 15 min)": ", ".join(f"{load:.2f}" for load in os.getloadavg()),
    }


EXPORT_LINE = re.compile(r"^(csv|xlsx)\s+(\d+) attendees\s+([\d.]+) s\s+peak\s+([\d.]+) MiB", re.M)
PAGES = ("home page `/vi/`", "catalog `/vi/events/`", "catalog `/ko/events/?category=culture`", "event page")
FEEDS = ("`/api/v1/events`", "`/events.ics`")
GROWTH_ALLOWED = 1.5  # timing noise on a shared machine; a cost that grows with the events grows far more


def targets(run: Run) -> list[tuple[str, str, bool]]:
    """Each of issue 10's targets: what it asks, what this run measured, whether it is met."""
    hello = run.hello.rps
    rows = []
    for name, results in run.databases.items():
        by_label = {result.label: result for result in results}
        for label in (*PAGES, *FEEDS):
            ratio = (by_label[label].rps or 0) / hello
            rows.append((f"{name}: {label} ≥ 0.5× hello-world", f"{ratio:.3f}×", ratio >= 0.5))
        post = by_label["registration POST"]
        rows.append(
            (
                f"{name}: registration POST ≥ 300/s, p99 < 300 ms, no failure",
                f"{post.rps or 0:.0f}/s, p99 {_ms(post.p99)} ms, {post.errors} failed",
                (post.rps or 0) >= 300 and (post.p99 or 1e9) < 300 and post.errors == 0,
            )
        )
        rush = next(result for result in results if "at once" in result.label)
        rows.append(
            (
                f"{name}: {RUSH_CLIENTS} at once for {dataset.RUSH_SEATS} seats: all answered, p99 < 1.5 s, exactly "
                f"{dataset.RUSH_SEATS} confirmed",
                f"{RUSH_CLIENTS - rush.errors} answered, p99 {_ms(rush.p99)} ms, {rush.confirmed} confirmed",
                rush.errors == 0 and (rush.p99 or 1e9) < 1500 and rush.confirmed == dataset.RUSH_SEATS,
            )
        )
        checkin = by_label["door check-in POST"]
        rows.append(
            (
                f"{name}: check-in ≥ 300/s",
                f"{checkin.rps or 0:.0f}/s, {checkin.errors} failed",
                (checkin.rps or 0) >= 300 and checkin.errors == 0,
            )
        )
    return rows + export_targets(run.exports) + growth_targets(run.page_cost)


def export_targets(lines: list[str]) -> list[tuple[str, str, bool]]:
    found = EXPORT_LINE.findall("\n".join(lines))
    exports = {(kind, int(count)): (float(seconds), float(peak)) for kind, count, seconds, peak in found}
    rows = []
    for kind, limit in (("csv", 2.0), ("xlsx", 10.0)):
        sizes = sorted(count for export_kind, count in exports if export_kind == kind)
        if len(sizes) < 2:
            rows.append((f"{kind.upper()} export", "not measured", False))
            continue
        (_, small_peak), (large_time, large_peak) = exports[(kind, sizes[0])], exports[(kind, sizes[-1])]
        rows.append(
            (
                f"{kind.upper()} of {sizes[-1]:,} attendees ≤ {limit:.0f} s in constant memory",
                f"{large_time:.1f} s, peak {large_peak:.1f} MiB ({small_peak:.1f} MiB at {sizes[0]:,})",
                large_time <= limit and large_peak <= max(small_peak * GROWTH_ALLOWED, small_peak + 1),
            )
        )
    return rows


def growth_targets(costs: dict[int, dict[str, float]]) -> list[tuple[str, str, bool]]:
    sizes = list(costs)
    rows = []
    for label in costs[sizes[0]]:
        growth = costs[sizes[-1]][label] / costs[sizes[0]][label]
        target = f"{label}: cost at {sizes[-1]:,} events ≤ {GROWTH_ALLOWED}× the cost at {sizes[0]}"
        rows.append((target, f"{growth:.1f}×", growth <= GROWTH_ALLOWED))
    return rows


def _ms(value: float | None) -> str:
    return "—" if value is None else (f"{value:.0f}" if value >= 10 else f"{value:.1f}")


def render(run: Run, command: str) -> str:
    settings = run.settings
    hello = run.hello.rps
    names = list(run.databases)
    header = "| what | " + " | ".join(f"{name} requests/s | p50 ms | p99 ms | ratio" for name in names) + " |"
    lines = [header, "| --- |" + " --- | --- | --- | --- |" * len(names)]
    hello_cells = f"{hello:.0f} | {_ms(run.hello.p50)} | {_ms(run.hello.p99)} | 1.00"
    lines.append("| Flask hello-world (same settings) | " + " | ".join(hello_cells for _ in names) + " |")
    for row in range(len(run.databases[names[0]])):
        cells = []
        for name in names:
            result = run.databases[name][row]
            if result.rps is None:
                cells.append(f"— | — | — | {result.note}")
                continue
            ratio = f"{result.rps / hello:.3f}" if "registrations at once" not in result.label else result.note
            errors = f" ({result.errors} failed)" if result.errors else ""
            cells.append(f"{result.rps:.0f}{errors} | {_ms(result.p50)} | {_ms(result.p99)} | {ratio}")
        lines.append(f"| {run.databases[names[0]][row].label} | " + " | ".join(cells) + " |")
    sizes = list(run.page_cost)
    cost_lines = [
        "| page | " + " | ".join(f"{size} events, ms" for size in sizes) + " | growth |",
        "| --- |" + " --- |" * (len(sizes) + 1),
    ]
    for label in run.page_cost[sizes[0]]:
        first, last = run.page_cost[sizes[0]][label], run.page_cost[sizes[-1]][label]
        cells = " | ".join(f"{run.page_cost[size][label]:.2f}" for size in sizes)
        cost_lines.append(f"| {label} | {cells} | {last / first:.1f}× |")
    machine_lines = [f"- {key}: {value}" for key, value in run.versions.items()]
    target_lines = ["| target (issue 10) | measured | met |", "| --- | --- | --- |"]
    target_lines += [f"| {target} | {measured} | {'yes' if met else '**no**'} |" for target, measured, met in targets(run)]
    kind = (
        "**This is a quick run** (`BENCH_QUICK=1`: small data set, short measurements); its figures are not the "
        "targets' figures. The full run is `make bench` (about 10 minutes on 2 cores)."
        if settings["quick"]
        else "A full run."
    )
    return "\n".join(
        [
            "# Benchmarks",
            "",
            f"Generated by `{command}` (bench/run.py) on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. {kind}",
            "",
            f"Data set: {settings['events']} events in eight languages (one in five past), {settings['registrations']:,} "
            f"registrations. The app runs under `gunicorn -c gunicorn.conf.py` (gthread, {os.cpu_count() + 1} workers × 4 "
            "threads) with rate limits and the per-client seat cap off (every request comes from 127.0.0.1); "
            f"wrk `-t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{settings['duration']}s` on the "
            "same machine, so server and load generator share the cores. The ratio is to the Flask hello-world measured in "
            "the same run under the same settings. The registration POST uses 64 sessions fetched first (cookie and CSRF "
            f"token each) and a new email per request; the check-in POST signs in as the event's organizer. The rush is "
            f'{RUSH_CLIENTS} threads posting at the same moment for {dataset.RUSH_SEATS} seats; its "requests/s" is '
            "the 200 divided by the time until the last answer.",
            "",
            "## Machine",
            "",
            *machine_lines,
            "",
            "## Requests",
            "",
            *lines,
            "",
            "## Targets",
            "",
            *(
                ["In a quick run the data set is small and the exports are of fewer attendees, so these say little.", ""]
                if settings["quick"]
                else []
            ),
            *target_lines,
            "",
            f"## Exports ({settings['attendees']:,} attendees; bench/export_bench.py on SQLite)",
            "",
            "```",
            *run.exports,
            "```",
            "",
            "## Time per request as the programme grows (test client, SQLite, one request at a time)",
            "",
            *cost_lines,
            "",
            "## Running it",
            "",
            "`make bench` (installs Debian's `wrk` with apt-get when run as root; otherwise `apt-get install wrk` first). "
            "`BENCH_QUICK=1 make bench` for the short round. PostgreSQL: `PG_ADMIN_URL=postgresql+psycopg://user@host/db` "
            "(the bench creates a database `bench_…` on that server and drops it after). Options: "
            "`.venv/bin/python bench/run.py --help`.",
            "",
        ]
    )


if __name__ == "__main__":
    main()
