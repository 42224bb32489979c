from celery import shared_task

from tips import services

# The tasks return nothing: Celery writes a task's return value in its log ("succeeded in 0.02s: 3"),
# and a count of tips per hour has no place in a log that people outside Tip reviewers read.


@shared_task
def notify_reviewers_of_new_tips() -> None:
    """Beat, every few minutes: settle what tipsters sent in hours that are over, then one e-mail per
    reviewer for the tips of those hours."""
    services.tips_settle()
    services.tips_notify_reviewers()


@shared_task
def purge_expired_tips() -> None:
    """Beat, hourly: delete closed tips past the retention period."""
    services.tips_purge_expired()
