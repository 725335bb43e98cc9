"""Reads of IoT sensing, always through the viewer's scope.

The centre (and the whole-district roles) sees every device and alarm; a territorial unit (town, community, grid)
those of the grids in its subtree; a department none (its work reaches it as appeals). Outside the scope a device or
an alarm is "not found", never "forbidden".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncHour

from shanzhi.core import clock
from shanzhi.core.errors import NotFound
from shanzhi.iot import rules
from shanzhi.iot.models import Alarm, AlarmState, Device, DeviceEvent, DeviceStatus, EventKind, RejectedMessage
from shanzhi.orgs.models import Unit, UnitKind, User
from shanzhi.orgs.permissions import is_active_staff, is_territorial_staff, sees_everything, subtree_q


def _scope(user: User, field: str) -> Q | None:
    """None means everything; otherwise the grids' paths under the user's unit (no rows without one)."""
    if sees_everything(user):
        return None
    if not is_active_staff(user) or not is_territorial_staff(user):
        return Q(pk__in=[])
    return subtree_q(user, field)


def devices_visible_to(user: User) -> QuerySet[Device]:
    qs = Device.objects.select_related("grid", "grid__parent", "maintainer", "compound")
    condition = _scope(user, "grid__path")
    return qs if condition is None else qs.filter(condition)


def alarms_visible_to(user: User) -> QuerySet[Alarm]:
    qs = Alarm.objects.select_related("device", "device__grid", "appeal")
    condition = _scope(user, "device__grid__path")
    return qs if condition is None else qs.filter(condition)


def grids_visible_to(user: User) -> QuerySet[Unit]:
    qs = Unit.objects.filter(kind=UnitKind.GRID, is_active=True)
    condition = _scope(user, "path")
    return qs if condition is None else qs.filter(condition)


def device_get(*, user: User, code: str) -> Device:
    device = devices_visible_to(user).filter(code=code).first()
    if device is None:
        raise NotFound()
    return device


def alarm_get(*, user: User, alarm_id: int) -> Alarm:
    alarm = alarms_visible_to(user).filter(pk=alarm_id).first()
    if alarm is None:
        raise NotFound()
    return alarm


def alarms_list(
    *, user: User, state: str | None = None, grid_code: str | None = None, device_code: str | None = None
) -> QuerySet[Alarm]:
    qs = alarms_visible_to(user)
    if state:
        qs = qs.filter(state=state)
    if grid_code:
        qs = qs.filter(device__grid__code=grid_code)
    if device_code:
        qs = qs.filter(device__code=device_code)
    return qs.order_by("-first_at", "-pk")


@dataclass(frozen=True)
class DeviceFigures:
    alarms: int
    confirmed: int
    false: int
    open: int

    @property
    def false_rate(self) -> float | None:
        return rules.false_alarm_rate(confirmed=self.confirmed, false=self.false)

    @property
    def false_percent(self) -> int | None:
        rate = self.false_rate
        return None if rate is None else round(rate * 100)


def device_figures(*, user: User, device: Device) -> DeviceFigures:
    counts = (
        alarms_visible_to(user)
        .filter(device=device)
        .aggregate(
            alarms=Count("pk"),
            confirmed=Count("pk", filter=Q(state=AlarmState.CONFIRMED)),
            false=Count("pk", filter=Q(state=AlarmState.FALSE)),
            open=Count("pk", filter=Q(state=AlarmState.OPEN)),
        )
    )
    return DeviceFigures(**counts)


@dataclass(frozen=True)
class DeviceRate:
    device: Device
    figures: DeviceFigures

    @property
    def false_percent(self) -> int | None:
        return self.figures.false_percent


def false_alarm_rates(*, user: User, since: dt.datetime | None = None, limit: int = 200) -> list[DeviceRate]:
    """The devices in scope that raised alarms (since ``since``), worst false-alarm count first, with their figures:
    every verdict counts (a false one against the device)."""
    alarms = alarms_visible_to(user)
    if since is not None:
        alarms = alarms.filter(first_at__gte=since)
    rows = list(
        alarms.values("device_id")
        .annotate(
            alarms=Count("pk"),
            confirmed=Count("pk", filter=Q(state=AlarmState.CONFIRMED)),
            false=Count("pk", filter=Q(state=AlarmState.FALSE)),
            open=Count("pk", filter=Q(state=AlarmState.OPEN)),
        )
        .order_by("-false", "-alarms", "device_id")[:limit]
    )
    devices = Device.objects.select_related("grid").in_bulk([r["device_id"] for r in rows])
    return [
        DeviceRate(devices[r["device_id"]], DeviceFigures(r["alarms"], r["confirmed"], r["false"], r["open"]))
        for r in rows
    ]


@dataclass(frozen=True)
class GridRow:
    grid: Unit
    devices: int
    offline: int
    open_alarms: int
    alarms: int
    false_alarms: int
    points: list[tuple[str, str, float, float, str]]  # code, name, lon, lat, status


def by_grid(*, user: User, since: dt.datetime) -> list[GridRow]:
    """Per grid in scope: devices, offline devices, open alarms, alarms since ``since`` and the false ones, and the
    devices' points for the map."""
    grids = list(grids_visible_to(user).order_by("code"))
    devices = devices_visible_to(user).filter(is_active=True)
    device_counts: dict[int, dict[str, int]] = {
        row["grid_id"]: {"n": row["n"], "off": row["off"]}
        for row in devices.values("grid_id").annotate(
            n=Count("pk"), off=Count("pk", filter=Q(status=DeviceStatus.OFFLINE))
        )
    }
    alarm_counts: dict[int, dict[str, int]] = {
        row["device__grid_id"]: {"open": row["open"], "recent": row["recent"], "false": row["false"]}
        for row in alarms_visible_to(user)
        .values("device__grid_id")
        .annotate(
            open=Count("pk", filter=Q(state=AlarmState.OPEN)),
            recent=Count("pk", filter=Q(first_at__gte=since)),
            false=Count("pk", filter=Q(first_at__gte=since, state=AlarmState.FALSE)),
        )
    }
    points: dict[int, list[tuple[str, str, float, float, str]]] = {}
    for d in (
        devices.exclude(longitude=None)
        .exclude(latitude=None)
        .values_list("grid_id", "code", "name", "longitude", "latitude", "status")
    ):
        if d[3] is not None and d[4] is not None:
            points.setdefault(d[0], []).append((d[1], d[2], d[3], d[4], d[5]))
    rows = []
    for grid in grids:
        dc = device_counts.get(grid.pk, {})
        ac = alarm_counts.get(grid.pk, {})
        if not dc and not ac:
            continue
        rows.append(
            GridRow(
                grid=grid,
                devices=dc.get("n", 0),
                offline=dc.get("off", 0),
                open_alarms=ac.get("open", 0),
                alarms=ac.get("recent", 0),
                false_alarms=ac.get("false", 0),
                points=points.get(grid.pk, []),
            )
        )
    return rows


@dataclass(frozen=True)
class AccessHour:
    hour: dt.datetime
    entries: int
    exits: int


def access_by_hour(*, user: User, device: Device, since: dt.datetime) -> list[AccessHour]:
    """Entries and exits through an access gate per hour since ``since`` (in the centre's time zone), in scope."""
    if not devices_visible_to(user).filter(pk=device.pk).exists():
        raise NotFound()
    rows = (
        DeviceEvent.objects.filter(device=device, kind=EventKind.ACCESS, occurred_at__gte=since)
        .annotate(hour=TruncHour("occurred_at", tzinfo=clock.centre_tz()))
        .values("hour")
        .annotate(
            entries=Count("pk", filter=Q(data__direction="in")), exits=Count("pk", filter=Q(data__direction="out"))
        )
        .order_by("hour")
    )
    return [AccessHour(r["hour"], r["entries"], r["exits"]) for r in rows]


@dataclass(frozen=True)
class CompoundHour:
    compound_id: int | None
    compound: str
    hour: dt.datetime
    entries: int
    exits: int


def access_by_compound_hour(*, user: User, since: dt.datetime, until: dt.datetime | None = None) -> list[CompoundHour]:
    """Entries and exits through the access gates in scope, per compound (the gate's ``compound``; gates not yet
    linked to one count under "未关联小区") and hour in the centre's time zone, from ``since`` to ``until``."""
    events = DeviceEvent.objects.filter(
        kind=EventKind.ACCESS,
        occurred_at__gte=since,
        device__in=devices_visible_to(user).values("pk"),
    )
    if until is not None:
        events = events.filter(occurred_at__lt=until)
    rows = (
        events.annotate(hour=TruncHour("occurred_at", tzinfo=clock.centre_tz()))
        .values("device__compound_id", "device__compound__street", "hour")
        .annotate(
            entries=Count("pk", filter=Q(data__direction="in")), exits=Count("pk", filter=Q(data__direction="out"))
        )
        .order_by("device__compound__street", "device__compound_id", "hour")
    )
    return [
        CompoundHour(
            r["device__compound_id"], r["device__compound__street"] or "未关联小区", r["hour"], r["entries"], r["exits"]
        )
        for r in rows
    ]


def rejected_counts() -> dict[tuple[str, ...], int]:
    """Refused messages by reason (the operator's gauge; not scoped: it holds no content and no place)."""
    return {(r["reason"],): r["n"] for r in RejectedMessage.objects.values("reason").annotate(n=Count("pk"))}


def open_alarms_count() -> int:
    return Alarm.objects.filter(state=AlarmState.OPEN).count()


def offline_devices_count() -> int:
    return Device.objects.filter(status=DeviceStatus.OFFLINE, is_active=True).count()
