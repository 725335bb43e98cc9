from django.contrib import admin

from shanzhi.proactive.models import DuplicateProposal, Hotspot


@admin.register(DuplicateProposal)
class DuplicateProposalAdmin(admin.ModelAdmin):
    list_display = ("appeal", "master", "score", "reasons", "state", "created_at", "decided_by")
    list_filter = ("state",)
    search_fields = ("appeal__tracking_no", "master__tracking_no")
    raw_id_fields = ("appeal", "master", "decided_by")
    readonly_fields = ("score", "reasons", "created_at", "decided_at")


@admin.register(Hotspot)
class HotspotAdmin(admin.ModelAdmin):
    list_display = ("summary", "area", "window", "appeal_count", "caller_count", "state", "alert_unit", "last_at")
    list_filter = ("state", "window")
    search_fields = ("summary", "area__name", "community__name")
    raw_id_fields = ("community", "area", "alert_unit", "category", "appeals", "decided_by")
    readonly_fields = ("key", "first_at", "last_at", "created_at", "updated_at", "alerted_at")
