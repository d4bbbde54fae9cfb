"""`make bench-console`: how fast the staff console answers with years of cases in the database.

Seeds a fresh database, SQLite (a file in a temporary directory) and the local PostgreSQL,
with the sample directory and, by bulk inserts: 10,000 cases spread over the sample schools
(about 1,500 open, the unacknowledged ones with a deadline, some of it past), each referred
to its school's pedagogue; 100,000 trail events; a short thread with the reporter on each
open case. Starts the real console on it (`hotline console`, uvicorn, its own process) and
lets 20 members of staff at once, each with their own session (the cantonal coordinator,
who sees every case, and school counsellors, who see their school's), ask for:
- the queue (`/queue`, the full page with its default filters: open cases by deadline,
  the first 100 rows), 200 requests;
- a case page (`/cases/<code>`, a random open case the reader may see; opening it records
  a "viewed" event, as it does for staff), 200 requests;
- the rows the queue page polls for (`/queue/rows`), 200 requests, for information.
Every answer must be a 200. A few requests per member of staff warm the server up first,
uncounted. Prints p50/p95/max, throughput and the CPU per request (of the console, PostgreSQL
and the bench itself) per page and database, and checks the target:
p95 under 200 ms on 2 cores for the queue and the case page (exit code 1 if missed).
Options: --database sqlite|postgresql|both, --cases, --events, --requests, --concurrency."""

from __future__ import annotations

import argparse
import http.client
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bench import cpu
from bot.cases import access
from bot.cases.codes import hash_pin, new_case_code
from bot.cases.vocabulary import INCIDENT_TYPES, OUTCOMES, SEVERITIES
from bot.console import accounts, sessions, two_factor
from bot.console.web import SESSION_COOKIE
from bot.devtools.databases import fresh_postgres_database
from bot.devtools.stack import free_port, prepare_database
from bot.paths import PROJECT_DIR
from bot.routing.deadlines import ack_deadline
from bot.storage.db import engine_for, session_scope
from bot.storage.models import Case, CaseEvent, CaseMessage, Referral, Responder, School, StaffAccount, utcnow

TARGET_P95_MS = 200.0
OPEN_CASES = 0.15  # share of the cases still open
OPEN_STATUSES = {"new": 4, "acknowledged": 3, "in_progress": 3}
SEVERITY_WEIGHTS = (3, 12, 45, 40)  # critical, high, medium, low (SEVERITIES)
CHUNK = 5000
WARM_UP = 2  # requests per member of staff and page, not counted
STARTUP_SECONDS = 60
HOTLINE = Path(sys.executable).parent / "hotline"
PASSWORD = "klupa ispod stare lipe"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
COORDINATOR = "k10-coordinator"
COUNSELLORS = (
    "livno-os-1-pedagogue",
    "tomislavgrad-os-1-pedagogue",
    "kupres-os-1-pedagogue",
    "glamoc-os-1-pedagogue",
    "drvar-os-1-pedagogue",
)
# The trail a case leaves, in order; a case with fewer events stops early, a closed one
# ends with "closed".
TRAIL = (
    ("reported", "system"),
    ("triaged", "system"),
    ("referred", "system"),
    ("alert_sent", "system"),
    ("viewed", "staff"),
    ("acknowledged", "staff"),
    ("staff_message", "staff"),
    ("reporter_message", "reporter"),
    ("viewed", "staff"),
    ("status", "staff"),
)
SENTENCES = (
    "Dva dječaka iz osmog razreda me udaraju na odmoru.",
    "To se dešava skoro svaki dan već mjesec dana.",
    "Pišu ružne poruke o meni u grupi razreda.",
    "Nastavnica je vidjela, ali nije ništa rekla.",
    "Bojim se ići u školu i ne želim da roditelji znaju.",
    "Uzeli su mi telefon i prijete da će objaviti slike.",
    "Govore mi da nisam odavde i da se vratim odakle sam došao.",
    "Juče su me čekali ispred škole poslije nastave.",
)
INCIDENT_TIMES = ("danas", "jučer", "prošle sedmice", "svaki dan", "prije mjesec dana")


@dataclass(frozen=True)
class Place:
    """A sample school and the pedagogue its cases are referred to."""

    school_id: int
    municipality_id: int
    counsellor_id: int
    counsellor_code: str


@dataclass(frozen=True)
class StaffMember:
    code: str
    token: str
    open_cases: tuple[str, ...]  # codes of the open cases this member may see


@dataclass(frozen=True)
class RunningConsole:
    base: str
    pid: int


@dataclass(frozen=True)
class Page:
    name: str
    path: Callable[[StaffMember, random.Random], str]
    has_target: bool


@dataclass
class Sample:
    latencies_ms: list[float]
    errors: list[str]
    seconds: float
    cpu_ms: dict[str, float] = field(default_factory=dict)  # CPU per request, by process group

    def percentile(self, q: float) -> float:
        """Nearest rank: the smallest latency at or above a share q of the requests."""
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else math.inf


PAGES = (
    Page("queue", lambda member, rng: "/queue", has_target=True),
    Page("case page", lambda member, rng: f"/cases/{rng.choice(member.open_cases)}", has_target=True),
    Page("queue rows", lambda member, rng: "/queue/rows", has_target=False),
)


# Seeding --------------------------------------------------------------------------------


def _places(session: Session) -> list[Place]:
    rows = session.execute(
        select(School.id, School.municipality_id, Responder.id, Responder.code)
        .join(Responder, Responder.school_id == School.id)
        .where(Responder.role == "pedagogue", Responder.is_backup.is_(False), Responder.active.is_(True))
        .order_by(School.id)
    ).all()
    return [Place(*row) for row in rows]


def _unique_codes(count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(new_case_code())
    return list(codes)


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _case_row(code: str, status: str, place: Place, pin_hash: str, rng: random.Random, now: datetime) -> dict[str, Any]:
    severity = rng.choices(SEVERITIES, weights=SEVERITY_WEIGHTS)[0]
    closed = status == "closed"
    created = now - (timedelta(days=rng.uniform(3, 365)) if closed else timedelta(hours=rng.uniform(0.2, 72)))
    acknowledged = None if status == "new" else created + timedelta(minutes=rng.uniform(5, 600))
    deadline = ack_deadline(severity, created) if status == "new" else None
    closed_at = min(now, created + timedelta(days=rng.uniform(1, 30))) if closed else None
    return {
        "code": code,
        "pin_hash": pin_hash,
        "status": status,
        "severity": severity,
        "severity_reason": "No sign of higher risk was found.",
        "incident_type": rng.choice(INCIDENT_TYPES),
        "affected": rng.choice(("me", "someone_else")),
        "reporter_role": rng.choice(("student", "student", "parent", "staff")),
        "school_id": place.school_id,
        "municipality_id": place.municipality_id,
        "incident_time": rng.choice(INCIDENT_TIMES),
        "description": " ".join(rng.sample(SENTENCES, rng.randint(2, 4))),
        "danger_now": "no",
        "contact_ok": rng.random() < 0.6,
        "language": "bcs",
        "script": "latin",
        "channel": rng.choice(("telegram", "sms", "web")),
        "created_at": created,
        "updated_at": closed_at or acknowledged or created,
        "ack_deadline_at": deadline,
        "acknowledged_at": acknowledged,
        "owner_id": None if acknowledged is None else place.counsellor_id,
        "escalation_step": 1 if deadline is not None and deadline < now else 0,
        "outcome": rng.choice(OUTCOMES) if closed else None,
        "closed_at": closed_at,
    }


def _case_rows(count: int, places: Sequence[Place], rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    pin_hash = hash_pin("000000")  # one Argon2 hash for all: 10,000 would take minutes
    open_count = round(count * OPEN_CASES)
    return [
        _case_row(
            code,
            _pick(rng, OPEN_STATUSES) if index < open_count else "closed",
            rng.choice(places),
            pin_hash,
            rng,
            now,
        )
        for index, code in enumerate(_unique_codes(count))
    ]


def _event_rows(case: dict[str, Any], count: int, counsellor: str, now: datetime) -> list[dict[str, Any]]:
    kinds = [TRAIL[i % len(TRAIL)] for i in range(count)]
    if case["closed_at"] is not None and kinds:
        kinds[-1] = ("closed", "staff")
    start, end = case["created_at"], case["closed_at"] or now
    actors = {"system": "system", "staff": counsellor, "reporter": "reporter"}
    return [
        {
            "case_id": case["id"],
            "kind": kind,
            "actor": actors[who],
            "body": f"{kind}: {case['severity']}, {counsellor}",
            "visible_to_reporter": kind in ("staff_message", "closed"),
            "created_at": start + (end - start) * (i / max(1, count)),
        }
        for i, (kind, who) in enumerate(kinds)
    ]


def _referral_row(case: dict[str, Any], place: Place) -> dict[str, Any]:
    return {
        "case_id": case["id"],
        "responder_id": place.counsellor_id,
        "reason": "school_counsellors",
        "step": 0,
        "in_chain": True,
        "status": "alerted",
        "created_at": case["created_at"],
        "alerted_at": case["created_at"] + timedelta(seconds=2),
    }


def _message_rows(case: dict[str, Any], place: Place, rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for i in range(rng.randint(1, 4)):
        to_reporter = i % 2 == 0
        rows.append(
            {
                "case_id": case["id"],
                "direction": "to_reporter" if to_reporter else "from_reporter",
                "responder_id": place.counsellor_id if to_reporter else None,
                "body": rng.choice(SENTENCES),
                "created_at": case["created_at"] + timedelta(minutes=30 * (i + 1)),
            }
        )
    return rows


def _bulk_insert(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(table), rows[start : start + CHUNK])


def seed(engine: Engine, cases: int, events: int, rng: random.Random) -> None:
    """Cases, their referrals, trails and threads, by bulk inserts in one transaction."""
    now = utcnow()
    with session_scope(engine) as session:
        places = _places(session)
        by_school = {place.school_id: place for place in places}
        case_rows = _case_rows(cases, places, rng, now)
        _bulk_insert(session, Case.__table__, case_rows)
        ids = dict(session.execute(select(Case.code, Case.id)).all())
        for row in case_rows:
            row["id"] = ids[row["code"]]
        per_case, extra = divmod(events, cases)
        event_rows, referral_rows, message_rows = [], [], []
        for index, case in enumerate(case_rows):
            place = by_school[case["school_id"]]
            event_rows += _event_rows(case, per_case + (index < extra), place.counsellor_code, now)
            referral_rows.append(_referral_row(case, place))
            if case["closed_at"] is None:
                message_rows += _message_rows(case, place, rng)
        _bulk_insert(session, Referral.__table__, referral_rows)
        _bulk_insert(session, CaseEvent.__table__, event_rows)
        _bulk_insert(session, CaseMessage.__table__, message_rows)
    _analyze(engine)


def _analyze(engine: Engine) -> None:
    """PostgreSQL's planner statistics and visibility map, as a live database has them
    (autovacuum vacuums and analyzes a table within minutes of a bulk load; the
    measurement starts sooner). SQLite keeps no statistics unless asked, and the hotline
    does not ask."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


# Staff ----------------------------------------------------------------------------------


def _open_account(session: Session, code: str, now: datetime) -> StaffAccount:
    """An active account, opened by invitation as a person opens it."""
    accounts.invite(session, code, now)
    account = session.scalars(select(StaffAccount).join(Responder).where(Responder.code == code)).one()
    problems = accounts.accept_invitation(
        session, account, PASSWORD, TOTP_SECRET, two_factor.code_for(TOTP_SECRET, now), now
    )
    if problems:
        raise RuntimeError(f"cannot open the account of {code}: {problems}")
    return account


def _visible_open_cases(session: Session, responder: Responder) -> tuple[str, ...]:
    query = select(Case.code).where(access.visible_cases(responder), Case.closed_at.is_(None)).order_by(Case.code)
    return tuple(session.scalars(query))


def staff_codes(concurrency: int) -> list[str]:
    """Every other member of staff is the coordinator (the heaviest queue); the others are
    counsellors of several schools."""
    return [COORDINATOR if i % 2 == 0 else COUNSELLORS[(i // 2) % len(COUNSELLORS)] for i in range(concurrency)]


def sign_in(engine: Engine, codes: Sequence[str]) -> list[StaffMember]:
    """A session for each member of staff, as a successful sign-in starts one."""
    now = utcnow()
    members = []
    with session_scope(engine) as session:
        opened = {code: _open_account(session, code, now) for code in dict.fromkeys(codes)}
        visible = {code: _visible_open_cases(session, account.responder) for code, account in opened.items()}
        for code in codes:
            members.append(StaffMember(code, sessions.start(session, opened[code], "en", now), visible[code]))
    empty = sorted({m.code for m in members if not m.open_cases})
    if empty:
        raise RuntimeError(f"no open case visible to {', '.join(empty)}: seed more cases")
    return members


# The console ------------------------------------------------------------------------------


def _wait_until_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the console exited; log:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the console did not answer /healthz; log:\n{log.read_text(errors='replace')[-4000:]}")


@contextmanager
def console(url: str, workdir: Path) -> Iterator[RunningConsole]:
    """`hotline console` on the database, on a free port: its base URL and process."""
    port = free_port()
    log = workdir / f"console-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(HOTLINE), "console", "--port", str(port)],
            cwd=str(PROJECT_DIR),
            env={**os.environ, "DATABASE_URL": url},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base, process, log)
        yield RunningConsole(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# Measuring --------------------------------------------------------------------------------


class StaffBrowser:
    """One member of staff's keep-alive connection to the console, with their session
    cookie. The standard library's client: the load runs on the same two cores as the
    console, and a lighter client leaves more of them to the server it measures."""

    def __init__(self, base: str, token: str) -> None:
        address = urlsplit(base)
        self.host, self.port = address.hostname or "127.0.0.1", address.port or 80
        self.headers = {"Cookie": f"{SESSION_COOKIE}={token}"}
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def get(self, path: str) -> int:
        """The page's status, its body read to the end. A failed request is not tried again
        (it counts as an error); the next one goes over a new connection."""
        try:
            self.connection.request("GET", path, headers=self.headers)
            response = self.connection.getresponse()
            response.read()
            return response.status
        except BaseException:
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            raise

    def close(self) -> None:
        self.connection.close()


def _walk(browser: StaffBrowser, paths: Sequence[str]) -> tuple[list[float], list[str]]:
    """One member of staff asks for the pages one after the other."""
    latencies, errors = [], []
    for path in paths:
        start = time.perf_counter()
        try:
            status = browser.get(path)
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"{path}: {type(error).__name__}")
            continue
        latencies.append((time.perf_counter() - start) * 1000)
        if status != 200:
            errors.append(f"{path}: {status}")
    return latencies, errors


def _shares(requests: int, members: int) -> list[int]:
    base, extra = divmod(requests, members)
    return [base + (i < extra) for i in range(members)]


def measure(
    browsers: Sequence[StaffBrowser],
    members: Sequence[StaffMember],
    page: Page,
    requests: int,
    rng: random.Random,
    groups: Mapping[str, cpu.Group] | None = None,
) -> Sample:
    """`requests` requests of the page, shared by the members of staff, all at once; with
    `groups`, the CPU each group of processes spent per request meanwhile."""
    plans = [
        [page.path(m, rng) for _ in range(n)] for m, n in zip(members, _shares(requests, len(members)), strict=True)
    ]
    cpu_before = cpu.cpu_seconds(groups or {})  # no reading of /proc without groups
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        results = list(pool.map(_walk, browsers, plans))
    seconds = time.perf_counter() - start
    cpu_ms = cpu.per_request_ms(cpu_before, cpu.cpu_seconds(groups or {}), requests)
    return Sample([ms for r in results for ms in r[0]], [e for r in results for e in r[1]], seconds, cpu_ms)


def _browsers(base: str, members: Sequence[StaffMember]) -> list[StaffBrowser]:
    return [StaffBrowser(base, m.token) for m in members]


def _report(page: Page, sample: Sample) -> None:
    count = len(sample.latencies_ms)
    print(
        f"  {page.name:<11} {count} requests, {len(sample.errors)} errors: "
        f"p50 {sample.percentile(0.5):.0f} ms, p95 {sample.percentile(0.95):.0f} ms, "
        f"max {max(sample.latencies_ms, default=math.inf):.0f} ms, {count / sample.seconds:.1f} requests/s"
    )
    if sample.cpu_ms:
        spent = ", ".join(f"{name} {ms:.1f} ms" for name, ms in sample.cpu_ms.items())
        print(f"    CPU per request: {spent}")
    for error in sample.errors[:5]:
        print(f"    error: {error}")


def _verdicts(database: str, samples: dict[str, Sample]) -> list[tuple[str, bool]]:
    lines = []
    for page in PAGES:
        if not page.has_target:
            continue
        sample = samples[page.name]
        p95 = sample.percentile(0.95)
        ok = p95 < TARGET_P95_MS and not sample.errors
        errors = f", {len(sample.errors)} errors" if sample.errors else ""
        verdict = "ok" if ok else "FAILED"
        lines.append(
            (f"{database}: {page.name} p95 {p95:.0f} ms (target < {TARGET_P95_MS:.0f} ms){errors}: {verdict}", ok)
        )
    return lines


def _cpu_groups(database: str, running: RunningConsole) -> dict[str, cpu.Group]:
    """The console's processes, the database server's (all of PostgreSQL's backends on this
    machine: the bench's database is the only busy one), and the bench's own staff."""
    groups = {"console": cpu.descendants_of(running.pid)}
    if database == "postgresql":
        groups["PostgreSQL"] = cpu.named("postgres")
    groups["staff (the bench)"] = cpu.only(os.getpid())
    return groups


def bench(database: str, url: str, workdir: Path, options: argparse.Namespace) -> list[tuple[str, bool]]:
    rng = random.Random(20260101)
    prepare_database(url)
    engine = engine_for(url)
    started = time.perf_counter()
    seed(engine, options.cases, options.events, rng)
    print(f"{database}: seeded {options.cases} cases, {options.events} events in {time.perf_counter() - started:.1f} s")
    members = sign_in(engine, staff_codes(options.concurrency))
    with console(url, workdir) as running:
        browsers = _browsers(running.base, members)
        groups = _cpu_groups(database, running)
        try:
            for page in PAGES:
                measure(browsers, members, page, WARM_UP * len(members), rng)
            samples = {page.name: measure(browsers, members, page, options.requests, rng, groups) for page in PAGES}
        finally:
            for browser in browsers:
                browser.close()
    engine.dispose()
    print(f"{database}: {options.concurrency} staff at once ({len(set(staff_codes(options.concurrency)))} accounts)")
    for page in PAGES:
        _report(page, samples[page.name])
    return _verdicts(database, samples)


def database_url(database: str, workdir: Path) -> Iterator[str]:
    """A fresh database's URL; a PostgreSQL one is dropped when the generator ends."""
    if database == "sqlite":
        yield f"sqlite:///{workdir / 'hotline.db'}"
    else:
        yield from fresh_postgres_database()


def _options(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="per page")
    parser.add_argument("--concurrency", type=int, default=20, help="members of staff at once")
    return parser.parse_args(argv)


def machine_speed_ms() -> float:
    """How long a fixed piece of pure Python takes here, best of three: a shared machine's
    speed drifts, and figures from two runs compare only beside this one."""
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        best = min(best, (time.perf_counter() - start) * 1000)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    options = _options(argv)
    databases = ("sqlite", "postgresql") if options.database == "both" else (options.database,)
    print(f"bench-console: {os.cpu_count()} cores, {options.cases} cases, {options.events} events")
    print(f"machine speed: a fixed Python loop takes {machine_speed_ms():.0f} ms (lower is faster)")
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="bench-console-") as tmp:
        for database in databases:
            for url in database_url(database, Path(tmp)):
                verdicts += bench(database, url, Path(tmp), options)
    print(f"machine speed at the end: {machine_speed_ms():.0f} ms")
    print()
    for line, _ok in verdicts:
        print(line)
    return 0 if all(ok for _line, ok in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
