"""Every officer write in the admin leaves an audit entry: add, change, delete (one by one or in bulk),
inline rows (in their parent's entry), admin actions, and the files they export.

Apply ``AuditedModelAdmin`` as the base of every officer-facing ModelAdmin (tips keep their own log).
Entries name the fields that changed, never their values; an object whose label would be personal
(it shows an e-mail address, or the model holds one) is named by its model and id only.
"""

import functools

from django.contrib import admin
from django.db import models

from audit.services import MAX_IDS_PER_ENTRY, audit_export, audit_record, audit_record_each
from portal.admin_forms import LabelledFormsMixin


def _record(request, action: str, obj: models.Model, detail: dict | None = None) -> None:
    if obj.pk is None:  # saved through a service that wrote its own row (and its own entry)
        audit_record(actor=request.user, action=action, target=type(obj), detail=detail)
        return
    audit_record(actor=request.user, action=action, target=obj, detail=detail)


def _summary(message) -> dict:
    """The admin's change message without values: changed field names, and inline rows added,
    changed or deleted by kind (the rows' own labels, possibly personal, are left out)."""
    fields, inlines = [], []
    for part in message if isinstance(message, list) else []:
        for verb, about in part.items():
            if verb == "changed" and "name" not in about:
                fields.extend(about.get("fields", []))
            else:
                inlines.append({verb: about.get("name", ""), "fields": about.get("fields", [])})
    return {"fields": fields, "inlines": inlines} if inlines else {"fields": fields}


def _is_download(response) -> bool:
    return response is not None and "attachment" in response.get("Content-Disposition", "")


class AuditedModelAdmin(LabelledFormsMixin, admin.ModelAdmin):
    """Hooks the admin's own log calls, which run after every add, change and deletion whatever
    ``save_model`` / ``delete_model`` an app overrides (many hand the write to a service).
    Its forms name every input for screen readers (``LabelledFormsMixin``)."""

    def log_addition(self, request, obj, message):
        _record(request, "admin.add", obj, _summary(message))
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        _record(request, "admin.change", obj, _summary(message))
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        # Called before the objects are deleted, from the delete page and the "delete selected" action.
        audit_record_each(actor=request.user, action="admin.delete", targets=queryset)
        return super().log_deletions(request, queryset)

    def get_actions(self, request):
        actions = super().get_actions(request)
        return {
            # Deleting a selection is recorded by log_deletions once it is confirmed.
            key: (func if key == "delete_selected" else _audited_action(func, name), name, description)
            for key, (func, name, description) in actions.items()
        }


def _audited_action(func, name: str):
    @functools.wraps(func)
    def run(modeladmin, request, queryset):
        ids = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        response = func(modeladmin, request, queryset)
        if _is_download(response):
            audit_export(request, response, queryset=queryset)
        else:
            audit_record(
                actor=request.user,
                action="admin.action",
                target=queryset.model,
                detail={"action": name, "count": len(ids), "ids": ids[:MAX_IDS_PER_ENTRY]},
            )
        return response

    return run
