"""Routing on the console: one-click dispatch by a suggestion, the 疑似重复件 queue and the 热点预警 board.

Every read goes through the viewer's data scope (:func:`shanzhi.appeals.selectors.appeals_visible_to`); the services
decide, and their refusals are shown as messages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.appeals import services
from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.appeals.selectors import allowed_actions, appeals_visible_to
from shanzhi.console import queues
from shanzhi.console.action_forms import HotspotDecideForm, SuggestionDispatchForm
from shanzhi.console.routing_suggestions import returned_unit_ids
from shanzhi.console.views import current_user
from shanzhi.console.views_detail import load_appeal
from shanzhi.core.errors import ShanzhiError
from shanzhi.orgs import permissions
from shanzhi.orgs.models import Unit, User
from shanzhi.proactive import selectors as proactive
from shanzhi.proactive.models import DuplicateProposal, Hotspot
from shanzhi.proactive.services import duplicate_accept, duplicate_dismiss, hotspot_decide
from shanzhi.routing.models import Category
from shanzhi.routing.services import dispatch_plan

MAX_PROPOSALS_SHOWN = 200
MAX_HOTSPOTS_SHOWN = 100
MAX_MEMBERS_SHOWN = 30


def _back(request: HttpRequest, fallback: str) -> str:
    """The page to return to: a local ``next`` if given, else ``fallback``."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- 按此派单 ----------------------------------------------------------------------------------------------------


def _suggestion_reason(appeal: Appeal, category_id: int) -> str:
    match = next((s for s in queues.suggestions_of(appeal) if s.category_id == category_id), None)
    if match is None or not match.explanation:
        return _("派单员按系统建议派单")
    return _("按系统建议派单：%(why)s") % {"why": match.explanation}


def _dispatch_by_suggestion(user: User, appeal: Appeal, category: Category, lead: Unit | None) -> Appeal:
    """Set the category (the dispatcher's choice) and dispatch: to ``lead`` with the catalogue's assisting units
    when the catalogue agrees on the lead, or by the catalogue when no lead is given. A raw message is accepted first.
    """
    reason = _suggestion_reason(appeal, category.pk)
    with transaction.atomic():
        if appeal.state == AppealState.RECEIVED:
            appeal = services.appeal_accept(actor=user, appeal=appeal, category=category, dispatch=False)
        assisting: list[Unit] = []
        if lead is not None:
            plan = dispatch_plan(
                category=category,
                area=appeal.area,
                text=f"{appeal.title}\n{appeal.content}",
                channel=appeal.channel,
                exclude_units=returned_unit_ids(appeal),
            )
            if plan.lead_unit is not None and plan.lead_unit.pk == lead.pk:
                assisting = plan.assisting_units
        return services.appeal_dispatch(
            actor=user,
            appeal=appeal,
            lead_unit=lead,
            assisting_units=assisting,
            reason=reason,
            category=category,
        )


@login_required
@require_POST
def dispatch_suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    """按此派单: dispatch the appeal by one of its suggestions (category + the plan's lead unit)."""
    user = current_user(request)
    appeal = load_appeal(user, pk)
    back = _back(request, reverse("console:appeal", kwargs={"pk": appeal.pk}))
    form = SuggestionDispatchForm(request.POST)
    codes = set(allowed_actions(user=user, appeal=appeal))
    if not codes.intersection({"dispatch", "accept"}) or not permissions.may_dispatch(user):
        messages.error(request, _("当前不能派遣该诉求"))
        return redirect(back)
    if not form.is_valid():
        messages.error(request, _("建议数据不完整，请使用派遣表单"))
        return redirect(back)
    category = Category.objects.filter(pk=form.cleaned_data["category"], is_active=True).first()
    lead_id = form.cleaned_data.get("lead_unit")
    lead = Unit.objects.filter(pk=lead_id, is_active=True).first() if lead_id else None
    if category is None or (lead_id and lead is None):
        messages.error(request, _("建议的分类或单位已停用，请使用派遣表单"))
        return redirect(back)
    try:
        done = _dispatch_by_suggestion(user, appeal, category, lead)
    except ShanzhiError as exc:
        messages.error(request, f"{appeal.tracking_no}：{exc.message}")
        return redirect(back)
    unit = done.lead_unit.name if done.lead_unit else ""
    messages.success(request, _("%(no)s 已按建议派遣至 %(unit)s") % {"no": done.tracking_no, "unit": unit})
    return redirect(back)


# --- 疑似重复件 ------------------------------------------------------------------------------------------------


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    """疑似重复件: pending merge proposals, both appeals side by side."""
    user = current_user(request)
    if not permissions.may_dispatch(user):
        raise DjangoPermissionDenied
    proposals = list(
        queues.visible_proposals(user).select_related(
            "appeal__area", "appeal__category", "master__area", "master__category", "master__lead_unit"
        )[:MAX_PROPOSALS_SHOWN]
    )
    return render(request, "console/routing_duplicates.html", {"proposals": proposals, "nav_active": "duplicates"})


def _proposal(user: User, pk: int) -> DuplicateProposal:
    proposal = queues.visible_proposals(user).filter(pk=pk).first()
    if proposal is None:
        raise Http404
    return proposal


@login_required
@require_POST
def duplicate_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """合并 (accept) or 不是重复 (dismiss) one proposal."""
    user = current_user(request)
    back = _back(request, reverse("console:duplicates"))
    proposal = _proposal(user, pk)
    try:
        if decision == "accept":
            duplicate_accept(actor=user, proposal=proposal)
            message = _("已将 %(no)s 合并到 %(master)s") % {
                "no": proposal.appeal.tracking_no,
                "master": proposal.master.tracking_no,
            }
        elif decision == "dismiss":
            duplicate_dismiss(actor=user, proposal=proposal)
            message = _("已忽略：%(no)s 不是 %(master)s 的重复件") % {
                "no": proposal.appeal.tracking_no,
                "master": proposal.master.tracking_no,
            }
        else:
            raise Http404
    except ShanzhiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, message)
    return redirect(back)


# --- 热点预警 --------------------------------------------------------------------------------------------------


def visible_hotspots(user: User) -> QuerySet[Hotspot]:
    """Live hotspots: all of them for the centre's desk; those in or alerted to a territorial head's unit."""
    if permissions.sees_all_hotspots(user):
        return proactive.hotspots_live()
    if permissions.may_view_hotspots(user) and user.unit is not None:
        return proactive.hotspots_live(unit=user.unit)
    return Hotspot.objects.none()


def _members(user: User, hotspot: Hotspot) -> list[Appeal]:
    visible = appeals_visible_to(user).values("pk")
    return list(proactive.hotspot_members(hotspot).filter(pk__in=visible)[:MAX_MEMBERS_SHOWN])


@login_required
def hotspots(request: HttpRequest) -> HttpResponse:
    """热点预警: live hotspots with area, category, count, window and member appeals; acknowledge or close."""
    user = current_user(request)
    if not permissions.may_view_hotspots(user):
        raise DjangoPermissionDenied
    rows: list[dict[str, Any]] = [
        {"hotspot": h, "members": _members(user, h), "form": HotspotDecideForm(auto_id=f"id_h{h.pk}_%s")}
        for h in visible_hotspots(user)[:MAX_HOTSPOTS_SHOWN]
    ]
    return render(request, "console/routing_hotspots.html", {"rows": rows, "nav_active": "hotspots"})


@login_required
@require_POST
def hotspot_action(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    hotspot = visible_hotspots(user).filter(pk=pk).first()
    if hotspot is None:
        raise Http404
    form = HotspotDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理方式"))
        return redirect("console:hotspots")
    try:
        hotspot_decide(actor=user, hotspot=hotspot, state=form.cleaned_data["state"], note=form.cleaned_data["note"])
    except ShanzhiError as exc:
        messages.error(request, str(exc.message))
    else:
        done = _("已标记为已关注") if form.cleaned_data["state"] == "acknowledged" else _("已关闭")
        messages.success(request, _("热点「%(s)s」%(done)s") % {"s": hotspot.summary, "done": done})
    return redirect("console:hotspots")
