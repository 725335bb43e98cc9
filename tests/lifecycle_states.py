"""An appeal in any state of the lifecycle, reached through the services (as a person would get it there).

``appeal_in_state(desk, intake, state)`` drives a fresh appeal of the shared desk (``tests/desk.py``) to ``state``.
The road-light catalogue line sends it to the 城管局 (``desk.urban_handler`` signs and feeds back).
"""

from __future__ import annotations

from typing import Any

from shanzhi.appeals import services, unit_work
from shanzhi.appeals.models import Appeal, AppealState, AppealType

S = AppealState


def lead_of(appeal: Appeal) -> Any:
    return appeal.assignments.get(round=appeal.round, role="lead")


def appeal_in_state(desk: Any, intake: Any, state: str) -> Appeal:
    """A new appeal in ``state`` (every value of :class:`AppealState`)."""
    if state == S.RECEIVED:
        return intake(structured=False)
    if state == S.ACCEPTED:
        return intake(category=None)
    if state == S.NEEDS_INFO:
        return services.appeal_request_info(actor=desk.operator, appeal=intake(category=None), question="请补充地址")
    if state == S.REJECTED:
        return services.appeal_reject(actor=desk.operator, appeal=intake(structured=False), reason_code="out_of_scope")
    if state == S.ANSWERED:
        consultation = intake(structured=False, appeal_type=AppealType.CONSULTATION, category=desk.consult)
        return services.appeal_answer(actor=desk.operator, appeal=consultation, answer="请携带身份证办理")
    if state == S.MERGED:
        master = intake()
        return services.appeal_merge(actor=desk.dispatcher, appeal=intake(), master=master, reason="同一路灯")
    appeal = intake()
    if state == S.DISPATCHED:
        return appeal
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=lead_of(appeal))
    if state == S.IN_PROGRESS:
        return Appeal.objects.get(pk=appeal.pk)
    unit_work.assignment_feedback(actor=desk.urban_handler, assignment=lead_of(appeal), text="已修复", resolved=True)
    if state == S.FEEDBACK:
        return Appeal.objects.get(pk=appeal.pk)
    appeal = services.appeal_reply(actor=desk.operator, appeal=appeal, text="路灯已修复")
    if state == S.REPLIED:
        return appeal
    if state == S.CLOSED:
        return services.appeal_follow_up(actor=desk.operator, appeal=appeal, rating="satisfied", resolved=True)
    raise ValueError(f"no way to {state}")
