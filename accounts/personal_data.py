"""What the portal holds about one resident, as a document they may download ("download my data").

Only what is about them: nothing about other people (no other member's name, no officer who
changed their subscription), no anonymous feedback (it cannot be tied to anyone, not even to them)
and no tip. E-mails sent to them are listed as kind, template and dates: a message's content is
sealed and erased once sent (outbox), so the portal no longer holds it.
"""

from datetime import date, datetime

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.selectors import addressed_to, addresses_of, profile_for, subscription_of


def _when(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def personal_data_of(user) -> dict:
    """The resident's data as a JSON-serialisable dict, one key per kind of record."""
    from alerts.models import AlertRecipient
    from audits.models import DebriefAnswer, Finding
    from meetings.models import Feedback, FeedbackReceipt, Question, QuestionVote, Rsvp
    from newsletters.models import Suppression
    from outbox.models import Email
    from programs.models import Attendance
    from programs.selectors import applications_of
    from watch.models import Concern, Membership, Post

    addresses = addresses_of(user)
    profile = profile_for(user)
    subscription = subscription_of(user, addresses)
    attendance: dict[int, list] = {}
    for row in (
        Attendance.objects.filter(application__applicant=user).select_related("session").order_by("session__starts_at")
    ):
        attendance.setdefault(row.application_id, []).append(
            {"session": row.session.title, "starts_at": _when(row.session.starts_at), "present": row.present}
        )
    suppression = Suppression.objects.filter(addressed_to("email", addresses)).first()
    return {
        "generated_at": _when(timezone.now()),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "addresses": [
            {"email": row.email, "verified": row.verified, "primary": row.primary}
            for row in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        "profile": {
            "display_name": profile.display_name,
            "phone": profile.phone,
            "home_neighbourhood": profile.home_neighbourhood.name if profile.home_neighbourhood else None,
            "preferred_language": profile.preferred_language,
        },
        "rsvps": [
            {
                "meeting": rsvp.meeting.title,
                "meeting_starts_at": _when(rsvp.meeting.starts_at),
                "status": rsvp.status,
                "registration_code": rsvp.code,
                "registered_at": _when(rsvp.created_at),
                "status_since": _when(rsvp.status_changed_at),
                "checked_in_at": _when(rsvp.checked_in_at),
            }
            for rsvp in Rsvp.objects.filter(user=user).select_related("meeting").order_by("created_at", "pk")
        ],
        "applications": [
            {
                "program": application.program.title,
                "code": str(application.code),
                "status": application.status,
                "answers": application.answers,
                "waitlist_position": application.waitlist_position,
                "date_of_birth": _when(application.date_of_birth),
                "guardian_name": application.guardian_name,
                "guardian_email": application.guardian_email,
                "consent_requested_at": _when(application.consent_requested_at),
                "guardian_confirmed_at": _when(application.guardian_confirmed_at),
                "guardian_consent": _consent(application),
                "applied_at": _when(application.created_at),
                "decided_at": _when(application.decided_at),
                "completed_at": _when(application.completed_at),
                "attendance": attendance.get(application.pk, []),
            }
            for application in applications_of(user=user).order_by("created_at", "pk")
        ],
        "questions": [
            {
                "meeting": question.meeting.title,
                "text": question.text,
                "status": question.status,
                "answer": question.answer,
                "asked_at": _when(question.created_at),
                "answered_at": _when(question.answered_at),
            }
            for question in Question.objects.filter(author=user).select_related("meeting").order_by("created_at", "pk")
        ],
        # Which questions they supported, by code: the text is someone else's.
        "question_votes": [
            {"meeting": vote.question.meeting.title, "question_code": vote.question.code, "at": _when(vote.created_at)}
            for vote in QuestionVote.objects.filter(user=user).select_related("question__meeting").order_by("pk")
        ],
        # That they answered a meeting's feedback form, anonymously or not...
        "feedback_given": [
            {"meeting": receipt.meeting.title, "on": _when(receipt.responded_on)}
            for receipt in FeedbackReceipt.objects.filter(user=user).select_related("meeting").order_by("pk")
        ],
        # ...and what they answered when they gave their name. Anonymous answers are not theirs to
        # download: nothing ties them to anyone.
        "feedback_with_name": [
            {"meeting": feedback.meeting.title, **feedback.answers()}
            for feedback in Feedback.objects.filter(user=user).select_related("meeting").order_by("meeting__starts_at")
        ],
        "watch_groups": [
            {
                "group": membership.group.name,
                "status": membership.status,
                "coordinator": membership.group.coordinator_id == user.pk,
                "asked_to_join_at": _when(membership.created_at),
                "member_since": _when(membership.approved_at),
            }
            for membership in Membership.objects.filter(user=user).select_related("group").order_by("pk")
        ],
        "watch_posts": [
            {"group": post.group.name, "title": post.title, "body": post.body, "posted_at": _when(post.created_at)}
            for post in Post.objects.filter(author=user).select_related("group").order_by("created_at", "pk")
        ],
        "watch_concerns": [
            {
                "group": concern.group.name,
                "subject": concern.subject,
                "body": concern.body,
                "reported_at": _when(concern.created_at),
            }
            for concern in Concern.objects.filter(reporter=user).select_related("group").order_by("created_at", "pk")
        ],
        "safety_audit_findings": [
            {
                "walk": finding.walk.area,
                "notes": finding.notes,
                "address": finding.address,
                "map_square": finding.map_cell,
                "latitude": str(finding.latitude) if finding.latitude is not None else None,
                "longitude": str(finding.longitude) if finding.longitude is not None else None,
                "answers": [
                    {"item": answer.item.text, "rating": answer.rating, "note": answer.note}
                    for answer in finding.answers.all()
                ],
                "photos": len(finding.photos.all()),
                "recorded_at": _when(finding.created_at),
            }
            for finding in Finding.objects.filter(author=user)
            .select_related("walk")
            .prefetch_related("answers__item", "photos")
            .order_by("created_at", "pk")
        ],
        "drill_debriefs": [
            {
                "drill": answer.drill.meeting.title,
                "knew_what_to_do": answer.knew_what_to_do,
                "went_well": answer.went_well,
                "to_improve": answer.to_improve,
                "answered_at": _when(answer.created_at),
            }
            for answer in DebriefAnswer.objects.filter(author=user)
            .select_related("drill__meeting")
            .order_by("created_at", "pk")
        ],
        "newsletter_subscription": _subscription(subscription, user),
        "suppressed_address": (
            {"email": suppression.email, "reason": suppression.reason, "since": _when(suppression.created_at)}
            if suppression
            else None
        ),
        "alerts_received": [
            {"alert": row.alert.headline, "email": row.email, "at": _when(row.added_at)}
            for row in AlertRecipient.objects.filter(addressed_to("email", addresses))
            .select_related("alert")
            .order_by("added_at", "pk")
        ],
        "emails_sent_to_you": [
            {
                "to": email.to,
                "kind": email.kind,
                "template": email.template,
                "status": email.status,
                "queued_at": _when(email.created_at),
                "sent_at": _when(email.sent_at),
            }
            for email in Email.objects.filter(addressed_to("to", addresses)).order_by("created_at", "pk")
        ],
    }


def _consent(application) -> dict | None:
    consent = getattr(application, "guardian_consent", None)
    if consent is None:
        return None
    return {
        "guardian_name": consent.guardian_name,
        "guardian_email": consent.guardian_email,
        "consent_text": consent.consent_text,
        "consented_at": _when(consent.consented_at),
    }


def _subscription(subscription, user) -> dict | None:
    if subscription is None:
        return None
    return {
        "email": subscription.email,
        "status": subscription.status,
        "topics": subscription.topics,
        "neighbourhoods": sorted(neighbourhood.name for neighbourhood in subscription.neighbourhoods.all()),
        "digest_frequency": subscription.digest_frequency,
        "language": subscription.language,
        "created_at": _when(subscription.created_at),
        "confirmed_at": _when(subscription.confirmed_at),
        "unsubscribed_at": _when(subscription.unsubscribed_at),
        # Who made a change is said as "you", "an officer" or nobody: never another person's name.
        "consent_records": [
            {
                "at": _when(record.created_at),
                "source": record.source,
                "changed_by": _changed_by(record, user),
                "changes": record.changes,
            }
            for record in subscription.consent_records.order_by("created_at", "pk")
        ],
    }


def _changed_by(record, user) -> str | None:
    if record.actor_id is None:
        return None
    return "you" if record.actor_id == user.pk else "an officer"
