import gc
import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _freeze_what_the_pool_inherits(**kwargs) -> None:
    """In the worker's main process, once Django and the tasks are loaded and before the pool forks:
    what is loaded by now lives as long as the process, so the garbage collector leaves it alone.
    A collection in a pool process then neither scans it nor writes to (and so copies) the pages
    it shares with the main process."""
    gc.collect()
    gc.freeze()
