"""The cogovern part of the REST API ``/api/v1/cogovern/``, added to the NinjaAPI in :mod:`shanzhi.api`.

Every read is in the caller's scope (a community's staff see their community only; outside it a record is 404);
every write goes through a service and refuses with a coded error. Personal data never leaves masked fields.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from shanzhi.cogovern import access, selectors, services
from shanzhi.cogovern.models import Demand, Project, Resource
from shanzhi.cogovern.sections import local_bounds
from shanzhi.core import clock, pii
from shanzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from shanzhi.orgs.models import User

router = Router(tags=["cogovern"])


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    if not access.may_read(user):
        raise PermissionDenied(code="cogovern_forbidden")
    return user


class DemandOut(Schema):
    id: int
    community_id: int
    community: str
    title: str
    content: str
    source: str
    state: str
    votes: int
    resident_phone: str
    resource_id: int | None
    created_at: dt.datetime
    done_at: dt.datetime | None

    @staticmethod
    def of(d: Demand) -> DemandOut:
        return DemandOut(
            id=d.pk,
            community_id=d.community_id,
            community=d.community.name,
            title=d.title,
            content=d.content,
            source=d.source,
            state=d.state,
            votes=d.votes,
            resident_phone=pii.mask_phone(d.resident_phone),
            resource_id=d.resource_id,
            created_at=d.created_at,
            done_at=d.done_at,
        )


class ResourceOut(Schema):
    id: int
    community_id: int
    kind: str
    name: str
    description: str
    provider_id: int | None
    capacity: int
    is_available: bool

    @staticmethod
    def of(r: Resource) -> ResourceOut:
        return ResourceOut(
            id=r.pk,
            community_id=r.community_id,
            kind=r.kind,
            name=r.name,
            description=r.description,
            provider_id=r.provider_id,
            capacity=r.capacity,
            is_available=r.is_available,
        )


class ResourceIn(Schema):
    community_id: int
    kind: str
    name: str
    description: str = ""
    capacity: int = 1


class ProjectOut(Schema):
    id: int
    community_id: int
    demand_id: int
    resource_id: int
    title: str
    owner_id: int
    budget: Decimal
    beneficiaries: int
    state: str
    result: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def of(p: Project) -> ProjectOut:
        return ProjectOut(
            id=p.pk,
            community_id=p.community_id,
            demand_id=p.demand_id,
            resource_id=p.resource_id,
            title=p.title,
            owner_id=p.owner_id,
            budget=p.budget,
            beneficiaries=p.beneficiaries,
            state=p.state,
            result=p.result,
            started_at=p.started_at,
            finished_at=p.finished_at,
        )


class MatchIn(Schema):
    resource_id: int
    note: str = ""


class ProjectIn(Schema):
    title: str
    budget: Decimal = Decimal("0")
    beneficiaries: int = 0
    milestones: list[str] = []


class FinishIn(Schema):
    result: str


class FiguresOut(Schema):
    community_id: int
    community: str
    demands: int
    matched: int
    matched_rate: float | None
    projects_finished: int
    volunteer_hours: Decimal


class VolunteerOut(Schema):
    id: int
    team: str
    name: str
    phone: str
    hours: Decimal


@router.get("/demands", response=list[DemandOut], summary="需求清单（本人范围）")
def demand_list(request: HttpRequest, state: str = "", limit: int = 100) -> list[DemandOut]:
    user = _user(request)
    rows = selectors.demands_for(user, state=state)[: max(1, min(limit, 500))]
    return [DemandOut.of(d) for d in rows]


@router.get("/demands/{demand_id}", response=DemandOut, summary="需求详情")
def demand_detail(request: HttpRequest, demand_id: int) -> DemandOut:
    return DemandOut.of(selectors.demand_get(_user(request), demand_id))


@router.post("/demands/{demand_id}/match", response=DemandOut, summary="匹配资源")
def demand_match(request: HttpRequest, demand_id: int, body: MatchIn) -> DemandOut:
    user = _user(request)
    demand = selectors.demand_get(user, demand_id)
    resource = selectors.resources_for(user).filter(pk=body.resource_id).first()
    if resource is None:
        raise NotFound(code="resource_not_found")
    services.demand_match(actor=user, demand=demand, resource=resource, note=body.note, now=clock.now())
    return DemandOut.of(selectors.demand_get(user, demand_id))


@router.post("/demands/{demand_id}/project", response={201: ProjectOut}, summary="立项")
def project_create(request: HttpRequest, demand_id: int, body: ProjectIn) -> Status:
    user = _user(request)
    demand = selectors.demand_get(user, demand_id)
    project = services.project_create(
        actor=user,
        demand=demand,
        title=body.title,
        budget=body.budget,
        beneficiaries=body.beneficiaries,
        milestones=[(m, None) for m in body.milestones[:20]],
        now=clock.now(),
    )
    return Status(201, ProjectOut.of(project))


@router.get("/resources", response=list[ResourceOut], summary="资源清单（本人范围）")
def resource_list(request: HttpRequest, available: bool = False) -> list[ResourceOut]:
    return [ResourceOut.of(r) for r in selectors.resources_for(_user(request), available_only=available)[:500]]


@router.post("/resources", response={201: ResourceOut}, summary="登记资源")
def resource_create(request: HttpRequest, body: ResourceIn) -> Status:
    user = _user(request)
    community = selectors.communities_for(user).filter(pk=body.community_id).first()
    if community is None:
        raise ValidationFailed(code="community_required")
    resource = services.resource_create(
        actor=user,
        community=community,
        kind=body.kind,
        name=body.name,
        description=body.description,
        capacity=body.capacity,
        now=clock.now(),
    )
    return Status(201, ResourceOut.of(resource))


@router.get("/projects", response=list[ProjectOut], summary="项目清单（本人范围）")
def project_list(request: HttpRequest, state: str = "") -> list[ProjectOut]:
    return [ProjectOut.of(p) for p in selectors.projects_for(_user(request), state=state)[:500]]


@router.get("/projects/{project_id}", response=ProjectOut, summary="项目详情")
def project_detail(request: HttpRequest, project_id: int) -> ProjectOut:
    return ProjectOut.of(selectors.project_get(_user(request), project_id))


@router.post("/projects/{project_id}/start", response=ProjectOut, summary="项目开始实施")
def project_start(request: HttpRequest, project_id: int) -> ProjectOut:
    user = _user(request)
    project = selectors.project_get(user, project_id)
    return ProjectOut.of(services.project_start(actor=user, project=project, now=clock.now()))


@router.post("/projects/{project_id}/finish", response=ProjectOut, summary="项目完成")
def project_finish(request: HttpRequest, project_id: int, body: FinishIn) -> ProjectOut:
    user = _user(request)
    project = selectors.project_get(user, project_id)
    return ProjectOut.of(services.project_finish(actor=user, project=project, result=body.result, now=clock.now()))


@router.get("/volunteers", response=list[VolunteerOut], summary="志愿者（姓名、手机号打码）")
def volunteer_list(request: HttpRequest, team_id: int | None = None) -> list[VolunteerOut]:
    user = _user(request)
    rows = selectors.volunteer_rows(selectors.volunteers_for(user, team_id=team_id)[:1000])
    return [VolunteerOut(id=v.pk, team=v.team, name=v.name, phone=v.phone, hours=v.hours) for v in rows]


@router.get("/figures", response=list[FiguresOut], summary="需求、匹配率、完成项目、志愿服务时长（按社区）")
def figures(request: HttpRequest, start: dt.date, end: dt.date) -> list[FiguresOut]:
    user = _user(request)
    if end < start or (end - start).days > 366:
        raise ValidationFailed(code="invalid_period")
    lo, hi = local_bounds(start, end)
    return [
        FiguresOut(
            community_id=f.community_id,
            community=f.community,
            demands=f.demands,
            matched=f.matched,
            matched_rate=f.matched_rate,
            projects_finished=f.projects_finished,
            volunteer_hours=f.volunteer_hours,
        )
        for f in selectors.figures_for(user, start=lo, end=hi)
    ]
