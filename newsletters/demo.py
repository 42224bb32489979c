"""Demo subscribers, a sent newsletter and a draft. Safe to run again: nothing is duplicated."""

from newsletters import services
from newsletters.models import ConsentRecord, Newsletter, Subscription, Topic

SUBSCRIBERS = [
    # (address, neighbourhood slugs, topics, language)
    ("maria.lopez@example.com", ["riverside"], list(Topic.values), "es"),
    ("james.chen@example.com", ["old-town"], [Topic.NEWSLETTER, Topic.MEETINGS], "en"),
    ("aisha.khan@example.com", ["northgate", "eastwood"], [Topic.SAFETY_ALERTS, Topic.PROGRAMS], "en"),
    ("tom.becker@example.com", [], list(Topic.values), "en"),  # follows the whole city
]
SENT_SUBJECT = "Riverton safety update: bike thefts down, new academy"
SENT_BODY = """## Bike thefts are down 12%

Thank you for locking up. Register your bike's serial number at the front desk of any station.

## Citizen Police Academy

Applications for the spring academy are open: see the Programs page of the portal.
"""
# maria.lopez reads Spanish: the sent newsletter reaches her in Spanish.
SENT_SPANISH = {
    "subject": "Seguridad en Riverton: bajan los robos de bicicletas, nueva academia",
    "body": """## Los robos de bicicletas bajan un 12 %

Gracias por usar candado. Registre el número de serie de su bicicleta en la recepción de cualquier comisaría.

## Academia de Policía Ciudadana

Ya puede solicitar plaza en la academia de primavera: vea la página de Programas del portal.
""",
}
DRAFT_SUBJECT = "Holiday season: package theft prevention"
DRAFT_BODY = """Packages left on porches are the most reported theft in December.

- Ask a neighbour to pick them up
- Use a pick-up point
- Report suspicious vehicles (non-emergency line)
"""


def create_demo_data(*, officer, neighbourhoods) -> None:
    by_slug = {neighbourhood.slug: neighbourhood for neighbourhood in neighbourhoods}
    for address, slugs, topics, language in SUBSCRIBERS:
        services.subscription_update(
            email=address,
            subscribed=True,
            topics=topics,
            neighbourhoods=[by_slug[slug] for slug in slugs if slug in by_slug],
            digest_frequency=Subscription.DigestFrequency.WEEKLY,
            language=language,
            source=ConsentRecord.Source.ADMIN,
            actor=officer,
        )
    Subscription.objects.get_or_create(email="not.confirmed@example.com")  # waiting for double opt-in
    sent, _created = Newsletter.objects.get_or_create(
        subject=SENT_SUBJECT, defaults={"body": SENT_BODY, "translations": {"es": SENT_SPANISH}, "created_by": officer}
    )
    if sent.status == Newsletter.Status.DRAFT:
        # Queued like any newsletter; a running worker prints each copy on the console.
        services.newsletter_schedule(newsletter_id=sent.pk, send_at=None, actor=officer)
    Newsletter.objects.get_or_create(subject=DRAFT_SUBJECT, defaults={"body": DRAFT_BODY, "created_by": officer})
