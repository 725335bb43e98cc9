"""Use cases of the loop 排、分、调、处、评. Each checks who may act and the case's state, writes in one transaction
and appends a :class:`~shanzhi.mediation.models.CaseEvent` (the timeline). Refusals are coded errors in Chinese;
personal data never appears in them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.events import record_event
from shanzhi.appeals.models import Appeal
from shanzhi.core import clock, pii
from shanzhi.core.errors import Conflict, PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.mediation import policy, rules
from shanzhi.mediation.models import (
    OPEN_CASE_STATES,
    Agreement,
    Appointment,
    AppointmentState,
    Case,
    CaseSource,
    CaseState,
    Committee,
    Domain,
    Evaluation,
    EventKind,
    FollowUp,
    Mediator,
    Party,
    PartyRole,
    Performance,
    RiskLevel,
    Satisfaction,
    ScreeningReport,
    Session,
    SessionState,
    Slot,
)
from shanzhi.mediation.schedules import statuses_on
from shanzhi.mediation.selectors import mediators_with_workload
from shanzhi.mediation.steps import case_actor_check, case_locked, event_append, need_text
from shanzhi.orgs import permissions
from shanzhi.orgs.models import Unit, User


@dataclass(frozen=True)
class PartyIn:
    role: str
    name: str
    phone: str = ""
    id_number: str = ""
    address: str = ""


# --- 排 screen -------------------------------------------------------------------------------------------------


def screening_report_file(
    *,
    actor: User,
    unit: Unit,
    period_start: dt.date,
    period_end: dt.date,
    domain: str,
    risk_level: str,
    summary: str,
    dispute_count: int = 1,
) -> ScreeningReport:
    """A grid worker or community files its periodic screening; a high risk grade raises an alert."""
    if not policy.may_file_screening(actor, unit_path=unit.path):
        raise PermissionDenied(_("只能为本人所在网格或社区填报排查"))
    if domain not in Domain.values:
        raise ValidationFailed(_("纠纷领域无效"), field="domain")
    if risk_level not in RiskLevel.values:
        raise ValidationFailed(_("风险等级无效"), field="risk_level")
    if period_end < period_start:
        raise ValidationFailed(_("排查期止不能早于排查期起"), field="period_end")
    if dispute_count < 0:
        raise ValidationFailed(_("排查纠纷数不能为负数"), field="dispute_count")
    summary = need_text(summary, field="summary", message=_("请填写排查情况"))
    return ScreeningReport.objects.create(
        unit=unit,
        reporter=actor,
        period_start=period_start,
        period_end=period_end,
        domain=domain,
        risk_level=risk_level,
        summary=summary,
        dispute_count=dispute_count,
        alert=rules.raises_alert(risk_level),
        created_at=clock.now(),
    )


# --- the case ---------------------------------------------------------------------------------------------------


def _party_clean(party: PartyIn) -> PartyIn:
    if party.role not in PartyRole.values:
        raise ValidationFailed(_("当事人身份无效"), field="parties")
    name = need_text(party.name, field="parties", message=_("请填写当事人姓名或名称"))
    phone = pii.normalize_phone(party.phone) if party.phone.strip() else ""
    if phone and not pii.citizen_phone_is_valid(phone):
        raise ValidationFailed(_("当事人联系电话格式不正确"), field="parties")
    id_number = party.id_number.strip().upper()
    if id_number and not pii.id_number_is_valid(id_number):
        raise ValidationFailed(_("当事人身份证号校验不通过"), field="parties")
    return PartyIn(party.role, name[:60], phone, id_number, party.address.strip()[:200])


def case_register(
    *,
    actor: User,
    source: str,
    unit: Unit,
    domain: str,
    title: str,
    facts: str,
    parties: list[PartyIn],
    amount: Decimal | None = None,
    risk_level: str = RiskLevel.LOW,
    appeal: Appeal | None = None,
    screening_report: ScreeningReport | None = None,
) -> Case:
    """Register a dispute case (纠纷案件) with its parties: at least one applicant and one respondent."""
    if not policy.may_work_cases(actor):
        raise PermissionDenied(_("只有调解员或中心派单员、领导可以登记纠纷案件"))
    if source not in CaseSource.values:
        raise ValidationFailed(_("案件来源无效"), field="source")
    if domain not in Domain.values:
        raise ValidationFailed(_("纠纷领域无效"), field="domain")
    if risk_level not in RiskLevel.values:
        raise ValidationFailed(_("风险等级无效"), field="risk_level")
    if amount is not None and amount < 0:
        raise ValidationFailed(_("涉及金额不能为负数"), field="amount")
    title = need_text(title, field="title", message=_("请填写案由"))[:120]
    facts = need_text(facts, field="facts", message=_("请填写纠纷事实与争议"))
    cleaned = [_party_clean(p) for p in parties]
    roles = {p.role for p in cleaned}
    if PartyRole.APPLICANT not in roles or PartyRole.RESPONDENT not in roles:
        raise ValidationFailed(_("至少需要一名申请人和一名被申请人"), field="parties")
    now = clock.now()
    with transaction.atomic():
        case = Case.objects.create(
            number=f"T-{uuid.uuid4().hex[:20]}",  # replaced by the number from the id just below
            source=source,
            appeal=appeal,
            screening_report=screening_report,
            unit=unit,
            domain=domain,
            title=title,
            facts=facts,
            amount=amount,
            risk_level=risk_level,
            created_by=actor,
            created_at=now,
            due_at=rules.case_due(now),
        )
        case.number = f"TJ{clock.local_date(now):%Y%m%d}-{case.pk:06d}"
        case.save(update_fields=["number"])
        Party.objects.bulk_create(
            Party(
                case=case,
                role=p.role,
                name=p.name,
                phone=p.phone,
                id_number_encrypted=pii.encrypt(p.id_number),
                address=p.address,
            )
            for p in cleaned
        )
        event_append(case, EventKind.REGISTERED, actor=actor, at=now, payload={"source": source, "number": case.number})
        if appeal is not None:
            record_event(
                appeal=appeal,
                kind="note",
                at=now,
                actor=actor,
                reason=f"转为矛盾纠纷调解案件 {case.number}",
                is_public=False,
                payload={"mediation_case": case.number, "mediation_case_id": case.pk},
            )
    return case


def case_from_screening(
    *,
    actor: User,
    report: ScreeningReport,
    title: str,
    facts: str,
    parties: list[PartyIn],
    amount: Decimal | None = None,
) -> Case:
    """A screening report's dispute taken up as a case (its area, domain and risk grade)."""
    return case_register(
        actor=actor,
        source=CaseSource.SCREENING,
        unit=report.unit,
        domain=report.domain,
        title=title,
        facts=facts or report.summary,
        parties=parties,
        amount=amount,
        risk_level=report.risk_level,
        screening_report=report,
    )


def case_from_appeal(*, actor: User, appeal: Appeal, domain: str, respondent: PartyIn, title: str = "") -> Case:
    """The appeal desk hands a dispute over: the citizen becomes the applicant; linked both ways."""
    if appeal.mediation_cases.exists():  # type: ignore[attr-defined]
        raise Conflict(_("该诉求已转为调解案件"), code="already_converted")
    if not rules.appeal_convertible(appeal.state):
        raise TransitionNotAllowed(_("已合并、不予受理或直接答复的诉求不能转调解"), code="appeal_not_convertible")
    unit = appeal.area or actor.unit
    if unit is None:
        raise ValidationFailed(_("诉求没有属地，请先补录地点"), field="area")
    applicant = PartyIn(PartyRole.APPLICANT, appeal.citizen_name or "匿名", appeal.citizen_phone)
    return case_register(
        actor=actor,
        source=CaseSource.APPEAL,
        unit=unit,
        domain=domain,
        title=title or appeal.title or appeal.content[:40],
        facts=appeal.content,
        parties=[applicant, respondent],
        appeal=appeal,
    )


# --- 分 assign ---------------------------------------------------------------------------------------------------


def case_assign(*, actor: User, case: Case, committee: Committee, mediator: Mediator | None = None) -> Case:
    """分: to a committee and a mediator; without one named, the rule picks by domain, workload and availability."""
    if not policy.may_assign(actor):
        raise PermissionDenied(_("您没有分派纠纷案件的权限"))
    case_actor_check(actor, case)
    if not committee.is_active:
        raise ValidationFailed(_("该调解委员会已停用"), field="committee")
    if mediator is not None and mediator.committee_id != committee.pk:
        raise ValidationFailed(_("调解员不属于所选调解委员会"), field="mediator")
    now = clock.now()
    with transaction.atomic():
        locked = case_locked(case, allowed=(CaseState.REGISTERED, CaseState.ASSIGNED))
        today = clock.local_date(now)
        if mediator is None:
            pool = list(mediators_with_workload(committee=committee))
            statuses = statuses_on(today, [m.pk for m in pool])  # the 值班表's entries of today
            candidates = [
                rules.MediatorCandidate(
                    m.pk,
                    tuple(m.domains or ()),
                    m.kind,
                    m.open_cases,  # type: ignore[attr-defined]
                    rules.mediator_on_duty(
                        kind=m.kind,
                        is_available=m.is_available,
                        duty_weekdays=m.duty_weekdays or (),
                        day=today,
                        status=statuses.get(m.pk, ""),
                    ),
                )
                for m in pool
            ]
            picked = rules.mediator_pick(candidates, domain=locked.domain)
            if picked is None:
                raise ValidationFailed(_("该调解委员会暂无可接案的调解员"), field="mediator")
            mediator = Mediator.objects.select_related("user").get(pk=picked)
        elif not mediator.is_available or statuses_on(today, [mediator.pk]).get(mediator.pk) == rules.LEAVE:
            raise ValidationFailed(_("该调解员暂不可接案"), field="mediator")
        before = locked.state
        locked.committee, locked.mediator, locked.state = committee, mediator, CaseState.ASSIGNED
        locked.save(update_fields=["committee", "mediator", "state"])
        event_append(
            locked,
            EventKind.ASSIGNED,
            actor=actor,
            at=now,
            from_state=before,
            note=f"{committee.name} · {mediator.user}",
            payload={"committee_id": committee.pk, "mediator_id": mediator.pk},
        )
    return locked


# --- 调 mediate -----------------------------------------------------------------------------------------------


def session_book(*, actor: User, case: Case, slot: Slot) -> Session:
    """调: book a session of ``case`` on ``slot``. Two bookings of one slot, however concurrent, give one session:
    the slot row is locked (case first, then slot: one fixed order) and the partial unique constraint backs it."""
    case_actor_check(actor, case)
    now = clock.now()
    if slot.starts_at < now:
        raise ValidationFailed(_("不能预约已过去的时段"), field="slot")
    with transaction.atomic():
        locked = case_locked(case, allowed=(CaseState.ASSIGNED, CaseState.SCHEDULED))
        locked_slot = Slot.objects.select_for_update().select_related("room").get(pk=slot.pk)
        if locked.committee_id and locked_slot.room.committee_id != locked.committee_id:
            raise ValidationFailed(_("请选择本案调解委员会的调解室"), field="slot")
        held_by_appointment = (
            Appointment.objects.filter(slot=locked_slot)
            .exclude(state=AppointmentState.CANCELLED)
            .exclude(case_id=locked.pk)  # the case's own accepted appointment keeps the slot for it
            .exists()
        )
        if (
            held_by_appointment
            or Session.objects.filter(slot=locked_slot).exclude(state=SessionState.CANCELLED).exists()
        ):
            raise Conflict(_("该时段已被预约，请选择其他时段"), code="slot_taken")
        try:
            with transaction.atomic():
                session = Session.objects.create(case=locked, slot=locked_slot, booked_by=actor, booked_at=now)
        except IntegrityError:
            raise Conflict(_("该时段已被预约，请选择其他时段"), code="slot_taken") from None
        before = locked.state
        locked.state = CaseState.SCHEDULED
        locked.save(update_fields=["state"])
        event_append(
            locked,
            EventKind.SESSION_BOOKED,
            actor=actor,
            at=now,
            from_state=before,
            note=f"{locked_slot.room} {locked_slot.starts_at.astimezone(clock.centre_tz()):%Y-%m-%d %H:%M}",
            payload={"session_id": session.pk, "slot_id": locked_slot.pk},
        )
    return session


def session_cancel(*, actor: User, session: Session, reason: str) -> Session:
    case_actor_check(actor, session.case)
    reason = need_text(reason, field="reason", message=_("请填写取消原因"))
    now = clock.now()
    with transaction.atomic():
        case = case_locked(session.case, allowed=(CaseState.SCHEDULED,))
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.state != SessionState.BOOKED:
            raise TransitionNotAllowed(_("只能取消已预约的调解"))
        locked.state = SessionState.CANCELLED
        locked.save(update_fields=["state"])
        before = case.state
        if not case.sessions.exclude(state=SessionState.CANCELLED).exists():
            case.state = CaseState.ASSIGNED
            case.save(update_fields=["state"])
        event_append(
            case,
            EventKind.SESSION_CANCELLED,
            actor=actor,
            at=now,
            from_state=before,
            note=reason,
            payload={"session_id": locked.pk},
        )
    return locked


def session_record(*, actor: User, session: Session, record: str) -> Session:
    """The session is held; its record (笔录) is taken."""
    case_actor_check(actor, session.case)
    record = need_text(record, field="record", message=_("请填写调解笔录"))
    now = clock.now()
    with transaction.atomic():
        case = case_locked(session.case, allowed=(CaseState.SCHEDULED,))
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.state != SessionState.BOOKED:
            raise TransitionNotAllowed(_("该场次不能记录笔录"))
        locked.state, locked.record, locked.held_at = SessionState.HELD, record, now
        locked.save(update_fields=["state", "record", "held_at"])
        event_append(
            case,
            EventKind.SESSION_HELD,
            actor=actor,
            at=now,
            from_state=case.state,
            note=record[:200],
            payload={"session_id": locked.pk},
        )
    return locked


# --- 处 resolve -------------------------------------------------------------------------------------------------


def agreement_make(
    *,
    actor: User,
    case: Case,
    terms: str,
    performance_method: str,
    performance_due: dt.date,
    performance_place: str = "",
    facts: str = "",
) -> Agreement:
    """处: the parties agree; the agreement (协议书) carries what the law requires. Needs a held session."""
    case_actor_check(actor, case)
    terms = need_text(terms, field="terms", message=_("请填写协议内容（当事人的权利义务）"))
    performance_method = need_text(performance_method, field="performance_method", message=_("请填写履行方式"))
    now = clock.now()
    today = clock.local_date(now)
    if performance_due < today:
        raise ValidationFailed(_("履行期限不能早于今天"), field="performance_due")
    with transaction.atomic():
        locked = case_locked(case, allowed=(CaseState.SCHEDULED,))
        if not locked.sessions.filter(state=SessionState.HELD).exists():
            raise TransitionNotAllowed(_("须先进行调解并记录笔录，才能制作协议书"), code="no_session_held")
        if locked.mediator_id is None or locked.committee_id is None:
            raise TransitionNotAllowed(_("案件尚未分派调解员"))
        agreement = Agreement.objects.create(
            case=locked,
            number=f"TMP-{locked.pk}",
            facts=(facts or "").strip() or locked.facts,
            terms=terms,
            performance_method=performance_method[:200],
            performance_place=performance_place.strip()[:200],
            performance_due=performance_due,
            signed_on=today,
            created_by=actor,
            created_at=now,
        )
        agreement.number = f"海调协字〔{today.year}〕第{agreement.pk:05d}号"
        agreement.save(update_fields=["number"])
        before = locked.state
        locked.state, locked.resolved_at = CaseState.AGREED, now
        locked.save(update_fields=["state", "resolved_at"])
        deadline = rules.judicial_confirmation_deadline(today)
        event_append(
            locked,
            EventKind.AGREEMENT,
            actor=actor,
            at=now,
            from_state=before,
            note=f"{agreement.number}；可于 {deadline:%Y-%m-%d} 前共同申请司法确认",
            payload={"agreement_id": agreement.pk, "judicial_confirmation_by": deadline.isoformat()},
        )
    return agreement


def case_refer(*, actor: User, case: Case, route: str, reason: str) -> Case:
    """处, when mediation fails: referral to litigation, arbitration or the administrative route, with the reason."""
    case_actor_check(actor, case)
    if route not in rules.REFERRAL_ROUTES:
        raise ValidationFailed(_("引导途径无效"), field="route")
    reason = need_text(reason, field="reason", message=_("请填写引导理由"))
    now = clock.now()
    with transaction.atomic():
        locked = case_locked(case, allowed=OPEN_CASE_STATES)
        before = locked.state
        locked.state, locked.resolved_at = CaseState.REFERRED, now
        locked.referral_route, locked.referral_reason = route, reason
        locked.save(update_fields=["state", "resolved_at", "referral_route", "referral_reason"])
        event_append(
            locked,
            EventKind.REFERRED,
            actor=actor,
            at=now,
            from_state=before,
            note=f"{rules.REFERRAL_ROUTES[route]}：{reason}",
            payload={"route": route},
        )
    return locked


# --- 评 evaluate -------------------------------------------------------------------------------------------------


def follow_up_record(*, actor: User, case: Case, performance: str, note: str) -> FollowUp:
    """回访: how the agreement is being performed."""
    case_actor_check(actor, case)
    if performance not in Performance.values:
        raise ValidationFailed(_("履行情况无效"), field="performance")
    note = need_text(note, field="note", message=_("请填写回访情况"))
    now = clock.now()
    with transaction.atomic():
        locked = case_locked(case, allowed=(CaseState.AGREED, CaseState.REFERRED, CaseState.FOLLOWED_UP))
        follow_up = FollowUp.objects.create(case=locked, performance=performance, note=note, by=actor, at=now)
        before = locked.state
        locked.state = CaseState.FOLLOWED_UP
        locked.save(update_fields=["state"])
        event_append(
            locked,
            EventKind.FOLLOWED_UP,
            actor=actor,
            at=now,
            from_state=before,
            note=f"{Performance(performance).label}：{note[:150]}",
            payload={"performance": performance},
        )
    return follow_up


def case_evaluate(*, actor: User, case: Case, satisfaction: str, review: str) -> Evaluation:
    """评: the parties' satisfaction and the supervisor's review; the case is closed."""
    if not policy.may_review(actor):
        raise PermissionDenied(_("只有中心领导、派单员或单位负责人可以评价结案"))
    scope = policy.case_scope_q(actor)
    if scope is not None and not Case.objects.filter(scope, pk=case.pk).exists():
        raise PermissionDenied(_("该案件不在您的管辖范围内"))
    if satisfaction not in Satisfaction.values:
        raise ValidationFailed(_("满意度无效"), field="satisfaction")
    review = need_text(review, field="review", message=_("请填写审核意见"))
    now = clock.now()
    with transaction.atomic():
        locked = case_locked(case, allowed=(CaseState.FOLLOWED_UP,))
        evaluation = Evaluation.objects.create(case=locked, satisfaction=satisfaction, review=review, by=actor, at=now)
        before = locked.state
        locked.state, locked.closed_at = CaseState.CLOSED, now
        locked.save(update_fields=["state", "closed_at"])
        event_append(
            locked,
            EventKind.EVALUATED,
            actor=actor,
            at=now,
            from_state=before,
            note=f"{Satisfaction(satisfaction).label}；{review[:150]}",
            payload={"satisfaction": satisfaction},
        )
    return evaluation


def may_reveal(user: User) -> bool:
    return permissions.may_view_personal_data(user)
