"""Admin for the hierarchy, boundaries, staff and API keys. Staff phone numbers are masked in lists."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from shanzhi.core import pii
from shanzhi.orgs.models import ApiKey, Boundary, Unit, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "is_virtual", "is_stationed", "is_active", "sort")
    list_filter = ("kind", "is_active", "is_virtual", "is_stationed")
    search_fields = ("code", "name", "name_en")
    list_select_related = ("parent",)
    raw_id_fields = ("parent",)
    readonly_fields = ("path", "depth")
    ordering = ("path",)


@admin.register(Boundary)
class BoundaryAdmin(admin.ModelAdmin):
    list_display = ("unit", "version", "is_current", "is_demo", "created_at")
    list_filter = ("is_current", "is_demo", "unit__kind")
    search_fields = ("unit__code", "unit__name")
    list_select_related = ("unit",)
    raw_id_fields = ("unit",)
    readonly_fields = ("created_at",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "unit", "roles", "masked_phone", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "groups", "unit__kind")
    search_fields = ("username", "display_name", "unit__name")
    list_select_related = ("unit",)
    raw_id_fields = ("unit",)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("单位与联系方式"), {"fields": ("display_name", "unit", "phone")}),
    )
    add_fieldsets = (
        *(BaseUserAdmin.add_fieldsets or ()),
        (_("单位"), {"fields": ("display_name", "unit")}),
    )

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("角色"))
    def roles(self, obj: User) -> str:
        return "、".join(sorted(g.name for g in obj.groups.all()))

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj: User) -> str:
        return pii.mask_phone(obj.phone)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "user", "is_active", "rate_limit_per_minute", "created_at", "last_used_at")
    list_filter = ("is_active",)
    search_fields = ("name", "prefix", "user__username")
    # Keys are created in the console (系统管理 → 接口密钥) or with `shanzhi apikey` (the clear key is shown once);
    # the admin only shows and revokes.
    readonly_fields = ("prefix", "key_hash", "user", "scopes", "rate_limit_per_minute", "created_at", "last_used_at")
    fields = (
        "name",
        "prefix",
        "user",
        "scopes",
        "rate_limit_per_minute",
        "is_active",
        "expires_at",
        "created_at",
        "last_used_at",
    )

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False
