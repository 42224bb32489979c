from celery import shared_task

from programs import services


@shared_task
def send_session_reminders() -> int:
    """Beat task: queue tomorrow's session reminders; a second run in the same window sends nothing."""
    return services.session_reminders_send()
