"""The data hub in Django's admin: read-mostly, masked (the clear values are never shown here)."""

from __future__ import annotations

from django.contrib import admin

from shanzhi.datahub.models import Enterprise, HubBuilding, ImportBatch, PartyOrganisation, Person


@admin.register(HubBuilding)
class HubBuildingAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "use", "floors", "grid")
    search_fields = ("code", "name")
    raw_id_fields = ("address", "grid", "community")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("id", "name_masked", "id_masked", "phone_masked", "residence", "grid")
    fields = ("name_masked", "id_masked", "phone_masked", "gender", "birth_year", "residence", "relation", "grid")
    readonly_fields = fields

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("credit_code", "name", "industry", "employees", "grid")
    search_fields = ("credit_code", "name")
    exclude = ("phone_cipher", "phone_hash", "legal_rep")
    raw_id_fields = ("building", "grid", "community")


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "members_count", "grid")
    raw_id_fields = ("parent", "grid", "community")


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "file_name", "actor", "status", "rows", "created", "updated", "error_count")
    list_filter = ("kind", "status")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
