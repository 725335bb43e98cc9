"""物联感知 in the console: the live alarm list, an alarm (with the grid worker's verdict), devices, and grids on a
map. Every read goes through :mod:`shanzhi.iot.selectors` (the viewer's scope); outside it a page is 404."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.core import clock
from shanzhi.core.errors import NotFound, ShanzhiError
from shanzhi.iot import rules, selectors, verdicts
from shanzhi.iot.models import AlarmState
from shanzhi.orgs.models import User
from shanzhi.orgs.permissions import is_active_staff, is_territorial_staff, sees_everything


def may_open_console(user: User) -> bool:
    return is_active_staff(user) and (sees_everything(user) or is_territorial_staff(user))


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not may_open_console(user):
        raise Http404
    return user


@login_required
def alarms(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    state = request.GET.get("state", "open")
    if state not in AlarmState.values and state != "":
        state = "open"
    grid = (request.GET.get("grid") or "").strip()[:32]
    rows = selectors.alarms_list(user=user, state=state or None, grid_code=grid or None)[:200]
    context = {
        "nav_active": "iot",
        "alarms": list(rows),
        "state": state,
        "grid": grid,
        "states": [("", _("全部")), *[(c, _(label)) for c, label in AlarmState.choices]],
    }
    return render(request, "iot/alarms.html", context)


@login_required
def alarm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        alarm = selectors.alarm_get(user=user, alarm_id=pk)
    except NotFound as error:
        raise Http404 from error
    context = {
        "nav_active": "iot",
        "alarm": alarm,
        "events": list(alarm.events.order_by("occurred_at")[:100]),
        "may_resolve": verdicts.may_resolve_alarms(user) and alarm.state == AlarmState.OPEN,
        "policy": rules.alarm_policy(alarm.alarm_type),
    }
    return render(request, "iot/alarm_detail.html", context)


@login_required
@require_POST
def alarm_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        verdicts.alarm_resolve(
            actor=user, alarm_id=pk, real=request.POST.get("verdict") == "real", note=request.POST.get("note", "")
        )
    except NotFound as error:
        raise Http404 from error
    except ShanzhiError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("已记录核实结果"))
    return redirect("iot:alarm", pk=pk)


@login_required
def devices(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    status = request.GET.get("status", "")
    qs = selectors.devices_visible_to(user).order_by("grid__code", "code")
    if status:
        qs = qs.filter(status=status)
    return render(request, "iot/devices.html", {"nav_active": "iot", "devices": list(qs[:500]), "status": status})


@login_required
def device_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    try:
        device = selectors.device_get(user=user, code=code)
    except NotFound as error:
        raise Http404 from error
    context = {
        "nav_active": "iot",
        "device": device,
        "figures": selectors.device_figures(user=user, device=device),
        "alarms": list(selectors.alarms_list(user=user, device_code=device.code)[:50]),
        "events": list(device.events.order_by("-occurred_at")[:50]),
        "topic": rules.events_topic(device.code),
        "access": selectors.access_by_hour(user=user, device=device, since=clock.now() - dt.timedelta(days=1))
        if device.device_type == "access_gate"
        else [],
    }
    return render(request, "iot/device_detail.html", context)


@login_required
def grids(request: HttpRequest) -> HttpResponse:
    """By grid: the list, and the devices as points on a plain SVG map (no tiles: the console works offline)."""
    user = _user(request)
    rows = selectors.by_grid(user=user, since=clock.now() - dt.timedelta(days=30))
    points = [p for row in rows for p in row.points]
    box = None
    if points:
        lons = [p[2] for p in points]
        lats = [p[3] for p in points]
        pad = 0.002
        box = (min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad)
    marks = []
    if box is not None:
        width, height = box[2] - box[0], box[3] - box[1]
        for code, name, lon, lat, status in points:
            marks.append(
                {
                    "code": code,
                    "name": name,
                    "status": status,
                    "x": round((lon - box[0]) / width * 600, 1),
                    "y": round((box[3] - lat) / height * 400, 1),
                }
            )
    return render(request, "iot/grids.html", {"nav_active": "iot", "rows": rows, "marks": marks})
