"""Maintenance work orders (维保工单): raised by tamper, fault, low battery and offline; one open per device and
reason; deadline from the SLA calendar; escalated when overdue; closed by the maintainer; kept in scope."""

import datetime as dt
import json

import pytest
from conftest import alarm_payload, incoming

from shanzhi.core import clock
from shanzhi.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.iot import rules
from shanzhi.iot.maintenance import (
    devices_sweep_offline,
    maintenance_close,
    maintenance_list,
    maintenance_sweep,
    maintenance_visible_to,
)
from shanzhi.iot.models import Device, MaintenanceOrder
from shanzhi.iot.services import messages_ingest
from shanzhi.orgs.models import Unit, UnitKind
from shanzhi.sla.calendar import current_calendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def vendor(desk, devices, make_user):
    unit = Unit.objects.create(
        code="V-AQ", name="安泉消防维保公司", kind=UnitKind.UTILITY, parent=desk.district.district
    )
    Device.objects.filter(code__in=["SD-A-001", "FP-A-001"]).update(maintainer=unit)
    return {"unit": unit, "handler": make_user(unit, "handler", username="vendor")}


def _heartbeat(device, message_id, *, at, battery=None):
    body = {"id": message_id, "ts": at.isoformat(), "kind": "heartbeat"}
    if battery is not None:
        body["battery"] = battery
    return incoming(device, json.dumps(rules.signed(device.secret, body)).encode())


def test_tamper_and_low_battery_open_one_order_each_for_the_maintainer(desk, devices, vendor):
    smoke = Device.objects.get(code="SD-A-001")
    now = clock.now()
    messages_ingest(
        [
            incoming(smoke, alarm_payload(smoke, "t-1", at=now, alarm="tamper")),
            incoming(smoke, alarm_payload(smoke, "t-2", at=now + dt.timedelta(minutes=1), alarm="tamper")),
            _heartbeat(smoke, "h-1", at=now, battery=15),
        ]
    )
    messages_ingest([_heartbeat(smoke, "h-2", at=now + dt.timedelta(hours=1), battery=14)])  # still one order
    orders = {o.reason: o for o in MaintenanceOrder.objects.all()}
    assert set(orders) == {"tamper", "low_battery"}
    tamper = orders["tamper"]
    assert tamper.maintainer == vendor["unit"] and tamper.state == "open" and tamper.escalation == 0
    assert tamper.due_at == rules.maintenance_due_at(
        reason="tamper", opened_at=tamper.opened_at, calendar=current_calendar()
    )
    assert "15%" in orders["low_battery"].detail
    # A healthy battery opens nothing.
    gas = Device.objects.create(
        code="GAS-A-1", name="燃气探测", device_type="gas", grid=desk.district.grid_a, secret="c3" * 32
    )
    messages_ingest([_heartbeat(gas, "h-3", at=now, battery=90)])
    assert not MaintenanceOrder.objects.filter(device=gas).exists()


def test_offline_opens_an_order_that_closes_itself_when_the_device_is_back(desk, devices, vendor):
    now = clock.now()
    panel = devices["panel_a"]
    Device.objects.filter(pk=panel.pk).update(status="online", last_seen_at=now - dt.timedelta(minutes=20))
    assert devices_sweep_offline(now=now) == 1
    assert devices_sweep_offline(now=now) == 0  # offline already: no second order
    order = MaintenanceOrder.objects.get(device=panel, reason="offline")
    assert order.state == "open" and "15 分钟" in order.detail
    beat = {"msgNo": 9, "time": int(now.timestamp()), "eventType": "HEARTBEAT"}
    messages_ingest([incoming(panel, json.dumps(rules.signed(panel.secret, beat)).encode())])
    order.refresh_from_db()
    assert order.state == "closed" and "恢复在线" in order.close_note


def test_overdue_orders_escalate_in_two_steps(desk, devices, vendor):
    smoke = devices["smoke_a"]
    messages_ingest([incoming(smoke, alarm_payload(smoke, "t-1", at=clock.now(), alarm="tamper"))])
    order = MaintenanceOrder.objects.get()
    assert maintenance_sweep(now=order.due_at - dt.timedelta(minutes=1)) == 0
    assert maintenance_sweep(now=order.due_at) == 1
    order.refresh_from_db()
    assert order.escalation == 1 and order.escalated_at == order.due_at
    assert maintenance_sweep(now=order.due_at + dt.timedelta(minutes=1)) == 0  # no change, nothing written
    later = order.due_at + (order.due_at - order.opened_at)
    assert maintenance_sweep(now=later) == 1
    order.refresh_from_db()
    assert order.escalation == 2
    assert list(maintenance_list(user=desk.dispatcher, overdue=True)) == [order]


def test_the_maintainer_closes_with_a_note_and_others_see_nothing_outside_their_scope(desk, devices, vendor):
    smoke = devices["smoke_a"]
    messages_ingest([incoming(smoke, alarm_payload(smoke, "t-1", at=clock.now(), alarm="tamper"))])
    order = MaintenanceOrder.objects.get()
    # Scope: the maintainer, the grid's own staff and the centre see it; the other town sees nothing.
    assert list(maintenance_visible_to(vendor["handler"])) == [order]
    assert list(maintenance_visible_to(desk.grid_worker_a)) == [order]
    assert list(maintenance_visible_to(desk.dispatcher)) == [order]
    assert not maintenance_visible_to(desk.town_b_handler).exists()
    assert not maintenance_visible_to(desk.urban_handler).exists()
    with pytest.raises(NotFound):
        maintenance_close(actor=desk.town_b_handler, order_id=order.pk, note="x")
    with pytest.raises(PermissionDenied):
        maintenance_close(actor=desk.grid_worker_a, order_id=order.pk, note="x")
    with pytest.raises(ValidationFailed):
        maintenance_close(actor=vendor["handler"], order_id=order.pk, note=" ")
    closed = maintenance_close(actor=vendor["handler"], order_id=order.pk, note="已重新安装并加装防拆螺丝")
    assert closed.state == "closed" and closed.closed_by == vendor["handler"]
    with pytest.raises(TransitionNotAllowed):
        maintenance_close(actor=desk.dispatcher, order_id=order.pk, note="again")
    # Closed, a new tamper opens a new order.
    messages_ingest(
        [incoming(smoke, alarm_payload(smoke, "t-9", at=clock.now() + dt.timedelta(days=1), alarm="tamper"))]
    )
    assert MaintenanceOrder.objects.filter(state="open").count() == 1
