"""Benchmark: the production web stack under 50 concurrent connections.

Starts gunicorn (2 workers, production settings: DEBUG off, WhiteNoise, PostgreSQL, Redis) on
127.0.0.1 with 1,000 meetings, 200 programs and 10,000 residents, drives it with `wrk`, and
prints requests per second and p50 / p99 latency for the liveness probe (the framework's
floor, measured in the same run), the home page, the meeting list, a meeting detail, the
program list and a resident's "my programs" page, with each page's ratio to the floor.
Exits non-zero when a target is missed. See bench/README.md.

With --mode writer (or both), it measures whether the page cache survives residents who vote: readers
fetch the meeting list and detail anonymously for --duration seconds, first alone, then beside a
writer that toggles a question vote as fast as it can (rotating over 100 residents' sessions, so
the per-resident limit slows it but does not stop it), and prints the cache hit rate of each run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/precinct_loadbench \\
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/load.py [--duration 10] [--connections 50] \\
        [--mode pages|writer|both|uncached]

With --mode uncached, the same pages (and "my activity") with the page cache off
(PUBLIC_PAGE_CACHE_SECONDS=0), each page's database queries counted in this process, against the
targets of issue 19 part 6: ≥ 0.25 × the floor and p99 < 150 ms.
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/precinct_loadbench")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5")
RESIDENTS, MEETINGS, PROGRAMS = 10_000, 1_000, 200
# Residents whose sessions the vote writer rotates over (--writer).
WRITERS = 100
# With the writer, at least this share of the readers' requests must still be cache hits.
WRITER_HIT_RATE_TARGET = 0.9
BENCH_EMAIL = "bench.resident.{n}@example.com"
# --mode uncached: each page's CPU per request in the bench's own process, the least of these rounds.
IN_PROCESS_ROUNDS, IN_PROCESS_REQUESTS = 5, 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fernet_key() -> str:
    import base64

    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


VAR_DIR = Path(tempfile.mkdtemp(prefix="precinct-load-"))
# This process (data set-up, collectstatic) and gunicorn share these production settings.
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "portal.settings",
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "TIP_ENCRYPTION_KEYS": fernet_key(),
    "ALLOWED_HOSTS": "127.0.0.1",
    # No TLS proxy on the bench: plain HTTP must not be redirected.
    "SECURE_SSL_REDIRECT": "false",
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "PRECINCT_VAR_DIR": str(VAR_DIR),
    "STATIC_ROOT": str(VAR_DIR / "static"),
    "LOG_LEVEL": "WARNING",
    "GUNICORN_ACCESS_LOG": "",
}
os.environ.update(ENVIRONMENT)


def ensure_database() -> None:
    """Create the bench database if it does not exist (it must be a throw-away one)."""
    from urllib.parse import urlparse

    import psycopg2

    url = urlparse(DATABASE_URL)
    name = url.path.lstrip("/")
    admin = psycopg2.connect(
        dbname="postgres", user=url.username, password=url.password, host=url.hostname, port=url.port or 5432
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def prepare() -> dict:
    """Migrate, collect static files and create the data set (once). Returns what the run needs."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    return create_data()


def create_data() -> dict:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import Profile
    from meetings.models import Meeting, Question
    from portal import demo
    from programs.models import Application, Program

    User = get_user_model()
    neighbourhoods = demo.create_neighbourhoods()
    now = timezone.now()
    if not User.objects.filter(username=BENCH_EMAIL.format(n=0)).exists():
        password = make_password(secrets.token_urlsafe(16))  # one hash for all: argon2 is slow on purpose
        User.objects.bulk_create(
            User(username=BENCH_EMAIL.format(n=n), email=BENCH_EMAIL.format(n=n), password=password)
            for n in range(RESIDENTS)
        )
        users = list(User.objects.filter(username__startswith="bench.resident.").only("pk", "email"))
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, primary=True, verified=True) for user in users
        )
        Profile.objects.bulk_create(
            Profile(user=user, home_neighbourhood=neighbourhoods[n % len(neighbourhoods)])
            for n, user in enumerate(users)
        )
    if not Meeting.objects.filter(slug="bench-meeting-0").exists():
        Meeting.objects.bulk_create(
            Meeting(
                title=f"Community meeting {n}",
                slug=f"bench-meeting-{n}",
                description="An evening with your officers: what happened this month and what comes next.",
                # Half in the past, half to come, one every six hours.
                starts_at=now + timedelta(hours=6 * (n - MEETINGS // 2)),
                ends_at=now + timedelta(hours=6 * (n - MEETINGS // 2) + 2),
                address="City Hall, 1 Market Square",
                neighbourhood=neighbourhoods[n % len(neighbourhoods)] if n % 3 else None,
                capacity=100,
                is_published=True,
            )
            for n in range(MEETINGS)
        )
    if not Program.objects.filter(slug="bench-program-0").exists():
        kinds = list(Program.Kind)
        Program.objects.bulk_create(
            Program(
                kind=kinds[n % len(kinds)],
                title=f"Program {n}",
                slug=f"bench-program-{n}",
                summary="Six evenings with the department: patrol, dispatch, investigations and the law.",
                neighbourhood=neighbourhoods[n % len(neighbourhoods)] if n % 2 else None,
                capacity=30,
                applications_open_at=now - timedelta(days=10),
                applications_close_at=now + timedelta(days=20 + n % 30),
                status=Program.Status.PUBLISHED,
            )
            for n in range(PROGRAMS)
        )
    resident = User.objects.get(username=BENCH_EMAIL.format(n=0))
    if not Application.objects.filter(applicant=resident).exists():
        Application.objects.bulk_create(
            Application(program=program, applicant=resident, status=Application.Status.ACCEPTED)
            for program in Program.objects.filter(slug__startswith="bench-program-").order_by("pk")[:5]
        )
    meeting = Meeting.objects.filter(slug__startswith="bench-meeting-", starts_at__gt=now).order_by("starts_at")[5]
    # A published question on the bench meeting, for the vote writer (--writer).
    question = Question.objects.filter(meeting=meeting, text__startswith="Bench question").first()
    if question is None:
        question = Question.objects.create(
            meeting=meeting, author=resident, text="Bench question: more patrols on Mill Lane?", status="published"
        )
    writers = User.objects.filter(username__startswith="bench.resident.").exclude(pk=resident.pk).order_by("pk")
    return {
        "session_cookie": f"sessionid={session_key_for(resident)}",
        "meeting_slug": meeting.slug,
        "vote_path": f"/meetings/{meeting.slug}/questions/{question.code}/vote/",
        "writer_cookies": [f"sessionid={session_key_for(user)}" for user in writers[:WRITERS]],
    }


def session_key_for(user) -> str:
    """A logged-in session, made the way django.contrib.auth.login makes one."""
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def fetch(port: int, path: str, cookie: str | None = None) -> tuple[int, str]:
    """GET http://127.0.0.1:<port><path>; returns the status and the X-Precinct-Cache header."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("X-Precinct-Cache", "not cached")
    finally:
        connection.close()


def post(port: int, path: str, cookie: str) -> int:
    """POST ``path`` as the session in ``cookie``, with a CSRF token of our own (cookie and header)."""
    token = secrets.token_hex(16)  # 32 characters: the form of a CSRF secret
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "POST",
            path,
            headers={"Cookie": f"{cookie}; csrftoken={token}", "X-CSRFToken": token, "Content-Length": "0"},
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def measure_hit_rate(port: int, paths: list[str], *, duration: int, readers: int, writer=None) -> dict:
    """Anonymous readers fetch ``paths`` in turn for ``duration`` seconds (beside ``writer``, a
    callable run in a loop until then); returns hits, requests and the writer's requests."""
    stop = time.monotonic() + duration
    counts = {"hit": 0, "requests": 0, "writes": 0, "refused": 0}
    lock = threading.Lock()

    def read() -> None:
        index = 0
        while time.monotonic() < stop:
            status, cache_status = fetch(port, paths[index % len(paths)])
            index += 1
            with lock:
                counts["requests"] += 1
                counts["hit"] += cache_status == "hit" and status == 200

    def write() -> None:
        while time.monotonic() < stop:
            status = writer()
            with lock:
                counts["writes"] += 1
                counts["refused"] += status != 302

    threads = [threading.Thread(target=read) for _ in range(readers)]
    if writer is not None:
        threads.append(threading.Thread(target=write))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts


def run_writer_bench(port: int, context: dict, *, duration: int) -> tuple[str, bool]:
    """Hit rate of the meeting pages for anonymous readers, alone and beside a vote writer."""
    paths = ["/meetings/", f"/meetings/{context['meeting_slug']}/"]
    for path in paths:
        fetch(port, path)
    cookies = context["writer_cookies"]
    turn = iter(range(10**9))

    def toggle_vote() -> int:
        return post(port, context["vote_path"], cookies[next(turn) % len(cookies)])

    alone = measure_hit_rate(port, paths, duration=duration, readers=4)
    beside = measure_hit_rate(port, paths, duration=duration, readers=4, writer=toggle_vote)
    lines = [
        "| meeting list + detail, anonymous readers | hits / requests | hit rate | vote toggles (not 302) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, counts in (("alone", alone), ("beside a vote writer", beside)):
        rate = counts["hit"] / max(counts["requests"], 1)
        lines.append(
            f"| {name} | {counts['hit']:,} / {counts['requests']:,} | {rate:.1%} | "
            f"{counts['writes']:,} ({counts['refused']:,}) |"
        )
    met = beside["hit"] / max(beside["requests"], 1) >= WRITER_HIT_RATE_TARGET and beside["writes"] > 0
    return "\n".join(lines), met


def start_gunicorn(port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--workers", "2", "portal.wsgi"]
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if fetch(port, "/health/ready")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not become ready within 60 s")


def workers_cpu_seconds(master_pid: int) -> float:
    """User + system CPU of gunicorn's workers so far: the live ones (every thread) and those the
    master has already reaped (recycled), from /proc. Steady on a shared machine, unlike a rate."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name (field 2) may hold spaces; the fields after its ")" are fixed.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # A process that ended while we looked.
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if ppid == master_pid:
            total += int(fields[11]) + int(fields[12])  # utime, stime
        elif pid == master_pid:
            total += int(fields[13]) + int(fields[14])  # cutime, cstime: its reaped workers
    return total / ticks


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def run_wrk(url: str, *, connections: int, duration: int, cookie: str | None) -> dict:
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", output, re.M))
    if set(latency) != {"50", "99"}:
        raise SystemExit(f"Could not read wrk's latency distribution:\n{output}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": to_ms(latency["50"]),
        "p99": to_ms(latency["99"]),
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per page (default 10)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent connections (default 50)")
    parser.add_argument(
        "--mode",
        choices=["pages", "writer", "both", "uncached"],
        default="pages",
        help="pages: wrk on each page (default); writer: the cache hit rate with and without a vote writer; both;"
        " uncached: the pages with the page cache off, and each page's query count",
    )
    args = parser.parse_args()
    if args.mode != "writer" and not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    print(
        f"» Preparing {DATABASE_URL} (migrate, collectstatic, {RESIDENTS:,} residents, {MEETINGS:,} meetings, "
        f"{PROGRAMS} programs)"
    )
    if args.mode == "uncached":
        # Before gunicorn starts and before Django is set up here: both run with the page cache off.
        os.environ["PUBLIC_PAGE_CACHE_SECONDS"] = "0"
    ensure_database()
    context = prepare()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    pages = [
        ("liveness (floor)", "/health/live", None, None),
        ("home", "/", None, 0.5),
        ("meeting list", "/meetings/", None, 0.5),
        ("meeting detail", f"/meetings/{context['meeting_slug']}/", None, 0.5),
        ("program list", "/programs/", None, 0.5),
        ("my programs (logged in)", "/programs/mine/", context["session_cookie"], 0.25),
    ]
    queries = {}
    if args.mode == "uncached":
        # Issue 19, part 6: every page at ≥ 0.25 × the floor with p99 < 150 ms, whatever it costs to render.
        pages = [(name, path, cookie, target and 0.25) for name, path, cookie, target in pages]
        pages.append(("my activity (logged in)", "/me/activity/", context["session_cookie"], 0.25))
        queries = in_process_costs(pages)
    print(f"» gunicorn (2 workers) on {base}; wrk, {args.connections} connections, {args.duration} s per page")
    server = start_gunicorn(port)
    results = []
    try:
        for name, path, cookie, target in pages if args.mode != "writer" else []:
            # Two requests first, as visitors would have made: the first fills the cache of anonymous pages.
            for _ in range(2):
                status, cache_status = fetch(port, path, cookie)
                if status != 200:
                    raise SystemExit(f"{path} answered {status}, not 200")
            cpu_before = workers_cpu_seconds(server.pid)
            result = run_wrk(base + path, connections=args.connections, duration=args.duration, cookie=cookie)
            cpu_ms = (workers_cpu_seconds(server.pid) - cpu_before) * 1000 / max(result["requests"], 1)
            results.append(
                (name, target, {**result, "cache": cache_status, "in_process": queries.get(name), "cpu_ms": cpu_ms})
            )
        writer_table, writer_met = "", True
        if args.mode in ("writer", "both"):
            writer_table, writer_met = run_writer_bench(port, context, duration=args.duration)
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(VAR_DIR, ignore_errors=True)

    lines, all_met = pages_table(results, uncached=args.mode == "uncached") if results else ([], True)
    if writer_table:
        all_met &= writer_met
        lines += [
            *([""] if lines else []),
            writer_table,
            "",
            f"With the writer: hit rate ≥ {WRITER_HIT_RATE_TARGET:.0%}: {'yes' if writer_met else 'NO'}",
        ]
    table = "\n".join(lines)
    print()
    print(table)
    print(f"\nMachine: {os.cpu_count()} cores, {platform_summary()}")
    print("Load average (1, 5, 15 min) at the end: " + ", ".join(f"{load:.2f}" for load in os.getloadavg()))
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    name = {"writer": "load-writer.md", "uncached": "load-uncached.md"}.get(args.mode, "load.md")
    (results_dir / name).write_text(table + "\n")
    return 0 if all_met else 1


def in_process_costs(pages: list) -> dict[str, tuple[int, float]]:
    """Each page's database queries on a second request (the first fills per-process lookups), and
    its CPU milliseconds per request in this one process (the least of a few rounds): unlike a rate,
    or the workers' CPU on a machine so loaded that requests time out, it holds on a shared machine."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, path, cookie, _target in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        if cookie:
            client.cookies.load(cookie)
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        if status != 200:
            raise SystemExit(f"{path} answered {status}, not 200")
        queries = len(captured)  # now: each request's start empties the connection's query log
        rounds = []
        for _ in range(IN_PROCESS_ROUNDS):
            started = time.process_time()
            for _ in range(IN_PROCESS_REQUESTS):
                client.get(path)
            rounds.append((time.process_time() - started) * 1000 / IN_PROCESS_REQUESTS)
        counts[name] = (queries, min(rounds))
    return counts


def pages_table(results: list, *, uncached: bool = False) -> tuple[list[str], bool]:
    """The wrk results as table lines, with whether every target was met."""
    floor = results[0][2]["rps"]
    p99_limit = 150 if uncached else 100
    lines = [
        "| page | cache | queries | CPU ms/request, one process | CPU ms/request, workers | requests/s | p50 (ms) "
        "| p99 (ms) | × floor | errors | target | met |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    all_met = True
    for name, target, result in results:
        ratio = result["rps"] / floor
        if target is None:
            goal, met = "floor", result["errors"] == 0
        else:
            timed = target == 0.5 or uncached
            goal = f"≥ {target:g} × floor" + (f", p99 < {p99_limit} ms" if timed else "")
            met = ratio >= target and result["errors"] == 0 and (not timed or result["p99"] < p99_limit)
        all_met &= met
        queries, in_process = result["in_process"] or ("", None)
        lines.append(
            f"| {name} | {result['cache']} | {queries} | {'' if in_process is None else f'{in_process:.2f}'} | "
            f"{result['cpu_ms']:.2f} | {result['rps']:,.0f} | {result['p50']:.1f} | {result['p99']:.1f} | "
            f"{ratio:.2f} | {result['errors']} | {goal} | {'yes' if met else 'NO'} |"
        )
    return lines, all_met


def platform_summary() -> str:
    import platform

    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else ""
    return f"{model or platform.processor()}, Python {platform.python_version()}, {platform.system()}"


if __name__ == "__main__":
    sys.exit(main())
