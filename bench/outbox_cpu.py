"""CPU per message of the outbox: queueing a newsletter's copies and delivering them over SMTP.

In one process (the SMTP sink runs apart, so its CPU is not counted): queue N bulk copies of one
newsletter with ``email_queue_many`` in batches of 1,000, then deliver them with
``email_deliver_batch`` in the outbox's batches for the default queue (``batch_size``), and print
the CPU time (``process_time``) per message of each step. Used to compare the outbox before and
after its contexts were sealed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/precinct_bench_outbox \\
    .venv/bin/python bench/outbox_cpu.py [--messages 3000]
"""

import argparse
import base64
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PORT = free_port()
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        # Production mode (cached templates, no query log), with throw-away keys.
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "TIP_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": "localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/precinct_bench_outbox"),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(PORT),
        "LOG_LEVEL": "WARNING",
        "PRECINCT_VAR_DIR": tempfile.mkdtemp(prefix="precinct-bench-"),
    }
)

# bench/newsletter_fanout.py's newsletter.
NEWSLETTER_BODY = """## Spring safety update

Bike thefts are **down 12%** this quarter. Lock your bike to a fixed rack, and register its
serial number with the [bike registry](https://precinct.example/programs/bike-registry/).

- Community meeting on Thursday at the library
- Youth cadet program: applications open
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    # "newsletter": bench/newsletter_fanout.py's newsletter, whose copies come from a prototype;
    # "long-lines": HTML on one line over 998 characters, quoted-printable, so each copy is built
    # the ordinary way.
    parser.add_argument("--body", choices=["newsletter", "long-lines"], default="newsletter")
    arguments = parser.parse_args()
    count = arguments.messages

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from newsletters.models import Newsletter
    from newsletters.services import newsletter_email_context
    from outbox.models import Email
    from outbox.services import batch_size, email_deliver_batch, email_queue_many

    call_command("migrate", verbosity=0)
    Email.objects.all().delete()
    sink = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(PORT), os.devnull], stdout=subprocess.PIPE, text=True
    )
    sink.stdout.readline()  # "ready"
    if arguments.body == "newsletter":
        context = newsletter_email_context(Newsletter(subject="Spring safety update", body=NEWSLETTER_BODY))
    else:
        paragraph = "Neighbourhood news: the station's open day is on Saturday, everyone is welcome. " * 4
        context = {"subject": "Spring newsletter", "body_text": "\n\n".join([paragraph] * 12)}
        context["body_html"] = "".join(f"<p>{paragraph}</p>" for _ in range(12))
    run = time.time_ns()
    try:
        started = time.process_time()
        ids = []
        for start in range(0, count, 1000):
            with transaction.atomic():
                messages = [
                    {
                        "to": f"reader{number}@example.com",
                        "template": "newsletters/emails/newsletter",
                        "context": context,
                        "kind": Email.Kind.BULK,
                        "idempotency_key": f"bench:{run}:{number}",
                    }
                    for number in range(start, min(start + 1000, count))
                ]
                # The on-commit hand-over to Celery is not measured: the bench delivers itself.
                transaction.get_connection().run_on_commit = []
                ids.extend(email_queue_many(messages=messages).values())
                transaction.get_connection().run_on_commit = []
        queued = time.process_time() - started
        ids.sort()
        started = time.process_time()
        sent = 0
        for start in range(0, len(ids), batch_size(None)):
            sent += email_deliver_batch(email_ids=ids[start : start + batch_size(None)])["sent"]
        delivered = time.process_time() - started
    finally:
        sink.terminate()
        sink.wait()
    print(f"{count} messages, {sent} sent")
    print(f"queue:   {queued / count * 1e6:8.1f} µs CPU per message")
    print(f"deliver: {delivered / count * 1e6:8.1f} µs CPU per message")


if __name__ == "__main__":
    main()
