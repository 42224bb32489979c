import gc
import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Celery's Django fix-up runs every system check when a worker starts: the URL checks import the
# URL configuration (every view module, their forms, allauth's views, WebAuthn's library) and the
# other checks their own modules, about 7 MB in each of the worker's processes, plus 6 MB for the
# URL configuration. `manage.py migrate` (the release step) and `manage.py check` run them.
os.environ.setdefault("CELERY_SKIP_CHECKS", "1")

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


@worker_process_init.connect
def _reverse_without_views(**kwargs) -> None:
    """In each pool process, before its first task: reverse() the links in e-mails against the
    site's named URLs without their views (portal/link_urls_source.py), not portal.urls, which
    would import every view module into each pool process."""
    from django.urls import get_resolver, set_urlconf  # not at the top: imported while settings load

    set_urlconf("portal.link_urls")
    # What every pool process loads for its first e-mail, loaded before its first task instead, so
    # that an urgent alert's first copy does not wait for it: the URL table and the sealing library.
    get_resolver("portal.link_urls").reverse_dict  # noqa: B018
    import cryptography.fernet  # noqa: F401
