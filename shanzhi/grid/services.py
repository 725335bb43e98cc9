"""The grid worker's use cases: patrols and check-ins, problems reported from the field, verification of fixes.

Every call carries the phone's idempotency key (``client_key``): a submission that arrives a second time (the phone
queued it offline, sent it, lost the answer and sent it again) returns what the first one stored and changes
nothing. Bad input is a coded error in Chinese and nothing is written (one transaction per call).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.attachments import attachment_add
from shanzhi.appeals.events import record_event
from shanzhi.appeals.guards import lock_appeal
from shanzhi.appeals.models import Appeal, AppealEvent, Channel, EventKind
from shanzhi.appeals.principals import SYSTEM_GRID_VERIFICATION
from shanzhi.appeals.selectors import appeal_get
from shanzhi.appeals.services import appeal_intake, appeal_redo, appeal_reopen
from shanzhi.core import clock, pii
from shanzhi.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.grid import rules
from shanzhi.grid.models import CheckIn, GridReport, Patrol, PatrolState, Verification
from shanzhi.orgs.models import Boundary, Role, Unit, UnitKind, User
from shanzhi.places.geometry import Area, geometry_from_geojson
from shanzhi.places.services import location_resolve

MAX_PHOTOS = 3


@dataclass(frozen=True)
class Stored[T]:
    """What a submission stored, and whether this call stored it (False: a repeat of an earlier submission)."""

    value: T
    created: bool


# --- who the worker is and where ------------------------------------------------------------------------------


def worker_grid(user: User) -> Unit:
    """The grid ``user`` works in: a grid worker whose unit is an active grid, else a coded refusal."""
    if not (user.is_authenticated and user.is_active and user.has_role(Role.GRID_WORKER)):
        raise PermissionDenied(_("只有网格员可以执行此操作"), code="not_a_grid_worker")
    unit = user.unit
    if unit is None or unit.kind != UnitKind.GRID or not unit.is_active:
        raise PermissionDenied(_("您的所属单位不是网格，请联系管理员"), code="no_grid")
    return unit


def grid_area(grid: Unit) -> Area | None:
    boundary = Boundary.objects.filter(unit=grid, is_current=True).order_by("-version").first()
    return Area(geometry_from_geojson(boundary.geojson)) if boundary else None


def grid_boundary_version(grid: Unit) -> int | None:
    return (
        Boundary.objects.filter(unit=grid, is_current=True)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )


def _checked(client_key: str, made_at: dt.datetime) -> dt.datetime:
    if not rules.key_is_valid(client_key):
        raise ValidationFailed(_("提交缺少有效的幂等键"), code="invalid_client_key")
    if timezone.is_naive(made_at):  # a phone that sent local time without its offset: the centre's time zone
        made_at = timezone.make_aware(made_at, clock.centre_tz())
    problem = rules.submission_time_problem(made_at=made_at, now=clock.now())
    if problem == "time_in_future":
        raise ValidationFailed(_("提交时间晚于当前时间，请校准手机时间"), code=problem)
    if problem == "submission_too_old":
        raise ValidationFailed(_("该条离线记录已超过 7 天，请重新填报"), code=problem)
    return made_at


def _once[M: models.Model](model: type[M], worker: User, client_key: str, create: Callable[[], M]) -> Stored[M]:
    """The row stored under (worker, client_key), or the one ``create`` makes (in a savepoint, so a concurrent
    duplicate that wins the race is found instead of failing the caller's transaction)."""
    found = model._default_manager.filter(worker=worker, client_key=client_key).first()
    if found is not None:
        return Stored(found, created=False)
    try:
        with transaction.atomic():
            return Stored(create(), created=True)
    except IntegrityError:
        found = model._default_manager.filter(worker=worker, client_key=client_key).first()
        if found is None:
            raise
        return Stored(found, created=False)


def _patrol_by_key(worker: User, patrol_key: str) -> Patrol:
    patrol = Patrol.objects.select_for_update().filter(worker=worker, client_key=patrol_key).first()
    if patrol is None:
        raise NotFound(_("找不到这次巡查，请先开始巡查"), code="unknown_patrol")
    return patrol


# --- patrols --------------------------------------------------------------------------------------------------


@transaction.atomic
def patrol_start(*, actor: User, client_key: str, made_at: dt.datetime, note: str = "") -> Stored[Patrol]:
    """开始巡查. A patrol still open from before is finished at this patrol's start."""
    grid = worker_grid(actor)
    found = Patrol.objects.filter(worker=actor, client_key=client_key).first()
    if found is not None:
        return Stored(found, created=False)
    made_at = _checked(client_key, made_at)

    def create() -> Patrol:
        for open_patrol in Patrol.objects.select_for_update().filter(worker=actor, state=PatrolState.ONGOING):
            open_patrol.state = PatrolState.FINISHED
            open_patrol.ended_at = max(made_at, open_patrol.started_at)
            open_patrol.save(update_fields=["state", "ended_at"])
        return Patrol.objects.create(
            worker=actor,
            grid=grid,
            grid_path=grid.path,
            started_at=made_at,
            note=note.strip()[:500],
            client_key=client_key,
        )

    return _once(Patrol, actor, client_key, create)


@transaction.atomic
def patrol_check_in(
    *,
    actor: User,
    client_key: str,
    patrol_key: str,
    made_at: dt.datetime,
    longitude: float,
    latitude: float,
    note: str = "",
) -> Stored[CheckIn]:
    """巡查打卡: a point of the route. Outside the grid is recorded as such, not refused (the worker may have to
    walk round)."""
    grid = worker_grid(actor)
    found = CheckIn.objects.filter(worker=actor, client_key=client_key).first()
    if found is not None:
        return Stored(found, created=False)
    made_at = _checked(client_key, made_at)
    patrol = _patrol_by_key(actor, patrol_key)
    found = CheckIn.objects.filter(worker=actor, client_key=client_key).first()  # again, under the patrol's lock
    if found is not None:
        return Stored(found, created=False)
    if patrol.state != PatrolState.ONGOING:
        raise TransitionNotAllowed(_("这次巡查已结束，不能再打卡"), code="patrol_finished")
    if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        raise ValidationFailed(_("坐标不在有效范围内"), code="invalid_coordinates")
    area = grid_area(grid)
    inside = area.covers(longitude, latitude) if area is not None else True

    def create() -> CheckIn:
        checkin = CheckIn.objects.create(
            patrol=patrol,
            worker=actor,
            at=made_at,
            longitude=longitude,
            latitude=latitude,
            inside_grid=inside,
            note=note.strip()[:300],
            client_key=client_key,
        )
        points = list(patrol.checkins.order_by("at", "id").values_list("longitude", "latitude"))
        patrol.distance_m = round(rules.route_length_m(points), 1)
        patrol.checkin_count = len(points)
        patrol.save(update_fields=["distance_m", "checkin_count"])
        return checkin

    return _once(CheckIn, actor, client_key, create)


@transaction.atomic
def patrol_finish(*, actor: User, patrol_key: str, made_at: dt.datetime, note: str = "") -> Patrol:
    """结束巡查 (finishing twice changes nothing: the first end stands)."""
    worker_grid(actor)
    patrol = _patrol_by_key(actor, patrol_key)
    if patrol.state == PatrolState.FINISHED:
        return patrol
    _checked(patrol_key, made_at)
    patrol.state = PatrolState.FINISHED
    patrol.ended_at = max(made_at, patrol.started_at)
    if note.strip():
        patrol.note = note.strip()[:500]
    patrol.save(update_fields=["state", "ended_at", "note"])
    return patrol


# --- reporting a problem --------------------------------------------------------------------------------------


@transaction.atomic
def grid_report_make(
    *,
    actor: User,
    client_key: str,
    made_at: dt.datetime,
    content: str,
    title: str = "",
    category: int | str | None = None,
    longitude: float | None = None,
    latitude: float | None = None,
    address: str = "",
    patrol_key: str = "",
    photos: Sequence[bytes] = (),
) -> Stored[GridReport]:
    """问题上报: the problem becomes an appeal through the desk's one intake (channel ``grid``), routed and
    dispatched like any other; the report keeps who, which grid (and its boundary version) and which patrol."""
    grid = worker_grid(actor)
    found = GridReport.objects.filter(worker=actor, client_key=client_key).select_related("appeal").first()
    if found is not None:
        return Stored(found, created=False)
    made_at = _checked(client_key, made_at)
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(_("每次上报最多 3 张照片"), code="too_many_photos")
    if (longitude is None) != (latitude is None):
        raise ValidationFailed(_("经度和纬度须同时填写"), code="invalid_coordinates")
    if longitude is not None and latitude is not None:
        location = location_resolve(longitude=longitude, latitude=latitude)
        if location.grid is None or location.grid.pk != grid.pk:
            raise ValidationFailed(_("该位置不在您负责的网格内"), code="outside_your_grid")
    patrol = Patrol.objects.filter(worker=actor, client_key=patrol_key).first() if patrol_key else None
    phone = pii.normalize_phone(actor.phone) if actor.phone else ""
    result = appeal_intake(
        actor=actor,
        idempotency_key=f"grid:{client_key}",
        channel=Channel.GRID,
        content=content,
        title=title,
        category=category or None,
        longitude=longitude,
        latitude=latitude,
        address=address,
        area=None if longitude is not None else grid,
        citizen_name=f"网格员 {actor.display_name or actor.username}"[:50],
        citizen_phone=phone if phone and pii.citizen_phone_is_valid(phone) else "",
    )
    appeal = result.appeal
    if result.created:
        for n, data in enumerate(photos, start=1):
            attachment_add(actor=actor, appeal=appeal, upload=io.BytesIO(data), name=f"现场照片{n}")

    def create() -> GridReport:
        return GridReport.objects.create(
            appeal=appeal,
            worker=actor,
            grid=grid,
            grid_path=grid.path,
            patrol=patrol,
            boundary_version=grid_boundary_version(grid),
            at=made_at,
            client_key=client_key,
        )

    return _once(GridReport, actor, client_key, create)


# --- verification of the fix ----------------------------------------------------------------------------------


def _last_feedback_at(appeal: Appeal) -> dt.datetime | None:
    return (
        AppealEvent.objects.filter(appeal=appeal, kind=EventKind.FEEDBACK)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


@transaction.atomic
def verification_record(
    *,
    actor: User,
    client_key: str,
    made_at: dt.datetime,
    appeal_key: int | str,
    passed: bool,
    note: str = "",
    photo: bytes | None = None,
) -> Stored[Verification]:
    """核查: the worker checks on the spot that the problem is fixed. Passed: noted in the appeal's history. Failed:
    the appeal goes back to the same units (重办; 重新办理 if it was already closed)."""
    grid = worker_grid(actor)
    found = Verification.objects.filter(worker=actor, client_key=client_key).first()
    if found is not None:
        return Stored(found, created=False)
    made_at = _checked(client_key, made_at)
    visible = appeal_get(user=actor, key=appeal_key)
    if not visible.area_path.startswith(grid.path):
        raise NotFound()
    appeal = lock_appeal(visible)
    found = Verification.objects.filter(worker=actor, client_key=client_key).first()  # again, under the lock
    if found is not None:
        return Stored(found, created=False)
    action = rules.verification_fail_action(appeal.state)
    if action is None:
        raise TransitionNotAllowed(
            _("诉求当前为“%(state)s”，承办单位反馈后才能核查") % {"state": appeal.get_state_display()},
            code="not_verifiable",
        )
    if Verification.objects.filter(appeal=appeal, round=appeal.round, passed=True).exists():
        raise TransitionNotAllowed(_("本轮办理已核查通过"), code="already_verified")
    note = note.strip()[:500]
    if not passed and not note:
        raise ValidationFailed(_("核查未通过时请说明现场情况"), code="note_required")
    attachment = (
        attachment_add(actor=actor, appeal=appeal, upload=io.BytesIO(photo), name="核查照片", is_public=False)
        if photo
        else None
    )
    at = clock.now()
    state, round_no = appeal.state, appeal.round
    record_event(
        appeal=appeal,
        kind=EventKind.NOTE,
        at=at,
        actor=actor,
        reason=f"网格员核查{'通过' if passed else '未通过'}" + (f"：{note}" if note else ""),
        payload={"grid_verification": "passed" if passed else "failed", "round": round_no},
        is_public=False,
    )
    if not passed:
        reason = f"网格员现场核查未通过：{note}"
        if action == "redo":
            appeal_redo(actor=SYSTEM_GRID_VERIFICATION, appeal=appeal, reason=reason)
        else:
            appeal_reopen(actor=SYSTEM_GRID_VERIFICATION, appeal=appeal, reason=reason)

    def create() -> Verification:
        return Verification.objects.create(
            appeal=appeal,
            worker=actor,
            grid=grid,
            grid_path=grid.path,
            round=round_no,
            passed=passed,
            note=note,
            photo=attachment,
            appeal_state=state,
            feedback_at=_last_feedback_at(appeal),
            at=made_at,
            client_key=client_key,
        )

    return _once(Verification, actor, client_key, create)
