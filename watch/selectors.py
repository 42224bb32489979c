"""Reads about watch groups."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.selectors import public_name_for
from watch.models import Concern, Membership, Post, WatchGroup

# What makes an officer fit to be a group's liaison (approve it, post as its officer, read its concerns).
LIAISON_PERMISSION = "watch.change_watchgroup"


def liaison_candidates() -> QuerySet:
    """Accounts that may be a liaison now: active staff holding LIAISON_PERMISSION directly, through a
    role, or as superusers. The same rule as ``is_liaison_eligible``, as a query."""
    app_label, codename = LIAISON_PERMISSION.split(".")
    holds_permission = (
        Q(is_superuser=True)
        | Q(user_permissions__content_type__app_label=app_label, user_permissions__codename=codename)
        | Q(groups__permissions__content_type__app_label=app_label, groups__permissions__codename=codename)
    )
    return get_user_model().objects.filter(holds_permission, is_active=True, is_staff=True)


def is_liaison_eligible(user) -> bool:
    """Whether ``user`` may act as a liaison now. Checked wherever a liaison acts or receives a group's
    data, so an officer who lost staff status, the account or the role stops at once."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(LIAISON_PERMISSION)
    )


def active_liaison(group: WatchGroup):
    """The group's liaison officer while they may act as one, else None."""
    liaison = group.liaison if group.liaison_id else None
    return liaison if is_liaison_eligible(liaison) else None


def is_active_liaison(user, group: WatchGroup) -> bool:
    return bool(user.is_authenticated and group.liaison_id == user.pk and is_liaison_eligible(user))


def with_liaison_state(queryset: QuerySet) -> QuerySet:
    """Annotate ``has_active_liaison`` in the same query (lists, the officers' desk)."""
    return queryset.annotate(has_active_liaison=Exists(liaison_candidates().filter(pk=OuterRef("liaison_id"))))


def approved_groups(*, neighbourhood=None) -> QuerySet:
    queryset = with_liaison_state(
        WatchGroup.objects.filter(status=WatchGroup.Status.APPROVED)
        .select_related("neighbourhood", "liaison__profile")
        .annotate(member_count=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE)))
    )
    if neighbourhood is not None:
        queryset = queryset.filter(neighbourhood=neighbourhood)
    return queryset.order_by("neighbourhood__name", "name")


def group_for_page(*, slug: str) -> WatchGroup:
    """A group with what its page shows; raises WatchGroup.DoesNotExist."""
    return WatchGroup.objects.select_related(
        "neighbourhood", "liaison__profile", "coordinator__profile", "training_program"
    ).get(slug=slug)


def training_program_of(group: WatchGroup):
    """The group's training program if residents may see it (published or closed), else None."""
    from programs.models import Program

    program = group.training_program
    if program is None or program.status not in (Program.Status.PUBLISHED, Program.Status.CLOSED):
        return None
    return program


def upcoming_meetings(group: WatchGroup) -> list:
    """The group's published meetings that have not ended, soonest first."""
    from meetings.models import Meeting

    return list(
        group.meetings.filter(is_published=True, status=Meeting.Status.SCHEDULED, ends_at__gt=timezone.now()).order_by(
            "starts_at"
        )
    )


def membership_of(user, group: WatchGroup) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(group=group, user=user).first()


def recent_posts(group: WatchGroup, *, limit: int = 20) -> list[Post]:
    return list(group.posts.select_related("author__profile")[:limit])


def pending_memberships(group: WatchGroup) -> list[Membership]:
    """Who waits to join, each with ``public_name``: the coordinator is a resident and sees names, never addresses."""
    pending = list(group.memberships.filter(status=Membership.Status.PENDING).select_related("user__profile"))
    for membership in pending:
        membership.public_name = public_name_for(membership.user)
    return pending


def concerns_without_reply() -> QuerySet[Concern]:
    """Concerns no officer has replied to and nobody marked resolved (the desk's queue)."""
    return Concern.objects.filter(replied_at__isnull=True).exclude(status=Concern.Status.RESOLVED)
