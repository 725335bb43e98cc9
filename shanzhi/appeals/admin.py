"""Admin for appeals and their records, read-only: every change to an appeal goes through the services so that it
is checked and recorded. Personal data appears only masked (lists and detail pages alike); the console's reveal
with a logged reason is the way to see it in full."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.models import (
    Appeal,
    AppealEvent,
    Assignment,
    AssignmentRequest,
    FollowUp,
    RejectReason,
    ReplyTemplate,
)
from shanzhi.core import pii


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is written by the services only."""

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ("round", "unit", "role", "state", "dispatched_at", "signed_at", "due_at", "warning", "done_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = (
        "tracking_no",
        "created_at",
        "channel",
        "appeal_type",
        "title",
        "category",
        "state",
        "warning",
        "lead_unit",
        "masked_citizen",
        "masked_phone",
    )
    list_filter = ("state", "warning", "channel", "appeal_type", "urgency", "category__parent__parent")
    search_fields = ("tracking_no", "title", "external_ref")
    list_select_related = ("category", "lead_unit")
    date_hierarchy = "created_at"
    # The personal fields themselves are left out; their masked forms stand in.
    fields = (
        "tracking_no",
        "state",
        "channel",
        "appeal_type",
        "urgency",
        "category",
        "title",
        "content",
        "masked_citizen",
        "masked_phone",
        "masked_address",
        "is_anonymous",
        "wants_reply",
        "area",
        "longitude",
        "latitude",
        "round",
        "lead_unit",
        "due_at",
        "warning",
        "master",
        "routing_explanation",
        "reply_text",
        "replied_at",
        "rating",
        "resolved",
        "closed_at",
        "external_ref",
        "created_by",
        "created_at",
    )
    readonly_fields = fields
    inlines = (AssignmentInline,)

    @admin.display(description=_("诉求人"))
    def masked_citizen(self, obj: Appeal) -> str:
        return pii.mask_name(obj.citizen_name)

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj: Appeal) -> str:
        return pii.mask_phone(obj.citizen_phone)

    @admin.display(description=_("事发地址"))
    def masked_address(self, obj: Appeal) -> str:
        return pii.mask_address(obj.address)


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("appeal", "round", "unit", "role", "state", "dispatched_at", "signed_at", "due_at", "warning")
    list_filter = ("state", "role", "warning", "unit__kind")
    search_fields = ("appeal__tracking_no", "unit__name", "unit__code")
    list_select_related = ("appeal", "unit")
    date_hierarchy = "dispatched_at"


@admin.register(AssignmentRequest)
class AssignmentRequestAdmin(ReadOnlyAdmin):
    list_display = ("assignment", "kind", "state", "requested_by", "requested_at", "decided_by", "decided_at")
    list_filter = ("kind", "state")
    search_fields = ("assignment__appeal__tracking_no", "reason", "basis")
    list_select_related = ("assignment__appeal", "requested_by", "decided_by")


@admin.register(AppealEvent)
class AppealEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "appeal", "kind", "from_state", "to_state", "actor", "actor_unit", "is_public")
    list_filter = ("kind", "is_public")
    search_fields = ("appeal__tracking_no",)
    list_select_related = ("appeal", "actor", "actor_unit")
    date_hierarchy = "created_at"


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ("appeal", "round", "reached", "rating", "resolved", "by", "at")
    list_filter = ("reached", "rating", "resolved")
    search_fields = ("appeal__tracking_no",)
    list_select_related = ("appeal", "by")


@admin.register(RejectReason)
class RejectReasonAdmin(admin.ModelAdmin):
    list_display = ("code", "text", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "text")


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "body")
