"""Demo meetings: a few coming up and one past meeting with its minutes."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from meetings.models import AgendaItem, Meeting

UPCOMING = [
    {
        "slug": "demo-riverside-town-hall",
        "title": "Riverside town hall",
        "kind": Meeting.Kind.TOWN_HALL,
        "days": 5,
        "hour": 18,
        "neighbourhood": "riverside",
        "mode": Meeting.Mode.HYBRID,
        "address": "Riverside Community Centre, 12 Mill Lane",
        "online_url": "https://meet.example.org/riverside-town-hall",
        "capacity": 80,
        "description": "Meet the Riverside beat officers, hear this season's figures and bring your questions.",
        "agenda": ["Welcome and introductions", "Crime figures for the quarter", "Your questions", "Next steps"],
        # Spanish for the title, description and most of the agenda; "Next steps" shows in English, marked.
        "translations": {
            "title": "Asamblea comunitaria de Riverside",
            "description": "Conozca a los agentes de Riverside, escuche las cifras de la temporada "
            "y traiga sus preguntas.",
        },
        "agenda_es": ["Bienvenida y presentaciones", "Cifras delictivas del trimestre", "Sus preguntas"],
    },
    {
        "slug": "demo-old-town-beat-meeting",
        "title": "Old Town beat meeting",
        "kind": Meeting.Kind.BEAT_MEETING,
        "days": 12,
        "hour": 19,
        "neighbourhood": "old-town",
        "mode": Meeting.Mode.IN_PERSON,
        "address": "City Hall, Room 2, Market Square",
        "online_url": "",
        "capacity": 30,
        "description": "A small meeting about parking, night-time noise and the market.",
        "agenda": ["Parking around the market", "Night-time noise", "Open floor"],
    },
    {
        "slug": "demo-citywide-preparedness-drill",
        "title": "City-wide flood preparedness drill (online briefing)",
        "kind": Meeting.Kind.PREPAREDNESS_DRILL,
        "days": 20,
        "hour": 12,
        "neighbourhood": None,
        "mode": Meeting.Mode.ONLINE,
        "address": "",
        "online_url": "https://meet.example.org/flood-drill",
        "capacity": None,
        "description": "What to do when the river rises: evacuation routes, alerts and go-bags.",
        "agenda": ["How flood alerts reach you", "Evacuation routes", "Questions"],
    },
]

PAST = {
    "slug": "demo-eastwood-community-forum",
    "title": "Eastwood police-community forum",
    "kind": Meeting.Kind.COMMUNITY_FORUM,
    "days": -10,
    "hour": 18,
    "neighbourhood": "eastwood",
    "mode": Meeting.Mode.IN_PERSON,
    "address": "Eastwood Library, 4 Park Avenue",
    "online_url": "",
    "capacity": 60,
    "description": "An open forum on safety in and around Eastwood Park.",
    "agenda": ["Park lighting", "Youth programs", "Your questions"],
    "minutes": "Forty-two residents attended.\n\nThe city will add six lights along the park's east path by spring. "
    "Officers will hold a monthly walk-and-talk in the park on the first Saturday of each month.",
}


def _upsert(spec: dict, *, officer, neighbourhoods: dict) -> Meeting:
    day = timezone.localdate() + timedelta(days=spec["days"])
    starts_at = timezone.make_aware(datetime.combine(day, time(spec["hour"])))
    meeting, _created = Meeting.objects.update_or_create(
        slug=spec["slug"],
        defaults={
            "title": spec["title"],
            "kind": spec["kind"],
            "description": spec["description"],
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=2),
            "mode": spec["mode"],
            "address": spec["address"],
            "online_url": spec["online_url"],
            "neighbourhood": neighbourhoods.get(spec["neighbourhood"]),
            "capacity": spec["capacity"],
            "is_published": True,
            "status": Meeting.Status.COMPLETED if spec["days"] < 0 else Meeting.Status.SCHEDULED,
            "minutes": spec.get("minutes", ""),
            "translations": {"es": spec["translations"]} if spec.get("translations") else {},
        },
    )
    meeting.hosts.add(officer)
    spanish = spec.get("agenda_es", [])
    for position, title in enumerate(spec["agenda"], start=1):
        translations = {"es": {"title": spanish[position - 1]}} if position <= len(spanish) else {}
        AgendaItem.objects.update_or_create(
            meeting=meeting, position=position, defaults={"title": title, "translations": translations}
        )
    return meeting


def create_demo_data(*, officer, neighbourhoods) -> None:
    """Idempotent: meetings are keyed by slug and agenda items by position, so a second run changes nothing new."""
    by_slug = {neighbourhood.slug: neighbourhood for neighbourhood in neighbourhoods}
    for spec in UPCOMING:
        _upsert(spec, officer=officer, neighbourhoods=by_slug)
    _upsert(PAST, officer=officer, neighbourhoods=by_slug)
