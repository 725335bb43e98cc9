"""Grid service days (网格服务日, scheduled with attendance) and the grid academy (网格学院: courses, attendance and
assessment). Service days are kept by those who keep the grid's team; courses by the centre's administrators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shanzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from shanzhi.grid.models import Course, CourseRecord, GridMember, ServiceDay, ServiceDayAttendance
from shanzhi.grid.selectors import grids_visible_to
from shanzhi.grid.teams import may_manage_team
from shanzhi.orgs.models import Role, Unit, UnitKind, User
from shanzhi.orgs.permissions import may_administer, sees_everything


def service_days_visible_to(user: User) -> QuerySet[ServiceDay]:
    qs = ServiceDay.objects.select_related("grid")
    return qs if sees_everything(user) else qs.filter(grid__in=grids_visible_to(user))


@transaction.atomic
def service_day_schedule(*, actor: User, grid: Unit, title: str, starts_at: dt.datetime, place: str = "") -> ServiceDay:
    if grid.kind != UnitKind.GRID or not grids_visible_to(actor).filter(pk=grid.pk).exists():
        raise NotFound()
    if not may_manage_team(actor, grid):
        raise PermissionDenied(_("您不能安排该网格的服务日"), code="not_team_manager")
    title = title.strip()[:100]
    if not title:
        raise ValidationFailed(_("请填写服务日主题"), code="title_required")
    return ServiceDay.objects.create(
        grid=grid, grid_path=grid.path, title=title, place=place.strip()[:200], starts_at=starts_at, created_by=actor
    )


@transaction.atomic
def service_day_record(
    *, actor: User, service_day_id: int, attended: Mapping[int, bool], residents_served: int = 0
) -> ServiceDay:
    """Attendance of the grid's team members (member id → attended) and how many residents were served."""
    day = service_days_visible_to(actor).select_for_update(of=("self",)).filter(pk=service_day_id).first()
    if day is None:
        raise NotFound()
    if not may_manage_team(actor, day.grid):
        raise PermissionDenied(_("您不能登记该网格服务日的出勤"), code="not_team_manager")
    members = {m.pk: m for m in GridMember.objects.filter(grid=day.grid, pk__in=list(attended))}
    if set(attended) - set(members):
        raise ValidationFailed(_("出勤名单中有不属于本网格服务队的人员"), code="not_a_team_member")
    if residents_served < 0:
        raise ValidationFailed(_("服务人次不能为负数"), code="invalid_count")
    for member_id, present in attended.items():
        ServiceDayAttendance.objects.update_or_create(
            service_day=day, member=members[member_id], defaults={"attended": bool(present)}
        )
    day.residents_served = residents_served
    day.save(update_fields=["residents_served"])
    return day


@transaction.atomic
def course_record(
    *, actor: User, course: Course, worker: User, attended: bool, score: int | None = None
) -> CourseRecord:
    """A grid worker's attendance and assessment in a course (the centre's administrators keep the academy)."""
    if not may_administer(actor):
        raise PermissionDenied(_("只有系统管理员可以登记培训记录"), code="not_admin")
    if not worker.has_role(Role.GRID_WORKER):
        raise ValidationFailed(_("只能为网格员登记培训记录"), code="not_a_grid_worker")
    if score is not None and not 0 <= score <= 100:
        raise ValidationFailed(_("考核成绩须在 0 到 100 之间"), code="invalid_score")
    if score is not None and not attended:
        raise ValidationFailed(_("未出席的学员不能有考核成绩"), code="score_without_attendance")
    record, _created = CourseRecord.objects.update_or_create(
        course=course, worker=worker, defaults={"attended": attended, "score": score}
    )
    return record


def course_records_visible_to(user: User) -> QuerySet[CourseRecord]:
    """The centre sees every record; a territorial unit its grids' workers'; a worker their own."""
    qs = CourseRecord.objects.select_related("course", "worker")
    if sees_everything(user):
        return qs
    return qs.filter(worker__unit__in=grids_visible_to(user))
