"""The grid part of the REST API ``/api/v1/grid/``, added to the NinjaAPI in :mod:`shanzhi.api`.

The phone pages' offline queue sends here: every write carries the phone's idempotency key (``key``) and the time
the worker made it (``at``); a repeat of a key returns 200 with what the first call stored (201 when it is new).
Reads are in the caller's scope: a grid outside it is simply not there.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Body, Field, Router, Status
from pydantic import BaseModel

from shanzhi.appeals.api_schemas import ErrorOut
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.grid import boundary_import, selectors, services
from shanzhi.grid.models import CheckIn, GridReport, Patrol, Verification
from shanzhi.orgs.models import User
from shanzhi.orgs.permissions import may_administer

router = Router(tags=["grid"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
KEY = Field(..., min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$", description="手机端生成的幂等键")
MAX_PHOTO_CHARS = 14_000_000


class Submission(BaseModel):
    key: str = KEY
    at: dt.datetime = Field(..., description="网格员在手机上提交的时间（离线时为排队时间）")


class PatrolStartIn(Submission):
    note: str = Field("", max_length=500)


class CheckInIn(Submission):
    patrol_key: str = KEY
    longitude: float
    latitude: float
    note: str = Field("", max_length=300)


class PatrolFinishIn(BaseModel):
    patrol_key: str = KEY
    at: dt.datetime
    note: str = Field("", max_length=500)


class ReportIn(Submission):
    content: str = Field(..., min_length=1, max_length=20_000)
    title: str = Field("", max_length=120)
    category: str | None = Field(None, max_length=200, description="分类编码或路径")
    longitude: float | None = None
    latitude: float | None = None
    address: str = Field("", max_length=200)
    patrol_key: str = Field("", max_length=64)
    photos: list[str] = Field(default_factory=list, max_length=3, description="照片（base64 或 data URL）")


class VerificationIn(Submission):
    appeal: str = Field(..., min_length=1, max_length=24, description="诉求编号")
    passed: bool
    note: str = Field("", max_length=500)
    photo: str = Field("", description="核查照片（base64 或 data URL）")


class Stored(BaseModel):
    key: str
    created: bool
    id: int
    detail: dict[str, Any] = Field(default_factory=dict)


class GridOut(BaseModel):
    code: str
    name: str
    boundary_version: int | None


class PatrolOut(BaseModel):
    key: str
    grid: str
    state: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    checkins: int
    distance_m: float


class KpiRow(BaseModel):
    code: str
    name: str
    patrols: int
    patrol_days: int
    checkins: int
    reports: int
    verified: int
    verified_failed: int
    timeliness: float | None


class KpisOut(BaseModel):
    start: dt.datetime
    end: dt.datetime
    grids: int
    coverage: float | None
    reports: int
    verified: int
    verified_failed: int
    timeliness: float | None
    rows: list[KpiRow]


class ImportOut(BaseModel):
    id: int
    features: int
    created_units: int
    versions: dict[str, int]


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _stored(key: str, stored: services.Stored[Any], detail: dict[str, Any] | None = None) -> Status:
    body = {"key": key, "created": stored.created, "id": stored.value.pk, "detail": detail or {}}
    return Status(201 if stored.created else 200, body)


def _photo(text: str) -> bytes:
    if "," in text[:100] and text.startswith("data:"):
        text = text.split(",", 1)[1]
    if len(text) > MAX_PHOTO_CHARS:
        raise ValidationFailed(_("照片过大"), code="photo_too_large")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationFailed(_("照片数据无法读取"), code="invalid_photo") from error


@router.get("/grids", response={200: list[GridOut], **ERRORS}, summary="可见网格")
def grids(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"code": g.code, "name": g.name, "boundary_version": services.grid_boundary_version(g)}
        for g in selectors.grids_visible_to(_actor(request))[:2000]
    ]


@router.post("/patrols", response={201: Stored, 200: Stored, **ERRORS}, summary="开始巡查")
def patrol_start(request: HttpRequest, payload: PatrolStartIn) -> Status:
    stored = services.patrol_start(actor=_actor(request), client_key=payload.key, made_at=payload.at, note=payload.note)
    return _stored(payload.key, stored)


@router.post("/checkins", response={201: Stored, 200: Stored, **ERRORS}, summary="巡查打卡")
def check_in(request: HttpRequest, payload: CheckInIn) -> Status:
    stored: services.Stored[CheckIn] = services.patrol_check_in(
        actor=_actor(request),
        client_key=payload.key,
        patrol_key=payload.patrol_key,
        made_at=payload.at,
        longitude=payload.longitude,
        latitude=payload.latitude,
        note=payload.note,
    )
    return _stored(payload.key, stored, {"inside_grid": stored.value.inside_grid})


@router.post("/patrols/finish", response={200: Stored, **ERRORS}, summary="结束巡查")
def patrol_finish(request: HttpRequest, payload: PatrolFinishIn) -> Status:
    patrol = services.patrol_finish(
        actor=_actor(request), patrol_key=payload.patrol_key, made_at=payload.at, note=payload.note
    )
    body = {"key": payload.patrol_key, "created": False, "id": patrol.pk, "detail": {"state": patrol.state}}
    return Status(200, body)


@router.get("/patrols", response={200: list[PatrolOut], **ERRORS}, summary="巡查记录")
def patrols(request: HttpRequest) -> list[dict[str, Any]]:
    rows: list[Patrol] = list(selectors.patrols_visible_to(_actor(request)).order_by("-started_at")[:200])
    return [
        {
            "key": p.client_key,
            "grid": p.grid.code,
            "state": p.state,
            "started_at": p.started_at,
            "ended_at": p.ended_at,
            "checkins": p.checkin_count,
            "distance_m": p.distance_m,
        }
        for p in rows
    ]


@router.post("/reports", response={201: Stored, 200: Stored, **ERRORS}, summary="问题上报")
def report(request: HttpRequest, payload: ReportIn) -> Status:
    stored: services.Stored[GridReport] = services.grid_report_make(
        actor=_actor(request),
        client_key=payload.key,
        made_at=payload.at,
        content=payload.content,
        title=payload.title,
        category=payload.category,
        longitude=payload.longitude,
        latitude=payload.latitude,
        address=payload.address,
        patrol_key=payload.patrol_key,
        photos=[_photo(p) for p in payload.photos],
    )
    appeal = stored.value.appeal
    return _stored(payload.key, stored, {"tracking_no": appeal.tracking_no, "state": appeal.state})


@router.post("/verifications", response={201: Stored, 200: Stored, **ERRORS}, summary="核查")
def verification(request: HttpRequest, payload: VerificationIn) -> Status:
    stored: services.Stored[Verification] = services.verification_record(
        actor=_actor(request),
        client_key=payload.key,
        made_at=payload.at,
        appeal_key=payload.appeal,
        passed=payload.passed,
        note=payload.note,
        photo=_photo(payload.photo) if payload.photo else None,
    )
    return _stored(payload.key, stored, {"passed": stored.value.passed})


@router.get("/kpis", response={200: KpisOut, **ERRORS}, summary="网格考核指标")
def kpis(
    request: HttpRequest,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict[str, Any]:
    user = _actor(request)
    if not selectors.may_view_grid_overview(user):
        raise PermissionDenied(_("您无权查看网格考核指标"), code="no_report_scope")
    since, until = selectors.period_bounds(start, end)
    figures = selectors.grid_kpis(grids=selectors.grids_visible_to(user), start=since, end=until)
    return {
        "start": since,
        "end": until,
        "grids": figures.grid_count,
        "coverage": figures.coverage,
        "reports": figures.reports,
        "verified": figures.verified,
        "verified_failed": figures.verified_failed,
        "timeliness": figures.timeliness,
        "rows": [{**vars(g), "timeliness": g.timeliness} for g in figures.grids],
    }


@router.post("/imports", response={201: ImportOut, **ERRORS}, summary="导入网格边界（GeoJSON）")
def grid_import(request: HttpRequest, payload: dict[str, Any] = Body(...)) -> Status:
    user = _actor(request)
    if not may_administer(user):
        raise PermissionDenied(_("只有系统管理员可以导入网格边界"), code="not_admin")
    record = boundary_import.grids_import(actor=user, geojson=payload, filename="api")
    body = {
        "id": record.pk,
        "features": record.feature_count,
        "created_units": record.created_units,
        "versions": record.versions,
    }
    return Status(201, body)
