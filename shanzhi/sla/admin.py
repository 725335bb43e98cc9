"""Admin pages for the working calendar, working hours and SLA policies."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shanzhi.sla.models import CalendarSource, SlaPolicy, WorkingDay, WorkingPeriod


@admin.register(WorkingDay)
class WorkingDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note", "source", "updated_at"]
    list_filter = ["is_workday", "source"]
    search_fields = ["note"]
    date_hierarchy = "date"
    readonly_fields = ["source", "updated_by", "updated_at"]

    def save_model(self, request: HttpRequest, obj: WorkingDay, form: Any, change: bool) -> None:
        # An edit in the admin is the centre's decision: the seeder must not overwrite it.
        obj.source = CalendarSource.EDITED
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(WorkingPeriod)
class WorkingPeriodAdmin(admin.ModelAdmin):
    list_display = ["start", "end", "updated_at"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "urgency",
        "sign_amount",
        "sign_unit",
        "contact_amount",
        "contact_unit",
        "handle_amount",
        "handle_unit",
        "updated_at",
    ]
    list_filter = ["urgency", "handle_unit"]
    raw_id_fields = ["category"]
    search_fields = ["category__path", "note"]
