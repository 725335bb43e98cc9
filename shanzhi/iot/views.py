"""物联感知 in the console: the live alarm list, an alarm (with the grid worker's verdict), devices, and grids on a
map. Every read goes through :mod:`shanzhi.iot.selectors` (the viewer's scope); outside it a page is 404."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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


POLL_SECONDS = 5


def _alarm_list_context(request: HttpRequest, user: User) -> dict[str, object]:
    state = request.GET.get("state", "open")
    if state not in AlarmState.values and state != "":
        state = "open"
    grid = (request.GET.get("grid") or "").strip()[:32]
    rows = selectors.alarms_list(user=user, state=state or None, grid_code=grid or None)[:200]
    return {"alarms": list(rows), "state": state, "grid": grid, "poll_seconds": POLL_SECONDS}


@login_required
def alarms(request: HttpRequest) -> HttpResponse:
    """The live alarm list: its rows poll :func:`alarm_rows` (htmx) and replace themselves."""
    user = _user(request)
    context = {
        "nav_active": "iot",
        **_alarm_list_context(request, user),
        "states": [("", _("全部")), *[(c, _(label)) for c, label in AlarmState.choices]],
    }
    return render(request, "iot/alarms.html", context)


@login_required
def alarm_rows(request: HttpRequest) -> HttpResponse:
    """The rows of the live alarm list, with the same filters (what the page polls)."""
    user = _user(request)
    return render(request, "iot/_alarm_rows.html", _alarm_list_context(request, user))


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
        "offline_after": _duration(rules.offline_after(device.device_type)),
        "maintenance": list(device.maintenance_orders.order_by("-opened_at", "-pk")[:20]),
        "access": selectors.access_by_hour(user=user, device=device, since=clock.now() - dt.timedelta(days=1))
        if device.device_type == "access_gate"
        else [],
    }
    return render(request, "iot/device_detail.html", context)


@login_required
def grids(request: HttpRequest) -> HttpResponse:
    """By grid: the list, and devices and open alarms as layers on the district map (Leaflet, the base layer from
    ``SHANZHI_MAP_TILE_URL``; the markers work without it)."""
    user = _user(request)
    rows = selectors.by_grid(user=user, since=clock.now() - dt.timedelta(days=30))
    config = {
        "tiles": settings.SHANZHI_MAP_TILE_URL,
        "attribution": settings.SHANZHI_MAP_TILE_ATTRIBUTION,
        "center": [39.68, 106.82],
        "zoom": 13,
        "layers": {"devices": str(_("设备")), "alarms": str(_("待核实告警"))},
        "devices": [
            {
                "code": code,
                "name": name,
                "lon": lon,
                "lat": lat,
                "status": status,
                "url": reverse("iot:device", args=[code]),
            }
            for row in rows
            for code, name, lon, lat, status in row.points
        ],
        "alarms": [
            {
                "id": a.pk,
                "label": f"{a.get_alarm_type_display()} · {a.device.name}",
                "severity": a.severity,
                "lon": a.device.longitude,
                "lat": a.device.latitude,
                "url": reverse("iot:alarm", args=[a.pk]),
            }
            for a in selectors.alarms_list(user=user, state=AlarmState.OPEN)
            .exclude(device__longitude=None)
            .exclude(device__latitude=None)[:500]
        ],
    }
    context = {"nav_active": "iot", "rows": rows, "map_config": json.dumps(config, ensure_ascii=False)}
    return render(request, "iot/grids.html", context)


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    """统计: false-alarm rates per device (30 days) and entries/exits per compound and hour (one day)."""
    user = _user(request)
    day = _day(request.GET.get("day"))
    tz = clock.centre_tz()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    access = selectors.access_by_compound_hour(user=user, since=start, until=start + dt.timedelta(days=1))
    compounds: dict[tuple[int | None, str], list[selectors.CompoundHour]] = {}
    for row in access:
        compounds.setdefault((row.compound_id, row.compound), []).append(row)
    context = {
        "nav_active": "iot",
        "day": day,
        "rates": selectors.false_alarm_rates(user=user, since=clock.now() - dt.timedelta(days=30)),
        "compounds": [
            {
                "name": name,
                "hours": hours,
                "entries": sum(h.entries for h in hours),
                "exits": sum(h.exits for h in hours),
            }
            for (_id, name), hours in compounds.items()
        ],
    }
    return render(request, "iot/stats.html", context)


def _duration(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return _("%(n)s 小时") % {"n": minutes // 60} if minutes >= 60 else _("%(n)s 分钟") % {"n": minutes}


def _day(raw: str | None) -> dt.date:
    today = clock.now().astimezone(clock.centre_tz()).date()
    try:
        day = dt.date.fromisoformat(raw or "")
    except ValueError:
        return today
    return day if dt.date(2000, 1, 1) <= day <= today else today
