"""Reads about watch groups."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from watch.models import Membership, Post, WatchGroup


def approved_groups(*, neighbourhood=None) -> QuerySet:
    queryset = (
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
    return list(group.memberships.filter(status=Membership.Status.PENDING).select_related("user__profile"))
