"""The centre's side of the lifecycle: accept, reject, answer, ask for information, dispatch, merge, reply,
follow-up, redo and close. Each use case is one keyword-only function that locks, guards, saves and records.

The unit's side (sign, contact, feedback, requests) is in :mod:`shanzhi.appeals.unit_work`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals import dispatching, merge_notices, rules
from shanzhi.appeals.events import record_event
from shanzhi.appeals.guards import check, lock_appeal
from shanzhi.appeals.intake import IntakeResult, appeal_intake, resolve_category
from shanzhi.appeals.models import (
    Appeal,
    AppealState,
    AppealType,
    AssignmentState,
    EventKind,
    FollowUp,
    FollowUpChannel,
    Rating,
    RejectReason,
)
from shanzhi.appeals.principals import CITIZEN, Actor
from shanzhi.appeals.withdrawals import assignments_withdraw
from shanzhi.core import clock
from shanzhi.core.errors import ValidationFailed
from shanzhi.orgs.models import Unit, User
from shanzhi.routing.models import Category
from shanzhi.sla.services import deadline_after_pause

__all__ = [
    "IntakeResult",
    "appeal_accept",
    "appeal_answer",
    "appeal_close",
    "appeal_dispatch",
    "appeal_follow_up",
    "appeal_intake",
    "appeal_merge",
    "appeal_rate_by_citizen",
    "appeal_redo",
    "appeal_reject",
    "appeal_reopen",
    "appeal_reply",
    "appeal_request_info",
    "appeal_supply_info",
]


def _require_text(value: str, code: str, message: str | Promise) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, code=code)
    return value


def _save(appeal: Appeal) -> None:
    appeal.version += 1
    appeal.save()


PORTAL_CHANNELS = ("portal", "doorplate")


def _notify(appeal: Appeal, event: str, extra: dict | None = None) -> None:
    """Tell the citizen by SMS, and in the portal inbox when the appeal came through the portal."""
    from shanzhi.notifications.services import notify_citizen

    notify_citizen(appeal=appeal, event=event, extra=extra)
    if appeal.channel in PORTAL_CHANNELS:
        notify_citizen(appeal=appeal, event=event, extra=extra, channel="portal")


@transaction.atomic
def appeal_accept(
    *,
    actor: User,
    appeal: Appeal,
    category: Category | int | str | None = None,
    dispatch: bool = True,
    **changes: object,
) -> Appeal:
    """Structure a raw message and accept it (received → accepted), dispatching by the catalogue when possible."""
    appeal = lock_appeal(appeal)
    check("accept", actor=actor, appeal=appeal)
    at = clock.now()
    cat = resolve_category(category) or appeal.category
    if cat is None:
        raise ValidationFailed(_("受理诉求须选择分类"), code="category_required")
    appeal.category = cat
    for field in ("title", "content", "appeal_type", "urgency", "address"):
        if field in changes and changes[field] not in (None, ""):
            setattr(appeal, field, changes[field])
    record_event(
        appeal=appeal,
        kind=EventKind.ACCEPTED,
        at=at,
        actor=actor,
        from_state=appeal.state,
        to_state=AppealState.ACCEPTED,
        payload={"category": cat.path},
    )
    appeal.state = AppealState.ACCEPTED
    if dispatch:
        dispatching.dispatch_by_catalogue(appeal=appeal, actor=actor, at=at, only_if_lead=True)
    _save(appeal)
    _notify(appeal, "accepted")
    return appeal


@transaction.atomic
def appeal_reject(*, actor: User, appeal: Appeal, reason_code: str, note: str = "") -> Appeal:
    """不予受理, with a reason from the configured list."""
    appeal = lock_appeal(appeal)
    check("reject", actor=actor, appeal=appeal)
    reason = RejectReason.objects.filter(code=reason_code, is_active=True).first()
    if reason is None:
        raise ValidationFailed(_("请选择不予受理的理由"), code="unknown_reject_reason")
    record_event(
        appeal=appeal,
        kind=EventKind.REJECTED,
        at=clock.now(),
        actor=actor,
        from_state=appeal.state,
        to_state=AppealState.REJECTED,
        reason=f"{reason.text}{('；' + note) if note else ''}",
        payload={"reason_code": reason.code},
    )
    appeal.state = AppealState.REJECTED
    appeal.closed_at = clock.now()
    _save(appeal)
    return appeal


@transaction.atomic
def appeal_answer(*, actor: User, appeal: Appeal, answer: str, article_ref: str = "") -> Appeal:
    """直接答复: a consultation answered at intake (e.g. from the knowledge base) and closed on the spot."""
    appeal = lock_appeal(appeal)
    check("answer", actor=actor, appeal=appeal)
    if appeal.appeal_type != AppealType.CONSULTATION:
        raise ValidationFailed(_("只有咨询类诉求可以直接答复"), code="answer_only_consultation")
    at = clock.now()
    appeal.reply_text = _require_text(answer, "answer_required", _("请填写答复内容"))
    record_event(
        appeal=appeal,
        kind=EventKind.ANSWERED,
        at=at,
        actor=actor,
        from_state=appeal.state,
        to_state=AppealState.ANSWERED,
        reason=appeal.reply_text,
        payload={"article": article_ref},
    )
    appeal.state = AppealState.ANSWERED
    appeal.replied_at = appeal.closed_at = at
    _save(appeal)
    _notify(appeal, "replied")
    return appeal


@transaction.atomic
def appeal_request_info(*, actor: User, appeal: Appeal, question: str) -> Appeal:
    """待补充: ask the citizen for more; the clock pauses until the answer comes."""
    appeal = lock_appeal(appeal)
    check("request_info", actor=actor, appeal=appeal)
    at = clock.now()
    question = _require_text(question, "question_required", _("请写明需要补充的内容"))
    record_event(
        appeal=appeal,
        kind=EventKind.INFO_REQUESTED,
        at=at,
        actor=actor,
        from_state=appeal.state,
        to_state=AppealState.NEEDS_INFO,
        reason=question,
        payload={"resume_to": appeal.state},
    )
    appeal.state = AppealState.NEEDS_INFO
    appeal.paused_at = at
    _save(appeal)
    _notify(appeal, "needs_info", {"question": question})
    return appeal


@transaction.atomic
def appeal_supply_info(*, actor: Actor, appeal: Appeal, text: str) -> Appeal:
    """The citizen's answer: back to the state the appeal was in, the paused time given back to the deadline."""
    appeal = lock_appeal(appeal)
    check("supply_info", actor=actor, appeal=appeal)
    at = clock.now()
    text = _require_text(text, "info_required", _("请填写补充内容"))
    asked = appeal.events.filter(kind=EventKind.INFO_REQUESTED).order_by("-created_at", "-id").first()
    resume_to = (asked.payload.get("resume_to") if asked else None) or AppealState.ACCEPTED
    if appeal.paused_at and appeal.due_at:
        appeal.due_at = deadline_after_pause(due_at=appeal.due_at, paused_at=appeal.paused_at, resumed_at=at)
    appeal.content = f"{appeal.content}\n\n【补充】{text}"
    record_event(
        appeal=appeal,
        kind=EventKind.INFO_SUPPLIED,
        at=at,
        actor=actor,
        from_state=appeal.state,
        to_state=resume_to,
        reason=text,
    )
    appeal.state = resume_to
    appeal.paused_at = None
    _save(appeal)
    return appeal


@transaction.atomic
def appeal_dispatch(
    *,
    actor: User,
    appeal: Appeal,
    lead_unit: Unit | None = None,
    assisting_units: Sequence[Unit] = (),
    reason: str = "",
    category: Category | int | str | None = None,
) -> Appeal:
    """派遣: by hand (the dispatcher names the units) or, without ``lead_unit``, by the catalogue."""
    appeal = lock_appeal(appeal)
    check("dispatch", actor=actor, appeal=appeal)
    at = clock.now()
    chosen = resolve_category(category)
    if chosen is not None and chosen.pk != appeal.category_id:
        # The dispatcher's choice: a confirmed label for the classifier's training history.
        suggested = appeal.routing_suggestions[0]["path"] if appeal.routing_suggestions else ""
        record_event(
            appeal=appeal,
            kind=EventKind.STRUCTURED,
            at=at,
            actor=actor,
            is_public=False,
            payload={
                "category": chosen.path,
                "previous": appeal.category.path if appeal.category else "",
                "suggested": suggested,
            },
        )
        appeal.category = chosen
        if not appeal.urgency:
            appeal.urgency = chosen.default_urgency
    if appeal.category_id is None:
        raise ValidationFailed(_("请先为诉求选择分类"), code="category_required")
    if lead_unit is None:
        dispatching.dispatch_by_catalogue(appeal=appeal, actor=actor, at=at, only_if_lead=False)
    else:
        explanation = f"派单员 {actor} 指定主办 {lead_unit.name}" + (f"；{reason}" if reason else "")
        dispatching.dispatch_round(
            appeal=appeal,
            actor=actor,
            at=at,
            lead_unit=lead_unit,
            assisting_units=assisting_units,
            explanation=explanation,
            reason=reason,
        )
    _save(appeal)
    _notify(appeal, "dispatched")
    return appeal


@transaction.atomic
def appeal_merge(*, actor: User, appeal: Appeal, master: Appeal, reason: str = "") -> Appeal:
    """合并: a duplicate joins its master; its open assignments are withdrawn. The master must still be live."""
    if master.pk == appeal.pk:
        raise ValidationFailed(_("不能与自身合并"), code="merge_self")
    first, second = sorted([appeal.pk, master.pk])
    locked = {first: lock_appeal(first), second: lock_appeal(second)}
    appeal, master = locked[appeal.pk], locked[master.pk]
    check("merge", actor=actor, appeal=appeal)
    if master.state in (AppealState.MERGED, AppealState.REJECTED) or master.master_id:
        raise ValidationFailed(_("主诉求已合并或不予受理，不能作为合并目标"), code="merge_target_invalid")
    at = clock.now()
    withdraw = f"合并至 {master.tracking_no}"
    assignments_withdraw(
        appeal=appeal, assignments=appeal.assignments.all(), actor=actor, at=at, cause="merged", reason=withdraw
    )
    record_event(
        appeal=appeal,
        kind=EventKind.MERGED,
        at=at,
        actor=actor,
        from_state=appeal.state,
        to_state=AppealState.MERGED,
        reason=reason,
        payload={"master": master.tracking_no},
    )
    record_event(
        appeal=master,
        kind=EventKind.NOTE,
        at=at,
        actor=actor,
        reason=f"合并重复件 {appeal.tracking_no}",
        payload={"duplicate": appeal.tracking_no},
        is_public=False,
    )
    appeal.state = AppealState.MERGED
    appeal.master = master
    appeal.closed_at = at
    _save(appeal)
    merge_notices.notify_merged(duplicate=appeal, master=master)
    return appeal


@transaction.atomic
def appeal_reply(*, actor: User, appeal: Appeal, text: str) -> Appeal:
    """统一答复: the centre answers the citizen from the unit's feedback (the review has passed)."""
    appeal = lock_appeal(appeal)
    check("reply", actor=actor, appeal=appeal)
    at = clock.now()
    appeal.reply_text = _require_text(text, "reply_required", _("请填写答复内容"))
    record_event(appeal=appeal, kind=EventKind.REVIEW_PASSED, at=at, actor=actor, is_public=False)
    record_event(
        appeal=appeal,
        kind=EventKind.REPLIED,
        at=at,
        actor=actor,
        from_state=appeal.state,
        to_state=AppealState.REPLIED,
        reason=appeal.reply_text,
    )
    appeal.state = AppealState.REPLIED
    appeal.replied_at = at
    _save(appeal)
    _notify(appeal, "replied", {"reply": appeal.reply_text})
    merge_notices.notify_duplicates_of_reply(master=appeal)
    return appeal


def _redo(*, actor: Actor, appeal: Appeal, reason: str) -> None:
    """A new round for the same lead and assisting units (the appeal is locked by the caller)."""
    last = list(appeal.assignments.filter(round=appeal.round).select_related("unit"))
    lead = next((a.unit for a in last if a.role == "lead" and a.state != AssignmentState.RETURNED), None)
    if lead is None:
        lead = appeal.lead_unit
    if lead is None:
        raise ValidationFailed(_("找不到上一轮的主办单位，请重新派遣"), code="no_lead_unit")
    assisting = [a.unit for a in last if a.role == "assisting"]
    dispatching.dispatch_round(
        appeal=appeal,
        actor=actor,
        at=clock.now(),
        lead_unit=lead,
        assisting_units=assisting,
        explanation=f"重办：{reason}",
        reason=reason,
        kind=EventKind.REDO,
    )
    appeal.rating = ""
    appeal.resolved = None


@transaction.atomic
def appeal_redo(*, actor: Actor, appeal: Appeal, reason: str) -> Appeal:
    """重办: the review failed (or the follow-up found it unresolved): the same units handle it again."""
    appeal = lock_appeal(appeal)
    check("redo", actor=actor, appeal=appeal)
    _redo(actor=actor, appeal=appeal, reason=_require_text(reason, "reason_required", _("请填写重办理由")))
    _save(appeal)
    return appeal


@transaction.atomic
def appeal_follow_up(
    *,
    actor: User,
    appeal: Appeal,
    rating: str = "",
    resolved: bool | None = None,
    reached: bool = True,
    note: str = "",
) -> Appeal:
    """回访: record the citizen's rating. Satisfied and resolved → closed; dissatisfied or unresolved → redo;
    not reached → stays replied for another call."""
    appeal = lock_appeal(appeal)
    check("follow_up", actor=actor, appeal=appeal)
    if reached and rating not in Rating.values:
        raise ValidationFailed(_("请选择满意度评价"), code="rating_required")
    at = clock.now()
    FollowUp.objects.create(
        appeal=appeal,
        round=appeal.round,
        rating=rating if reached else "",
        resolved=resolved if reached else None,
        reached=reached,
        note=note,
        by=actor,
        at=at,
    )
    outcome = rules.follow_up_outcome(rating=rating, resolved=resolved, reached=reached)
    record_event(
        appeal=appeal,
        kind=EventKind.FOLLOWED_UP,
        at=at,
        actor=actor,
        reason=note,
        payload={"rating": rating, "resolved": resolved, "reached": reached, "outcome": outcome},
    )
    if outcome == "close":
        appeal.rating, appeal.resolved = rating, resolved
        record_event(
            appeal=appeal,
            kind=EventKind.CLOSED,
            at=at,
            actor=actor,
            from_state=appeal.state,
            to_state=AppealState.CLOSED,
        )
        appeal.state = AppealState.CLOSED
        appeal.closed_at = at
    elif outcome == "redo":
        appeal.rating, appeal.resolved = rating, resolved
        _redo(
            actor=actor,
            appeal=appeal,
            reason=f"回访{'不满意' if rating == Rating.DISSATISFIED else '未解决'}" + (f"：{note}" if note else ""),
        )
    _save(appeal)
    if outcome == "close":
        _notify(appeal, "closed")
    return appeal


@transaction.atomic
def appeal_close(*, actor: Actor, appeal: Appeal, note: str) -> Appeal:
    """办结 without a rating (the citizen asked for no follow-up, or could not be reached after the set attempts)."""
    appeal = lock_appeal(appeal)
    check("close", actor=actor, appeal=appeal)
    at = clock.now()
    record_event(
        appeal=appeal,
        kind=EventKind.CLOSED,
        at=at,
        actor=actor,
        from_state=appeal.state,
        to_state=AppealState.CLOSED,
        reason=_require_text(note, "reason_required", _("请填写办结说明")),
    )
    appeal.state = AppealState.CLOSED
    appeal.closed_at = at
    _save(appeal)
    return appeal


@transaction.atomic
def appeal_withdraw(*, actor: Actor, appeal: Appeal, reason: str) -> Appeal:
    """误报撤销: an appeal raised by a device whose alarm was found false on the spot. The active assignments are
    withdrawn (cancelled, one event each, so no unit is charged for work that never existed) and the appeal is
    closed with the finding. Only the IoT process may (the rules table)."""
    appeal = lock_appeal(appeal)
    check("withdraw", actor=actor, appeal=appeal)
    text = _require_text(reason, "reason_required", _("请填写撤销原因"))
    at = clock.now()
    assignments_withdraw(
        appeal=appeal, assignments=appeal.assignments.all(), actor=actor, at=at, cause="false_alarm", reason=text
    )
    record_event(
        appeal=appeal,
        kind=EventKind.CLOSED,
        at=at,
        actor=actor,
        from_state=appeal.state,
        to_state=AppealState.CLOSED,
        reason=text,
        payload={"withdrawn": "false_alarm"},
    )
    appeal.state = AppealState.CLOSED
    appeal.closed_at = at
    appeal.warning = "none"
    _save(appeal)
    return appeal


@transaction.atomic
def appeal_reopen(*, actor: Actor, appeal: Appeal, reason: str) -> Appeal:
    """重新办理: a closed appeal whose problem came back or was never solved goes to the same units again.
    ``actor`` :data:`~shanzhi.appeals.principals.CITIZEN` is the citizen (the portal checks the reopen window)."""
    appeal = lock_appeal(appeal)
    check("reopen", actor=actor, appeal=appeal)
    if appeal.appeal_type == AppealType.CONSULTATION or appeal.lead_unit_id is None:
        raise ValidationFailed(_("该诉求不能重新办理，请提交新的诉求"), code="reopen_not_allowed")
    _redo(actor=actor, appeal=appeal, reason=_require_text(reason, "reason_required", _("请说明仍未解决的问题")))
    appeal.closed_at = None
    _save(appeal)
    return appeal


@transaction.atomic
def appeal_rate_by_citizen(
    *,
    appeal: Appeal,
    rating: str,
    resolved: bool,
    comment: str = "",
    channel: str = FollowUpChannel.PORTAL,
    allow_redo: bool = True,
) -> str:
    """The citizen's own rating of the reply (portal, SMS). It counts as the follow-up: satisfied and resolved →
    closed; otherwise a redo round when ``allow_redo`` (inside the reopen window), else only recorded (the centre's
    follow-up call decides). Returns the outcome: "close", "redo" or "recorded"."""
    appeal = lock_appeal(appeal)
    check("follow_up", actor=CITIZEN, appeal=appeal)
    if rating not in Rating.values:
        raise ValidationFailed(_("请选择满意度评价"), code="rating_required")
    at = clock.now()
    comment = (comment or "").strip()[:500]
    FollowUp.objects.create(
        appeal=appeal,
        round=appeal.round,
        rating=rating,
        resolved=resolved,
        reached=True,
        note=comment,
        channel=channel,
        by=None,
        at=at,
    )
    outcome = rules.follow_up_outcome(rating=rating, resolved=resolved, reached=True)
    if outcome == "redo" and not allow_redo:
        outcome = "recorded"
    record_event(
        appeal=appeal,
        kind=EventKind.FOLLOWED_UP,
        at=at,
        actor=CITIZEN,
        reason=comment,
        payload={"rating": rating, "resolved": resolved, "reached": True, "outcome": outcome, "channel": channel},
    )
    appeal.rating, appeal.resolved = rating, resolved
    if outcome == "close":
        record_event(
            appeal=appeal,
            kind=EventKind.CLOSED,
            at=at,
            actor=CITIZEN,
            from_state=appeal.state,
            to_state=AppealState.CLOSED,
        )
        appeal.state = AppealState.CLOSED
        appeal.closed_at = at
    elif outcome == "redo":
        _redo(
            actor=CITIZEN,
            appeal=appeal,
            reason=f"市民评价{'不满意' if rating == Rating.DISSATISFIED else '未解决'}"
            + (f"：{comment}" if comment else ""),
        )
    _save(appeal)
    if outcome == "close":
        _notify(appeal, "closed")
    return outcome
