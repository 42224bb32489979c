"""Demo safety audit: a completed walk with reviewed findings, a merged duplicate, a published report and
actions in several states, so a new user sees the whole loop; plus a coming walk and a drill's plan."""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from audits import services
from audits.checklists import DEFAULT_TEMPLATE
from audits.models import AuditWalk, ChecklistTemplate, DrillPlan, Finding
from meetings.models import Meeting, Rsvp

WALKERS = [("Ana", "ana.walker"), ("Ben", "ben.walker"), ("Chloe", "chloe.walker"), ("Dev", "dev.walker")]
# (theme index in the checklist, rating, note, free notes, address, map square)
FINDINGS = [
    (
        0,
        "urgent",
        "Three lamps out under the bridge",
        "The Mill Lane underpass is pitch dark after 6 pm.",
        "Mill Lane underpass",
        "D4",
    ),
    (4, "attention", "Overgrown hedge by the steps", "Hedge by the river steps hides the path.", "River steps", "E5"),
    (3, "attention", "Graffiti and a broken bench", "", "Riverside playground", "B6"),
    (6, "good", "", "Lots of people around the café until late.", "Mill Lane café", "C3"),
]


def _at(days: int, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour)))


def _meeting(slug: str, *, title: str, title_es: str, days: int, neighbourhood, officer) -> Meeting:
    starts_at = _at(days, 18)
    meeting, _created = Meeting.objects.update_or_create(
        slug=slug,
        defaults={
            "title": title,
            "kind": Meeting.Kind.SAFETY_AUDIT,
            "description": "Walk the area with officers and neighbours and note what makes it feel safe or unsafe.",
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=2),
            "mode": Meeting.Mode.IN_PERSON,
            "address": "Meet at Riverside Community Centre, 12 Mill Lane",
            "neighbourhood": neighbourhood,
            "capacity": 25,
            "is_published": True,
            "status": Meeting.Status.COMPLETED if days < 0 else Meeting.Status.SCHEDULED,
            "translations": {"es": {"title": title_es}},
        },
    )
    meeting.hosts.add(officer)
    return meeting


def _walkers() -> list:
    users = []
    for first_name, name in WALKERS:
        email = f"{name}@precinct.example"
        user, created = get_user_model().objects.get_or_create(
            username=email, defaults={"email": email, "first_name": first_name}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users.append(user)
    return users


def _completed_walk(*, officer, neighbourhood) -> AuditWalk:
    meeting = _meeting(
        "demo-riverside-safety-walk",
        title="Riverside safety audit walk",
        title_es="Recorrido de auditoría de seguridad de Riverside",
        days=-21,
        neighbourhood=neighbourhood,
        officer=officer,
    )
    template = ChecklistTemplate.objects.get(name=DEFAULT_TEMPLATE["name"])
    walk, _created = AuditWalk.objects.get_or_create(
        meeting=meeting, defaults={"area": "Mill Lane and the river path", "template": template}
    )
    if walk.findings.exists():  # already made on an earlier run
        return walk
    walkers = _walkers()
    for user in walkers:
        rsvp, _created = Rsvp.objects.get_or_create(meeting=meeting, user=user)
        rsvp.checked_in_at = meeting.starts_at + timedelta(minutes=5)
        rsvp.save(update_fields=["checked_in_at"])
    items = list(template.items.all())
    themes = list(dict.fromkeys(item.theme for item in items))
    # Recorded as if during the walk: the services' time checks are for live requests, so the demo
    # writes the rows the service would have written and leaves out the photos.
    findings = []
    for user, (theme, rating, note, notes, address, cell) in zip(walkers, FINDINGS, strict=True):
        item = next(item for item in items if item.theme == themes[theme])
        finding = Finding.objects.create(walk=walk, author=user, notes=notes, address=address, map_cell=cell)
        finding.answers.create(item=item, rating=rating, note=note)
        findings.append(finding)
    duplicate = Finding.objects.create(
        walk=walk, author=walkers[1], notes="Same dark underpass: we could not see the far end.", map_cell="D4"
    )
    duplicate.answers.create(item=items[0], rating="urgent", note="Lamps out")
    for finding in findings:
        services.finding_review(finding=finding, by=officer)
    services.finding_merge(duplicate=duplicate, kept=findings[0], by=officer)
    _actions(findings, officer=officer)
    services.walk_report_publish(walk=walk, by=officer)
    return walk


def _actions(findings: list[Finding], *, officer) -> None:
    from actions.models import ActionItem
    from actions.services import change_status

    today = timezone.localdate()
    plans = [
        (findings[0], "Replace the underpass lamps", "City lighting department", 14, ActionItem.Status.IN_PROGRESS),
        (findings[1], "Cut back the hedge by the river steps", "Parks department", -7, ActionItem.Status.DONE),
        (findings[2], "Repair the playground bench and remove the graffiti", "Parks department", 30, None),
    ]
    for finding, title, owner, due_in, status in plans:
        action = services.finding_make_action(
            finding=finding, by=officer, title=title, owner=owner, due_date=today + timedelta(days=due_in)
        )
        if status == ActionItem.Status.DONE:
            change_status(action, by=officer, status=ActionItem.Status.PLANNED, note="Booked with the parks crew.")
        if status is not None:
            change_status(action, by=officer, status=status, note="Work has started." if status != "done" else "Done.")


def _drill_plan() -> None:
    meeting = Meeting.objects.filter(slug="demo-citywide-preparedness-drill").first()
    if meeting is None:
        return
    DrillPlan.objects.update_or_create(
        meeting=meeting,
        defaults={
            "scenario": "Heavy rain overnight: the river is forecast to flood Riverside's lower streets by morning.",
            "roles": "Block wardens check on neighbours; residents practise leaving by their evacuation route.",
            "materials": "Bring your go-bag (water, torch, medicines, phone charger); maps are handed out.",
            "translations": {
                "es": {
                    "scenario": "Lluvia intensa durante la noche: se prevé que el río inunde las calles bajas de "
                    "Riverside por la mañana.",
                    "roles": "Los responsables de manzana visitan a los vecinos; los residentes practican la salida "
                    "por su ruta de evacuación.",
                    "materials": "Traiga su mochila de emergencia (agua, linterna, medicinas, cargador); se reparten "
                    "mapas.",
                }
            },
        },
    )


def create_demo_data(*, officer, neighbourhoods) -> None:
    """Idempotent: meetings keyed by slug; the completed walk's findings and actions are made once."""
    riverside = next(n for n in neighbourhoods if n.slug == "riverside")
    walk = _completed_walk(officer=officer, neighbourhood=riverside)
    coming = _meeting(
        "demo-riverside-safety-re-audit",
        title="Riverside safety re-audit walk",
        title_es="Nuevo recorrido de auditoría de seguridad de Riverside",
        days=40,
        neighbourhood=riverside,
        officer=officer,
    )
    AuditWalk.objects.get_or_create(
        meeting=coming, defaults={"area": walk.area, "template": walk.template, "previous_walk": walk}
    )
    _drill_plan()
