"""Writes on accounts: the staff members' second-factor enrolment links."""

import hashlib
import secrets
from datetime import timedelta

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import StaffEnrolment
from accounts.selectors import language_for
from audit.services import audit_record


class EnrolmentError(Exception):
    """A refused enrolment link; ``str(error)`` is a translated message for the person."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def staff_enrolment_issue(*, user, issued_by=None, printed: bool = False) -> str:
    """Make a new enrolment link for staff member ``user`` and e-mail it to their confirmed address.

    Links issued before and not used stop working. Returns the link. ``printed``: the caller (the
    ``staff_enrolment_link`` command, run by an operator on the server) shows the link itself, so an
    account without a confirmed address (a first superuser) gets one too. Raises EnrolmentError
    when ``user`` is not active staff or, unless ``printed``, has no confirmed address.
    """
    now = timezone.now()
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        if not (user.is_active and user.is_staff):
            raise EnrolmentError(_("Only active staff accounts get an enrolment link."))
        address = EmailAddress.objects.filter(user=user, verified=True).order_by("-primary").first()
        if address is None and not printed:
            raise EnrolmentError(_("This account has no confirmed e-mail address to send the enrolment link to."))
        StaffEnrolment.objects.filter(user=user, used_at=None, expires_at__gt=now).update(expires_at=now)
        token = secrets.token_urlsafe(32)
        enrolment = StaffEnrolment.objects.create(
            user=user,
            token_hash=_token_hash(token),
            expires_at=now + timedelta(hours=settings.STAFF_ENROLMENT_LINK_HOURS),
            issued_by=issued_by if getattr(issued_by, "is_authenticated", False) else None,
        )
        url = settings.SITE_URL.rstrip("/") + reverse("accounts:staff-enrolment", args=[token])
        if address is not None:
            with translation.override(language_for(user)):
                get_adapter().send_mail(
                    "account/email/staff_enrolment", address.email, {"enrolment_url": url, "user": user}
                )
        if issued_by is not None:
            audit_record(actor=issued_by, action="accounts.staff_enrolment_issued", target=enrolment)
    return url


def staff_member_promoted(*, user, promoted_by=None) -> str:
    """``user`` was just made staff: drop the second factors they set up as a resident, and e-mail
    them an enrolment link (``staff_enrolment_issue``, whose link this returns and whose errors it raises).

    A resident sets up an authenticator with their password alone, so whoever held that password
    may have set up their own; kept, it would open the officers' desk without the enrolment link.
    Their new factor is set up through the link, like every staff member's first one.
    """
    from allauth.mfa.models import Authenticator

    with transaction.atomic():
        factors = Authenticator.objects.filter(user=user)
        removed = sorted(set(factors.values_list("type", flat=True)))
        if removed:
            factors.delete()
            audit_record(
                actor=promoted_by,
                action="accounts.second_factors_reset_on_promotion",
                target=user,
                detail={"types": removed},
            )
    # Apart: the factors go even when no link can be sent (no confirmed address yet).
    return staff_enrolment_issue(user=user, issued_by=promoted_by)


def staff_enrolment_redeem(*, user, token: str) -> StaffEnrolment:
    """Use an enrolment link: it must be ``user``'s, unused and unexpired. Raises EnrolmentError."""
    now = timezone.now()
    with transaction.atomic():
        enrolment = StaffEnrolment.objects.select_for_update().filter(token_hash=_token_hash(token)).first()
        if enrolment is None or enrolment.user_id != user.pk or enrolment.used_at or enrolment.expires_at <= now:
            raise EnrolmentError(
                _(
                    "This enrolment link is not valid for your account, was used already or has expired. "
                    "Ask a superuser for a new one."
                )
            )
        enrolment.used_at = now
        enrolment.save(update_fields=["used_at"])
    return enrolment
