"""Device health → maintenance work orders (维保工单) for the device's maintainer.

An order opens when a device goes offline (the sweep, with a silence threshold per type), reports a battery at or
below the low level, or raises a tamper or fault alarm (the ingest). One open order per device and reason (a
partial unique constraint: opening twice is harmless). Its deadline comes from the SLA calendar through the pure
rules (:func:`shanzhi.iot.rules.maintenance_due_at`); the periodic sweep escalates overdue orders
(:func:`shanzhi.iot.rules.maintenance_escalation`). The maintainer (or the centre) closes an order with what was
done; an offline order closes itself when the device speaks again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shanzhi.core import clock
from shanzhi.core.audit import audit_record
from shanzhi.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.iot import rules
from shanzhi.iot.models import Device, DeviceStatus, MaintenanceOrder, MaintenanceReason, MaintenanceState
from shanzhi.iot.selectors import devices_visible_to
from shanzhi.orgs.models import User
from shanzhi.orgs.permissions import holds, is_active_staff, is_territorial_staff, sees_everything, subtree_q
from shanzhi.sla.calendar import current_calendar

logger = logging.getLogger("shanzhi.iot")

REASON_DETAIL: dict[str, str] = {
    MaintenanceReason.OFFLINE: "设备超过 {} 未上报（离线）",
    MaintenanceReason.LOW_BATTERY: "设备电量低（{}）",
    MaintenanceReason.TAMPER: "设备报告被拆/防拆开关触发",
    MaintenanceReason.FAULT: "设备报告故障",
}


def _silence(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{int(hours)} 小时" if hours >= 1 else f"{int(delta.total_seconds() // 60)} 分钟"


def maintenance_open_many(items: Iterable[tuple[Device, str, str]], *, at: dt.datetime) -> int:
    """Open an order per (device, reason, detail) unless one is open already; returns how many were opened."""
    calendar = current_calendar()
    wanted: dict[tuple[int, str], MaintenanceOrder] = {}
    for device, reason, detail in items:
        wanted.setdefault(
            (device.pk, reason),
            MaintenanceOrder(
                device_id=device.pk,
                reason=reason,
                maintainer_id=device.maintainer_id,
                detail=detail[:200],
                opened_at=at,
                due_at=rules.maintenance_due_at(reason=reason, opened_at=at, calendar=calendar),
            ),
        )
    if not wanted:
        return 0
    already = set(
        MaintenanceOrder.objects.filter(
            state=MaintenanceState.OPEN, device_id__in={d for d, _ in wanted}, reason__in={r for _, r in wanted}
        ).values_list("device_id", "reason")
    )
    fresh = [order for key, order in wanted.items() if key not in already]
    # A concurrent opener may have won since: the partial unique constraint keeps one, the other is dropped.
    MaintenanceOrder.objects.bulk_create(fresh, ignore_conflicts=True)
    if fresh:
        logger.info("iot maintenance orders opened: %d", len(fresh))
    return len(fresh)


def readings_maintenance(items: Iterable[tuple[Device, str, str, int | None]], *, at: dt.datetime) -> int:
    """From the ingest: (device, event kind, alarm type, battery level) of each stored message."""
    wanted: list[tuple[Device, str, str]] = []
    for device, kind, alarm_type, battery in items:
        if kind == "alarm" and alarm_type in rules.MAINTENANCE_ALARMS:
            reason = rules.MAINTENANCE_ALARMS[alarm_type]
            detail = REASON_DETAIL[reason]
            wanted.append((device, reason, detail.format(f"{battery}%" if battery is not None else "设备告警")))
        elif rules.battery_low(battery):
            wanted.append((device, MaintenanceReason.LOW_BATTERY, REASON_DETAIL["low_battery"].format(f"{battery}%")))
    return maintenance_open_many(wanted, at=at) if wanted else 0


def devices_back_online(device_ids: Iterable[int], *, at: dt.datetime) -> int:
    """Close the offline orders of devices that spoke again."""
    ids = list(device_ids)
    if not ids:
        return 0
    return MaintenanceOrder.objects.filter(
        device_id__in=ids, reason=MaintenanceReason.OFFLINE, state=MaintenanceState.OPEN
    ).update(state=MaintenanceState.CLOSED, closed_at=at, close_note="设备恢复在线（自动关闭）")


def devices_sweep_offline(*, now: dt.datetime | None = None) -> int:
    """Mark devices offline whose last message is older than their type's threshold, and open an offline order for
    each (periodic job). Returns how many went offline."""
    now = now or clock.now()
    silent = Q()
    for device_type, after in rules.OFFLINE_AFTER_BY_TYPE.items():
        silent |= Q(device_type=device_type, last_seen_at__lt=now - after)
    silent |= Q(last_seen_at__lt=now - rules.OFFLINE_AFTER) & ~Q(device_type__in=list(rules.OFFLINE_AFTER_BY_TYPE))
    with transaction.atomic():
        going = list(
            Device.objects.select_for_update(skip_locked=True)
            .filter(silent, status=DeviceStatus.ONLINE, is_active=True)
            .order_by("pk")
        )
        if not going:
            return 0
        Device.objects.filter(pk__in=[d.pk for d in going]).update(status=DeviceStatus.OFFLINE)
        maintenance_open_many(
            [
                (
                    d,
                    MaintenanceReason.OFFLINE,
                    REASON_DETAIL["offline"].format(_silence(rules.offline_after(d.device_type))),
                )
                for d in going
            ],
            at=now,
        )
    return len(going)


def maintenance_sweep(*, now: dt.datetime | None = None) -> int:
    """Escalate open orders past their deadline (periodic job); returns how many moved up a level."""
    now = now or clock.now()
    moved = 0
    with transaction.atomic():
        rows = list(
            MaintenanceOrder.objects.select_for_update(skip_locked=True)
            .filter(state=MaintenanceState.OPEN, due_at__lte=now, escalation__lt=2)
            .order_by("pk")
        )
        for order in rows:
            level = rules.maintenance_escalation(opened_at=order.opened_at, due_at=order.due_at, now=now)
            if level > order.escalation:
                order.escalation, order.escalated_at = level, now
                order.save(update_fields=["escalation", "escalated_at"])
                moved += 1
    if moved:
        logger.warning("iot maintenance orders escalated: %d", moved)
    return moved


# --- reads and the close ------------------------------------------------------------------------------------


def maintenance_visible_to(user: User) -> QuerySet[MaintenanceOrder]:
    """The centre sees every order; a territorial unit those of the devices in its grids; the maintainer its own."""
    qs = MaintenanceOrder.objects.select_related("device", "device__grid", "maintainer")
    if sees_everything(user):
        return qs
    if not is_active_staff(user) or user.unit_id is None:
        return qs.none()
    condition = Q(maintainer_id=user.unit_id)
    if is_territorial_staff(user):
        condition |= subtree_q(user, "device__grid__path")
    return qs.filter(condition)


def maintenance_list(*, user: User, state: str | None = None, overdue: bool = False) -> QuerySet[MaintenanceOrder]:
    qs = maintenance_visible_to(user)
    if state:
        qs = qs.filter(state=state)
    if overdue:
        qs = qs.filter(escalation__gt=0)
    return qs.order_by("state", "due_at", "pk")


def may_close(user: User, order: MaintenanceOrder) -> bool:
    if order.state != MaintenanceState.OPEN:
        return False
    if order.maintainer_id is not None and order.maintainer_id == user.unit_id:
        return holds(user, ("handler", "unit_head", "admin"))
    return (
        holds(user, ("admin", "dispatcher", "leader")) and devices_visible_to(user).filter(pk=order.device_id).exists()
    )


@transaction.atomic
def maintenance_close(*, actor: User, order_id: int, note: str) -> MaintenanceOrder:
    """关闭维保工单 with what was done (replaced the battery, reconnected, reinstalled)."""
    found = maintenance_visible_to(actor).filter(pk=order_id).first()
    if found is None:
        raise NotFound()
    order = MaintenanceOrder.objects.select_for_update().get(pk=found.pk)
    if order.state != MaintenanceState.OPEN:
        raise TransitionNotAllowed(_("该维保工单已关闭"), code="iot_maintenance_closed")
    if not may_close(actor, order):
        raise PermissionDenied(_("您不能关闭该维保工单"), code="iot_may_not_close_maintenance")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("请填写处理结果"), code="iot_maintenance_note_required")
    order.state, order.closed_at, order.closed_by, order.close_note = (
        MaintenanceState.CLOSED,
        clock.now(),
        actor,
        note[:300],
    )
    order.save(update_fields=["state", "closed_at", "closed_by", "close_note"])
    audit_record(
        "iot.maintenance_close",
        actor=actor,
        subject_type="iot.maintenanceorder",
        subject_id=order.pk,
        detail={"device": order.device_id, "reason": order.reason},
    )
    return order
