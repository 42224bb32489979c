"""Benchmark: an urgent alert to one area while a newsletter is already sending (issue 19, part 2).

The real stack of ``newsletter_fanout.py`` (PostgreSQL, Redis, real Celery workers, an aiosmtpd
sink that stamps each message with the time it was accepted): a worker on the default queue
(``BENCH_WORKER_CONCURRENCY``, 2) starts sending a --newsletter-recipient newsletter; once
--head-start copies are out, an officer publishes an alert to the --alert residents of one
neighbourhood, delivered by a worker on the ``high`` queue with --high-concurrency processes
(each its own SMTP connection, as ``WORKER_HIGH_CONCURRENCY`` in the Procfile). Prints the time
from publishing to the first and to the last alert at the sink, the newsletter's rate before and
meanwhile, CPU seconds of every worker process (from /proc), and the baseline: plain smtplib
sending --alert pre-rendered messages over one connection to a fresh sink in the same run.
Targets: last alert within 2x the baseline's time, first within 2 s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/precinct_perf_scale \\
    REDIS_URL=redis://127.0.0.1:6379/10 .venv/bin/python bench/alert_latency.py \\
        [--newsletter 20000] [--alert 4000] [--high-concurrency 2]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone
from newsletter_fanout import (
    BODY,
    ROOT,
    SINK_PORT,
    WORKER_CONCURRENCY,
    count_lines,
    cpu_seconds_of_tree,
    flush_redis,
    reset,
    run_baseline,
    stop,
)

from alerts.models import Alert
from alerts.services import ALERT_QUEUE, alert_publish
from neighbourhoods.models import Neighbourhood
from newsletters import services
from newsletters.models import Newsletter, Subscription


def start_sink(output: Path) -> subprocess.Popen:
    sink = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(SINK_PORT), str(output), "timestamps"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout.readline().strip() == "ready"
    return sink


def start_worker(queue: str, concurrency: int, nice: int = 0) -> subprocess.Popen:
    return subprocess.Popen(
        [
            *(["nice", "-n", str(nice)] if nice else []),
            sys.executable, "-m", "portal.worker", "-Q", queue, "-n", f"{queue}@bench",
            "-c", str(concurrency), "--pool", "prefork", "-l", "WARNING",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**os.environ},
    )  # fmt: skip


def alert_audience(size: int) -> Neighbourhood:
    """``size`` residents of one neighbourhood who want safety alerts and no newsletter."""
    area, _ = Neighbourhood.objects.get_or_create(slug="bench-riverside", defaults={"name": "Bench Riverside"})
    for start in range(0, size, 5000):
        subscriptions = Subscription.objects.bulk_create(
            Subscription(
                email=f"alert{n:06}@alert.example",
                status=Subscription.Status.ACTIVE,
                wants_safety_alerts=True,
                wants_newsletter=False,
                confirmed_at=timezone.now(),
            )
            for n in range(start, min(size, start + 5000))
        )
        Subscription.neighbourhoods.through.objects.bulk_create(
            Subscription.neighbourhoods.through(subscription_id=subscription.pk, neighbourhood_id=area.pk)
            for subscription in subscriptions
        )
    return area


def run(
    newsletter_size: int, alert_size: int, head_start: int, high_concurrency: int, nice_default: int, workdir: Path
) -> dict:
    reset(newsletter_size)
    Subscription.objects.update(wants_safety_alerts=False)  # the newsletter's readers get no alert
    Alert.objects.all().delete()
    area = alert_audience(alert_size)
    users = get_user_model().objects
    composer = users.filter(username="bench-composer").first() or users.create_user("bench-composer")
    publisher = users.filter(username="bench-publisher").first() or users.create_superuser("bench-publisher")
    alert = Alert.objects.create(
        headline="Flooding on the river road",
        event="Flood",
        description="The river road is under water between the bridges.",
        instruction="Avoid the river road; use the bypass.",
        starts_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=6),
        created_by=composer,
    )
    alert.neighbourhoods.set([area])
    flush_redis()
    received = workdir / "portal.txt"
    sink = start_sink(received)
    workers = [start_worker("default", WORKER_CONCURRENCY, nice_default), start_worker(ALERT_QUEUE, high_concurrency)]
    try:
        time.sleep(4)  # the workers connect to Redis and fork their pools
        cpu_before = [cpu_seconds_of_tree(worker.pid) for worker in workers]
        newsletter = Newsletter.objects.create(subject="Spring safety update", body=BODY)
        newsletter_started = time.time()
        services.newsletter_schedule(newsletter_id=newsletter.pk, send_at=None, actor=None)
        while count_lines(received) < head_start:
            time.sleep(0.05)
        published = time.time()
        alert_publish(actor=publisher, alert=alert)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            lines = received.read_text().splitlines()
            if sum(1 for line in lines if line.endswith("@alert.example")) >= alert_size:
                break
            time.sleep(0.1)
        cpu_after = [cpu_seconds_of_tree(worker.pid) for worker in workers]
    finally:
        for worker in workers:
            stop(worker)
        stop(sink)
        flush_redis()
    stamped = [(float(stamp), address) for stamp, address in (line.split() for line in lines)]
    alert_times = [stamp for stamp, address in stamped if address.endswith("@alert.example")]
    newsletter_times = [stamp for stamp, address in stamped if not address.endswith("@alert.example")]
    last_alert = max(alert_times)
    counts = Counter(address for _stamp, address in stamped if address.endswith("@alert.example"))
    before = [stamp for stamp in newsletter_times if stamp < published]
    during = [stamp for stamp in newsletter_times if published <= stamp <= last_alert]
    delivered = len(alert_times) + len(during)
    return {
        "first": min(alert_times) - published,
        "last": last_alert - published,
        "alerts": len(counts),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "newsletter_rate_before": len(before) / (published - newsletter_started),
        "newsletter_rate_during": len(during) / (last_alert - published),
        "cpu_default": cpu_after[0] - cpu_before[0],
        "cpu_high": cpu_after[1] - cpu_before[1],
        "messages_during_run": len(before) + delivered,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--newsletter", type=int, default=20_000)
    parser.add_argument("--alert", type=int, default=4_000)
    parser.add_argument("--head-start", type=int, default=1_000, help="newsletter copies out before the alert")
    parser.add_argument("--high-concurrency", type=int, default=2)
    parser.add_argument(
        "--nice-default", type=int, default=0, help="run the default queue's worker at this niceness (e.g. 10)"
    )
    arguments = parser.parse_args()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    workdir = Path(tempfile.mkdtemp(prefix="precinct-bench-alert-"))
    print(f"load before: {Path('/proc/loadavg').read_text().strip()}", flush=True)
    print(
        f"» newsletter to {arguments.newsletter:,}, alert to {arguments.alert:,} after {arguments.head_start:,}"
        f" newsletter copies; high queue -c {arguments.high_concurrency}, default -c {WORKER_CONCURRENCY}"
        f" at niceness {arguments.nice_default} …",
        flush=True,
    )
    result = run(
        arguments.newsletter,
        arguments.alert,
        arguments.head_start,
        arguments.high_concurrency,
        arguments.nice_default,
        workdir,
    )
    print(f"  {result}", flush=True)
    print(f"» smtplib baseline, {arguments.alert:,} messages on one connection …", flush=True)
    baseline_cpu = time.process_time()
    baseline = run_baseline(arguments.alert, workdir)
    baseline_cpu = time.process_time() - baseline_cpu
    print(f"load after: {Path('/proc/loadavg').read_text().strip()}")
    print(
        f"\nfirst alert {result['first']:.2f} s after publishing (target ≤ 2 s); last {result['last']:.1f} s;"
        f" baseline {baseline['seconds']:.1f} s for {arguments.alert:,} ({baseline['rate']:.0f} msg/s):"
        f" {result['last'] / baseline['seconds']:.2f}× (target ≤ 2×)"
    )
    print(
        f"alerts delivered {result['alerts']:,}/{arguments.alert:,}, duplicates {result['duplicates']};"
        f" newsletter {result['newsletter_rate_before']:.0f} msg/s before the alert,"
        f" {result['newsletter_rate_during']:.0f} msg/s meanwhile"
    )
    per_message = (result["cpu_default"] + result["cpu_high"]) * 1000 / result["messages_during_run"]
    print(
        f"worker CPU: high {result['cpu_high']:.1f} s, default {result['cpu_default']:.1f} s,"
        f" {per_message:.2f} ms per message delivered meanwhile (fan-outs included);"
        f" baseline client {baseline_cpu * 1000 / arguments.alert:.2f} ms per message"
        " (its pre-rendering of the copies included)"
    )
    if result["alerts"] < arguments.alert or result["duplicates"]:
        sys.exit("Missing or duplicate alerts")


if __name__ == "__main__":
    main()
