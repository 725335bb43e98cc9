from django.contrib import admin

from shanzhi.open311.models import ServiceAttribute, ServiceRequest


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ("category", "code", "description", "datatype", "required", "order", "is_active")
    list_filter = ("datatype", "required", "is_active")
    search_fields = ("code", "description", "category__path")


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = ("appeal", "service_code", "client", "media_state", "created_at")
    list_filter = ("media_state",)
    search_fields = ("appeal__tracking_no", "token")
    readonly_fields = (
        "appeal", "token", "client", "service_code", "attributes", "media_url", "media_state", "media_error",
        "media_attempts", "media_next_at", "media_attachment", "created_at",
    )  # fmt: skip
