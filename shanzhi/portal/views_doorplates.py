"""``/m/d/<code>/``: what a scanned doorplate opens — the citizen's form (a citizen channel, so it lives in the portal),
or for staff the household card — its QR images and printable sheets for staff."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from shanzhi.appeals.models import Appeal, AppealType, Channel
from shanzhi.appeals.services import appeal_intake
from shanzhi.core import clock, pii
from shanzhi.core.errors import NotFound, ShanzhiError
from shanzhi.core.http import client_ip
from shanzhi.orgs.models import Unit, User
from shanzhi.orgs.permissions import may_view_personal_data
from shanzhi.orgs.personal_data import personal_data_reveal
from shanzhi.places import doorplates
from shanzhi.places.models import Building, Doorplate
from shanzhi.portal.forms import PhotosField
from shanzhi.portal.services import photo_checked, photos_store

# A plate is public; a flood of submissions through one plate is refused (per plate and hour).
MAX_APPEALS_PER_PLATE_HOUR = 20
DOORPLATE_TYPES = (
    AppealType.HELP,
    AppealType.COMPLAINT,
    AppealType.CONSULTATION,
    AppealType.SUGGESTION,
    AppealType.REPORT,
    AppealType.PRAISE,
)


class DoorplateAppealForm(forms.Form):
    form_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    appeal_type = forms.ChoiceField(
        label=gettext_lazy("诉求类型"),
        choices=[(t.value, gettext_lazy(t.label)) for t in DOORPLATE_TYPES],
        initial=AppealType.HELP,
    )
    content = forms.CharField(
        label=gettext_lazy("您要反映的问题"),
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": gettext_lazy("例如：楼道灯不亮、暖气不热、楼下噪音…")}),
        max_length=2000,
    )
    detail = forms.CharField(
        label=gettext_lazy("补充位置（可选）"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("如：几楼楼道、门口、地下室"),
    )
    citizen_name = forms.CharField(label=gettext_lazy("您的称呼（可选）"), max_length=50, required=False)
    citizen_phone = forms.CharField(
        label=gettext_lazy("联系电话"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("便于工作人员联系您并答复；不填写则无法回复"),
    )

    photos = PhotosField(label=gettext_lazy("现场照片（可选，最多 6 张）"))

    def clean_citizen_phone(self) -> str:
        phone = pii.normalize_phone(self.cleaned_data.get("citizen_phone") or "")
        if phone and not pii.citizen_phone_is_valid(phone):
            raise forms.ValidationError(_("联系电话格式不正确"))
        return phone


def _scan_or_404(code: str, token: str) -> doorplates.Scan:
    try:
        return doorplates.doorplate_scan(code=code, token=token)
    except NotFound as exc:
        raise Http404 from exc


def scan(request: HttpRequest, code: str) -> HttpResponse:
    """Staff in scope: the household card. Everyone else: the appeal form with the address filled in."""
    token = request.GET.get("k", "")
    found = _scan_or_404(code, token) if request.method == "GET" else None
    doorplate = found.doorplate if found else get_object_or_404(Doorplate, code=code.upper(), is_active=True)
    address = doorplate.address
    user = request.user
    if isinstance(user, User) and user.is_authenticated and doorplates.staff_covers(user, address):
        return _card(request, user, doorplate)
    if request.method == "POST":
        form = DoorplateAppealForm(request.POST, request.FILES)
        if form.is_valid():
            response = _file(request, doorplate, form)
            if response is not None:
                return response
        status = 422
    else:
        form = DoorplateAppealForm(initial={"form_key": uuid.uuid4().hex})
        status = 200
    context = {
        "tab": "submit",
        "doorplate": doorplate,
        "address": address,
        "form": form,
        "stale_plate": bool(found and token and not found.token_ok),
    }
    return render(request, "portal/doorplate_scan.html", context, status=status)


def _file(request: HttpRequest, doorplate: Doorplate, form: DoorplateAppealForm) -> HttpResponse | None:
    data = form.cleaned_data
    address = doorplate.address
    since = clock.now() - dt.timedelta(hours=1)
    ref = f"doorplate:{doorplate.code}"
    if Appeal.objects.filter(external_ref=ref, created_at__gte=since).count() >= MAX_APPEALS_PER_PLATE_HOUR:
        form.add_error(None, _("该门牌在一小时内提交次数过多，请稍后再试或拨打热线"))
        return None
    text = address.text + (f"（{data['detail'].strip()}）" if data["detail"].strip() else "")
    try:
        photos = [photo_checked(f, getattr(f, "name", "")) for f in data.get("photos") or []]
        with transaction.atomic():  # the appeal and its photos, or neither
            result = appeal_intake(
                actor=None,
                channel=Channel.DOORPLATE,
                content=data["content"],
                appeal_type=data["appeal_type"],
                citizen_name=data["citizen_name"],
                citizen_phone=data["citizen_phone"],
                wants_reply=bool(data["citizen_phone"]),
                address=text,
                longitude=address.longitude,
                latitude=address.latitude,
                area=address.grid or address.community,
                idempotency_key=f"doorplate-{data['form_key']}",
                external_ref=ref,
                structured=False,
            )
            if result.created:  # a repeated post of the same form adds no second set of photos
                photos_store(appeal=result.appeal, photos=photos)
    except ShanzhiError as exc:
        form.add_error(None, str(exc.message))
        return None
    request.session["doorplate_filed"] = result.appeal.tracking_no
    url = reverse("doorplates:filed", args=[doorplate.code])
    # The portal's script uploads the (resized) photos with a progress bar and follows the JSON answer.
    return JsonResponse({"redirect": url}) if request.headers.get("X-Portal-Ajax") == "1" else redirect(url)


def filed(request: HttpRequest, code: str) -> HttpResponse:
    doorplate = get_object_or_404(Doorplate.objects.select_related("address"), code=code.upper())
    tracking_no = request.session.get("doorplate_filed")
    if not tracking_no:
        return redirect(reverse("doorplates:scan", args=[doorplate.code]))
    return render(
        request, "portal/doorplate_filed.html", {"tab": "submit", "doorplate": doorplate, "tracking_no": tracking_no}
    )


def _card(request: HttpRequest, user: User, doorplate: Doorplate) -> HttpResponse:
    revealed = False
    error = ""
    if request.method == "POST" and request.POST.get("reveal"):
        try:
            personal_data_reveal(
                user=user,
                subject_type="doorplate_address",
                subject_id=doorplate.address.code,
                fields="户主姓名,户主电话",
                reason=request.POST.get("reason", ""),
                ip_address=client_ip(request),
            )
            revealed = True
        except ShanzhiError as exc:
            error = str(exc.message)
    card = doorplates.household_card(user=user, address=doorplate.address, ip_address=client_ip(request))
    context = {
        "tab": "me",
        "doorplate": doorplate,
        "card": card,
        "revealed": revealed,
        "may_reveal": may_view_personal_data(user),
        "reveal_error": error,
    }
    return render(request, "portal/doorplate_card.html", context)


@require_GET
def qr_image(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The plate's QR as PNG or SVG (the plate itself is public; the image holds only its URL)."""
    doorplate = get_object_or_404(Doorplate, code=code.upper(), is_active=True)
    url = doorplates.doorplate_url(doorplate, base_url=_base_url(request))
    if fmt == "svg":
        return HttpResponse(doorplates.qr_svg(url), content_type="image/svg+xml")
    return HttpResponse(doorplates.qr_png(url), content_type="image/png")


def _base_url(request: HttpRequest) -> str:
    from django.conf import settings

    return str(settings.SHANZHI.get("PUBLIC_BASE_URL") or request.build_absolute_uri("/")).rstrip("/")


@login_required
def print_sheet(request: HttpRequest) -> HttpResponse:
    """A4 PDF of the plates of ``?building=<address code>`` or ``?community=<division code>`` (staff in scope)."""
    user = request.user
    assert isinstance(user, User)
    if building_code := request.GET.get("building"):
        building = get_object_or_404(Building.objects.select_related("address"), address__code=building_code)
        if not doorplates.staff_covers(user, building.address):
            raise DjangoPermissionDenied
        plates, heading, name = (
            list(doorplates.doorplates_of(building=building)),
            f"{building.address.text} 门牌",
            building_code,
        )
    elif community_code := request.GET.get("community"):
        community = get_object_or_404(Unit, code=community_code)
        every = list(doorplates.doorplates_of(community=community).select_related("address__grid"))
        if not every:
            raise Http404
        # Each plate by itself: a grid worker covers the plates of the grid, not the whole community.
        covered = [plate for plate in every if doorplates.staff_covers(user, plate.address)]
        if not covered:
            raise DjangoPermissionDenied
        plates, heading, name = covered, f"{community.name} 门牌", community_code
    else:
        raise Http404
    pdf = doorplates.sheet_pdf(plates, heading=heading, base_url=_base_url(request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="doorplates-{name}.pdf"'
    return response
