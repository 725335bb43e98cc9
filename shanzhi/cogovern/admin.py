from django.contrib import admin

from shanzhi.cogovern.models import ChecklistItem, Resource, SocialForce, VolunteerTeam


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ("level", "code", "group", "title", "weight", "is_active")
    list_filter = ("level", "group", "is_active")
    list_editable = ("weight", "is_active")


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "community", "capacity", "is_available")
    list_filter = ("kind", "is_available")


@admin.register(SocialForce)
class SocialForceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "community", "is_active")
    list_filter = ("kind",)
    exclude = ("contact_phone",)  # personal data: the console's logged view, not the admin


@admin.register(VolunteerTeam)
class VolunteerTeamAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "community")
