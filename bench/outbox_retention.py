"""Benchmark: the outbox's hot queries with a year of old mail in the table, and the retention purge.

1. Claim (a batch of 50), sweep and withdraw-by-prefix, each timed (median of --repeats runs, wall
   and CPU of this process) on two copies of ``outbox_email`` (schemas ``bench_small`` and
   ``bench_large``, reached through ``search_path``) holding ``--small`` and ``--large`` old (sent,
   60 days old) rows, the two taking turns call by call so both see the same load; prints the
   ratio large / small (target ≤ 1.2) and each query's EXPLAIN plan, and checks that each reads
   ``outbox_email`` through an index (no sequential scan).
2. At the large size, --rounds times: delivers --deliver queued messages to a local SMTP sink (in
   this process, the outbox's batches of 50) alone, then again while ``outbox_purge`` runs in
   another process (stopped when the delivery ends), and prints both rates (target: no more than
   20 % slower, median of the rounds) and how many rows the purge deleted per second meanwhile.

Says MISSED and exits with status 1 when a target is missed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/precinct_perf_scale \\
    .venv/bin/python bench/outbox_retention.py [--small 5000] [--large 5000000]
"""

import argparse
import base64
import collections
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


def use(schema: str) -> None:
    """Point this connection's unqualified ``outbox_email`` at ``schema``'s copy of the table."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET search_path TO {schema}, public")


def fill(schema: str, old_rows: int) -> None:
    """``schema``.outbox_email, a copy of the outbox's table with its indexes, holding ``old_rows`` sent
    e-mails queued 60 days ago (one INSERT … SELECT, keys numbered in index order so every index
    grows at its end: 5,000,000 rows in about a minute)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        cursor.execute(f"CREATE SCHEMA {schema}")
        cursor.execute(f"CREATE TABLE {schema}.outbox_email (LIKE public.outbox_email INCLUDING ALL)")
        # The schema is one of this script's two names.
        cursor.execute(
            f"""
            INSERT INTO {schema}.outbox_email (\"to\", template, language, kind, headers, sealed, idempotency_key,
                status, attempts, last_error, created_at, next_attempt_at, sent_at, forget_recipient, queue)
            SELECT 'resident' || n || '@bench.example', 'newsletters/emails/newsletter', 'en', 'bulk', '{{}}', '',
                'newsletters:old:' || lpad(n::text, 8, '0'), 'sent', 1, '',
                now() - interval '60 days' + n * interval '1 ms', NULL, now() - interval '60 days', false, ''
            FROM generate_series(1, %s) AS n
            """,  # noqa: S608  # nosec B608 (the schema name is the bench's own constant)
            [old_rows],
        )
        cursor.execute(f"VACUUM ANALYZE {schema}.outbox_email")
        # The load's dirty pages written now, not by a checkpoint in the middle of the timings.
        cursor.execute("CHECKPOINT")


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


def timed(functions: dict, repeats: int) -> dict:
    """Median wall and CPU milliseconds of each schema's ``function(i)`` over ``repeats`` calls, the
    schemas taking turns so that both see the same load on a shared machine."""
    walls, cpus = collections.defaultdict(list), collections.defaultdict(list)
    for i in range(repeats):
        for schema, function in functions.items():
            use(schema)
            wall, cpu = time.perf_counter(), time.process_time()
            function(i)
            walls[schema].append((time.perf_counter() - wall) * 1000)
            cpus[schema].append((time.process_time() - cpu) * 1000)
    return {schema: (statistics.median(walls[schema]), statistics.median(cpus[schema])) for schema in functions}


def server_ms(querysets: dict, repeats: int) -> dict:
    """Median execution time PostgreSQL reports for each schema's query (EXPLAIN ANALYZE, rolled back),
    the schemas taking turns."""
    times = collections.defaultdict(list)
    for _ in range(repeats):
        for schema, queryset in querysets.items():
            use(schema)
            with transaction.atomic(), connection.cursor() as cursor:
                sql, params = queryset.query.sql_with_params()
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
                times[schema].append(cursor.fetchone()[0][0]["Execution Time"])
                transaction.set_rollback(True)
    return {schema: statistics.median(values) for schema, values in times.items()}


def explain(queryset) -> str:
    with transaction.atomic(), connection.cursor() as cursor:  # a transaction: FOR UPDATE needs one
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def traffic(repeats: int) -> list[int]:
    """Rows of today's traffic: claimed in batches, some due for the sweep, some withdrawn by prefix;
    returns the ids to claim."""
    claim_ids = queue("claim", 50 * repeats)
    due = queue("due", 20)
    Email.objects.filter(pk__in=due).update(next_attempt_at=timezone.now())
    for i in range(repeats):
        queue(f"withdraw{i}", 10)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE outbox_email")
    return claim_ids


def measure(sizes: dict[str, int], repeats: int) -> dict:
    """Claim, sweep and withdraw timed in turn on each schema's table, then each query's plan and
    PostgreSQL's execution time."""
    claim_ids = {}
    for schema, old_rows in sizes.items():
        started = time.perf_counter()
        fill(schema, old_rows)
        use(schema)
        claim_ids[schema] = traffic(repeats)
        print(f"» {old_rows:,} old rows in {schema}.outbox_email in {time.perf_counter() - started:.0f} s", flush=True)

    results = {
        "claim": timed(
            {
                schema: lambda i, ids=ids: services._claim(ids[i * 50 : (i + 1) * 50])
                for schema, ids in claim_ids.items()
            },
            repeats,
        ),
        "sweep": timed({schema: lambda i: services.outbox_sweep() for schema in sizes}, repeats),
        "withdraw": timed(
            {
                schema: lambda i: services.email_withdraw(key_prefix=f"bench:withdraw{i}:", reason="bench")
                for schema in sizes
            },
            repeats,
        ),
    }
    plans, queries_by_schema = {}, {}
    for schema, ids in claim_ids.items():
        use(schema)
        now = timezone.now()
        queries = {
            "claim": (
                Email.objects.select_for_update(skip_locked=True).filter(pk__in=ids[:50], status=Email.Status.QUEUED)
            ),
            "sweep (abandoned)": (Email.objects.filter(status=Email.Status.SENDING, next_attempt_at__lte=now)),
            "sweep (due)": (
                Email.objects.filter(status=Email.Status.QUEUED, next_attempt_at__lte=now)
                .order_by("next_attempt_at")
                .values_list("pk", "queue")[:5000]
            ),
            "withdraw": (
                Email.objects.filter(status=Email.Status.QUEUED, idempotency_key__startswith="bench:withdraw0:")
            ),
            "purge": (
                Email.objects.filter(created_at__lt=now, status__in=services.DONE_STATUSES)
                .order_by("created_at")
                .values_list("pk", flat=True)[:1000]
            ),
        }
        Email.objects.filter(pk__in=ids[:50]).update(status=Email.Status.QUEUED)  # claimable again
        plans[schema] = {name: explain(query) for name, query in queries.items()}
        queries_by_schema[schema] = queries
    server = {
        name: server_ms({schema: queries[name] for schema, queries in queries_by_schema.items()}, repeats)
        for name in queries_by_schema["bench_large"]
    }
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


def oldest() -> int:
    """The id of the oldest old row: the old rows' ids run 1, 2, … in the order the purge deletes them."""
    return Email.objects.filter(status=Email.Status.SENT).order_by("created_at").values_list("pk", flat=True)[0]


def purge_beside_delivery(count: int, rounds: int, busy_duty: float | None) -> list[dict]:
    """``rounds`` times: a delivery alone, then one while ``outbox_purge`` runs in another process
    (started 2 s before, stopped when the delivery ends): alternated, so both sides of each round's
    ratio see the same neighbours on a shared machine."""
    workdir = Path(tempfile.mkdtemp(prefix="precinct-bench-sink-"))
    sink = start_sink(workdir / "received.txt")
    measured = []
    try:
        deliver("warm", 200)
        for round in range(rounds):
            alone = deliver(f"alone{round}-", count)
            purge = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "import django; django.setup(); import outbox.services as s;"
                    f" s.outbox_purge({'' if busy_duty is None else f'busy_duty={busy_duty}'})",
                ],
                cwd=ROOT,
                # On the large table too (libpq reads PGOPTIONS).
                env={**os.environ, "OUTBOX_RETENTION_DAYS": "30", "PGOPTIONS": "-c search_path=bench_large,public"},
            )
            # Under way once its first batch is gone (its start-up is not part of what is measured).
            first = oldest()
            while oldest() == first and purge.poll() is None:
                time.sleep(0.1)
            before = oldest()
            wall = time.perf_counter()
            beside = deliver(f"beside{round}-", count)
            seconds = time.perf_counter() - wall
            after = oldest()
            purging_still = purge.poll() is None
            purge.terminate()  # between batches or in one: each batch is its own transaction
            purge.wait(30)
            measured.append(
                {
                    "alone": alone,
                    "beside": beside,
                    "purge_running_throughout": purging_still,
                    "deleted_per_second": (after - before) / seconds,
                    "load": Path("/proc/loadavg").read_text().split()[0],
                }
            )
    finally:
        sink.terminate()
        sink.wait(30)
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--small", type=int, default=5_000)
    parser.add_argument("--large", type=int, default=5_000_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--deliver", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3, help="alternated deliveries alone and beside the purge")
    parser.add_argument(
        "--busy-duty", type=float, help="the purge's busy_duty (default: outbox_purge's; 0.2 = its duty, as before)"
    )
    arguments = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"load before: {Path('/proc/loadavg').read_text().strip()}", flush=True)

    sizes = {"bench_small": arguments.small, "bench_large": arguments.large}
    measured = measure(sizes, arguments.repeats)

    small_label, large_label = (f"ms at {size:,}" for size in sizes.values())
    print(f"\n{'query':<10} | {small_label:>16} | {large_label:>18} | {'ratio':>5} | CPU ms (small / large)")
    worst = 0.0
    for name, by_schema in measured["results"].items():
        (small_wall, small_cpu), (large_wall, large_cpu) = (by_schema[schema] for schema in sizes)
        ratio = large_wall / small_wall
        worst = max(worst, ratio)
        print(
            f"{name:<10} | {small_wall:>16.2f} | {large_wall:>18.2f} | {ratio:>5.2f} | "
            f"{small_cpu:.2f} / {large_cpu:.2f}"
        )
    print(f"\n{'query (PostgreSQL execution)':<30} | {'ms small':>9} | {'ms large':>9} | {'ratio':>5}")
    for name, by_schema in measured["server"].items():
        small, large = (by_schema[schema] for schema in sizes)
        print(f"{name:<30} | {small:>9.3f} | {large:>9.3f} | {large / small:>5.2f}")
    unindexed = []
    print(f"\nQuery plans with {arguments.large:,} old rows:")
    for name, plan in measured["plans"]["bench_large"].items():
        print(f"  {name}:\n{plan}")
        if "Seq Scan on outbox_email" in plan or "Index" not in plan:
            unindexed.append(name)

    print(
        f"\n» purge of the {arguments.large:,} old rows beside a delivery of {arguments.deliver:,},"
        f" {arguments.rounds} rounds …",
        flush=True,
    )
    use("bench_large")
    rounds = purge_beside_delivery(arguments.deliver, arguments.rounds, arguments.busy_duty)
    for number, purge in enumerate(rounds, 1):
        (alone_rate, alone_cpu), (beside_rate, beside_cpu) = purge["alone"], purge["beside"]
        print(
            f"round {number} (load {purge['load']}): delivery alone {alone_rate:.0f} msg/s"
            f" ({alone_cpu:.2f} CPU ms/msg), beside the purge {beside_rate:.0f} msg/s"
            f" ({beside_cpu:.2f} CPU ms/msg): {beside_rate / alone_rate:.2f}×;"
            f" the purge deleted {purge['deleted_per_second']:.0f} rows/s meanwhile and was"
            f" {'still' if purge['purge_running_throughout'] else 'no longer'} running at the end"
        )
    beside_ratio = statistics.median(purge["beside"][0] / purge["alone"][0] for purge in rounds)
    print(f"load after: {Path('/proc/loadavg').read_text().strip()}")

    missed = []
    if worst > 1.2:
        missed.append(f"worst ratio {worst:.2f} > 1.2")
    if unindexed:
        missed.append(f"no index used in {unindexed}")
    if beside_ratio < 0.8:
        missed.append(f"delivery beside the purge at {beside_ratio:.2f}× < 0.80")
    print(
        f"\nWorst ratio {worst:.2f} (target ≤ 1.2); queries not reading outbox_email through an index:"
        f" {unindexed or 'none'};"
        f" delivery beside the purge, median of {len(rounds)} rounds: {beside_ratio:.2f}× (target ≥ 0.80)"
    )
    if missed:
        print("MISSED: " + "; ".join(missed))
        sys.exit(1)
    print("All targets met.")


if __name__ == "__main__":
    main()
