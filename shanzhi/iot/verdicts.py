"""The grid worker's verdict on an alarm (确认属实 / 误报), and closing the loop on the appeal of a false one.

A real alarm stays what it is: work for the grid's community, handled through the desk's lifecycle. A false alarm is
no matter at all, so its appeal is closed at once, through the public appeals services (this module writes no
appeal row itself). The appeals services have no single "close an open appeal" use case: :func:`appeal_close` needs
a replied appeal. So the system walks the lifecycle on the worker's verdict, in one transaction:

    pending lead assignment → 签收 (``assignment_sign``) → 处置反馈 "核实为误报" (``assignment_feedback``)
    → 统一答复 (``appeal_reply``) → 办结 (``appeal_close``)

each step recorded as an event by the system (no actor: the grid worker, who is not a member of the leading
community, gave the verdict; the verdict itself is the worker's own note event). An appeal that never left intake
(no lead could be found) is closed as 不予受理 with the reason ``iot_false_alarm``. The lead assignment ends
``done`` at the verdict, so the deadline sweep has nothing left to warn about and no supervision order follows;
as long as the verdict comes within the (short) limits, the unit's on-time rates count it on time.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals import services as appeal_services
from shanzhi.appeals import unit_work
from shanzhi.appeals.events import record_event
from shanzhi.appeals.models import Appeal, AppealState, AssignmentRole, AssignmentState
from shanzhi.appeals.models import EventKind as AppealEventKind
from shanzhi.appeals.models import RejectReason as AppealRejectReason
from shanzhi.core import clock
from shanzhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.iot.models import Alarm, AlarmState
from shanzhi.iot.selectors import alarm_get
from shanzhi.orgs.models import User
from shanzhi.orgs.permissions import holds

FALSE_ALARM_REJECT_CODE = "iot_false_alarm"
FALSE_ALARM_REJECT_TEXT = "物联感知告警经网格员现场核实为误报"

# The lifecycle guards take a missing actor as the system (as intake and ``appeal_close`` declare); some of the
# services are typed for a person only, so the system is passed as this untyped None.
SYSTEM: Any = None


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
    if appeal.state in (AppealState.RECEIVED, AppealState.ACCEPTED):
        AppealRejectReason.objects.get_or_create(
            code=FALSE_ALARM_REJECT_CODE, defaults={"text": FALSE_ALARM_REJECT_TEXT}
        )
        return appeal_services.appeal_reject(
            actor=SYSTEM, appeal=appeal, reason_code=FALSE_ALARM_REJECT_CODE, note=finding
        )
    if appeal.state in (AppealState.DISPATCHED, AppealState.IN_PROGRESS):
        lead = (
            appeal.assignments.filter(
                round=appeal.round,
                role=AssignmentRole.LEAD,
                state__in=[AssignmentState.PENDING, AssignmentState.SIGNED],
            )
            .order_by("pk")
            .first()
        )
        if lead is None:  # shelved, or a lead that returned it: the desk decides
            return appeal
        if lead.state == AssignmentState.PENDING:
            unit_work.assignment_sign(actor=SYSTEM, assignment=lead)
        unit_work.assignment_feedback(actor=SYSTEM, assignment=lead, text=finding, resolved=True)
        appeal.refresh_from_db()
    if appeal.state == AppealState.FEEDBACK:
        appeal = appeal_services.appeal_reply(
            actor=SYSTEM, appeal=appeal, text="经网格员现场核实，该物联感知告警为误报，无需处置。"
        )
    if appeal.state == AppealState.REPLIED:
        appeal = appeal_services.appeal_close(actor=SYSTEM, appeal=appeal, note=f"误报办结：{finding}")
    return appeal
