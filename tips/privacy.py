"""Keeping request details of tip pages out of logs and error reports.

Django attaches the request to the records it logs (``django.request``, ``django.security.*``) and
``AdminEmailHandler`` copies its headers (client address, user agent, referrer, cookies) and the
frame variables of the traceback into the ``ADMINS`` e-mail. For tip pages, both go.
Wired in portal/settings.py: ``LOGGING`` (filter on the handlers and on ``django.request``) and
``DEFAULT_EXCEPTION_REPORTER_FILTER``.
"""

import logging
import threading
import traceback
from datetime import datetime, timedelta
from urllib.parse import unquote

from django.urls import NoReverseMatch, reverse
from django.views.debug import SafeExceptionReporterFilter

from portal.secret_paths import mask_secret_paths

# Every tip-line URL lives under this prefix (portal/urls.py); a test holds the two together.
TIP_PATH_PREFIX = "/tips/"


def is_tip_path(path: str | None) -> bool:
    """Whether ``path`` is a tip page or could be taken for one: /tips, /tips/…, /TIPS/, //tips, /%74ips/.

    Generous on purpose: a request someone meant for the tip line is kept out of the logs even when
    it missed (a typo, a stray slash), and the cost is a few unrelated 404s not logged.
    """
    if not path:
        return False
    first_segment = unquote(path).lower().lstrip("/").split("/", 1)[0]
    return first_segment.startswith("tips")


# Paths a browser fetches for any page, tip pages included: the static files and the icons some
# browsers ask for on their own (Safari's apple-touch-icon, everyone's /favicon.ico).
ASSET_PATH_PREFIXES = ("/static/", "/favicon", "/apple-touch-icon")


def is_asset_path(path: str | None) -> bool:
    """A static file or icon. Tip pages load them with no referrer, so they cannot be told apart."""
    return bool(path) and ("/" + unquote(path).lstrip("/").lower()).startswith(ASSET_PATH_PREFIXES)


def is_tip_request(request) -> bool:
    path = getattr(request, "path", None)
    return isinstance(path, str) and is_tip_path(path)


def is_tip_admin_request(request) -> bool:
    """A page of the tip inbox (``/admin/tips/…``), where reviewers read decrypted tips."""
    path = getattr(request, "path", None)
    if not isinstance(path, str):
        return False
    try:
        prefix = reverse("admin:app_list", kwargs={"app_label": "tips"})
    except NoReverseMatch:
        return False
    return path.startswith(prefix)


def is_asset_request(request) -> bool:
    path = getattr(request, "path", None)
    return isinstance(path, str) and is_asset_path(path)


class ScrubTipRequests(logging.Filter):
    """Keep log records about tip pages out of the logs, and hold back their errors until the hour is over.

    Django logs a warning for every 4xx (``django.request``, ``django.security.*``) and an error for
    every 5xx, at the millisecond, and ``AdminEmailHandler`` mails errors at once: each would date a
    tip request. Warnings about tip pages and assets are dropped (a 404 or 400 there needs no fixing).
    Errors are held, without the request or the traceback's variables, and written in one record
    per hour once that hour is over (``release_held_errors``): the bug can still be fixed, and the
    report dates the request to its hour only.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if record.levelno < logging.ERROR and is_asset_request(request):
            # "Not Found: /favicon.ico" in the second a tip page was opened: assets' warnings go too.
            return False
        if not is_tip_request(request):
            return True
        # One filter instance sits on the django.request logger and on each handler; hold once.
        if not getattr(record, "tip_page_seen", False):
            record.tip_page_seen = True
            if record.levelno >= logging.ERROR:
                _hold_error(record)
        return False


# Errors on tip pages waiting for their hour to end: {hour: [report text, ...]}.
_held_errors: dict[datetime, list[str]] = {}
_held_lock = threading.Lock()
_release_timer: threading.Timer | None = None
HELD_ERRORS_LOGGER = "tips.errors"


def _hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _hold_error(record: logging.LogRecord) -> None:
    # The message names the path ("Internal Server Error: /tips/"); the trace says where it broke.
    text = record.getMessage()
    if record.exc_info:
        text += "\n" + "".join(traceback.format_exception(*record.exc_info))
    now = datetime.now()
    with _held_lock:
        _held_errors.setdefault(_hour_of(now), []).append(text)
        if _release_timer is None:
            _schedule_release(now)


def _schedule_release(now: datetime) -> None:
    """Call ``release_held_errors`` a few seconds into the next hour (the caller holds ``_held_lock``).

    The timer thread does not keep the process alive.
    """
    global _release_timer
    delay = (_hour_of(now) + timedelta(hours=1, seconds=5) - now).total_seconds()
    _release_timer = threading.Timer(delay, release_held_errors)
    _release_timer.daemon = True
    _release_timer.start()


def release_held_errors(now: datetime | None = None) -> int:
    """Log the errors held from hours that are over, one ERROR record per hour; returns how many.

    Called by a timer a few seconds after the hour; tests call it with ``now``. Errors held by a
    worker that stops before its hour is over are lost: a report written then would date them.
    """
    global _release_timer
    now = now or datetime.now()
    with _held_lock:
        due = sorted(hour for hour in _held_errors if hour < _hour_of(now))
        batches = [(hour, _held_errors.pop(hour)) for hour in due]
        if _release_timer is not None:
            _release_timer.cancel()  # a no-op when this is the timer's own call
            _release_timer = None
        if _held_errors:
            _schedule_release(now)
    logger = logging.getLogger(HELD_ERRORS_LOGGER)
    for hour, texts in batches:
        logger.error(
            "%d error(s) on tip pages between %s and %s (held until the hour was over):\n\n%s",
            len(texts),
            f"{hour:%Y-%m-%d %H:00}",
            f"{hour + timedelta(hours=1):%H:00}",
            "\n\n".join(texts),
        )
    return sum(len(texts) for _, texts in batches)


class TipExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error pages and reports for tip pages carry no headers, cookies, form data or local variables."""

    def get_safe_request_meta(self, request):
        if is_tip_request(request):
            return {}
        # Elsewhere, a consent or reset token in the path, query or referrer is reported masked.
        return {
            key: mask_secret_paths(value) if isinstance(value, str) else value
            for key, value in super().get_safe_request_meta(request).items()
        }

    def get_safe_cookies(self, request):
        if is_tip_request(request):
            return {}
        return super().get_safe_cookies(request)

    def get_post_parameters(self, request):
        if is_tip_request(request):
            return {}
        if is_tip_admin_request(request):
            # A reviewer's reply or note quotes the tip: the field names stay, the values go.
            return dict.fromkeys(getattr(request, "POST", {}), self.cleansed_substitute)
        return super().get_post_parameters(request)

    def get_traceback_frame_variables(self, request, tb_frame):
        # In the tip inbox, frames hold decrypted tips, messages, notes and files.
        if is_tip_request(request) or is_tip_admin_request(request):
            return []
        return super().get_traceback_frame_variables(request, tb_frame)
