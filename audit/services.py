from django.db import models

from audit.models import AuditEntry


def audit_record(*, actor, action: str, target: models.Model, detail: dict | None = None) -> AuditEntry:
    """Write one audit entry. Call it inside the service's transaction so both land or neither."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        detail=detail or {},
    )
