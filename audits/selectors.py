"""Read-only queries for audit reports and drill debriefs, each page in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from audits.models import RATING_SCORES, AuditWalk, ChecklistAnswer, DebriefAnswer, DrillPlan, Finding, Rating
from meetings.models import Meeting
from meetings.services import feedback_eligible_rsvps

# Aggregates smaller than this are shown as "fewer than 5": a small group's answers could be told apart.
COUNT_THRESHOLD = 5
# Findings that speak in a walk's report: reviewed by an officer (merged ones through the finding kept).
COUNTED = (Finding.Status.REVIEWED, Finding.Status.MERGED)
# Mean scores closer than this count as "the same" between two walks.
SAME_WITHIN = 0.25


def shown_count(count: int) -> int | None:
    """``count`` if it may be shown, else None (the template says "fewer than 5")."""
    return count if count >= COUNT_THRESHOLD else None


def published_walks(*, neighbourhood=None) -> QuerySet[AuditWalk]:
    """Walks whose report is public (of one neighbourhood, if given), newest first, with what the list shows."""
    walks = AuditWalk.objects.filter(report_published_at__isnull=False, meeting__is_published=True)
    if neighbourhood is not None:
        walks = walks.filter(meeting__neighbourhood=neighbourhood)
    return walks.select_related("meeting", "meeting__neighbourhood").order_by("-meeting__starts_at", "-id")


def walk_for_slug(*, slug: str) -> AuditWalk | None:
    return (
        AuditWalk.objects.filter(meeting__slug=slug, meeting__is_published=True)
        .select_related("meeting", "meeting__neighbourhood", "template", "previous_walk__meeting")
        .first()
    )


@dataclass
class ItemResult:
    item: object
    counts: dict = field(default_factory=dict)  # rating -> count
    notes: list = field(default_factory=list)
    change: str = ""  # "better", "same", "worse", or "" when either walk did not rate it

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def score(self) -> float | None:
        return _mean_score(self.counts)

    @property
    def verdict(self) -> str:
        """The item's overall rating (a Rating value), from the mean of everyone's; "" when unrated."""
        score = self.score
        if score is None:
            return ""
        return Rating.GOOD if score < 0.5 else Rating.NEEDS_ATTENTION if score < 1.5 else Rating.URGENT

    @property
    def shown_counts(self) -> list | None:
        """Each rating's count, only once enough people rated the item that no one's answer stands out."""
        if self.total < COUNT_THRESHOLD:
            return None
        return [(rating.label, self.counts.get(rating.value, 0)) for rating in Rating]


def _mean_score(counts: dict) -> float | None:
    total = sum(counts.values())
    if not total:
        return None
    return sum(RATING_SCORES[Rating(rating)] * count for rating, count in counts.items()) / total


def _rating_counts(walk: AuditWalk) -> dict[int, dict[str, int]]:
    rows = (
        ChecklistAnswer.objects.filter(finding__walk=walk, finding__status__in=COUNTED)
        .values("item_id", "rating")
        .annotate(count=Count("id"))
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row["item_id"]][row["rating"]] = row["count"]
    return counts


def _change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    if now < before - SAME_WITHIN:
        return "better"
    if now > before + SAME_WITHIN:
        return "worse"
    return "same"


def walk_report(walk: AuditWalk) -> dict:
    """The public report of ``walk``: participation as counts (small ones withheld), per theme each
    checklist item's ratings and notes (no author), the general notes, the actions that came out
    and, for a re-audit, each item's change since the previous walk, in a fixed number of queries."""
    items = list(walk.template.items.all())
    counts = _rating_counts(walk)
    previous = _rating_counts(walk.previous_walk) if walk.previous_walk_id else {}
    results = {item.pk: ItemResult(item=item, counts=counts.get(item.pk, {})) for item in items}
    for result in results.values():
        if walk.previous_walk_id:
            result.change = _change(result.score, _mean_score(previous.get(result.item.pk, {})))
    findings = list(
        Finding.objects.filter(walk=walk, status=Finding.Status.REVIEWED)
        .prefetch_related(
            Prefetch("answers", queryset=ChecklistAnswer.objects.order_by("item__position", "id")),
            Prefetch("duplicates", queryset=Finding.objects.order_by("created_at", "id").prefetch_related("answers")),
        )
        .order_by("created_at", "id")
    )
    general_notes = []
    for finding in findings:
        for source in [finding, *finding.duplicates.all()]:
            for answer in source.answers.all():
                if answer.note and answer.item_id in results:
                    results[answer.item_id].notes.append(answer.note)
            if source.notes:
                general_notes.append(source)
    # In an order of their own, not the order they were written: whoever knows when someone spoke
    # (first to arrive, last to leave) must not tell which note is theirs.
    for result in results.values():
        result.notes.sort(key=lambda note: (note.casefold(), note))
    general_notes.sort(key=lambda finding: (finding.notes.casefold(), finding.address, finding.notes))
    themes: dict[str, list[ItemResult]] = {}
    for item in items:
        themes.setdefault(item.theme, []).append(results[item.pk])
    findings_total = Finding.objects.filter(walk=walk, status__in=COUNTED).count()
    return {
        "walk": walk,
        "participants": shown_count(feedback_eligible_rsvps(walk.meeting).count()),
        "findings_count": shown_count(findings_total),
        "themes": [(results_[0].item, results_) for results_ in themes.values()],
        "general_notes": general_notes,
        # Including any made from a duplicate before it was merged.
        "actions": actions_from([source for finding in findings for source in [finding, *finding.duplicates.all()]]),
        "is_re_audit": bool(walk.previous_walk_id),
    }


def actions_from(sources: list) -> list:
    """The action items made from ``sources`` (objects of one model), in one query."""
    from actions.models import ActionItem

    if not sources:
        return []
    content_type = ContentType.objects.get_for_model(type(sources[0]))
    return list(
        ActionItem.objects.filter(source_type=content_type, source_id__in=[source.pk for source in sources])
        .select_related("neighbourhood")
        .order_by("created_at", "id")
    )


def own_findings(*, walk: AuditWalk, user) -> list[Finding]:
    """``user``'s findings on ``walk`` with their photos and, on each, the actions made from it
    (or from the finding it was merged into)."""
    findings = list(
        Finding.objects.filter(walk=walk, author=user)
        .select_related("duplicate_of")
        .prefetch_related("photos", Prefetch("answers", queryset=ChecklistAnswer.objects.select_related("item")))
        .order_by("created_at", "id")
    )
    targets = {finding.pk: (finding.duplicate_of or finding) for finding in findings}
    actions = actions_from(list({target.pk: target for target in targets.values()}.values()))
    by_source = defaultdict(list)
    for action in actions:
        by_source[action.source_id].append(action)
    for finding in findings:
        finding.actions = by_source[targets[finding.pk].pk]
    return findings


def drill_for_meeting(meeting: Meeting) -> DrillPlan | None:
    return DrillPlan.objects.filter(meeting=meeting).first()


def drill_for_slug(*, slug: str) -> DrillPlan | None:
    return (
        DrillPlan.objects.filter(meeting__slug=slug, meeting__is_published=True)
        .select_related("meeting", "meeting__neighbourhood")
        .first()
    )


def debrief_results(drill: DrillPlan) -> dict:
    """How many knew what to do, as counts; withheld (None) until COUNT_THRESHOLD people answered."""
    rows = DebriefAnswer.objects.filter(drill=drill).values("knew_what_to_do").annotate(count=Count("id"))
    counts = {row["knew_what_to_do"]: row["count"] for row in rows}
    total = sum(counts.values())
    if total < COUNT_THRESHOLD:
        return {"total": None, "counts": None}
    return {
        "total": total,
        "counts": [(choice.label, counts.get(choice.value, 0)) for choice in DebriefAnswer.KnewWhatToDo],
    }


def upcoming_walks(*, neighbourhood=None) -> QuerySet[Meeting]:
    meetings = Meeting.objects.filter(
        kind=Meeting.Kind.SAFETY_AUDIT, is_published=True, status=Meeting.Status.SCHEDULED, ends_at__gt=timezone.now()
    )
    if neighbourhood is not None:
        meetings = meetings.filter(neighbourhood=neighbourhood)
    return meetings.select_related("neighbourhood").order_by("starts_at", "id")
