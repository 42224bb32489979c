from celery import shared_task

from tips import services


@shared_task
def notify_reviewers_of_new_tips() -> int:
    """Beat, every few minutes: settle what tipsters sent in hours that are over, then one e-mail per
    reviewer for the tips of those hours."""
    services.tips_settle()
    return services.tips_notify_reviewers()


@shared_task
def purge_expired_tips() -> int:
    """Beat, hourly: delete closed tips past the retention period."""
    return services.tips_purge_expired()
