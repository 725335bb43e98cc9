"""Reads of the grid's field work, always through the viewer's scope (the centre sees every grid; a territorial
unit its own grids; a grid worker their grid; a department none)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from shanzhi.appeals.models import Appeal, AppealState, Channel
from shanzhi.appeals.selectors import appeals_visible_to
from shanzhi.grid import rules
from shanzhi.grid.models import GridReport, Patrol, PatrolState, Verification
from shanzhi.orgs.models import Unit, UnitKind, User
from shanzhi.orgs.permissions import (
    is_active_staff,
    is_territorial_staff,
    report_unit_ids,
    sees_everything,
    subtree_q,
)


def _path_scope(user: User, field: str) -> Q | None:
    """None: everything. A Q on a materialised grid path otherwise (no rows for departments and strangers)."""
    if sees_everything(user):
        return None
    if not is_active_staff(user) or not is_territorial_staff(user):
        return Q(pk__in=[])
    return subtree_q(user, field)


def grids_visible_to(user: User) -> QuerySet[Unit]:
    qs = Unit.objects.filter(kind=UnitKind.GRID, is_active=True)
    scope = _path_scope(user, "path")
    return (qs if scope is None else qs.filter(scope)).order_by("code")


def patrols_visible_to(user: User) -> QuerySet[Patrol]:
    qs = Patrol.objects.select_related("grid", "worker")
    scope = _path_scope(user, "grid_path")
    return qs if scope is None else qs.filter(scope)


def reports_visible_to(user: User) -> QuerySet[GridReport]:
    qs = GridReport.objects.select_related("grid", "worker", "appeal")
    scope = _path_scope(user, "grid_path")
    return qs if scope is None else qs.filter(scope)


def verifications_visible_to(user: User) -> QuerySet[Verification]:
    qs = Verification.objects.select_related("grid", "worker", "appeal")
    scope = _path_scope(user, "grid_path")
    return qs if scope is None else qs.filter(scope)


def ongoing_patrol(user: User) -> Patrol | None:
    return Patrol.objects.filter(worker=user, state=PatrolState.ONGOING).order_by("-started_at").first()


def appeals_to_verify(user: User, grid: Unit) -> QuerySet[Appeal]:
    """Problems in ``grid`` that the unit has fed back on and nobody has verified in this round yet."""
    verified = Verification.objects.filter(appeal=OuterRef("pk"), round=OuterRef("round"), passed=True)
    return (
        appeals_visible_to(user)
        .filter(
            area_path__startswith=grid.path,
            channel=Channel.GRID,
            state__in=[AppealState.FEEDBACK, AppealState.REPLIED],
        )
        .exclude(Exists(verified))
        .select_related("lead_unit")
        .order_by("created_at")
    )


@dataclass(frozen=True)
class GridFigures:
    code: str
    name: str
    patrols: int
    patrol_days: int
    checkins: int
    reports: int
    verified: int
    verified_failed: int
    timely: int

    @property
    def timeliness(self) -> float | None:
        return rules.rate(self.timely, self.verified + self.verified_failed)


@dataclass(frozen=True)
class GridKpis:
    start: dt.datetime
    end: dt.datetime
    grids: list[GridFigures]

    @property
    def grid_count(self) -> int:
        return len(self.grids)

    @property
    def patrolled(self) -> int:
        return sum(1 for g in self.grids if g.patrols)

    @property
    def coverage(self) -> float | None:
        """Patrol coverage: the share of grids walked at least once in the period."""
        return rules.rate(self.patrolled, self.grid_count)

    @property
    def reports(self) -> int:
        return sum(g.reports for g in self.grids)

    @property
    def verified(self) -> int:
        return sum(g.verified for g in self.grids)

    @property
    def verified_failed(self) -> int:
        return sum(g.verified_failed for g in self.grids)

    @property
    def timeliness(self) -> float | None:
        return rules.rate(sum(g.timely for g in self.grids), self.verified + self.verified_failed)


def grid_kpis(*, grids: QuerySet[Unit], start: dt.datetime, end: dt.datetime) -> GridKpis:
    """Per grid in ``grids``, over [start, end): patrols, days with a patrol, check-ins, reports, verifications
    passed and failed, verifications within 48 h of the unit's feedback."""
    units = list(grids.values_list("id", "code", "name"))
    ids = [u[0] for u in units]
    patrols: dict[int, dict[str, int]] = {
        row["grid"]: {"n": row["n"], "n_checkins": row["n_checkins"]}
        for row in Patrol.objects.filter(grid_id__in=ids, started_at__gte=start, started_at__lt=end)
        .values("grid")
        .annotate(n=Count("id", distinct=True), n_checkins=Count("checkins"))
    }
    days: dict[int, set[dt.date]] = {}
    for grid_id, started in Patrol.objects.filter(
        grid_id__in=ids, started_at__gte=start, started_at__lt=end
    ).values_list("grid_id", "started_at"):
        days.setdefault(grid_id, set()).add(timezone.localdate(started))
    reports = dict(
        GridReport.objects.filter(grid_id__in=ids, at__gte=start, at__lt=end)
        .values("grid")
        .annotate(n=Count("id"))
        .values_list("grid", "n")
    )
    passed: dict[int, int] = {}
    failed: dict[int, int] = {}
    timely: dict[int, int] = {}
    for grid_id, ok, feedback_at, at in Verification.objects.filter(
        grid_id__in=ids, at__gte=start, at__lt=end
    ).values_list("grid_id", "passed", "feedback_at", "at"):
        target = passed if ok else failed
        target[grid_id] = target.get(grid_id, 0) + 1
        if rules.is_timely(feedback_at=feedback_at, verified_at=at):
            timely[grid_id] = timely.get(grid_id, 0) + 1
    figures = []
    for grid_id, code, name in units:
        p = patrols.get(grid_id, {})
        figures.append(
            GridFigures(
                code=code,
                name=name,
                patrols=int(p.get("n", 0)),
                patrol_days=len(days.get(grid_id, ())),
                checkins=int(p.get("n_checkins", 0)),
                reports=int(reports.get(grid_id, 0)),
                verified=passed.get(grid_id, 0),
                verified_failed=failed.get(grid_id, 0),
                timely=timely.get(grid_id, 0),
            )
        )
    return GridKpis(start=start, end=end, grids=figures)


def period_bounds(start: dt.date | None, end: dt.date | None) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in the centre's time zone; by default the current month so far."""
    today = timezone.localdate()
    first = start or today.replace(day=1)
    last = end or today
    if last < first:
        first, last = last, first
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return since, until


def may_view_grid_overview(user: User) -> bool:
    """The console's grid overview: whoever gets report figures (the centre, territorial units) and sees grids."""
    unit_ids = report_unit_ids(user)
    return unit_ids is None or (bool(unit_ids) and is_territorial_staff(user))
