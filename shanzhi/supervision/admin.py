from django.contrib import admin

from shanzhi.supervision.models import SupervisionOrder, SupervisionUrge


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(admin.ModelAdmin):
    list_display = [
        "id", "appeal", "unit", "level", "trigger", "state", "issued_at", "issued_by", "replied_at", "replied_late",
        "urge_count",
    ]  # fmt: skip
    list_filter = ["level", "trigger", "state"]
    search_fields = ["appeal__tracking_no"]
    raw_id_fields = ["assignment", "appeal", "unit", "issued_by", "replied_by", "closed_by"]
    date_hierarchy = "issued_at"


@admin.register(SupervisionUrge)
class SupervisionUrgeAdmin(admin.ModelAdmin):
    list_display = ["id", "order", "at", "by", "level_from", "level_to", "reply_due_to"]
    raw_id_fields = ["order", "by"]
    date_hierarchy = "at"
