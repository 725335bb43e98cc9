from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from shanzhi.core.http import client_ip
from shanzhi.orgs.permissions import may_view_personal_data
from shanzhi.orgs.personal_data import personal_data_reveal
from shanzhi.places import doorplates
from shanzhi.places.models import AddressElementType, Building, Doorplate, Household, StandardAddress
from shanzhi.places.register import doorplate_reissue


@admin.register(AddressElementType)
class AddressElementTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "note")


@admin.register(StandardAddress)
class StandardAddressAdmin(admin.ModelAdmin):
    list_display = ("code", "text", "level", "community", "grid", "is_active")
    list_filter = ("level", "is_active", "is_demo")
    search_fields = ("code", "text")
    raw_id_fields = ("parent", "community", "grid")


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ("name", "address", "use", "floors", "entrances")
    search_fields = ("name", "address__code", "address__text")
    raw_id_fields = ("address",)
    actions = ["print_doorplates"]

    @admin.action(description="打印所选建筑的门牌（A4 PDF）")
    def print_doorplates(self, request: HttpRequest, queryset: QuerySet[Building]) -> HttpResponse:
        codes = [b.address.code for b in queryset.select_related("address")]
        plates = Doorplate.objects.filter(is_active=True, address__code__regex=r"^(" + "|".join(codes) + ")")
        pdf = doorplates.sheet_pdf(plates.select_related("address").order_by("address__code"), heading="门牌打印")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="doorplates.pdf"'
        return response


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    """Names and phones are masked in the list. An existing household's form shows them in full only to holders
    of the personal-data permission, and each such opening is logged; others see them masked and read-only
    (they can still maintain the rest). Entering a new household is not viewing anyone's data."""

    list_display = ("__str__", "masked_head", "masked_phone", "members", "needs_attention")
    list_filter = ("needs_attention", "is_rented")
    search_fields = ("address__code",)
    raw_id_fields = ("address", "building")
    PERSONAL_FIELDS = ("head_name", "head_phone")

    def get_exclude(self, request: HttpRequest, obj: Household | None = None) -> list[str]:
        excluded = list(super().get_exclude(request, obj) or [])
        if obj is not None and not may_view_personal_data(request.user):  # type: ignore[arg-type]
            excluded += self.PERSONAL_FIELDS
        return excluded

    def get_readonly_fields(self, request: HttpRequest, obj: Household | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not may_view_personal_data(request.user):  # type: ignore[arg-type]
            fields += ["masked_head", "masked_phone"]
        return fields

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        user = request.user
        if request.method == "GET" and may_view_personal_data(user):  # type: ignore[arg-type]
            personal_data_reveal(
                user=user,  # type: ignore[arg-type]
                subject_type="household",
                subject_id=object_id,
                fields=",".join(self.PERSONAL_FIELDS),
                reason="住户登记维护（管理后台）",
                ip_address=client_ip(request),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="户主")
    def masked_head(self, obj: Household) -> str:
        return obj.head_name_masked

    @admin.display(description="电话")
    def masked_phone(self, obj: Household) -> str:
        return obj.head_phone_masked


@admin.register(Doorplate)
class DoorplateAdmin(admin.ModelAdmin):
    list_display = ("code", "address", "is_active", "issued_at", "scans")
    search_fields = ("code", "address__code", "address__text")
    raw_id_fields = ("address",)
    readonly_fields = ("qr_token", "scans")
    actions = ["reissue"]

    @admin.action(description="重新制发（旧二维码作废提示）")
    def reissue(self, request: HttpRequest, queryset: QuerySet[Doorplate]) -> None:
        for plate in queryset:
            doorplate_reissue(doorplate=plate)
        messages.success(request, f"已重新制发 {queryset.count()} 块门牌")
