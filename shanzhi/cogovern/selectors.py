"""Reads of co-governance, always in the reader's scope (:mod:`shanzhi.cogovern.access`): a community's staff see
their community only, a town its communities, the centre all. The portal's reads show what is public and what
the resident posted; personal data leaves here masked unless the caller logged a full view."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from shanzhi.cogovern import access, rules
from shanzhi.cogovern.models import (
    Activity,
    CentreCheck,
    CentreEvidence,
    CentreLevel,
    CheckIn,
    ChecklistItem,
    Demand,
    DemandState,
    Project,
    ProjectState,
    Resource,
    SignUp,
    SocialForce,
    Volunteer,
    VolunteerTeam,
)
from shanzhi.core import clock, pii
from shanzhi.core.errors import NotFound
from shanzhi.orgs.models import Unit, UnitKind, User

# --- staff: the lists in scope ------------------------------------------------------------------------------------


def communities_for(user: User) -> QuerySet[Unit]:
    """The communities ``user`` may work on (for the forms' choices)."""
    path = access.scope_path(user)
    units = Unit.objects.filter(kind=UnitKind.COMMUNITY, is_active=True)
    if path is None:
        return units.none()
    return units.filter(path__startswith=path) if path else units


def demands_for(user: User, *, state: str = "", community_id: int | None = None) -> QuerySet[Demand]:
    rows = Demand.objects.filter(access.community_q(user)).select_related("community", "resource")
    if state:
        rows = rows.filter(state=state)
    if community_id:
        rows = rows.filter(community_id=community_id)
    return rows


def demand_get(user: User, pk: int) -> Demand:
    demand = demands_for(user).filter(pk=pk).first()
    if demand is None:
        raise NotFound()
    return demand


def resources_for(user: User, *, available_only: bool = False) -> QuerySet[Resource]:
    rows = Resource.objects.filter(access.community_q(user)).select_related("community", "provider")
    if available_only:
        rows = rows.filter(is_available=True)
    return rows


def resources_to_match(user: User, demand: Demand) -> QuerySet[Resource]:
    """Available resources of the demand's community the user may use."""
    return resources_for(user, available_only=True).filter(community=demand.community)


def projects_for(user: User, *, state: str = "") -> QuerySet[Project]:
    rows = Project.objects.filter(access.community_q(user)).select_related("community", "resource", "demand", "owner")
    return rows.filter(state=state) if state else rows


def project_get(user: User, pk: int) -> Project:
    project = projects_for(user).filter(pk=pk).first()
    if project is None:
        raise NotFound()
    return project


def social_forces_for(user: User, *, kind: str = "") -> QuerySet[SocialForce]:
    rows = SocialForce.objects.filter(access.community_q(user)).select_related("community")
    return rows.filter(kind=kind) if kind else rows


def teams_for(user: User) -> QuerySet[VolunteerTeam]:
    return (
        VolunteerTeam.objects.filter(access.community_q(user))
        .select_related("community")
        .annotate(members=Count("volunteers", filter=Q(volunteers__is_active=True)))
    )


def team_get(user: User, pk: int) -> VolunteerTeam:
    team = teams_for(user).filter(pk=pk).first()
    if team is None:
        raise NotFound()
    return team


def volunteers_for(user: User, *, team_id: int | None = None) -> QuerySet[Volunteer]:
    rows = Volunteer.objects.filter(access.community_q(user, "team__community")).select_related("team")
    rows = rows.annotate(hours=Sum("checkins__hours"))
    return rows.filter(team_id=team_id) if team_id else rows


def activities_for(user: User) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(access.community_q(user))
        .select_related("community", "team")
        .annotate(checked_in=Count("checkins", distinct=True), signed_up=Count("signups", distinct=True))
    )


def activity_get(user: User, pk: int) -> Activity:
    activity = activities_for(user).filter(pk=pk).first()
    if activity is None:
        raise NotFound()
    return activity


@dataclass(frozen=True)
class VolunteerRow:
    """A volunteer as staff see it: name and phone masked unless ``revealed``."""

    pk: int
    team: str
    name: str
    phone: str
    skills: str
    hours: Decimal
    revealed: bool


def volunteer_rows(rows: QuerySet[Volunteer], *, reveal: bool = False) -> list[VolunteerRow]:
    return [
        VolunteerRow(
            pk=v.pk,
            team=v.team.name,
            name=v.name if reveal else pii.mask_name(v.name),
            phone=v.phone if reveal else pii.mask_phone(v.phone),
            skills=v.skills,
            hours=getattr(v, "hours", None) or Decimal("0"),
            revealed=reveal,
        )
        for v in rows
    ]


def project_owners(user: User, community: Unit) -> QuerySet[User]:
    """Staff who may own a project of ``community`` (its own staff and those of the units above in scope)."""
    if not access.may_work_in(user, community):
        return User.objects.none()
    return User.objects.filter(unit=community, is_active=True).order_by("pk")


def volunteers_not_checked_in(activity: Activity) -> list[tuple[int, str]]:
    """(id, masked name) of the community's volunteers not yet checked in at ``activity``."""
    rows = (
        Volunteer.objects.filter(team__community=activity.community, is_active=True)
        .exclude(checkins__activity=activity)
        .order_by("team", "pk")
    )
    return [(v.pk, f"{pii.mask_name(v.name)} {pii.mask_phone(v.phone)}") for v in rows]


def checkins_of(activity: Activity) -> list[tuple[str, str, dt.datetime]]:
    """(masked name, masked phone, time) of each check-in."""
    rows = CheckIn.objects.filter(activity=activity).select_related("volunteer").order_by("at")
    return [(pii.mask_name(c.volunteer.name), pii.mask_phone(c.volunteer.phone), c.at) for c in rows]


# --- figures ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommunityFigures:
    community_id: int
    community: str
    demands: int
    matched: int
    projects_finished: int
    volunteer_hours: Decimal

    @property
    def matched_rate(self) -> float | None:
        return rules.matched_rate(demands=self.demands, matched=self.matched)


def figures(*, start: dt.datetime, end: dt.datetime, unit_ids: frozenset[int] | None) -> list[CommunityFigures]:
    """Demands posted, of them matched, projects finished and volunteer hours in [start, end), by community;
    ``unit_ids`` None = every community, else only communities among them (the viewer's scope)."""

    def scoped(rows: QuerySet, field: str = "community_id") -> QuerySet:
        return rows if unit_ids is None else rows.filter(**{f"{field}__in": unit_ids})

    demand_rows = scoped(Demand.objects.filter(created_at__gte=start, created_at__lt=end))
    demands = {
        r["community_id"]: (r["n"], r["m"])
        for r in demand_rows.values("community_id").annotate(
            n=Count("pk"), m=Count("pk", filter=Q(state__in=rules.MATCHED_STATES))
        )
    }
    finished = {
        r["community_id"]: r["n"]
        for r in scoped(
            Project.objects.filter(state=ProjectState.FINISHED, finished_at__gte=start, finished_at__lt=end)
        )
        .values("community_id")
        .annotate(n=Count("pk"))
    }
    hours = {
        r["activity__community_id"]: r["h"]
        for r in scoped(CheckIn.objects.filter(at__gte=start, at__lt=end), "activity__community_id")
        .values("activity__community_id")
        .annotate(h=Sum("hours"))
    }
    ids = set(demands) | set(finished) | set(hours)
    names = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))
    out = [
        CommunityFigures(
            community_id=pk,
            community=names.get(pk, "—"),
            demands=demands.get(pk, (0, 0))[0],
            matched=demands.get(pk, (0, 0))[1],
            projects_finished=finished.get(pk, 0),
            volunteer_hours=hours.get(pk) or Decimal("0"),
        )
        for pk in ids
    ]
    return sorted(out, key=lambda f: f.community)


def figures_for(user: User, *, start: dt.datetime, end: dt.datetime) -> list[CommunityFigures]:
    path = access.scope_path(user)
    if path is None:
        return []
    unit_ids = None if path == "" else frozenset(communities_for(user).values_list("pk", flat=True))
    return figures(start=start, end=end, unit_ids=unit_ids)


def volunteer_totals(user: User) -> dict[str, int]:
    """Teams, volunteers and safety volunteers (平安志愿者) registered in ``user``'s scope."""
    teams = VolunteerTeam.objects.filter(access.community_q(user))
    volunteers = Volunteer.objects.filter(access.community_q(user, "team__community"), is_active=True)
    return {
        "teams": teams.count(),
        "volunteers": volunteers.count(),
        "safety": volunteers.filter(team__kind="safety").count(),
    }


def hours_by_team_and_month(user: User) -> list[tuple[str, str, str, Decimal]]:
    """(month, community, team, hours) of service, newest month first, in ``user``'s scope."""
    rows = CheckIn.objects.filter(access.community_q(user, "activity__community")).values(
        "at", "hours", "volunteer__team__name", "activity__community__name"
    )
    totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for r in rows:
        month = clock.local_date(r["at"]).strftime("%Y-%m")
        totals[(month, r["activity__community__name"], r["volunteer__team__name"])] += r["hours"]
    return [(m, c, t, h) for (m, c, t), h in sorted(totals.items(), key=lambda kv: (kv[0][0], kv[0][1]), reverse=True)]


# --- standardised centres -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CentreStanding:
    unit: Unit
    met: int
    items: int
    score: float | None
    grade: str


def centre_overview(user: User) -> list[CentreStanding]:
    """Each town's and community's centre in scope with its checklist score."""
    path = access.scope_path(user)
    if path is None:
        return []
    units = Unit.objects.filter(kind__in=[UnitKind.TOWN, UnitKind.COMMUNITY], is_active=True, is_virtual=False)
    if path:
        units = units.filter(path__startswith=path)
    items = list(ChecklistItem.objects.filter(is_active=True))
    checks = {(c.unit_id, c.item_id): c.is_met for c in CentreCheck.objects.filter(unit__in=units)}
    out = []
    for unit in units.order_by("path"):
        level = CentreLevel.TOWN if unit.kind == UnitKind.TOWN else CentreLevel.COMMUNITY
        mine = [i for i in items if i.level == level]
        pairs = [(i.weight, checks.get((unit.pk, i.pk), False)) for i in mine]
        score = rules.checklist_score(pairs)
        out.append(CentreStanding(unit, sum(1 for _w, m in pairs if m), len(mine), score, rules.checklist_grade(score)))
    return out


def centre_unit(user: User, unit_id: int) -> Unit:
    """A town's or community's centre in ``user``'s scope."""
    path = access.scope_path(user)
    unit = Unit.objects.filter(pk=unit_id, kind__in=[UnitKind.TOWN, UnitKind.COMMUNITY]).first()
    if path is None or unit is None or not unit.path.startswith(path):
        raise NotFound()
    return unit


@dataclass(frozen=True)
class ChecklistLine:
    item: ChecklistItem
    check: CentreCheck | None
    evidence: list[CentreEvidence]


def centre_checklist(user: User, unit_id: int) -> tuple[Unit, list[ChecklistLine]]:
    unit = centre_unit(user, unit_id)
    level = CentreLevel.TOWN if unit.kind == UnitKind.TOWN else CentreLevel.COMMUNITY
    checks = {c.item_id: c for c in CentreCheck.objects.filter(unit=unit).select_related("reviewed_by")}
    files: dict[int, list[CentreEvidence]] = defaultdict(list)
    for evidence in CentreEvidence.objects.filter(unit=unit):
        files[evidence.item_id].append(evidence)
    items = ChecklistItem.objects.filter(level=level, is_active=True)
    return unit, [ChecklistLine(item, checks.get(item.pk), files.get(item.pk, [])) for item in items]


def centre_evidence_get(user: User, unit_id: int, evidence_id: int) -> CentreEvidence:
    unit = centre_unit(user, unit_id)
    evidence = CentreEvidence.objects.filter(pk=evidence_id, unit=unit).first()
    if evidence is None:
        raise NotFound()
    return evidence


# --- the portal (residents) ---------------------------------------------------------------------------------------


def public_demands(*, community_id: int | None = None) -> QuerySet[Demand]:
    """Demands residents see and support: open and done ones (declined ones only their authors see)."""
    rows = Demand.objects.exclude(state=DemandState.DECLINED).select_related("community")
    return rows.filter(community_id=community_id) if community_id else rows


def resident_demands(phone: str) -> QuerySet[Demand]:
    if not phone:
        return Demand.objects.none()
    return Demand.objects.filter(resident_phone=phone).select_related("community")


def portal_demand(pk: int, *, phone: str = "") -> Demand:
    """A demand as the portal shows it: public ones to all, declined ones to their author only."""
    demand = Demand.objects.select_related("community", "resource").filter(pk=pk).first()
    if demand is None or (demand.state == DemandState.DECLINED and (not phone or demand.resident_phone != phone)):
        raise NotFound()
    return demand


def live_project(demand: Demand) -> Project | None:
    return demand.projects.exclude(state=ProjectState.CANCELLED).select_related("resource").first()


def public_projects() -> QuerySet[Project]:
    return Project.objects.exclude(state=ProjectState.CANCELLED).select_related("community", "resource")


def public_project(pk: int) -> Project:
    project = public_projects().filter(pk=pk).first()
    if project is None:
        raise NotFound()
    return project


def portal_communities() -> QuerySet[Unit]:
    return Unit.objects.filter(kind=UnitKind.COMMUNITY, is_active=True, is_virtual=False).order_by("path")


def upcoming_activities(*, now: dt.datetime) -> QuerySet[Activity]:
    """Activities not yet over, soonest first (public: title, place, time, community)."""
    return (
        Activity.objects.filter(ends_at__gt=now)
        .select_related("community")
        .annotate(signed_up=Count("signups"))
        .order_by("starts_at", "pk")
    )


def signed_up_activity_ids(phone: str, activity_ids: list[int]) -> frozenset[int]:
    if not phone or not activity_ids:
        return frozenset()
    rows = SignUp.objects.filter(activity_id__in=activity_ids, volunteer__phone=phone)
    return frozenset(rows.values_list("activity_id", flat=True))


def demands_by_state() -> dict[tuple[str, ...], int]:
    """Demands of every community by state (the ``shanzhi_cogovern_demands`` gauge)."""
    counts: dict[tuple[str, ...], int] = {(str(state),): 0 for state in DemandState.values}
    for row in Demand.objects.values("state").annotate(n=Count("pk")):
        counts[(row["state"],)] = row["n"]
    return counts
