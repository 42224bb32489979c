import csv
import io

from django.db import models

from audit.models import AuditEntry

# An action or export names at most this many object ids in its entry (the count is always exact).
MAX_IDS_PER_ENTRY = 1000


def audit_record(
    *, actor, action: str, target: models.Model | type[models.Model], detail: dict | None = None, target_repr=None
) -> AuditEntry:
    """Write one audit entry. Call it inside the service's transaction so both land or neither.

    ``target`` is an object, or a model class for what concerns many objects (an export, an
    action on a selection). The entry names the object by ``target_repr``, else by its label
    unless that could identify a person (``audit_label``).
    """
    entry = _entry(actor=actor, action=action, target=target, detail=detail, target_repr=target_repr)
    entry.save()
    return entry


def audit_record_each(*, actor, action: str, targets) -> list[AuditEntry]:
    """``audit_record`` for each object of ``targets``, written in one query."""
    return AuditEntry.objects.bulk_create([_entry(actor=actor, action=action, target=target) for target in targets])


def _entry(*, actor, action: str, target, detail: dict | None = None, target_repr=None) -> AuditEntry:
    if isinstance(target, type):
        target_type, target_id = target._meta.label_lower, ""
        label = target_repr or str(target._meta.verbose_name_plural)
    else:
        target_type, target_id = target._meta.label_lower, str(target.pk)
        label = target_repr or audit_label(target)
    return AuditEntry(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=label[:200],
        detail=detail or {},
    )


def audit_label(obj: models.Model) -> str:
    """The object's label for the log, or "<model> #<id>" where the label could identify a person
    (it shows an e-mail address, or the model holds one): the log outlives the person's data."""
    label = str(obj)
    holds_email = any(isinstance(field, models.EmailField) for field in obj._meta.concrete_fields)
    if holds_email or "@" in label:
        return f"{obj._meta.verbose_name} #{obj.pk}"
    return label


def audit_export(request, response, *, target=None, queryset=None) -> AuditEntry:
    """Record that ``request.user`` downloaded ``response`` (a file of personal data, usually):
    which file, of what (``target``, an object, or the ``queryset`` exported) and how many rows.

    Call it as the export function's last line, ``audit_export(request, response, target=meeting)``;
    the officers' admin records its export actions by itself (``audit.admin.AuditedModelAdmin``).
    """
    detail = {
        "path": request.path,
        "filename": _attachment_filename(response),
        "content_type": response.get("Content-Type", ""),
        "rows": _row_count(response),
    }
    if queryset is not None:
        ids = list(queryset.values_list("pk", flat=True)[: MAX_IDS_PER_ENTRY + 1])
        detail["ids"] = [str(pk) for pk in ids[:MAX_IDS_PER_ENTRY]]
        target = target if target is not None else queryset.model
    return audit_record(actor=request.user, action="export", target=target, detail=detail)


def _attachment_filename(response) -> str:
    disposition = response.get("Content-Disposition", "")
    _, _, filename = disposition.partition("filename=")
    return filename.strip().strip('"')


def _row_count(response) -> int | None:
    """Data rows in a CSV (its header line not counted); None for other files and streams."""
    if getattr(response, "streaming", False) or "csv" not in response.get("Content-Type", ""):
        return None
    rows = list(csv.reader(io.StringIO(response.content.decode(response.charset or "utf-8"))))
    return max(len(rows) - 1, 0)
