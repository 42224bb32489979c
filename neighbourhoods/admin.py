from django.contrib import admin

from audit.mixins import AuditedModelAdmin
from neighbourhoods.models import Neighbourhood


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(AuditedModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
