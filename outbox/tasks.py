from celery import shared_task

from outbox import services


@shared_task(acks_late=True)
def deliver_emails(email_ids: list[int]) -> dict[str, int]:
    return services.email_deliver_batch(email_ids=email_ids)


@shared_task
def sweep_outbox() -> int:
    return services.outbox_sweep()
