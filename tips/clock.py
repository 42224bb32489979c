from datetime import datetime

from django.utils import timezone


def coarse_now() -> datetime:
    """Now, rounded down to the hour: the only precision a tipster's actions are stored with."""
    return timezone.now().replace(minute=0, second=0, microsecond=0)
