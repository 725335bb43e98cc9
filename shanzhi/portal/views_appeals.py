"""Portal pages about appeals: submit, my appeals, one appeal (supply info, rate, reopen), its photos."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.core import clock
from shanzhi.core.errors import NotFound, ShanzhiError
from shanzhi.core.file_responses import stored_file_response
from shanzhi.orgs.models import Boundary, Unit
from shanzhi.portal import citizen as sessions
from shanzhi.portal.forms import RateForm, ReopenForm, SubmitForm, SupplyForm
from shanzhi.portal.models import PortalRating
from shanzhi.portal.selectors import (
    category_choices,
    citizen_actions,
    citizen_appeal_get,
    citizen_appeals,
    citizen_photo_get,
    latest_question,
    next_step,
    public_timeline,
)
from shanzhi.portal.services import (
    Photo,
    photo_checked,
    portal_rate,
    portal_reopen,
    portal_submit,
    portal_supply_info,
)
from shanzhi.portal.views import page

DEFAULT_MAP_CENTER = (106.8253, 39.6729)  # 海勃湾区 (longitude, latitude)


def _is_ajax(request: HttpRequest) -> bool:
    return request.headers.get("X-Portal-Ajax") == "1"


def _done(request: HttpRequest, url: str) -> HttpResponse:
    """Go on to ``url``: a redirect for a plain form post, JSON for the script that uploaded with progress."""
    return JsonResponse({"redirect": url}) if _is_ajax(request) else redirect(url)


def _photos(form: Any, field: str = "photos") -> list[Photo]:
    return [photo_checked(f, getattr(f, "name", "")) for f in form.cleaned_data.get(field) or []]


def _map_settings() -> dict[str, Any]:
    district = Unit.objects.filter(code=settings.SHANZHI["DISTRICT_CODE"]).first()
    lon, lat = getattr(settings, "SHANZHI_PORTAL_MAP_CENTER", DEFAULT_MAP_CENTER)
    if district is not None and district.longitude is not None and district.latitude is not None:
        lon, lat = district.longitude, district.latitude
    return {
        "map_center": f"{lat},{lon}",
        "map_tiles": settings.SHANZHI_PORTAL_TILE_URL,
        "map_attribution": settings.SHANZHI_PORTAL_TILE_ATTRIBUTION,
    }


def submit(request: HttpRequest) -> HttpResponse:
    visitor = sessions.citizen_of(request)
    if request.method == "POST":
        form = SubmitForm(request.POST, request.FILES)
    else:
        form = SubmitForm(initial={"form_key": secrets.token_hex(16)})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = portal_submit(
                citizen=visitor,
                ip_hash=sessions.ip_digest(request),
                form_key=data["form_key"],
                appeal_type=data["appeal_type"],
                content=data["content"],
                category=data.get("category"),
                citizen_name=data.get("citizen_name") or "",
                address=data.get("address") or "",
                longitude=data.get("longitude"),
                latitude=data.get("latitude"),
                area=data.get("area"),
                photos=_photos(form),
                now=clock.now(),
            )
        except ShanzhiError as error:
            form.add_error(None, str(error.message))
            status = error.status
        else:
            if result.ticket_code:
                request.session[sessions.NEW_TICKET_KEY] = {"id": result.appeal.pk, "code": result.ticket_code}
            if not visitor.signed_in:
                sessions.remember_ticket(request, result.appeal.pk)
            return _done(request, reverse("portal:submitted", args=[result.appeal.tracking_no]))
    if form.errors and status == 200:
        status = 422
    context = {"tab": "submit", "form": form, "categories": category_choices(), **_map_settings()}
    return page(request, "submit.html", context, status=status)


def submitted(request: HttpRequest, tracking_no: str) -> HttpResponse:
    visitor = sessions.citizen_of(request)
    appeal = _get(visitor, tracking_no)
    ticket = request.session.get(sessions.NEW_TICKET_KEY) or {}
    code = ticket.get("code", "") if ticket.get("id") == appeal.pk else ""
    return page(
        request,
        "submitted.html",
        {"tab": "submit", "appeal": appeal, "next_step": next_step(appeal=appeal, now=clock.now()), "ticket": code},
    )


def _get(visitor: sessions.Citizen, tracking_no: str) -> Appeal:
    try:
        return citizen_appeal_get(citizen=visitor, tracking_no=tracking_no)
    except NotFound as missing:
        raise Http404(str(missing.message)) from missing


def appeal_list(request: HttpRequest) -> HttpResponse:
    visitor = sessions.citizen_of(request)
    return page(request, "appeals.html", {"tab": "appeals", "appeals": citizen_appeals(citizen=visitor)})


def appeal_detail(
    request: HttpRequest, tracking_no: str, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    visitor = sessions.citizen_of(request)
    appeal = _get(visitor, tracking_no)
    now = clock.now()
    actions = citizen_actions(appeal=appeal, now=now)
    forms = forms or {}
    context = {
        "tab": "appeals",
        "appeal": appeal,
        "next_step": next_step(appeal=appeal, now=now),
        "timeline": public_timeline(appeal=appeal),
        "photos": list(appeal.attachments.filter(is_public=True, content_type__startswith="image/").order_by("id")),
        "actions": actions,
        "question": latest_question(appeal) if actions.supply_info else "",
        "show_reply": appeal.state in (AppealState.REPLIED, AppealState.CLOSED, AppealState.ANSWERED)
        and bool(appeal.reply_text),
        "my_ratings": list(PortalRating.objects.filter(appeal=appeal).order_by("at")),
        "supply_form": forms.get("supply") or SupplyForm(),
        "rate_form": forms.get("rate") or RateForm(),
        "reopen_form": forms.get("reopen") or ReopenForm(),
    }
    return page(request, "detail.html", context, status=status)


def _refused(request: HttpRequest, tracking_no: str, name: str, form: Any, error: ShanzhiError) -> HttpResponse:
    form.add_error(None, str(error.message))
    return appeal_detail(request, tracking_no, forms={name: form}, status=error.status)


@require_POST
def appeal_supply(request: HttpRequest, tracking_no: str) -> HttpResponse:
    visitor = sessions.citizen_of(request)
    appeal = _get(visitor, tracking_no)
    form = SupplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return appeal_detail(request, tracking_no, forms={"supply": form}, status=422)
    try:
        portal_supply_info(citizen=visitor, appeal=appeal, text=form.cleaned_data["text"], photos=_photos(form))
    except ShanzhiError as error:
        return _refused(request, tracking_no, "supply", form, error)
    messages.success(request, _("补充内容已提交，诉求继续办理。"))
    return _done(request, reverse("portal:appeal", args=[tracking_no]))


@require_POST
def appeal_rate(request: HttpRequest, tracking_no: str) -> HttpResponse:
    visitor = sessions.citizen_of(request)
    appeal = _get(visitor, tracking_no)
    form = RateForm(request.POST)
    if not form.is_valid():
        return appeal_detail(request, tracking_no, forms={"rate": form}, status=422)
    try:
        record = portal_rate(
            citizen=visitor,
            appeal=appeal,
            rating=form.cleaned_data["rating"],
            resolved=form.cleaned_data["resolved"],
            comment=form.cleaned_data.get("comment") or "",
            now=clock.now(),
        )
    except ShanzhiError as error:
        return _refused(request, tracking_no, "rate", form, error)
    texts = {
        "closed": _("感谢您的评价，诉求已办结。"),
        "reopened": _("已收到您的评价，诉求已重新交承办单位办理。"),
        "recorded": _("已记录您的评价，已超过重新办理期限，中心将回访了解情况。"),
    }
    messages.success(request, texts[record.outcome])
    return redirect("portal:appeal", tracking_no=tracking_no)


@require_POST
def appeal_reopen(request: HttpRequest, tracking_no: str) -> HttpResponse:
    visitor = sessions.citizen_of(request)
    appeal = _get(visitor, tracking_no)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return appeal_detail(request, tracking_no, forms={"reopen": form}, status=422)
    try:
        portal_reopen(citizen=visitor, appeal=appeal, reason=form.cleaned_data["reason"], now=clock.now())
    except ShanzhiError as error:
        return _refused(request, tracking_no, "reopen", form, error)
    messages.success(request, _("已申请重新办理，诉求已重新交承办单位办理。"))
    return redirect("portal:appeal", tracking_no=tracking_no)


def appeal_photo(request: HttpRequest, tracking_no: str, attachment_id: int) -> HttpResponseBase:
    visitor = sessions.citizen_of(request)
    try:
        photo = citizen_photo_get(citizen=visitor, tracking_no=tracking_no, attachment_id=attachment_id)
    except NotFound as missing:
        raise Http404(str(missing.message)) from missing
    return stored_file_response(photo.file, content_type=photo.content_type, filename=photo.original_name)


@cache_control(public=True, max_age=3600)
def district_outline(request: HttpRequest) -> HttpResponse:
    """The district outline as GeoJSON, so the map shows where appeals are accepted (no tile server needed)."""
    outline = (
        Boundary.objects.filter(unit__code=settings.SHANZHI["DISTRICT_CODE"], is_current=True).only("geojson").first()
    )
    geometry = outline.geojson if outline else None
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    features = [{"type": "Feature", "properties": {}, "geometry": geometry}] if geometry else []
    return JsonResponse({"type": "FeatureCollection", "features": features})
