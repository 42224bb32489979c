"""Keeping request details of tip pages out of logs and error reports.

Django attaches the request to the records it logs (``django.request``, ``django.security.*``) and
``AdminEmailHandler`` copies its headers (client address, user agent, referrer, cookies) and the
frame variables of the traceback into the ``ADMINS`` e-mail. For tip pages, both go.
Wired in portal/settings.py: ``LOGGING`` (filter on the handlers and on ``django.request``) and
``DEFAULT_EXCEPTION_REPORTER_FILTER``.
"""

import logging
import traceback

from django.views.debug import SafeExceptionReporterFilter

# Every tip-line URL lives under this prefix (portal/urls.py); a test holds the two together.
TIP_PATH_PREFIX = "/tips/"


def is_tip_request(request) -> bool:
    path = getattr(request, "path", None)
    return isinstance(path, str) and path.startswith(TIP_PATH_PREFIX)


class ScrubTipRequests(logging.Filter):
    """Drop the request from a record about a tip page, and the traceback's frame variables with it.

    The traceback stays (file, line, exception) as plain text in the message, so errors can still be
    fixed; only what could identify the tipster, or quote the tip, is gone.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not is_tip_request(getattr(record, "request", None)):
            return True
        del record.request
        if record.exc_info:
            trace = "".join(traceback.format_exception(*record.exc_info))
            record.msg = f"{record.getMessage()}\n{trace}"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


class TipExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error pages and reports for tip pages carry no headers, cookies, form data or local variables."""

    def get_safe_request_meta(self, request):
        if is_tip_request(request):
            return {}
        return super().get_safe_request_meta(request)

    def get_safe_cookies(self, request):
        if is_tip_request(request):
            return {}
        return super().get_safe_cookies(request)

    def get_post_parameters(self, request):
        if is_tip_request(request):
            return {}
        return super().get_post_parameters(request)

    def get_traceback_frame_variables(self, request, tb_frame):
        if is_tip_request(request):
            return []
        return super().get_traceback_frame_variables(request, tb_frame)
