"""Beat tasks: each tick looks in the database for what is due, so nothing waits in a long countdown."""

from celery import shared_task

from meetings import services


@shared_task(acks_late=True)
def send_due_reminders() -> int:
    """Queue the reminders whose time has come; duplicate ticks and retries send nothing twice."""
    return services.reminders_send_due()


@shared_task(acks_late=True)
def send_feedback_requests() -> int:
    """Ask attendees of meetings that have just ended for their feedback, once per person."""
    return services.feedback_requests_send_due()


@shared_task(acks_late=True)
def release_feedback(meeting_id: int) -> int:
    """Write a full batch of a meeting's anonymous feedback, shuffled, in a transaction of its own."""
    return services.feedback_release(meeting_id=meeting_id)


@shared_task(acks_late=True)
def release_closed_feedback() -> int:
    """Release full batches a worker missed, and the anonymous feedback still waiting once feedback closes."""
    return services.feedback_release_due()
