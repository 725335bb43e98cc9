"""The data hub's part of the REST API ``/api/v1/datahub/`` (ADR 0017).

Every read is in the caller's scope (``selectors``): outside it a list is empty and a record is 404. Personal data
comes masked; the one way to a clear ID number is ``POST /persons/{id}/reveal`` with a reason, which needs
``orgs.view_personal_data`` and is logged. Key persons need ``datahub.view_keyperson``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from annotated_types import Ge, Le
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import BeforeValidator, Field, WithJsonSchema

from shanzhi.appeals.api_schemas import ErrorOut
from shanzhi.core.errors import NotFound, ValidationFailed
from shanzhi.core.http import client_ip
from shanzhi.core.ids import as_id
from shanzhi.datahub import dimensions, imports, rules, selectors, services
from shanzhi.datahub.models import HubBuilding, ImportKind, KeyPerson, Person
from shanzhi.orgs.models import User

router = Router(tags=["datahub"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_UPLOAD = 64 * 1024 * 1024
KindName = Literal["buildings", "persons", "enterprises", "key_persons", "party_orgs", "party_members"]


def _whole_number(value: object) -> object:
    """An integer as JSON Schema means it: ``3`` or ``3.0``, never ``true`` or ``"3"`` (as the appeal desk's API)."""
    if isinstance(value, (bool, str)):
        raise ValueError("an integer is required")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Limit = Annotated[
    int,
    BeforeValidator(_whole_number),
    Ge(1),
    Le(500),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 500}),
]
Offset = Annotated[
    int,
    BeforeValidator(_whole_number),
    Ge(0),
    Le(1_000_000),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": 1_000_000}),
]


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined, no-any-return]


def _id(raw: str) -> int:
    pk = as_id(raw)
    if pk is None:
        raise NotFound()
    return pk


class PageIn(Schema):
    q: str = Field("", max_length=100)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class PersonOut(Schema):
    id: int
    name: str = Field(description="姓名（脱敏）")
    id_number: str = Field(description="身份证号（脱敏）")
    phone: str = Field(description="电话（脱敏）")
    gender: str
    birth_year: int
    residence: str
    household: str | None
    building: str | None
    grid: str | None


class KeyRecordOut(Schema):
    id: int
    category: str
    category_label: str
    level: int
    since: str | None


class PersonDetailOut(PersonOut):
    key_records: list[KeyRecordOut] = Field(default_factory=list, description="重点人员记录（须有权限）")


class PersonPage(Schema):
    count: int
    items: list[PersonOut]


class RevealIn(Schema):
    reason: str = Field(..., min_length=2, max_length=200)


class RevealOut(Schema):
    name: str
    id_number: str
    phone: str


class BuildingOut(Schema):
    id: int
    code: str
    name: str
    address: str
    use: str
    floors: int
    grid: str | None
    longitude: float | None
    latitude: float | None
    residents: int | None = None


class ImportOut(Schema):
    id: int
    kind: str
    status: str
    rows: int
    created: int
    updated: int
    unchanged: int
    error_count: int
    errors: list[dict[str, Any]]


def _person(p: Person) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name_masked,
        "id_number": p.id_masked,
        "phone": p.phone_masked,
        "gender": p.gender,
        "birth_year": p.birth_year,
        "residence": p.residence,
        "household": p.household.number if p.household else None,
        "building": p.building.code if p.building else None,
        "grid": p.grid.code if p.grid else None,
    }


def _key_record(k: KeyPerson) -> dict[str, Any]:
    return {
        "id": k.pk,
        "category": k.category,
        "category_label": k.get_category_display(),
        "level": k.level,
        "since": k.since.isoformat() if k.since else None,
    }


def _building(b: HubBuilding) -> dict[str, Any]:
    return {
        "id": b.pk,
        "code": b.code,
        "name": b.name,
        "address": b.address_text,
        "use": b.use,
        "floors": b.floors,
        "grid": b.grid.code if b.grid else None,
        "longitude": b.longitude,
        "latitude": b.latitude,
    }


@router.get("/persons", response={200: PersonPage, **ERRORS}, summary="人口列表（本人管辖范围，脱敏）")
def person_list(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    qs = selectors.persons_for(_actor(request), query=page.q)
    items = list(qs[page.offset : page.offset + page.limit])
    return {"count": qs.count(), "items": [_person(p) for p in items]}


class SearchIn(Schema):
    q: str = Field(..., min_length=1, max_length=100, description="完整身份证号、电话、姓名、户号或楼栋编码")
    limit: Limit = 50
    offset: Offset = 0


@router.post(
    "/persons/search", response={200: PersonPage, **ERRORS}, summary="查找人员（查询内容放在请求体中，不进入访问日志）"
)
def person_search(request: HttpRequest, payload: SearchIn) -> dict[str, Any]:
    qs = selectors.persons_for(_actor(request), query=payload.q)
    items = list(qs[payload.offset : payload.offset + payload.limit])
    return {"count": qs.count(), "items": [_person(p) for p in items]}


@router.get("/persons/{person_id}", response={200: PersonDetailOut, **ERRORS}, summary="人员详情（脱敏）")
def person_read(request: HttpRequest, person_id: str) -> dict[str, Any]:
    actor = _actor(request)
    person = selectors.person_get(actor, _id(person_id))
    return {**_person(person), "key_records": [_key_record(k) for k in selectors.key_records_for(actor, person)]}


@router.post(
    "/persons/{person_id}/reveal", response={200: RevealOut, **ERRORS}, summary="查看完整个人信息（须权限与事由，留痕）"
)
def person_reveal(request: HttpRequest, person_id: str, payload: RevealIn) -> dict[str, Any]:
    shown = services.person_reveal(
        actor=_actor(request), person_id=_id(person_id), reason=payload.reason, ip_address=client_ip(request)
    )
    return {"name": shown.name, "id_number": shown.id_number, "phone": shown.phone}


@router.get("/buildings", response={200: list[BuildingOut], **ERRORS}, summary="楼栋列表（本人管辖范围）")
def building_list(request: HttpRequest, page: Query[PageIn]) -> list[dict[str, Any]]:
    qs = selectors.buildings_for(_actor(request), query=page.q)
    return [_building(b) for b in qs[page.offset : page.offset + page.limit]]


@router.get("/buildings/{building_id}", response={200: BuildingOut, **ERRORS}, summary="楼栋详情")
def building_read(request: HttpRequest, building_id: str) -> dict[str, Any]:
    actor = _actor(request)
    building = selectors.building_get(actor, _id(building_id))
    return {**_building(building), "residents": selectors.persons_for(actor).filter(building=building).count()}


@router.get("/key-persons", response={200: list[KeyRecordOut], **ERRORS}, summary="重点人员（须权限）")
def key_person_list(request: HttpRequest, page: Query[PageIn]) -> list[dict[str, Any]]:
    qs = selectors.key_persons_for(_actor(request))
    return [_key_record(k) for k in qs[page.offset : page.offset + page.limit]]


@router.get("/counts", response={200: dict[str, int], **ERRORS}, summary="各类要素数量（本人管辖范围）")
def counts(request: HttpRequest) -> dict[str, int]:
    return selectors.counts_for(_actor(request))


class MapIn(Schema):
    bbox: str = Field(..., max_length=100, description="west,south,east,north（WGS-84 度）")


@router.get("/map/{layer}", response={200: dict[str, Any], **ERRORS}, summary="地图图层 GeoJSON（按范围，自动聚合）")
def map_layer(request: HttpRequest, layer: str, params: Query[MapIn]) -> dict[str, Any]:
    if layer not in selectors.LAYERS:
        raise NotFound()
    try:
        bbox = rules.parse_bbox(params.bbox)
    except ValueError:
        raise ValidationFailed(code="bbox_invalid") from None
    return selectors.map_layer(_actor(request), layer, bbox)


@router.post("/imports", response={200: ImportOut, **ERRORS}, summary="导入数据文件（xlsx/csv，整表校验）")
def import_create(
    request: HttpRequest,
    kind: Form[KindName],
    file: File[UploadedFile | None] = None,
    dry_run: Form[bool] = False,
    valid_rows_only: Form[bool] = False,
    gcj02: Form[bool] = False,
) -> dict[str, Any]:
    if kind not in ImportKind.values:
        raise ValidationFailed(code="import_kind")
    if file is None:  # an empty upload arrives as no file at all
        raise ValidationFailed(_("请选择要导入的文件（不能为空文件）"), code="file_required")
    if (file.size or 0) > MAX_UPLOAD:
        raise ValidationFailed(code="file_too_large")
    result = imports.datahub_import(
        actor=_actor(request),
        kind=kind,
        file_name=file.name or "upload",
        content=file.read(),
        dry_run=dry_run,
        valid_rows_only=valid_rows_only,
        gcj02=gcj02,
    )
    b = result.batch
    if not result.ok:
        raise ValidationFailed(
            _("文件有%(n)d处错误，未导入任何数据") % {"n": b.error_count},
            code="import_invalid",
            batch=b.pk,
            errors=b.errors,
        )
    return {
        "id": b.pk,
        "kind": b.kind,
        "status": b.status,
        "rows": b.rows,
        "created": b.created,
        "updated": b.updated,
        "unchanged": b.unchanged,
        "error_count": b.error_count,
        "errors": b.errors,
    }


# --- dimensions -------------------------------------------------------------------------------------------------


class DimensionOut(Schema):
    code: str
    name: str
    department: str
    element_kind: str
    value_type: str
    measure_unit: str
    choices: list[dict[str, str]]
    sensitivity: str
    valid_days: int | None


class BucketOut(Schema):
    key: str
    label: str
    count: int


class DimensionCountsOut(Schema):
    code: str
    total: int = Field(description="本人管辖范围内的有效取值数")
    buckets: list[BucketOut]
    sum: str | None = Field(None, description="数值型维度：合计")
    mean: str | None = Field(None, description="数值型维度：平均")


def _dimension(d: Any) -> dict[str, Any]:
    return {
        "code": d.code,
        "name": d.name,
        "department": d.department.name,
        "element_kind": d.element_kind,
        "value_type": d.value_type,
        "measure_unit": d.measure_unit,
        "choices": d.choices,
        "sensitivity": d.sensitivity,
        "valid_days": d.valid_days,
    }


@router.get("/dimensions", response={200: list[DimensionOut], **ERRORS}, summary="数据维度目录（可见的维度）")
def dimension_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_dimension(d) for d in dimensions.dimensions_for(_actor(request))]


@router.get(
    "/dimensions/{code}/counts", response={200: DimensionCountsOut, **ERRORS}, summary="维度分布（本人管辖范围）"
)
def dimension_counts(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = _actor(request)
    counts = dimensions.dimension_counts(actor, dimensions.dimension_get(actor, code[:40]))
    return {
        "code": counts.dimension.code,
        "total": counts.total,
        "buckets": [{"key": b.key, "label": b.label, "count": b.count} for b in counts.buckets],
        "sum": None if counts.sum is None else str(counts.sum),
        "mean": None if counts.mean is None else str(counts.mean),
    }
