"""Admin for the category tree and the dispatch catalogue (派单目录)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shanzhi.routing.models import Category, DispatchRule


class DispatchRuleInline(admin.TabularInline):
    model = DispatchRule
    extra = 0
    fields = ("area", "lead_unit", "territorial_level", "assisting_units", "priority", "is_active", "note")
    raw_id_fields = ("area", "lead_unit")
    filter_horizontal = ("assisting_units",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "path", "level", "default_urgency", "is_active", "sort")
    list_filter = ("level", "default_urgency", "is_active")
    search_fields = ("code", "name", "path", "keywords")
    raw_id_fields = ("parent",)
    readonly_fields = ("level", "path")
    ordering = ("code",)
    inlines = (DispatchRuleInline,)


@admin.register(DispatchRule)
class DispatchRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "area", "lead", "territorial_level", "assisting", "priority", "is_active")
    list_filter = ("is_active", "territorial_level", "category__level")
    search_fields = ("category__path", "lead_unit__name", "area__name", "note")
    list_select_related = ("category", "area", "lead_unit")
    raw_id_fields = ("category", "area", "lead_unit")
    filter_horizontal = ("assisting_units",)

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).prefetch_related("assisting_units")

    @admin.display(description=_("主办单位"))
    def lead(self, obj: DispatchRule) -> str:
        return obj.lead_unit.name if obj.lead_unit else str(_("属地"))

    @admin.display(description=_("协办单位"))
    def assisting(self, obj: DispatchRule) -> str:
        return "、".join(u.name for u in obj.assisting_units.all())
