"""Writes about Neighbourhood Watch groups: proposal, approval, membership, announcements, concerns.

Every action that e-mails someone else is limited per sender and per recipient (``portal.ratelimit``,
numbers in settings ``WATCH_*``): the ``RateLimited`` it raises carries a translated message saying
when to try again. Texts are bounded here too, whoever calls (form, admin, shell).
"""

import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.selectors import display_name_for, language_for, officer_public_name, public_name_for
from audit.services import audit_record
from outbox.services import email_queue
from portal.ratelimit import rate_limit_check_all
from watch.models import (
    CONCERN_BODY_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    POST_BODY_MAX_LENGTH,
    Concern,
    Membership,
    Post,
    WatchGroup,
)
from watch.selectors import active_liaison, is_active_liaison, is_liaison_eligible

HOUR = 60 * 60
DAY = 24 * HOUR


class WatchError(Exception):
    """A refused action; the message is safe to show."""


class WatchPermissionError(WatchError):
    """The person may not do this to this group (views answer 403)."""


def watch_group_propose(
    *, user, neighbourhood, name: str, description: str, members_need_approval: bool = False
) -> WatchGroup:
    """Propose a group; the proposer becomes its coordinator and first member. Officers approve it later.
    Raises WatchError (text too long) or RateLimited (too many proposals by this resident)."""
    _check_length(name, WatchGroup._meta.get_field("name").max_length)
    _check_length(description, DESCRIPTION_MAX_LENGTH)
    rate_limit_check_all([("watch.propose", str(user.pk), settings.WATCH_PROPOSALS_PER_DAY, DAY)])
    for attempt in range(3):
        try:
            with transaction.atomic():
                group = WatchGroup.objects.create(
                    name=name,
                    slug=_unique_slug(name),
                    neighbourhood=neighbourhood,
                    description=description,
                    coordinator=user,
                    members_need_approval=members_need_approval,
                )
                Membership.objects.create(
                    group=group, user=user, status=Membership.Status.ACTIVE, approved_at=timezone.now()
                )
            return group
        except IntegrityError:  # A group of the same name took the slug meanwhile: number again.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _unique_slug(name: str) -> str:
    """The name's slug, numbered after the highest taken one (``elm-street-3``): one query, whatever
    the number of groups of that name. A concurrent twin hits the unique slug and is numbered again."""
    base = slugify(name)[:120] or "watch-group"
    taken = WatchGroup.objects.filter(slug__startswith=base, slug__regex=rf"^{re.escape(base)}(-[0-9]+)?$")
    numbers = [int(slug.rsplit("-", 1)[1]) if slug != base else 1 for slug in taken.values_list("slug", flat=True)]
    return f"{base}-{max(numbers) + 1}" if numbers else base


def _check_length(text: str, limit: int) -> None:
    if len(text) > limit:
        raise WatchError(
            _("Please shorten your text to %(limit)d characters (it has %(count)d).")
            % {"limit": limit, "count": len(text)}
        )


def watch_group_approve(*, officer, group: WatchGroup) -> WatchGroup:
    """Approve a proposed group; ``officer`` becomes its liaison. Raises WatchError / WatchPermissionError."""
    if not is_liaison_eligible(officer):
        raise WatchPermissionError(_("Only officers can approve watch groups."))
    with transaction.atomic():
        group = _locked_proposal(group)
        group.status = WatchGroup.Status.APPROVED
        group.liaison = officer
        group.approved_at = timezone.now()
        group.save(update_fields=["status", "liaison", "approved_at"])
        audit_record(actor=officer, action="watch.group.approve", target=group)
        if group.coordinator_id:
            _notify(
                group.coordinator,
                template="watch/emails/group_approved",
                context={"group": group.name, "liaison": officer_public_name(officer), "url": _url(group)},
                key=f"watch:approved:{group.pk}",
            )
    return group


def watch_group_decline(*, officer, group: WatchGroup, reason: str) -> WatchGroup:
    """Decline a proposed group, telling its coordinator why. Raises WatchError / WatchPermissionError."""
    if not is_liaison_eligible(officer):
        raise WatchPermissionError(_("Only officers can decline watch groups."))
    if not reason.strip():
        raise WatchError(_("Say why the group is declined: its coordinator reads it."))
    with transaction.atomic():
        group = _locked_proposal(group)
        group.status = WatchGroup.Status.DECLINED
        group.decline_reason = reason.strip()
        group.save(update_fields=["status", "decline_reason"])
        audit_record(actor=officer, action="watch.group.decline", target=group)
        if group.coordinator_id:
            _notify(
                group.coordinator,
                template="watch/emails/group_declined",
                context={"group": group.name, "reason": group.decline_reason},
                key=f"watch:declined:{group.pk}",
            )
    return group


def _locked_proposal(group: WatchGroup) -> WatchGroup:
    """The group, locked until the transaction ends, if it still waits for an officer's decision."""
    group = WatchGroup.objects.select_for_update().get(pk=group.pk)
    if group.status != WatchGroup.Status.PROPOSED:
        raise WatchError(_("This group is not waiting for approval."))
    return group


def membership_join(*, user, group: WatchGroup) -> Membership:
    """Join an approved group, at once or pending the coordinator's approval. Raises WatchError, or
    RateLimited when the request would e-mail the coordinator too often."""
    with transaction.atomic():
        group = WatchGroup.objects.select_for_update().get(pk=group.pk)
        if group.status != WatchGroup.Status.APPROVED:
            raise WatchError(_("This group is not open yet."))
        existing = Membership.objects.filter(group=group, user=user).first()
        if existing is not None:
            if existing.status == Membership.Status.PENDING:
                raise WatchError(_("You already asked to join; the coordinator will answer."))
            raise WatchError(_("You are already a member of this group."))
        needs_approval = group.members_need_approval
        if needs_approval and group.coordinator_id:
            # The request e-mails the coordinator: bounded per resident and per coordinator, so
            # leaving and joining again cannot flood their inbox.
            rate_limit_check_all(
                [
                    (
                        "watch.join-request.same-group",
                        f"{user.pk}:{group.pk}",
                        settings.WATCH_JOIN_REQUESTS_PER_GROUP_DAY,
                        DAY,
                    ),
                    ("watch.join-request", str(user.pk), settings.WATCH_JOIN_REQUESTS_PER_HOUR, HOUR),
                    (
                        "watch.join-request.to",
                        str(group.coordinator_id),
                        settings.WATCH_JOIN_REQUESTS_PER_COORDINATOR_HOUR,
                        HOUR,
                    ),
                ]
            )
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    group=group,
                    user=user,
                    status=Membership.Status.PENDING if needs_approval else Membership.Status.ACTIVE,
                    approved_at=None if needs_approval else timezone.now(),
                )
        except IntegrityError:
            raise WatchError(_("You are already a member of this group.")) from None
        if needs_approval and group.coordinator_id:
            _notify(
                group.coordinator,
                template="watch/emails/membership_request",
                context={"group": group.name, "resident": public_name_for(user), "url": _url(group)},
                key=f"watch:join-request:{membership.pk}",
            )
    return membership


def membership_approve(*, actor, membership: Membership) -> Membership:
    """Let a pending member in. Only the coordinator or the liaison may. Raises WatchPermissionError."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().select_related("group").get(pk=membership.pk)
        role = _role(actor, membership.group)
        if role is None:
            raise WatchPermissionError(_("Only the group's coordinator or liaison officer can approve members."))
        if membership.status != Membership.Status.PENDING:
            raise WatchError(_("This person is already a member."))
        membership.status = Membership.Status.ACTIVE
        membership.approved_at = timezone.now()
        membership.save(update_fields=["status", "approved_at"])
        if role == Post.AuthorRole.LIAISON:
            audit_record(
                actor=actor,
                action="watch.membership.approve",
                target=membership.group,
                detail={"user": membership.user_id},
            )
        _notify(
            membership.user,
            template="watch/emails/membership_approved",
            context={"group": membership.group.name, "url": _url(membership.group)},
            key=f"watch:join-approved:{membership.pk}",
        )
    return membership


def membership_leave(*, user, group: WatchGroup) -> None:
    """Leave a group. The coordinator cannot leave their own group."""
    if group.coordinator_id == user.pk:
        raise WatchError(_("You coordinate this group, so you cannot leave it. Ask the liaison officer for help."))
    deleted, _count = Membership.objects.filter(group=group, user=user).delete()
    if not deleted:
        raise WatchError(_("You are not a member of this group."))


def post_create(*, author, group: WatchGroup, title: str, body: str) -> Post:
    """Publish an announcement and e-mail it to every member. Only the coordinator and the liaison may.
    Raises WatchPermissionError, WatchError, or RateLimited (per author and per group)."""
    _check_length(title, Post._meta.get_field("title").max_length)
    _check_length(body, POST_BODY_MAX_LENGTH)
    with transaction.atomic():
        group = WatchGroup.objects.select_for_update().get(pk=group.pk)
        role = _role(author, group)
        if role is None:
            raise WatchPermissionError(_("Only the group's coordinator and liaison officer can post announcements."))
        if group.status != WatchGroup.Status.APPROVED:
            raise WatchError(_("A group can post announcements once an officer has approved it."))
        # Each post e-mails every member: bounded per author and per group (its members are the recipients).
        rate_limit_check_all(
            [
                ("watch.post", str(author.pk), settings.WATCH_POSTS_PER_DAY, DAY),
                ("watch.post.to", str(group.pk), settings.WATCH_POSTS_PER_GROUP_DAY, DAY),
            ]
        )
        post = Post.objects.create(group=group, author=author, author_role=role, title=title, body=body)
        if role == Post.AuthorRole.LIAISON:
            audit_record(actor=author, action="watch.post.create", target=group, detail={"post": post.pk})
        members = (
            Membership.objects.filter(group=group, status=Membership.Status.ACTIVE)
            .exclude(user=author)
            .select_related("user__profile")
        )
        # Members are residents: nobody is named to them by address, officers included.
        author_name = officer_public_name(author) if role == Post.AuthorRole.LIAISON else public_name_for(author)
        for membership in members:
            email_queue(
                to=membership.user.email,
                template="watch/emails/post",
                context={
                    "group": group.name,
                    "title": title,
                    "body": body,
                    "author": author_name,
                    "author_role": role,
                    "url": _url(group),
                },
                idempotency_key=f"watch:post:{post.pk}:{membership.user_id}",
                language=_language(membership.user),
            )
    return post


def concern_report(*, user, group: WatchGroup, subject: str, body: str) -> Concern:
    """Store a member's concern and e-mail it to the liaison officer. Only active members may report,
    and only while the liaison is still an officer with the role. Raises WatchPermissionError,
    WatchError, or RateLimited (per reporter and per liaison)."""
    _check_length(subject, Concern._meta.get_field("subject").max_length)
    _check_length(body, CONCERN_BODY_MAX_LENGTH)
    with transaction.atomic():
        if not Membership.objects.filter(group=group, user=user, status=Membership.Status.ACTIVE).exists():
            raise WatchPermissionError(_("Only members of this group can report a concern to its liaison officer."))
        group = WatchGroup.objects.select_related("liaison").get(pk=group.pk)
        liaison = active_liaison(group)
        if liaison is None:
            raise WatchError(
                _("This group has no liaison officer at the moment. In an emergency, call %(number)s.")
                % {"number": settings.EMERGENCY_NUMBER}
            )
        rate_limit_check_all(
            [
                ("watch.concern", str(user.pk), settings.WATCH_CONCERNS_PER_HOUR, HOUR),
                ("watch.concern.to", str(liaison.pk), settings.WATCH_CONCERNS_PER_LIAISON_HOUR, HOUR),
            ]
        )
        concern = Concern.objects.create(group=group, reporter=user, subject=subject, body=body)
        _notify(
            liaison,
            template="watch/emails/concern",
            context={
                "group": group.name,
                "subject": subject,
                "body": body,
                "reporter": display_name_for(user),
                "reporter_email": user.email,
                "url": _url(group),
            },
            key=f"watch:concern:{concern.pk}",
        )
    return concern


def _role(user, group: WatchGroup) -> str | None:
    """The user's leading role in the group (liaison or coordinator), or None."""
    if not user.is_authenticated:
        return None
    if is_active_liaison(user, group):
        return Post.AuthorRole.LIAISON
    if group.coordinator_id == user.pk:
        return Post.AuthorRole.COORDINATOR
    return None


def watch_group_liaisons_release(*, user_ids, actor=None) -> int:
    """End the liaison role of each of ``user_ids`` who may no longer hold it (no longer active, staff,
    or holding the permission), writing an audit entry per group. Called where staff access shrinks
    (the user and group admins, ``sync_roles``); returns how many groups lost their liaison, which
    the officers' desk then lists under "No active liaison"."""
    user_ids = [pk for pk in user_ids if pk is not None]
    if not user_ids:
        return 0
    released = 0
    with transaction.atomic():
        groups = (
            WatchGroup.objects.select_for_update(of=("self",))
            .select_related("liaison")
            .filter(liaison_id__in=user_ids)
            .order_by("pk")
        )
        for group in groups:
            if is_liaison_eligible(group.liaison):
                continue
            former = group.liaison_id
            group.liaison = None
            group.save(update_fields=["liaison"])
            audit_record(actor=actor, action="watch.group.liaison_release", target=group, detail={"user": former})
            released += 1
    return released


def watch_group_liaison_take(*, officer, group: WatchGroup) -> WatchGroup:
    """Make ``officer`` the liaison of an approved group that has no active liaison (its officer left or
    lost the role). Raises WatchPermissionError or WatchError."""
    if not is_liaison_eligible(officer):
        raise WatchPermissionError(_("Only officers can be a watch group's liaison."))
    with transaction.atomic():
        group = WatchGroup.objects.select_for_update(of=("self",)).select_related("liaison").get(pk=group.pk)
        if group.status != WatchGroup.Status.APPROVED:
            raise WatchError(_("Only an approved group has a liaison officer."))
        if active_liaison(group) is not None:
            raise WatchError(_("This group already has a liaison officer."))
        group.liaison = officer
        group.save(update_fields=["liaison"])
        audit_record(actor=officer, action="watch.group.liaison_take", target=group)
    return group


def _notify(user, *, template: str, context: dict, key: str) -> None:
    email_queue(to=user.email, template=template, context=context, idempotency_key=key, language=_language(user))


def _language(user) -> str:
    profile = getattr(user, "profile", None)
    return profile.preferred_language if profile is not None else language_for(user)


def _url(group: WatchGroup) -> str:
    return settings.SITE_URL + group.get_absolute_url()


# --- Officers: concerns -----------------------------------------------------------------------


def concern_triage(*, concern: Concern, actor, status: str, assigned_to=None) -> Concern:
    """Set a concern's status and the officer it is assigned to (None: nobody); audited when it changes.
    Raises WatchError if ``assigned_to`` is not an active staff member."""
    if assigned_to is not None and not (assigned_to.is_active and assigned_to.is_staff):
        raise WatchError(_("A concern can only be assigned to an active officer."))
    with transaction.atomic():
        concern = Concern.objects.select_for_update().get(pk=concern.pk)
        changes = {}
        if concern.status != status:
            changes["status"] = [concern.status, status]
            concern.status = Concern.Status(status)
        if concern.assigned_to_id != (assigned_to.pk if assigned_to else None):
            changes["assigned_to"] = [concern.assigned_to_id, assigned_to.pk if assigned_to else None]
            concern.assigned_to = assigned_to
        if changes:
            concern.save(update_fields=["status", "assigned_to"])
            audit_record(actor=actor, action="watch.concern.triage", target=concern, detail=changes)
    return concern


def concern_reply(*, concern: Concern, actor, reply: str) -> Concern:
    """Send the officers' reply to the person who reported the concern, once, in their language.

    A new concern becomes acknowledged. Raises WatchError if the reply is empty or too long, if the
    concern has been answered already (the reply is on record and was e-mailed), or if its reporter
    has deleted their account.
    """
    reply = (reply or "").strip()
    if not reply:
        raise WatchError(_("Write the reply before sending it."))
    _check_length(reply, CONCERN_BODY_MAX_LENGTH)
    with transaction.atomic():
        concern = Concern.objects.select_for_update(of=("self",)).select_related("group", "reporter").get(pk=concern.pk)
        if concern.replied_at is not None:
            raise WatchError(_("This concern has been answered already; the reply was e-mailed once."))
        if concern.reporter is None or not concern.reporter.email:
            raise WatchError(
                _("The person who reported this concern has deleted their account: no reply can reach them.")
            )
        concern.reply = reply
        concern.replied_at = timezone.now()
        concern.replied_by = actor
        if concern.status == Concern.Status.NEW:
            concern.status = Concern.Status.ACKNOWLEDGED
        concern.save(update_fields=["reply", "replied_at", "replied_by", "status"])
        audit_record(actor=actor, action="watch.concern.reply", target=concern, detail={"status": concern.status})
        with translation.override(_language(concern.reporter)):
            officer = officer_public_name(actor)
        _notify(
            concern.reporter,
            template="watch/emails/concern_reply",
            context={
                "group": concern.group.name,
                "subject": concern.subject,
                "reply": reply,
                "officer": officer,
                "url": _url(concern.group),
            },
            key=f"watch:concern-reply:{concern.pk}",
        )
    return concern
