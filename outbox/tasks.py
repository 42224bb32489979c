from celery import shared_task

from outbox import services


# A stuck batch (its lease is renewed while the process lives) is stopped by the soft limit, which
# gives its unsent rows back; the hard limit kills the process, and the lease then runs out. Both are
# under the broker's visibility timeout (portal/settings.py), so the task is never run twice at once.
@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def deliver_emails(email_ids: list[int]) -> dict[str, int]:
    return services.email_deliver_batch(email_ids=email_ids)


@shared_task
def sweep_outbox() -> int:
    return services.outbox_sweep()


@shared_task
def purge_outbox() -> int:
    return services.outbox_purge()
