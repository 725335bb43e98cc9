"""A false verdict closes the loop: the alarm's appeal is closed through the desk's lifecycle with the worker's
finding, the deadline sweep charges nothing afterwards, and the device's false-alarm rate counts it."""

import datetime as dt

import pytest
from conftest import alarm_payload, incoming

from shanzhi.appeals.models import AppealEvent, AppealState, AssignmentState
from shanzhi.appeals.unit_work import assignment_sign
from shanzhi.core import clock
from shanzhi.iot import selectors
from shanzhi.iot.models import Alarm
from shanzhi.iot.services import messages_ingest
from shanzhi.iot.verdicts import alarm_resolve
from shanzhi.supervision.models import SupervisionOrder
from shanzhi.supervision.sweep import deadlines_sweep

pytestmark = pytest.mark.django_db


def _alarm(device, message_id: str, at: dt.datetime | None = None) -> Alarm:
    at = at or clock.now()
    outcome = messages_ingest([incoming(device, alarm_payload(device, message_id, at=at))])
    return Alarm.objects.select_related("appeal").get(pk=outcome.alarms_new[0])


def test_a_false_alarm_closes_its_appeal_with_the_finding_and_no_breach(desk, devices):
    alarm = _alarm(devices["smoke_a"], "m-1")
    appeal = alarm.appeal
    assert appeal.state == AppealState.DISPATCHED
    lead = appeal.assignments.get()
    assert lead.state == AssignmentState.PENDING and lead.unit == desk.district.community_a

    alarm_resolve(actor=desk.grid_worker_a, alarm_id=alarm.pk, real=False, note="住户做饭油烟")

    appeal.refresh_from_db()
    lead.refresh_from_db()
    assert appeal.state == AppealState.CLOSED and appeal.closed_at is not None
    # The work the alarm started is withdrawn (误报撤销): no unit is charged for it.
    assert lead.state == AssignmentState.CANCELLED
    kinds = list(AppealEvent.objects.filter(appeal=appeal).order_by("pk").values_list("kind", flat=True))
    assert [k for k in kinds if k in ("note", "signed", "feedback", "replied", "closed")] == ["note", "note", "closed"]
    withdrawn = AppealEvent.objects.get(appeal=appeal, kind="note", payload__withdrawn="false_alarm")
    assert withdrawn.assignment_id == lead.pk
    closed = AppealEvent.objects.get(appeal=appeal, kind="closed")
    assert "误报" in closed.reason and "住户做饭油烟" in closed.reason and closed.actor is None
    # Long after every deadline the sweep finds nothing open: no warning, no supervision order.
    deadlines_sweep(now=clock.now() + dt.timedelta(days=30))
    lead.refresh_from_db()
    assert lead.warning == "none"
    assert not SupervisionOrder.objects.filter(assignment__appeal=appeal).exists()


def test_a_signed_alarm_appeal_is_closed_too_and_a_real_one_stays_open(desk, devices, make_user):
    community_handler = make_user(desk.district.community_a, "handler", username="hp")
    signed = _alarm(devices["smoke_a"], "m-1")
    assignment_sign(actor=community_handler, assignment=signed.appeal.assignments.get())
    alarm_resolve(actor=desk.grid_worker_a, alarm_id=signed.pk, real=False, note="测试按钮误触")
    signed.appeal.refresh_from_db()
    assert signed.appeal.state == AppealState.CLOSED

    real = _alarm(devices["smoke_a"], "m-2", at=clock.now() + dt.timedelta(hours=1))
    alarm_resolve(actor=desk.grid_worker_a, alarm_id=real.pk, real=True)
    real.appeal.refresh_from_db()
    assert real.appeal.state == AppealState.DISPATCHED  # real work follows the desk's lifecycle


def test_the_false_alarm_rate_per_device_counts_the_verdicts(desk, devices):
    device = devices["smoke_a"]
    start = clock.now()
    alarms = [_alarm(device, f"m-{i}", at=start + dt.timedelta(hours=i)) for i in range(4)]
    for alarm, real in zip(alarms[:3], (False, False, True), strict=True):
        alarm_resolve(actor=desk.grid_worker_a, alarm_id=alarm.pk, real=real, note="" if real else "误触")
    figures = selectors.device_figures(user=desk.grid_worker_a, device=device)
    assert (figures.alarms, figures.false, figures.confirmed, figures.open) == (4, 2, 1, 1)
    assert figures.false_percent == 67
    rates = {row.device.code: row for row in selectors.false_alarm_rates(user=desk.grid_worker_a)}
    assert rates["SD-A-001"].false_percent == 67
    # Outside the worker's grid: nothing.
    assert selectors.false_alarm_rates(user=desk.town_b_handler) == []
