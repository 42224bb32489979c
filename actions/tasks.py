"""Beat tasks for action plans; each run looks in the database, so a repeat sends nothing twice."""

from celery import shared_task

from actions import services


@shared_task(acks_late=True)
def send_officer_reminders() -> int:
    """Remind officers of items due within a week or overdue: once per officer and local day."""
    return services.officer_reminders_send()


@shared_task(acks_late=True)
def notify_status_change(update_id: int) -> int:
    """Queue a status change's e-mails again (they are keyed per update and person: no duplicate)."""
    return services.notify_status_change(update_id=update_id)
