"""Admin for the outbox (read-only, phone masked, requeue action) and the message templates."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shanzhi.core import clock
from shanzhi.notifications import rules, services, templates_text
from shanzhi.notifications.models import OTP_EVENT, NotificationTemplate, OutboxMessage, OutboxState


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "channel",
        "masked_recipient",
        "event",
        "appeal_tracking_no",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("state", "channel", "event")
    search_fields = ("appeal__tracking_no", "provider_message_id")
    list_select_related = ("appeal",)
    date_hierarchy = "created_at"
    # ``recipient`` (personal data) is left out on purpose: only its masked form is shown.
    fields = (
        "channel",
        "masked_recipient",
        "event",
        "appeal",
        "shown_body",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "provider_message_id",
        "dedupe_key",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields
    actions = ("requeue",)

    @admin.display(description=_("接收号码"))
    def masked_recipient(self, obj: OutboxMessage) -> str:
        return obj.recipient_masked

    @admin.display(description=_("内容"))
    def shown_body(self, obj: OutboxMessage) -> str:
        """A one-time sign-in code never shows, not even while it waits to be sent."""
        return rules.secret_redacted(obj.body) if obj.event == OTP_EVENT else obj.body

    @admin.display(description=_("诉求编号"), ordering="appeal__tracking_no")
    def appeal_tracking_no(self, obj: OutboxMessage) -> str:
        return obj.appeal.tracking_no if obj.appeal else "-"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False  # the outbox is the record of what citizens were told

    @admin.action(description=_("重新发送选中的失败/已放弃消息"), permissions=["view"])
    def requeue(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        if not request.user.has_perm("notifications.change_outboxmessage") and not request.user.is_superuser:
            self.message_user(request, _("您没有权限执行此操作"), level=messages.ERROR)
            return
        ids = list(queryset.filter(state__in=(OutboxState.FAILED, OutboxState.DEAD)).values_list("pk", flat=True))
        count = services.outbox_requeue(message_ids=ids, now=clock.now())
        self.message_user(request, _("已重新排队 %(count)d 条消息") % {"count": count}, level=messages.SUCCESS)


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ("event", "channel", "is_active", "short_body", "updated_at")
    list_filter = ("channel", "is_active", "event")
    fields = ("event", "channel", "body", "is_active", "built_in_text", "placeholders")
    readonly_fields = ("built_in_text", "placeholders")

    @admin.display(description=_("内容"))
    def short_body(self, obj: NotificationTemplate) -> str:
        return templates_text.shorten(obj.body, 60)

    @admin.display(description=_("内置默认文本（删除本模板即恢复）"))
    def built_in_text(self, obj: NotificationTemplate) -> str:
        if not obj.event:
            return "-"
        return templates_text.default_text(obj.event, obj.channel)

    @admin.display(description=_("可用占位符"))
    def placeholders(self, obj: NotificationTemplate) -> str:
        names = templates_text.placeholders_for(obj.event or "")
        return "；".join(f"{{{name}}} {label}" for name, label in names.items())
