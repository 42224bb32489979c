"""Benchmark: one newsletter to 10,000 and to 100,000 subscribers through the real stack.

PostgreSQL, a real Celery worker (a subprocess) on Redis, the SMTP backend pointed at a local
aiosmtpd sink. Prints messages per second, the worker's peak memory (RSS of the worker and its
pool processes, from /proc), duplicates and missing recipients (from the sink's own list), and
the baseline: plain smtplib sending as many pre-rendered messages over one connection to the
same sink. See bench/README.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/precinct_bench \\
    REDIS_URL=redis://127.0.0.1:6379/4 .venv/bin/python bench/newsletter_fanout.py [--sizes 10000 100000]
"""

import argparse
import base64
import os
import secrets
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/precinct_bench")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/4")
WORKER_CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "2"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SINK_PORT = free_port()
# The worker and this process share these settings: production mode (DEBUG off, so no query log
# grows in memory), the SMTP backend aimed at the sink.
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "portal.settings",
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "TIP_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    "ALLOWED_HOSTS": "localhost",
    "SECURE_SSL_REDIRECT": "false",
    "DATABASE_URL": DATABASE_URL,
    "DATABASE_CONN_MAX_AGE": "600",
    "REDIS_URL": REDIS_URL,
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": str(SINK_PORT),
    "LOG_LEVEL": "WARNING",
    "PRECINCT_VAR_DIR": tempfile.mkdtemp(prefix="precinct-bench-"),
}
os.environ.update(ENVIRONMENT)


def create_database() -> None:
    import psycopg2
    from psycopg2 import sql

    name = DATABASE_URL.rsplit("/", 1)[1]
    connection = psycopg2.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


create_database()
import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from newsletters import services  # noqa: E402
from newsletters.models import Newsletter, Subscription  # noqa: E402
from outbox.models import Email  # noqa: E402
from outbox.services import email_render  # noqa: E402

BODY = """## Spring safety update

Bike thefts are **down 12%** this quarter. Lock your bike to a fixed rack, and register its
serial number with the [bike registry](https://precinct.example/programs/bike-registry/).

- Community meeting on Thursday at the library
- Youth cadet program: applications open
"""


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def memory_of(pid: int, fields=("Rss", "Pss")) -> dict[str, int]:
    """``fields`` (bytes) of one process from /proc/PID/smaps_rollup; zeros if it is gone."""
    found = dict.fromkeys(fields, 0)
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _sep, rest = line.partition(":")
            if name in found:
                found[name] = int(rest.split()[0]) * 1024
    except OSError:
        pass
    return found


def memory_of_tree(pid: int) -> dict[str, int]:
    """RSS and PSS (bytes) of ``pid`` and its descendants. RSS counts a page shared by the pool's
    processes (copy-on-write after the fork) once in each; PSS divides it among them."""
    total = {"Rss": 0, "Pss": 0}
    for member in tree(pid):
        for name, value in memory_of(member).items():
            total[name] += value
    return total


def rss_of_tree(pid: int) -> int:
    """Resident memory (bytes) of ``pid`` and all its descendants, from /proc."""
    return memory_of_tree(pid)["Rss"]


def memory_breakdown(pid: int) -> list[str]:
    """What each process of the worker's tree holds, from /proc/PID/smaps: anonymous memory (the
    Python heap: modules, code objects, data), the interpreter and shared libraries' pages, the rest;
    RSS, PSS and private (not shared with any other process)."""
    lines = []
    for member in tree(pid):
        try:
            name = Path(f"/proc/{member}/cmdline").read_bytes().split(b"\0")[-2].decode()[-30:]
            smaps = Path(f"/proc/{member}/smaps").read_text().splitlines()
        except (OSError, IndexError):
            continue
        kinds: dict[str, dict[str, int]] = {}
        kind = "other"
        for line in smaps:
            head = line.split()
            if "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):  # a mapping's first line
                path = head[5] if len(head) > 5 else ""
                if not path or path in ("[heap]", "[stack]") or path.startswith("[anon"):
                    kind = "anonymous (Python heap)"
                elif ".so" in path or "python3" in path.rsplit("/", 1)[-1]:
                    kind = "interpreter and libraries"
                else:
                    kind = "other files"
                continue
            if head[0] in ("Rss:", "Pss:", "Private_Clean:", "Private_Dirty:"):
                field = "Private" if head[0].startswith("Private") else head[0][:-1]
                kinds.setdefault(kind, {"Rss": 0, "Pss": 0, "Private": 0})[field] += int(head[1]) * 1024
        rollup = memory_of(member, ("Rss", "Pss", "Private_Clean", "Private_Dirty"))
        lines.append(
            f"  pid {member} ({name}): RSS {rollup['Rss'] / 2**20:.0f} MB, PSS {rollup['Pss'] / 2**20:.0f} MB,"
            f" private {(rollup['Private_Clean'] + rollup['Private_Dirty']) / 2**20:.0f} MB"
        )
        for kind, values in sorted(kinds.items(), key=lambda item: -item[1]["Rss"]):
            lines.append(
                f"    {kind:27} RSS {values['Rss'] / 2**20:5.0f} MB  PSS {values['Pss'] / 2**20:5.0f} MB"
                f"  private {values['Private'] / 2**20:5.0f} MB"
            )
    return lines


def cpu_seconds_of_tree(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its descendants (living ones), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        stack.extend(children.get(current, []))
        if current in stats:
            total += (int(stats[current][11]) + int(stats[current][12])) / ticks
    return total


def start_sink(output: Path) -> subprocess.Popen:
    sink = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(SINK_PORT), str(output)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout.readline().strip() == "ready"
    return sink


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def reset(size: int) -> list[str]:
    """Empty the tables and create ``size`` active subscribers; returns their addresses."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE newsletters_newsletterdelivery, newsletters_newsletter_neighbourhoods, newsletters_newsletter,"
            " newsletters_consentrecord, newsletters_subscription_neighbourhoods, newsletters_subscription,"
            " newsletters_suppression, outbox_email RESTART IDENTITY CASCADE"
        )
    addresses = [f"resident{n:06}@bench.example" for n in range(size)]
    for start in range(0, size, 5000):
        Subscription.objects.bulk_create(
            Subscription(email=address, status=Subscription.Status.ACTIVE)
            for address in addresses[start : start + 5000]
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE newsletters_subscription")
    return addresses


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def run_portal(size: int, workdir: Path) -> dict:
    addresses = reset(size)
    flush_redis()
    received = workdir / f"portal-{size}.txt"
    sink = start_sink(received)
    worker = subprocess.Popen(
        [
            sys.executable, "-m", "portal.worker", "-Q", "default",
            "-c", str(WORKER_CONCURRENCY), "--pool", "prefork", "-l", "WARNING",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**os.environ},
    )  # fmt: skip
    try:
        time.sleep(4)  # the worker connects to Redis and forks its pool
        idle = memory_of_tree(worker.pid)
        idle_rss = idle["Rss"]
        idle_cpu = cpu_seconds_of_tree(worker.pid)
        newsletter = Newsletter.objects.create(subject="Spring safety update", body=BODY)
        started = time.perf_counter()
        services.newsletter_schedule(newsletter_id=newsletter.pk, send_at=None, actor=None)
        peak_rss, peak_pss, delivered, last_change, last_count = idle_rss, idle["Pss"], 0, time.perf_counter(), -1
        next_report = started + 30
        while delivered < size:
            time.sleep(0.2)
            memory = memory_of_tree(worker.pid)
            peak_rss, peak_pss = max(peak_rss, memory["Rss"]), max(peak_pss, memory["Pss"])
            delivered = count_lines(received)
            if time.perf_counter() >= next_report:  # progress, so a long run can be read while it goes on
                seconds = time.perf_counter() - started
                print(
                    f"  {seconds:6.0f} s: {delivered:,} received, {delivered / seconds:.0f} msg/s,"
                    f" worker peak RSS so far {peak_rss / 2**20:.0f} MB",
                    flush=True,
                )
                next_report += 30
            if delivered != last_count:
                last_count, last_change = delivered, time.perf_counter()
            elif time.perf_counter() - last_change > 60:
                print(f"  stalled at {delivered}/{size}", file=sys.stderr)
                break
        elapsed = time.perf_counter() - started
        worker_cpu = cpu_seconds_of_tree(worker.pid) - idle_cpu
        breakdown = memory_breakdown(worker.pid)  # at the end of the send, before the worker stops
    finally:
        stop(worker)
        stop(sink)
        flush_redis()  # a stopped worker's leftovers (unacked tasks, bindings) must not reach the next user
    print("  worker memory at the end of the send:", *breakdown, sep="\n", flush=True)
    counts = Counter(received.read_text().split())
    expected = set(addresses)
    return {
        "messages": sum(counts.values()),
        "seconds": elapsed,
        "rate": sum(counts.values()) / elapsed,
        "peak_rss": peak_rss,
        "peak_pss": peak_pss,
        "idle_pss": idle["Pss"],
        "cpu_ms_per_message": worker_cpu * 1000 / max(sum(counts.values()), 1),
        "idle_rss": idle_rss,
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "missing": len(expected - set(counts)),
        "unexpected": len(set(counts) - expected),
    }


def run_baseline(size: int, workdir: Path) -> dict:
    """Plain smtplib, one connection, the same newsletter pre-rendered once per recipient."""
    template = email_render(
        Email(
            to="RECIPIENT@bench.example",
            template="newsletters/emails/newsletter",
            context=services.newsletter_email_context(Newsletter(subject="Spring safety update", body=BODY)),
            kind=Email.Kind.BULK,
        )
    )
    raw = template.message().as_bytes(linesep="\r\n")  # as Django's SMTP backend sends it
    addresses = [f"resident{n:06}@bench.example" for n in range(size)]
    messages = [(address, raw.replace(b"RECIPIENT@bench.example", address.encode())) for address in addresses]
    received = workdir / f"baseline-{size}.txt"
    sink = start_sink(received)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        with smtplib.SMTP("127.0.0.1", SINK_PORT) as smtp:
            for address, message in messages:
                smtp.sendmail("noreply@precinct.example", [address], message)
        cpu = time.process_time() - cpu
        while count_lines(received) < size:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        stop(sink)
    return {
        "messages": count_lines(received),
        "seconds": elapsed,
        "rate": count_lines(received) / elapsed,
        "cpu_ms_per_message": cpu * 1000 / size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    arguments = parser.parse_args()
    call_command("migrate", verbosity=0)
    workdir = Path(tempfile.mkdtemp(prefix="precinct-bench-sink-"))
    results = []
    for size in arguments.sizes:
        print(f"» {size:,} subscribers: portal (Celery worker, -c {WORKER_CONCURRENCY}) …", flush=True)
        portal = run_portal(size, workdir)
        print(f"  {portal}", flush=True)  # as soon as measured: a long run can be read while it goes on
        print(f"» {size:,} subscribers: smtplib baseline …", flush=True)
        baseline = run_baseline(size, workdir)
        print(f"  {baseline}", flush=True)
        results.append((size, portal, baseline))

    print()
    header = (
        f"{'subscribers':>11} | {'portal msg/s':>12} | {'baseline msg/s':>14} | {'ratio':>5} | "
        f"{'worker peak RSS':>15} | {'peak PSS':>8} | {'duplicates':>10} | {'missing':>7} | {'seconds':>7} | "
        "CPU ms/msg worker / smtplib"
    )
    print(header)
    print("-" * len(header))
    for size, portal, baseline in results:
        print(
            f"{size:>11,} | {portal['rate']:>12,.0f} | {baseline['rate']:>14,.0f} | "
            f"{portal['rate'] / baseline['rate']:>5.2f} | {portal['peak_rss'] / 2**20:>12.0f} MB | "
            f"{portal['peak_pss'] / 2**20:>5.0f} MB | "
            f"{portal['duplicates']:>10} | {portal['missing']:>7} | {portal['seconds']:>7.1f} | "
            f"{portal['cpu_ms_per_message']:.2f} / {baseline['cpu_ms_per_message']:.2f}"
        )
    if len(results) >= 2:
        first, last = results[0], results[-1]
        growth = last[1]["peak_rss"] / first[1]["peak_rss"]
        ratios = ", ".join(f"{portal['rate'] / baseline['rate']:.2f}" for _size, portal, baseline in results)
        print(
            f"\nPeak memory at {last[0]:,} vs {first[0]:,}: {growth:.2f}× (target ≤ 1.25×). "
            f"Rate vs baseline: {ratios} (target ≥ 0.50)."
        )
    problems = [size for size, portal, _b in results if portal["duplicates"] + portal["missing"] + portal["unexpected"]]
    if problems:
        sys.exit(f"Duplicates or missing recipients at {problems}")


if __name__ == "__main__":
    main()
