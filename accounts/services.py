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


# How the audit log and the admin's history name a deleted resident (not translated: stored).
DELETED_LABEL = "deleted resident"


class AccountDeletionError(Exception):
    """A refused deletion; ``str(error)`` is a translated message for the person."""


def account_delete(*, user) -> None:
    """Delete a resident's account and their personal data; what is kept is kept without their name.

    Their seats are given up first the way a withdrawal gives them up (the next person waiting is
    promoted and told), their queued e-mails are withdrawn (and those to a guardian they named, whose
    address is erased from the outbox as theirs is), their subscription, addresses,
    profile, questions, applications and sessions go. Kept, tied to a "deleted resident" stand-in
    account that holds nothing about them (so counts and the audit log stay true): their
    attendance at meetings and programs that have begun (registration codes, attendance ticks,
    no answers), their named feedback's ratings (the comment is erased), and the audit entries
    they caused. Announcements and concerns they wrote to a watch group stay with the group,
    without their name. A last e-mail tells them it is done; the outbox then forgets the address.

    Raises AccountDeletionError for staff: an officer's account is closed by a superuser.
    """
    from django.contrib.sessions.models import Session
    from django.db.models import CharField, Q, Value
    from django.db.models.functions import Cast, Concat

    from accounts.selectors import addressed_to, addresses_of
    from alerts.models import AlertRecipient
    from audit.models import AuditEntry
    from meetings import services as meeting_services
    from meetings.models import Feedback, FeedbackReceipt, Rsvp
    from newsletters.models import Subscription, Suppression
    from outbox.models import Email
    from outbox.services import email_queue, email_withdraw
    from programs import services as program_services
    from programs.models import Application, GuardianConsent

    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        if user.is_staff or user.is_superuser:
            raise AccountDeletionError(
                _("Staff accounts cannot be deleted from here: a superuser closes an officer's account.")
            )
        addresses = addresses_of(user)
        farewell_to = EmailAddress.objects.filter(user=user, verified=True).order_by("-primary").first()
        language = language_for(user)

        seats_given_up = 0
        # Seats go back the way a withdrawal gives them up, so the next person waiting is promoted.
        for rsvp in Rsvp.objects.filter(
            user=user, status__in=[Rsvp.Status.GOING, Rsvp.Status.WAITLISTED], meeting__starts_at__gt=timezone.now()
        ).select_related("meeting"):
            try:
                meeting_services.rsvp_cancel(meeting=rsvp.meeting, user=user)
                seats_given_up += 1
            except meeting_services.MeetingError:
                pass  # It started meanwhile: the seat was used, and stays as attendance below.
        # An accepted place in a program that has begun (attendance recorded) is attendance, kept below.
        for application in Application.objects.filter(
            applicant=user, status__in=Application.WITHDRAWABLE_STATUSES
        ).exclude(status=Application.Status.ACCEPTED, attendances__isnull=False):
            program_services.application_withdraw(application=application, user=user)
            seats_given_up += 1

        email_withdraw(to=addresses, reason="The account was deleted.")
        # The consent requests to a guardian they named: the guardian's address is theirs to erase too.
        guardian_emails = Q(pk__in=[])
        for application in Application.objects.filter(applicant=user).exclude(guardian_email=""):
            prefix = program_services.consent_key_prefix(application)
            email_withdraw(key_prefix=prefix, reason="The account was deleted.")
            guardian_emails |= Q(idempotency_key__startswith=prefix)

        stand_in = get_user_model().objects.create_user(
            username=f"deleted-resident-{secrets.token_hex(8)}", email="", is_active=False
        )
        # What counts on: attendance at what has begun, and named feedback's ratings.
        Rsvp.objects.filter(user=user, status=Rsvp.Status.GOING, meeting__starts_at__lte=timezone.now()).update(
            user=stand_in
        )
        kept_applications = Application.objects.filter(applicant=user, status__in=Application.SEAT_STATUSES)
        GuardianConsent.objects.filter(application__in=kept_applications).delete()
        kept_applications.update(
            applicant=stand_in,
            answers=[],
            date_of_birth=None,
            guardian_name="",
            guardian_email="",
            consent_requested_at=None,
            guardian_confirmed_at=None,
        )
        Feedback.objects.filter(user=user).update(user=stand_in, comment="")
        FeedbackReceipt.objects.filter(user=user).update(user=stand_in)
        # The log keeps saying that one person did these things, no longer who. Only the actor
        # column (as SET_NULL would) and labels quoting the person change; actions, times and
        # details stay as written.
        AuditEntry.objects.filter(actor=user).update(actor=stand_in)
        _labels_forget(user, addresses)
        audit_record(
            actor=stand_in,
            action="accounts.account_deleted",
            target=stand_in,
            target_repr=DELETED_LABEL,
            detail={"seats_given_up": seats_given_up},
        )

        Subscription.objects.filter(Q(user=user) | addressed_to("email", addresses)).delete()
        # A bounce or complaint on their address goes too: it is their address. A new subscription
        # to it needs its confirmation link opened again, so nothing is mailed to it unasked.
        Suppression.objects.filter(addressed_to("email", addresses)).delete()
        AlertRecipient.objects.filter(addressed_to("email", addresses)).delete()
        # E-mails already sent stay counted, addressed to no one.
        Email.objects.filter(addressed_to("to", addresses) | guardian_emails).update(
            to="", idempotency_key=Concat(Value("erased:"), Cast("pk", CharField())), last_error=""
        )
        _sessions_end(Session, user)
        user.delete()

        if farewell_to is not None:
            email_queue(
                to=farewell_to.email,
                template="account/email/account_deleted",
                context={},
                language=language,
                idempotency_key=f"accounts:account_deleted:{stand_in.pk}",
                forget_recipient=True,
            )


def _labels_forget(user, addresses: list[str]) -> None:
    """Labels of the person's account or profile, or showing their address, in the audit log and the
    admin's history become "deleted resident": the entries stay, the name they quoted goes."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from accounts.models import Profile
    from audit.models import AuditEntry

    own = {get_user_model(): [user.pk], Profile: list(Profile.objects.filter(user=user).values_list("pk", flat=True))}
    audit_rows = Q(pk__in=[])
    history_rows = Q(pk__in=[])
    for model, ids in own.items():
        ids = [str(pk) for pk in ids]
        audit_rows |= Q(target_type=model._meta.label_lower, target_id__in=ids)
        history_rows |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
    for address in addresses:
        audit_rows |= Q(target_repr__icontains=address)
        history_rows |= Q(object_repr__icontains=address)
    AuditEntry.objects.filter(audit_rows).update(target_repr=DELETED_LABEL)
    LogEntry.objects.filter(history_rows).update(object_repr=DELETED_LABEL)


def _sessions_end(Session, user) -> None:
    """Delete every session logged in as ``user`` (from the database and the session cache)."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(store().decode(session.session_data).get("_auth_user_id")) == str(user.pk):
            store(session_key=session.session_key).delete()
