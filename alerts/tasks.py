from celery import shared_task

from alerts import services


@shared_task(acks_late=True, queue=services.ALERT_QUEUE)
def deliver_alert_revision(revision_id: int) -> int:
    return services.alert_revision_deliver(revision_id=revision_id)


@shared_task
def resume_alert_deliveries() -> int:
    return services.alerts_deliveries_resume()
