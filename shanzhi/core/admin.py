"""Admin pages of the kernel: the audit chain and the claimed slots of periodic jobs (both read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from shanzhi.core.audit import audit_verify
from shanzhi.core.models import AuditEntry, ScheduledRun


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """审计日志: nobody adds, changes or deletes a row here; ``verify/`` walks the chain and says what it found."""

    list_display = ["seq", "at", "actor", "action", "subject_type", "subject_id", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor", "subject_id"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    list_per_page = 100

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        from django.urls import path

        verify = self.admin_site.admin_view(self.verify_view)
        return [path("verify/", verify, name="core_auditentry_verify"), *super().get_urls()]

    def verify_view(self, request: HttpRequest) -> HttpResponse:
        """Walk the chain and say what was found, on the list."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        verdict = audit_verify()
        if verdict.ok:
            messages.success(
                request, f"哈希链完整：{verdict.rows} 条，链头 #{verdict.head_seq} {verdict.head_hash[:16]}…"
            )
        else:
            first = verdict.breaks[0]
            messages.error(request, f"哈希链断裂 {len(verdict.breaks)} 处，首处 #{first.seq}：{first.problem}")
        return HttpResponseRedirect(reverse("admin:core_auditentry_changelist"))


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    list_display = ["job", "run_at", "enqueued_at", "task_result_id"]
    list_filter = ["job"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
