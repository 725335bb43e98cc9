"""The cogovern part of the REST API ``/api/v1/cogovern/``, added to the NinjaAPI in :mod:`shanzhi.api`.

Every read is in the caller's scope (a community's staff see their community only; outside it a record is 404);
every write goes through a service and refuses with a coded error. Personal data never leaves masked fields.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import BeforeValidator, StrictStr, WithJsonSchema

from shanzhi.appeals.api_schemas import ErrorOut, Id, text
from shanzhi.cogovern import access, selectors, services
from shanzhi.cogovern.models import Demand, DemandState, Project, ProjectState, Resource, ResourceKind
from shanzhi.cogovern.sections import local_bounds
from shanzhi.core import clock, pii
from shanzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from shanzhi.core.ids import MAX_ID
from shanzhi.orgs.models import User

router = Router(tags=["多元共治"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _iso_date(value: object) -> object:
    """A date as ISO 8601 text (YYYY-MM-DD) only."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError("not an ISO 8601 date")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


def _number(value: object) -> object:
    """A JSON number (never ``true`` or ``"3"``)."""
    if isinstance(value, (bool, str)):
        raise ValueError("a number is required")
    return value


def _whole_number(value: object) -> object:
    """An integer as JSON Schema means it: ``3`` or ``3.0``."""
    value = _number(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: Yuan, rounded to the fen by the service.
Money = Annotated[
    Decimal,
    BeforeValidator(_number),
    Field(ge=0, le=Decimal("9999999999.99")),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 9999999999.99}),
]


def count(low: int, high: int) -> Any:
    return Annotated[
        int,
        BeforeValidator(_whole_number),
        Field(ge=low, le=high),
        WithJsonSchema({"type": "integer", "minimum": low, "maximum": high}),
    ]


Capacity = count(1, 10000)
Beneficiaries = count(0, 10_000_000)


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
    community_id: Id
    kind: ResourceKind
    name: str = text(100, min_length=1, default=...)
    description: str = text(500)
    capacity: Capacity = 1  # type: ignore[valid-type]


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
    resource_id: Id
    note: str = text(300)


class ProjectIn(Schema):
    title: str = text(100, min_length=1, default=...)
    budget: Money = Decimal("0")
    beneficiaries: Beneficiaries = 0  # type: ignore[valid-type]
    milestones: list[Annotated[StrictStr, Field(max_length=100, pattern=r"^[^\u0000]*$")]] = Field(
        default_factory=list, max_length=20
    )


class FinishIn(Schema):
    result: str = text(500, min_length=1, default=...)


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


@router.get("/demands", response={200: list[DemandOut], **ERRORS}, summary="需求清单（本人范围）")
def demand_list(
    request: HttpRequest, state: DemandState | None = Query(None), limit: int = Query(100, ge=1, le=500)
) -> list[DemandOut]:
    user = _user(request)
    rows = selectors.demands_for(user, state=state or "")[:limit]
    return [DemandOut.of(d) for d in rows]


@router.get("/demands/{demand_id}", response={200: DemandOut, **ERRORS}, summary="需求详情")
def demand_detail(request: HttpRequest, demand_id: PathId) -> DemandOut:
    return DemandOut.of(selectors.demand_get(_user(request), demand_id))


@router.post("/demands/{demand_id}/match", response={200: DemandOut, **ERRORS}, summary="匹配资源")
def demand_match(request: HttpRequest, demand_id: PathId, body: MatchIn) -> DemandOut:
    user = _user(request)
    demand = selectors.demand_get(user, demand_id)
    resource = selectors.resources_for(user).filter(pk=body.resource_id).first()
    if resource is None:
        raise NotFound(code="resource_not_found")
    services.demand_match(actor=user, demand=demand, resource=resource, note=body.note, now=clock.now())
    return DemandOut.of(selectors.demand_get(user, demand_id))


@router.post("/demands/{demand_id}/project", response={201: ProjectOut, **ERRORS}, summary="立项")
def project_create(request: HttpRequest, demand_id: PathId, body: ProjectIn) -> Status:
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


@router.get("/resources", response={200: list[ResourceOut], **ERRORS}, summary="资源清单（本人范围）")
def resource_list(request: HttpRequest, available: bool = Query(False)) -> list[ResourceOut]:
    return [ResourceOut.of(r) for r in selectors.resources_for(_user(request), available_only=available)[:500]]


@router.post("/resources", response={201: ResourceOut, **ERRORS}, summary="登记资源")
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


@router.get("/projects", response={200: list[ProjectOut], **ERRORS}, summary="项目清单（本人范围）")
def project_list(request: HttpRequest, state: ProjectState | None = Query(None)) -> list[ProjectOut]:
    return [ProjectOut.of(p) for p in selectors.projects_for(_user(request), state=state or "")[:500]]


@router.get("/projects/{project_id}", response={200: ProjectOut, **ERRORS}, summary="项目详情")
def project_detail(request: HttpRequest, project_id: PathId) -> ProjectOut:
    return ProjectOut.of(selectors.project_get(_user(request), project_id))


@router.post("/projects/{project_id}/start", response={200: ProjectOut, **ERRORS}, summary="项目开始实施")
def project_start(request: HttpRequest, project_id: PathId) -> ProjectOut:
    user = _user(request)
    project = selectors.project_get(user, project_id)
    return ProjectOut.of(services.project_start(actor=user, project=project, now=clock.now()))


@router.post("/projects/{project_id}/finish", response={200: ProjectOut, **ERRORS}, summary="项目完成")
def project_finish(request: HttpRequest, project_id: PathId, body: FinishIn) -> ProjectOut:
    user = _user(request)
    project = selectors.project_get(user, project_id)
    return ProjectOut.of(services.project_finish(actor=user, project=project, result=body.result, now=clock.now()))


@router.get("/volunteers", response={200: list[VolunteerOut], **ERRORS}, summary="志愿者（姓名、手机号打码）")
def volunteer_list(request: HttpRequest, team_id: int | None = Query(None, ge=1, le=MAX_ID)) -> list[VolunteerOut]:
    user = _user(request)
    rows = selectors.volunteer_rows(selectors.volunteers_for(user, team_id=team_id)[:1000])
    return [VolunteerOut(id=v.pk, team=v.team, name=v.name, phone=v.phone, hours=v.hours) for v in rows]


@router.get(
    "/figures", response={200: list[FiguresOut], **ERRORS}, summary="需求、匹配率、完成项目、志愿服务时长（按社区）"
)
def figures(request: HttpRequest, start: IsoDate = Query(...), end: IsoDate = Query(...)) -> list[FiguresOut]:
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
