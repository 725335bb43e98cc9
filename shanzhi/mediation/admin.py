"""The registry in the admin: committees, mediators, rooms and their slots (parties are not listed here)."""

from django.contrib import admin

from shanzhi.mediation.models import Committee, Mediator, Room, Slot


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "is_active")
    search_fields = ("code", "name")


@admin.register(Mediator)
class MediatorAdmin(admin.ModelAdmin):
    list_display = ("user", "committee", "kind", "is_available")
    list_filter = ("committee", "kind", "is_available")


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "committee")


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ("room", "starts_at", "ends_at")
    list_filter = ("room",)
