"""Small builders shared by the newsletters tests."""

import re

from newsletters.models import Subscription


def make_subscription(email: str, *, neighbourhoods=(), status=Subscription.Status.ACTIVE, **fields) -> Subscription:
    subscription = Subscription.objects.create(email=email, status=status, **fields)
    subscription.neighbourhoods.set(neighbourhoods)
    return subscription


def link_in(text: str, path_part: str) -> str:
    """The first absolute URL in ``text`` whose path contains ``path_part``, without the site prefix."""
    match = re.search(r"https?://[^/\s]+([^\s\"<>]*?" + re.escape(path_part) + r"[^\s\"<>]*)", text)
    assert match, f"no link with {path_part!r} in:\n{text}"
    return match.group(1)
