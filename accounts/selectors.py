from django.utils.translation import gettext

from accounts.models import Profile
from portal.text import clean_control_characters


def profile_for(user) -> Profile:
    """The user's profile, created empty on first use (accounts made outside sign-up have none yet)."""
    profile, _created = Profile.objects.select_related("home_neighbourhood").get_or_create(user=user)
    return profile


def language_for(user) -> str:
    """The language e-mails to this user are written in."""
    return profile_for(user).preferred_language


def _one_line(name: str) -> str:
    """``name`` with control characters dropped and every run of white space, line breaks included,
    made one space: a name saved before the profile form cleaned it starts no paragraph of its own."""
    return " ".join(clean_control_characters(name or "").split())


def display_name_for(user) -> str:
    return _one_line(profile_for(user).display_name) or user.email


def resident_label(user) -> str:
    """How the officers' desk shows a person, on every screen: "Name <e-mail>", or the e-mail alone
    without a name (a deleted resident's stand-in has neither: its user name then).

    Lists load the profile with ``select_related("…user__profile")``; without it this costs a query.
    """
    try:
        profile = user.profile
    except Profile.DoesNotExist:
        profile = None
    name = _one_line(profile.display_name if profile is not None else "") or _one_line(user.get_full_name())
    email = _one_line(user.email)
    if name and email:
        return f"{name} <{email}>"
    return email or name or user.get_username()


def public_name_for(user) -> str:
    """How other residents see ``user`` (watch coordinators, members): the display name, else the first
    name, else "A resident"; never the e-mail address, which ``display_name_for`` falls back to for officers."""
    try:
        profile = user.profile  # Lists load it with select_related("user__profile"): no query per row.
    except Profile.DoesNotExist:
        profile = None
    name = _one_line(profile.display_name if profile is not None else "") or _one_line(user.first_name)
    return name or gettext("A resident")


def officer_public_name(user) -> str:
    """How residents and visitors see an officer (a watch group's liaison): the display name, else the
    full name, else "A police officer"; never the e-mail address, which is their log-in to the desk."""
    try:
        profile = user.profile
    except Profile.DoesNotExist:
        profile = None
    name = _one_line(profile.display_name if profile is not None else "") or _one_line(user.get_full_name())
    return name or gettext("A police officer")


def only_unverified_claims(email: str) -> bool:
    """True when accounts list ``email`` but none has confirmed it.

    An account whose own e-mail field holds the address without a matching address row (made in
    the admin or by a command) counts as a confirmed owner: nothing proves otherwise.
    """
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    rows = list(EmailAddress.objects.filter(email__iexact=email).values_list("user_id", "verified"))
    if any(verified for _user_id, verified in rows):
        return False
    claimed_by = {user_id for user_id, _verified in rows}
    by_field = set(get_user_model().objects.filter(email__iexact=email).values_list("pk", flat=True))
    return bool(claimed_by) and by_field <= claimed_by


def accounts_holding(email: str, *, except_user=None) -> list:
    """The ids of accounts that list ``email`` (confirmed or not, as an address row or their e-mail field)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    ids = set(EmailAddress.objects.filter(email__iexact=email).values_list("user_id", flat=True))
    ids |= set(get_user_model().objects.filter(email__iexact=email).values_list("pk", flat=True))
    if except_user is not None:
        ids.discard(except_user.pk)
    return sorted(ids)


def addresses_of(user) -> list[str]:
    """The addresses the account has confirmed, in lower case: its confirmed address rows, and its
    e-mail field unless an unconfirmed row is all that lists it (as ``only_unverified_claims``).

    What is kept for an address (a subscription, a suppression, e-mails sent to it) is shown to
    the account's owner and erased with their account only once they have proved it theirs: anyone
    may type someone else's address as a pending new one.
    """
    from allauth.account.models import EmailAddress

    rows = {}
    for email, verified in EmailAddress.objects.filter(user=user).values_list("email", "verified"):
        rows[email.lower()] = rows.get(email.lower(), False) or verified
    addresses = {email for email, verified in rows.items() if verified}
    if user.email and rows.get(user.email.lower(), True):
        addresses.add(user.email.lower())
    return sorted(addresses)


def addressed_to(field: str, addresses: list[str]):
    from django.db.models import Q

    condition = Q(pk__in=[])
    for address in addresses:
        condition |= Q(**{f"{field}__iexact": address})
    return condition


def subscription_of(user, addresses: list[str] | None = None):
    """The newsletter subscription linked to the account or kept for one of its addresses, else None."""
    from django.db.models import Q

    from newsletters.models import Subscription

    addresses = addresses_of(user) if addresses is None else addresses
    return (
        Subscription.objects.filter(Q(user=user) | addressed_to("email", addresses))
        .prefetch_related("neighbourhoods")
        .order_by("-id")
        .first()
    )


def activity_of(user) -> dict:
    """Everything a resident did on the portal, for their "My activity" page, in a fixed number of
    queries whatever its length. Feedback is listed by its receipt (that it was given, for which
    meeting), never by its content: anonymous answers cannot be tied to anyone, not even here."""
    from meetings.models import FeedbackReceipt, Question, Rsvp
    from programs.selectors import applications_of
    from watch.models import Membership, WatchGroup

    memberships = list(Membership.objects.filter(user=user).select_related("group").order_by("group__name", "pk"))
    member_of = {membership.group_id for membership in memberships}
    coordinated = list(WatchGroup.objects.filter(coordinator=user).exclude(pk__in=member_of).order_by("name", "pk"))
    groups = [
        {"group": membership.group, "membership": membership, "coordinator": membership.group.coordinator_id == user.pk}
        for membership in memberships
    ] + [{"group": group, "membership": None, "coordinator": True} for group in coordinated]
    return {
        "rsvps": list(
            Rsvp.objects.filter(user=user)
            .exclude(status=Rsvp.Status.CANCELLED)
            .select_related("meeting")
            .order_by("-meeting__starts_at", "-pk")
        ),
        "applications": list(applications_of(user=user)),
        "questions": list(
            Question.objects.filter(author=user).select_related("meeting").order_by("-created_at", "-pk")
        ),
        "feedback_receipts": list(
            FeedbackReceipt.objects.filter(user=user).select_related("meeting").order_by("-responded_on", "-pk")
        ),
        "watch_groups": groups,
        "subscription": subscription_of(user),
    }
