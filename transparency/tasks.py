from celery import shared_task

from transparency.services import figures_compute


@shared_task(acks_late=True)
def compute_figures() -> None:
    # Returns nothing: the worker's log line must carry no figure (tips included).
    figures_compute()
