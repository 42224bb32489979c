from celery import shared_task

from outbox import services


# The time limits end a stuck batch before its claim lease runs out, so the sweep never hands its
# rows to another worker while this one might still send them.
@shared_task(
    acks_late=True,
    soft_time_limit=(services.CLAIM_LEASE * 0.8).total_seconds(),
    time_limit=(services.CLAIM_LEASE * 0.9).total_seconds(),
)
def deliver_emails(email_ids: list[int]) -> dict[str, int]:
    return services.email_deliver_batch(email_ids=email_ids)


@shared_task
def sweep_outbox() -> int:
    return services.outbox_sweep()
