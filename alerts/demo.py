"""Demo safety alerts: one active alert for the first neighbourhood, one cancelled city-wide alert."""

from datetime import timedelta

from django.utils import timezone

from alerts.models import Alert
from alerts.services import alert_cancel, alert_publish

ACTIVE_HEADLINE = "Car break-ins near Riverside Park"
CANCELLED_HEADLINE = "Boil-water notice"


def create_demo_data(*, officer, neighbourhoods) -> None:
    now = timezone.now()
    if not Alert.objects.filter(headline=ACTIVE_HEADLINE).exists():
        alert = Alert.objects.create(
            headline=ACTIVE_HEADLINE,
            event="Vehicle break-ins",
            description="Several cars were broken into overnight on the streets around Riverside Park.",
            instruction="Do not leave valuables in your car; report anything suspicious.",
            translations={
                "es": {
                    "headline": "Robos en coches cerca del parque Riverside",
                    "event": "Robos en vehículos",
                    "description": "Anoche forzaron varios coches en las calles alrededor del parque Riverside.",
                    "instruction": "No deje objetos de valor en su coche; informe de cualquier cosa sospechosa.",
                }
            },
            category=Alert.Category.SECURITY,
            severity=Alert.Severity.MODERATE,
            urgency=Alert.Urgency.EXPECTED,
            certainty=Alert.Certainty.OBSERVED,
            starts_at=now,
            expires_at=now + timedelta(days=3),
            created_by=officer,
        )
        alert.neighbourhoods.set(neighbourhoods[:1])
        alert_publish(actor=officer, alert=alert)
    if not Alert.objects.filter(headline=CANCELLED_HEADLINE).exists():
        alert = Alert.objects.create(
            headline=CANCELLED_HEADLINE,
            event="Water contamination",
            description="Boil tap water for one minute before drinking.",
            category=Alert.Category.HEALTH,
            severity=Alert.Severity.SEVERE,
            urgency=Alert.Urgency.IMMEDIATE,
            certainty=Alert.Certainty.LIKELY,
            city_wide=True,
            starts_at=now - timedelta(hours=5),
            expires_at=now + timedelta(days=1),
            created_by=officer,
        )
        alert_publish(actor=officer, alert=alert)
        alert_cancel(actor=officer, alert=alert, note="Tests show the water is safe again.")
