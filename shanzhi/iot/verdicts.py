"""The grid worker's verdict on an alarm (确认属实 / 误报), and closing the loop on the appeal of a false one.

A real alarm stays what it is: work for the grid's community, handled through the desk's lifecycle. A false alarm is
no matter at all, so its appeal is closed at once through the appeals service for it, 误报撤销
(:func:`~shanzhi.appeals.services.appeal_withdraw`, taken by the IoT process ``system:iot`` as the rules table
allows): the active assignments are withdrawn (cancelled, one event each — no unit is charged for work that never
existed, the deadline sweep has nothing to warn about) and the appeal is closed with the worker's finding. The
verdict itself is the worker's own note event.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals import services as appeal_services
from shanzhi.appeals.events import record_event
from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.appeals.models import EventKind as AppealEventKind
from shanzhi.appeals.principals import SYSTEM_IOT
from shanzhi.core import clock
from shanzhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.iot.models import Alarm, AlarmState
from shanzhi.iot.selectors import alarm_get
from shanzhi.orgs.models import User
from shanzhi.orgs.permissions import holds


def may_resolve_alarms(user: User) -> bool:
    return holds(user, ("grid_worker", "handler", "unit_head", "dispatcher", "leader", "admin"))


@transaction.atomic
def alarm_resolve(*, actor: User, alarm_id: int, real: bool, note: str = "") -> Alarm:
    """确认属实 / 误报: closes the alarm (a later alarm of the device is new work) and notes it on the appeal; a false
    alarm's appeal is closed (see the module docstring)."""
    alarm = alarm_get(user=actor, alarm_id=alarm_id)
    if not may_resolve_alarms(actor):
        raise PermissionDenied(_("您不能核实告警"), code="iot_may_not_resolve")
    alarm = Alarm.objects.select_for_update(of=("self",)).select_related("device", "appeal").get(pk=alarm.pk)
    if alarm.state != AlarmState.OPEN:
        raise TransitionNotAllowed(_("该告警已核实"), code="iot_alarm_resolved")
    note = note.strip()
    if not real and not note:
        raise ValidationFailed(_("误报请说明原因"), code="iot_note_required")
    alarm.state = AlarmState.CONFIRMED if real else AlarmState.FALSE
    alarm.resolved_by = actor
    alarm.resolved_at = clock.now()
    alarm.note = note[:300]
    alarm.save(update_fields=["state", "resolved_by", "resolved_at", "note"])
    if alarm.appeal is not None:
        record_event(
            appeal=alarm.appeal,
            kind=AppealEventKind.NOTE,
            at=alarm.resolved_at,
            actor=actor,
            reason=("告警确认属实" if real else "告警为误报") + (f"：{note}" if note else ""),
            payload={"iot_alarm": alarm.pk, "real": real},
            is_public=False,
        )
        if not real:
            false_alarm_appeal_close(appeal=alarm.appeal, worker=actor, note=alarm.note, alarm_id=alarm.pk)
    return alarm


def false_alarm_appeal_close(*, appeal: Appeal, worker: User, note: str, alarm_id: int) -> Appeal:
    """Close the appeal of an alarm called false, whatever step of the lifecycle it has reached (a closed, merged or
    otherwise final appeal is left as it is)."""
    who = worker.display_name or worker.get_username()
    finding = f"网格员{who}现场核实：物联感知告警为误报（告警 {alarm_id}）：{note}"
    appeal.refresh_from_db()
    if appeal.state in (AppealState.RECEIVED, AppealState.ACCEPTED, AppealState.DISPATCHED, AppealState.IN_PROGRESS):
        # The work the alarm started is withdrawn (no unit is charged for it) and the appeal closed (误报撤销).
        appeal = appeal_services.appeal_withdraw(actor=SYSTEM_IOT, appeal=appeal, reason=finding)
    return appeal
