"""Answers that take the same time whatever they found.

A form that looks an address up (is there an account? a subscription?) does different work for a
known and an unknown one, and the difference shows in the response time. Where the work cannot be
made equal, the answer is held until a fixed time has passed since the request came in, longer
than either path takes, so the time says nothing.
"""

import functools
import time

from django.conf import settings


def answer_posts_no_sooner_than(setting_name: str):
    """Hold a view's answers to POSTs until ``settings.<setting_name>`` seconds have passed."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method != "POST":
                return view(request, *args, **kwargs)
            started = time.monotonic()
            response = view(request, *args, **kwargs)
            time.sleep(max(0.0, getattr(settings, setting_name) - (time.monotonic() - started)))
            return response

        return wrapped

    return decorator
