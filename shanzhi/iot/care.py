"""The opt-in care rule for residents living alone (独居关爱).

A resident (or their guardian) agrees to be watched over by the compound's access gates; the grid worker or the
community records the consent (:func:`care_enrol`). From then on the ingest notes the time of each passage of that
resident only — recognised by the keyed hash of the access system's person id, which is never stored raw, and
nobody else's passages are looked up. When no entry or exit has been seen for the resident's number of days
(:func:`shanzhi.iot.rules.care_visit_due`), the hourly sweep gives the grid worker of the resident's grid a visit
task (:func:`care_sweep`). The resident may withdraw at any time (:func:`care_withdraw`); names and phone numbers
are shown masked, and every enrolment, withdrawal and visit is in the audit log without them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shanzhi.core import clock, pii
from shanzhi.core.audit import audit_record
from shanzhi.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.grid.models import GridMember, MemberRole
from shanzhi.iot import rules
from shanzhi.iot.models import CareConsentMethod, CareEnrolment, CareTaskState, CareVisitTask
from shanzhi.orgs.models import Unit, UnitKind, User
from shanzhi.orgs.permissions import (
    holds,
    in_subtree,
    is_active_staff,
    is_territorial_staff,
    sees_everything,
    subtree_q,
)
from shanzhi.places.models import AddressLevel, StandardAddress

CARE_ROLES = ("grid_worker", "handler", "unit_head", "leader", "admin")


def _scope(user: User, field: str) -> Q | None:
    if sees_everything(user):
        return None
    if not is_active_staff(user) or not is_territorial_staff(user):
        return Q(pk__in=[])
    return subtree_q(user, field)


def enrolments_visible_to(user: User) -> QuerySet[CareEnrolment]:
    qs = CareEnrolment.objects.select_related("grid", "compound")
    condition = _scope(user, "grid__path")
    return qs if condition is None else qs.filter(condition)


def tasks_visible_to(user: User) -> QuerySet[CareVisitTask]:
    qs = CareVisitTask.objects.select_related("enrolment", "grid", "assignee")
    condition = _scope(user, "grid__path")
    return qs if condition is None else qs.filter(condition)


@dataclass(frozen=True)
class MaskedResident:
    """What a screen shows of a resident under care: masked (the full data is for the visit itself)."""

    name: str
    phone: str
    address: str


def masked(enrolment: CareEnrolment) -> MaskedResident:
    return MaskedResident(
        pii.mask_name(enrolment.resident_name),
        pii.mask_phone(enrolment.resident_phone),
        pii.mask_address(enrolment.address),
    )


def may_care(user: User, grid: Unit) -> bool:
    return (
        is_active_staff(user)
        and holds(user, CARE_ROLES)
        and (sees_everything(user) or in_subtree(grid.path, unit=user.unit))
    )


@transaction.atomic
def care_enrol(
    *,
    actor: User,
    grid: Unit,
    resident_name: str,
    credential: str,
    consent_method: str,
    resident_phone: str = "",
    address: str = "",
    quiet_days: int = 3,
    consent_note: str = "",
    compound: StandardAddress | None = None,
) -> CareEnrolment:
    """登记关爱对象, with the consent: who agreed, how, recorded by whom and when."""
    if not may_care(actor, grid):
        raise PermissionDenied(_("您不能登记该网格的关爱对象"), code="iot_may_not_enrol")
    if grid.kind != UnitKind.GRID:
        raise ValidationFailed(_("关爱对象须登记在网格下"), code="iot_grid_required")
    if consent_method not in CareConsentMethod.values:
        raise ValidationFailed(_("须记录本人或监护人的同意方式"), code="iot_care_consent_required")
    name = (resident_name or "").strip()
    if not name or len(name) > 50:
        raise ValidationFailed(_("请填写关爱对象姓名"), code="iot_care_name_required")
    phone = pii.normalize_phone(resident_phone or "")
    if phone and not pii.phone_is_valid(phone):
        raise ValidationFailed(_("联系电话格式不正确"), code="invalid_phone")
    credential = (credential or "").strip()
    if not credential or len(credential) > 64:
        raise ValidationFailed(_("请填写门禁系统中的人员编号"), code="iot_care_credential_required")
    low, high = rules.CARE_QUIET_DAYS
    if not low <= quiet_days <= high:
        raise ValidationFailed(
            _("未出入天数须在 %(low)s 到 %(high)s 天之间") % {"low": low, "high": high}, code="iot_care_quiet_days"
        )
    if compound is not None and compound.level != AddressLevel.COMPOUND:
        raise ValidationFailed(_("请选择小区级标准地址"), code="iot_compound_required")
    credential_hash = pii.blind_index(credential)
    if CareEnrolment.objects.filter(credential_hash=credential_hash, is_active=True).exists():
        raise ValidationFailed(_("该人员已在关爱名单中"), code="iot_care_duplicate")
    now = clock.now()
    enrolment = CareEnrolment.objects.create(
        grid=grid,
        compound=compound,
        resident_name=name,
        resident_phone=phone,
        address=(address or "").strip()[:200],
        credential_hash=credential_hash,
        quiet_days=quiet_days,
        consent_method=consent_method,
        consent_note=(consent_note or "").strip()[:200],
        consent_at=now,
        consent_recorded_by=actor,
    )
    audit_record(
        "iot.care_enrol",
        actor=actor,
        subject_type="iot.careenrolment",
        subject_id=enrolment.pk,
        detail={"grid": grid.code, "consent": consent_method, "quiet_days": quiet_days},
    )
    return enrolment


@transaction.atomic
def care_withdraw(*, actor: User, enrolment_id: int, note: str = "") -> CareEnrolment:
    """退出关爱 (the resident no longer wishes it, moved, or died): the gates stop looking for them."""
    enrolment = enrolments_visible_to(actor).filter(pk=enrolment_id).first()
    if enrolment is None:
        raise NotFound()
    if not may_care(actor, enrolment.grid):
        raise PermissionDenied(_("您不能变更该关爱对象"), code="iot_may_not_enrol")
    if not enrolment.is_active:
        raise TransitionNotAllowed(_("该对象已退出关爱"), code="iot_care_withdrawn")
    enrolment.is_active, enrolment.withdrawn_at = False, clock.now()
    enrolment.save(update_fields=["is_active", "withdrawn_at"])
    audit_record(
        "iot.care_withdraw",
        actor=actor,
        subject_type="iot.careenrolment",
        subject_id=enrolment.pk,
        detail={"note": (note or "").strip()[:100]},
    )
    return enrolment


def passages_record(passages: Iterable[tuple[str, dt.datetime]]) -> int:
    """From the ingest: (person id, time) of access passages. Only residents under care are matched; returns how
    many enrolments saw a passage."""
    latest: dict[str, dt.datetime] = {}
    for holder, at in passages:
        key = pii.blind_index(holder)
        if key and (key not in latest or at > latest[key]):
            latest[key] = at
    if not latest:
        return 0
    touched = 0
    rows = CareEnrolment.objects.filter(is_active=True, credential_hash__in=list(latest)).only(
        "pk", "credential_hash", "last_passage_at"
    )
    for enrolment in rows:
        at = latest[enrolment.credential_hash]
        if enrolment.last_passage_at is None or at > enrolment.last_passage_at:
            CareEnrolment.objects.filter(pk=enrolment.pk).update(last_passage_at=at)
            touched += 1
    return touched


def grid_worker_of(grid: Unit) -> User | None:
    """The grid's own worker: the grid head or a full-time member with an account, else a grid worker of the unit."""
    member = (
        GridMember.objects.filter(
            grid=grid,
            is_active=True,
            user__isnull=False,
            user__is_active=True,
            role__in=[MemberRole.HEAD, MemberRole.FULL_TIME],
        )
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )
    if member is not None and member.user is not None:
        return member.user
    return User.objects.filter(unit=grid, is_active=True, groups__name="grid_worker").order_by("pk").first()


def care_sweep(*, now: dt.datetime | None = None) -> int:
    """A visit task for every resident under care whom the gates have not seen for their number of days."""
    now = now or clock.now()
    created = 0
    open_task = CareVisitTask.objects.filter(enrolment=OuterRef("pk"), state=CareTaskState.OPEN)
    candidates = (
        CareEnrolment.objects.filter(is_active=True)
        .annotate(has_open=Exists(open_task))
        .filter(has_open=False)
        .select_related("grid")
        .order_by("pk")
    )
    workers: dict[int, User | None] = {}
    for enrolment in candidates.iterator(chunk_size=500):
        if not rules.care_visit_due(
            now=now,
            enrolled_at=enrolment.consent_at,
            last_passage_at=enrolment.last_passage_at,
            last_task_at=enrolment.last_task_at,
            quiet_days=enrolment.quiet_days,
        ):
            continue
        if enrolment.grid_id not in workers:
            workers[enrolment.grid_id] = grid_worker_of(enrolment.grid)
        if _task_create(enrolment, assignee=workers[enrolment.grid_id], now=now):
            created += 1
    return created


@transaction.atomic
def _task_create(enrolment: CareEnrolment, *, assignee: User | None, now: dt.datetime) -> bool:
    locked = CareEnrolment.objects.select_for_update().get(pk=enrolment.pk)
    if not locked.is_active or locked.tasks.filter(state=CareTaskState.OPEN).exists():
        return False
    since = rules.care_quiet_since(
        enrolled_at=locked.consent_at, last_passage_at=locked.last_passage_at, last_task_at=locked.last_task_at
    )
    CareVisitTask.objects.create(
        enrolment=locked, grid_id=locked.grid_id, assignee=assignee, created_at=now, quiet_since=since
    )
    locked.last_task_at = now
    locked.save(update_fields=["last_task_at"])
    return True


@transaction.atomic
def care_task_done(*, actor: User, task_id: int, outcome: str) -> CareVisitTask:
    """走访完成: the worker records how the resident is (no personal detail beyond what the visit needs)."""
    task = tasks_visible_to(actor).filter(pk=task_id).first()
    if task is None:
        raise NotFound()
    task = CareVisitTask.objects.select_for_update().select_related("grid").get(pk=task.pk)
    if task.state != CareTaskState.OPEN:
        raise TransitionNotAllowed(_("该走访任务已完成"), code="iot_care_task_done")
    if task.assignee_id != actor.pk and not may_care(actor, task.grid):
        raise PermissionDenied(_("您不能处理该走访任务"), code="iot_may_not_visit")
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationFailed(_("请填写走访情况"), code="iot_care_outcome_required")
    task.state, task.done_at, task.done_by, task.outcome = CareTaskState.DONE, clock.now(), actor, outcome[:300]
    task.save(update_fields=["state", "done_at", "done_by", "outcome"])
    audit_record("iot.care_visit", actor=actor, subject_type="iot.carevisittask", subject_id=task.pk)
    return task
