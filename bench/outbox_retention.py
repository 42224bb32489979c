"""Benchmark: the outbox's hot queries with a year of old mail in the table, and the retention purge.

1. Claim (a batch of 50), sweep and withdraw-by-prefix, each timed (median of --repeats runs, wall
   and CPU of this process) with ``--small`` and then ``--large`` old (sent, 60 days old) rows in
   ``outbox_email``; prints the ratio large / small (target ≤ 1.2) and each query's EXPLAIN plan,
   and checks that none reads ``outbox_email`` with a sequential scan.
2. At the large size: delivers --deliver queued messages to a local SMTP sink (in this process,
   the outbox's batches of 50) alone, then again while ``outbox_purge`` runs in another process
   (stopped when the delivery ends), and prints both rates (target: no more than 20 % slower) and
   how many rows the purge deleted per second meanwhile.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/precinct_perf_scale \\
    .venv/bin/python bench/outbox_retention.py [--small 5000] [--large 5000000]
"""

import argparse
import base64
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/precinct_perf_scale")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SINK_PORT = free_port()
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(60),
        "TIP_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": "localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": DATABASE_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(SINK_PORT),
        "LOG_LEVEL": "WARNING",
        "PRECINCT_VAR_DIR": tempfile.mkdtemp(prefix="precinct-bench-"),
    }
)
os.environ.pop("REDIS_URL", None)  # no broker: tasks are not handed out here, the bench calls the services


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
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from outbox import services  # noqa: E402
from outbox.models import Email  # noqa: E402

services.enqueue_delivery = lambda email_ids, queue=None: True  # the sweep's hand-off: not what is measured
CONTEXT = {"password_reset_url": "https://precinct.example/reset/"}


def fill(old_rows: int) -> None:
    """An outbox of ``old_rows`` sent e-mails queued 60 days ago (one INSERT … SELECT)."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE outbox_email RESTART IDENTITY CASCADE")
        cursor.execute(
            """
            INSERT INTO outbox_email (\"to\", template, language, kind, headers, sealed, idempotency_key, status,
                attempts, last_error, created_at, next_attempt_at, sent_at, forget_recipient, queue)
            SELECT 'resident' || n || '@bench.example', 'newsletters/emails/newsletter', 'en', 'bulk', '{}', '',
                'newsletters:old:' || n, 'sent', 1, '', now() - interval '60 days' + n * interval '1 ms', NULL,
                now() - interval '60 days', false, ''
            FROM generate_series(1, %s) AS n
            """,
            [old_rows],
        )
        cursor.execute("VACUUM ANALYZE outbox_email")


def queue(prefix: str, count: int) -> list[int]:
    with transaction.atomic():
        ids = services.email_queue_many(
            messages=[
                {
                    "to": f"{prefix}{n}@bench.example",
                    "template": "account/email/password_reset_key",
                    "context": CONTEXT,
                    "idempotency_key": f"bench:{prefix}:{n}",
                }
                for n in range(count)
            ]
        )
    return sorted(ids.values())


def timed(function, repeats: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``function(i)`` over ``repeats`` calls."""
    walls, cpus = [], []
    for i in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        function(i)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def server_ms(queryset, repeats: int) -> float:
    """Median execution time PostgreSQL reports for the query (EXPLAIN ANALYZE, rolled back)."""
    times = []
    for _ in range(repeats):
        with transaction.atomic(), connection.cursor() as cursor:
            sql, params = queryset.query.sql_with_params()
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
            times.append(cursor.fetchone()[0][0]["Execution Time"])
            transaction.set_rollback(True)
    return statistics.median(times)


def explain(queryset) -> str:
    with transaction.atomic(), connection.cursor() as cursor:  # a transaction: FOR UPDATE needs one
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def measure(old_rows: int, repeats: int) -> dict:
    fill(old_rows)
    # Rows of today's traffic: claimed in batches, some due for the sweep, some withdrawn by prefix.
    claim_ids = queue("claim", 50 * repeats)
    due = queue("due", 20)
    Email.objects.filter(pk__in=due).update(next_attempt_at=timezone.now())
    for i in range(repeats):
        queue(f"withdraw{i}", 10)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE outbox_email")

    results = {
        "claim": timed(lambda i: services._claim(claim_ids[i * 50 : (i + 1) * 50]), repeats),
        "sweep": timed(lambda i: services.outbox_sweep(), repeats),
        "withdraw": timed(lambda i: services.email_withdraw(key_prefix=f"bench:withdraw{i}:", reason="bench"), repeats),
    }
    now = timezone.now()
    queries = {
        "claim": (
            Email.objects.select_for_update(skip_locked=True).filter(pk__in=claim_ids[:50], status=Email.Status.QUEUED)
        ),
        "sweep (abandoned)": (Email.objects.filter(status=Email.Status.SENDING, next_attempt_at__lte=now)),
        "sweep (due)": (
            Email.objects.filter(status=Email.Status.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", "queue")[:5000]
        ),
        "withdraw": (Email.objects.filter(status=Email.Status.QUEUED, idempotency_key__startswith="bench:withdraw0:")),
        "purge": (
            Email.objects.filter(created_at__lt=now, status__in=services.DONE_STATUSES)
            .order_by("created_at")
            .values_list("pk", flat=True)[:1000]
        ),
    }
    Email.objects.filter(pk__in=claim_ids[:50]).update(status=Email.Status.QUEUED)  # claimable again
    plans = {name: explain(query) for name, query in queries.items()}
    server = {name: server_ms(query, repeats) for name, query in queries.items()}
    return {"results": results, "plans": plans, "server": server}


def start_sink(output: Path) -> subprocess.Popen:
    sink = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(SINK_PORT), str(output)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout.readline().strip() == "ready"
    return sink


def deliver(prefix: str, count: int) -> tuple[float, float]:
    """Queue and deliver ``count`` messages in the outbox's batches; returns (msg/s, CPU ms per message)."""
    ids = queue(prefix, count)
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(ids), services.BATCH_SIZE):
        services.email_deliver_batch(email_ids=ids[start : start + services.BATCH_SIZE])
    seconds = time.perf_counter() - wall
    return count / seconds, (time.process_time() - cpu) * 1000 / count


def purge_beside_delivery(count: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="precinct-bench-sink-"))
    sink = start_sink(workdir / "received.txt")
    try:
        deliver("warm", 200)
        alone_rate, alone_cpu = deliver("alone", count)
        before = Email.objects.count()
        purge = subprocess.Popen(
            [sys.executable, "-c", "import django; django.setup(); import outbox.services as s; s.outbox_purge()"],
            cwd=ROOT,
            env={**os.environ, "OUTBOX_RETENTION_DAYS": "30"},
        )
        purge_started = time.perf_counter()
        time.sleep(2)  # the purge is under way
        beside_rate, beside_cpu = deliver("beside", count)
        purging_still = purge.poll() is None
        purge.terminate()  # between batches or in one: each batch is its own transaction
        purge.wait(30)
        seconds = time.perf_counter() - purge_started
        deleted = before + count - Email.objects.count()
    finally:
        sink.terminate()
        sink.wait(30)
    return {
        "alone": (alone_rate, alone_cpu),
        "beside": (beside_rate, beside_cpu),
        "purge_running_throughout": purging_still,
        "deleted": deleted,
        "purge_seconds": seconds,
        "rows_before": before,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--small", type=int, default=5_000)
    parser.add_argument("--large", type=int, default=5_000_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--deliver", type=int, default=2_000)
    arguments = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"load before: {Path('/proc/loadavg').read_text().strip()}", flush=True)

    measured = {}
    for size in (arguments.small, arguments.large):
        started = time.perf_counter()
        measured[size] = measure(size, arguments.repeats)
        print(f"» {size:,} old rows measured in {time.perf_counter() - started:.0f} s", flush=True)

    small_label, large_label = (f"ms at {size:,}" for size in (arguments.small, arguments.large))
    print(f"\n{'query':<10} | {small_label:>16} | {large_label:>18} | {'ratio':>5} | CPU ms (small / large)")
    worst = 0.0
    for name in ("claim", "sweep", "withdraw"):
        (small_wall, small_cpu), (large_wall, large_cpu) = (measured[s]["results"][name] for s in measured)
        ratio = large_wall / small_wall
        worst = max(worst, ratio)
        print(
            f"{name:<10} | {small_wall:>16.2f} | {large_wall:>18.2f} | {ratio:>5.2f} | "
            f"{small_cpu:.2f} / {large_cpu:.2f}"
        )
    print(f"\n{'query (PostgreSQL execution)':<30} | {'ms small':>9} | {'ms large':>9} | {'ratio':>5}")
    for name in measured[arguments.small]["server"]:
        small, large = (measured[s]["server"][name] for s in measured)
        print(f"{name:<30} | {small:>9.3f} | {large:>9.3f} | {large / small:>5.2f}")
    sequential = []
    print(f"\nQuery plans with {arguments.large:,} old rows:")
    for name, plan in measured[arguments.large]["plans"].items():
        print(f"  {name}:\n{plan}")
        if "Seq Scan on outbox_email" in plan:
            sequential.append(name)

    print(f"\n» purge of {arguments.large:,} old rows beside a delivery of {arguments.deliver:,} …", flush=True)
    purge = purge_beside_delivery(arguments.deliver)
    (alone_rate, alone_cpu), (beside_rate, beside_cpu) = purge["alone"], purge["beside"]
    print(
        f"delivery alone: {alone_rate:.0f} msg/s ({alone_cpu:.2f} CPU ms/msg);"
        f" beside the purge: {beside_rate:.0f} msg/s ({beside_cpu:.2f} CPU ms/msg):"
        f" {beside_rate / alone_rate:.2f}× (target ≥ 0.80); the purge was"
        f" {'still' if purge['purge_running_throughout'] else 'no longer'} running when the delivery ended"
    )
    print(
        f"purge: {purge['deleted']:,} rows in {purge['purge_seconds']:.0f} s"
        f" ({purge['deleted'] / purge['purge_seconds']:.0f} rows/s, batches of 1,000, busy a fifth of the time)"
    )
    print(f"load after: {Path('/proc/loadavg').read_text().strip()}")
    print(f"\nWorst ratio {worst:.2f} (target ≤ 1.2); sequential scans of outbox_email: {sequential or 'none'}")
    if sequential:
        sys.exit(f"Sequential scan in {sequential}")


if __name__ == "__main__":
    main()
