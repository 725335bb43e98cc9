"""The appeals API: intake, reads in the caller's scope, and the lifecycle transitions.

Views parse and validate; the services in :mod:`shanzhi.appeals.services` and :mod:`shanzhi.appeals.unit_work`
decide. ``request.auth`` is the acting user (an API key's user or the console session's user).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections import Counter
from typing import Annotated, Any, cast

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Header, Path, Query, Router, Schema, Status

from shanzhi.appeals import contact_reveal, selectors, services, unit_work
from shanzhi.appeals.api_schemas import (
    NO_CONTROL,
    AcceptIn,
    AppealBatchIn,
    AppealBatchOut,
    AppealCreateIn,
    AppealDetailOut,
    AppealOut,
    AppealPage,
    AssignmentOut,
    CategoryNode,
    ContactIn,
    DecideIn,
    DispatchIn,
    ErrorOut,
    EventOut,
    FeedbackIn,
    FollowUpIn,
    RejectIn,
    ReplyIn,
    RequestIn,
    RequestOut,
    UnitsOut,
    appeal_dict,
    appeal_receipt_dict,
    assignment_dict,
    event_dict,
    request_dict,
    text,
)
from shanzhi.appeals.intake import IntakeFields, resolve_category
from shanzhi.appeals.intake_batch import BatchItem, appeals_intake_batch
from shanzhi.appeals.models import Appeal, Assignment, AssignmentRequest
from shanzhi.core import clock
from shanzhi.core.api_types import IsoDateTime
from shanzhi.core.errors import NotFound, ValidationFailed
from shanzhi.core.http import client_ip
from shanzhi.core.ids import MAX_ID, as_id
from shanzhi.core.keyset import InvalidCursor, keyset_page
from shanzhi.core.models import PersonalDataAccess
from shanzhi.orgs.models import TERRITORIAL_KINDS, Unit, User
from shanzhi.orgs.permissions import may_view_personal_data
from shanzhi.routing.models import Category

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
#: An appeal's key in a path: its id or its tracking number.
PathKey = Annotated[str, Path(max_length=40, pattern=NO_CONTROL)]

router = Router(tags=["诉求"])
catalogue_router = Router(tags=["目录"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
PAGE_MAX = 100
PERSONAL_FIELDS = "citizen_name,citizen_phone,address"
REVEAL_REASON = "接口调用（具有查看完整个人信息权限）"


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _present(request: HttpRequest, appeals: list[Appeal]) -> tuple[bool, list[dict[str, Any]]]:
    """Appeals in API form; personal data in full only for integrations (API key) holding the permission, each
    full view logged. A console session calling the API gets it masked: the console reveals with a reason."""
    user = _actor(request)
    reveal = getattr(request, "api_key_auth", False) and may_view_personal_data(user)
    if reveal and appeals:
        ip = client_ip(request)
        PersonalDataAccess.objects.bulk_create(
            [
                PersonalDataAccess(
                    user=user,
                    action=PersonalDataAccess.Action.VIEW,
                    subject_type="appeal",
                    subject_id=a.tracking_no,  # as the console logs it: one look-up per appeal
                    fields=PERSONAL_FIELDS,
                    reason=REVEAL_REASON,
                    ip_address=ip,
                )
                for a in appeals
            ]
        )
    return reveal, [appeal_dict(a, reveal=reveal) for a in appeals]


def _detail(request: HttpRequest, appeal: Appeal) -> dict[str, Any]:
    user = _actor(request)
    data = _present(request, [appeal])[1][0]
    assignments = appeal.assignments.select_related("unit").order_by("round", "role", "id")
    data["assignments"] = [assignment_dict(a) for a in assignments]
    data["actions"] = selectors.allowed_actions(user=user, appeal=appeal)
    return data


def _unit(value: int | str) -> Unit:
    text = str(value).strip()
    pk = as_id(value) if isinstance(value, int) else as_id(text)
    unit = Unit.objects.filter(Q(code=text) | Q(pk=pk) if pk is not None else Q(code=text)).first()
    if unit is None:
        raise ValidationFailed(_("单位不存在"), code="unknown_unit", unit=text)
    return unit


# --- intake and reads -----------------------------------------------------------------------------------------


@router.post(
    "/appeals",
    response={201: AppealOut, 200: AppealOut, **ERRORS},
    summary="登记诉求",
    description=(
        "一号受理：登记一件诉求并按派单目录即时分流。带 Idempotency-Key 的重试返回首次创建的诉求（200），不再新建。"
    ),
)
def appeal_create(
    request: HttpRequest,
    payload: AppealCreateIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=80, pattern=NO_CONTROL),
) -> Status:
    result = services.appeal_intake(
        actor=_actor(request),
        channel=payload.channel,
        content=payload.content,
        title=payload.title,
        appeal_type=payload.appeal_type,
        urgency=payload.urgency,
        category=payload.category,
        citizen_name=payload.citizen_name,
        citizen_phone=payload.citizen_phone,
        citizen_id_number=payload.citizen_id_number,
        is_anonymous=payload.is_anonymous,
        wants_reply=payload.wants_reply,
        address=payload.address,
        longitude=payload.longitude,
        latitude=payload.latitude,
        area_code=payload.area_code,
        idempotency_key=(idempotency_key or "").strip() or None,
        external_ref=payload.external_ref,
        structured=payload.structured,
    )
    data = _present(request, [result.appeal])[1][0]
    return Status(201 if result.created else 200, data)


@router.post(
    "/appeals/batch",
    response={200: AppealBatchOut, **ERRORS},
    summary="批量登记诉求",
    description=(
        "供 12345 城市平台等对接系统一次推送多件诉求（每批上限默认 100 件）。每件与单件登记走同样的校验、分流与时限，"
        "合格的在一个事务中写入；某件不合格只拒收该件（results 中给出错误码），其余照常登记。"
        "每件可带 idempotency_key，重发返回首次登记的诉求（status=existing）。"
    ),
)
def appeal_create_batch(request: HttpRequest, payload: AppealBatchIn) -> dict[str, Any]:
    items = [
        BatchItem(
            fields=cast(IntakeFields, item.model_dump(exclude={"idempotency_key"})),
            idempotency_key=item.idempotency_key,
        )
        for item in payload.appeals
    ]
    outcomes = appeals_intake_batch(actor=_actor(request), items=items)
    results = [
        {
            "index": o.index,
            "status": o.status,
            "appeal": appeal_receipt_dict(o.appeal) if o.appeal is not None else None,
            "error": o.error.as_dict() if o.error is not None else None,
        }
        for o in outcomes
    ]
    counts = Counter(o.status for o in outcomes)
    return {
        "created": counts["created"],
        "existing": counts["existing"],
        "rejected": counts["rejected"],
        "results": results,
    }


@router.get("/appeals/{key}", response={200: AppealDetailOut, **ERRORS}, summary="查看诉求（编号或 id）")
def appeal_read(request: HttpRequest, key: PathKey) -> dict[str, Any]:
    return _detail(request, selectors.appeal_get(user=_actor(request), key=key))


def _encode_cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidCursor(cursor[:40]) from error


# Every stored time lies between these: a bound beyond them filters nothing (and year 1 or 9999 in another time
# zone would not survive the conversion to UTC).
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A time filter in UTC, kept within what any appeal can hold (a naive time is the centre's local time)."""
    if moment is None:
        return None
    if moment.replace(tzinfo=None) <= EARLIEST.replace(tzinfo=None) + dt.timedelta(days=2):
        return EARLIEST
    if moment.replace(tzinfo=None) >= LATEST.replace(tzinfo=None) - dt.timedelta(days=2):
        return LATEST
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, clock.centre_tz())
    return moment.astimezone(dt.UTC)


# Comma-separated codes (``state=received,accepted``); a code that is none of the values matches nothing.
CODE_LIST = r"^[a-z0-9_, ]*$"


@router.get("/appeals", response={200: AppealPage, **ERRORS}, summary="诉求列表（本单位可见范围）")
def appeal_list(
    request: HttpRequest,
    state: str | None = Query(None, max_length=200, pattern=CODE_LIST, description="状态，可用逗号分隔多个"),
    channel: str | None = Query(None, max_length=200, pattern=CODE_LIST, description="来源渠道，可用逗号分隔多个"),
    category: str | None = Query(
        None, max_length=200, pattern=NO_CONTROL, description="分类（编号、编码或路径），含下级分类"
    ),
    created_from: IsoDateTime | None = Query(
        None, description="登记时间起（含），ISO 8601，如 2026-12-01T00:00:00+08:00"
    ),
    created_to: IsoDateTime | None = Query(None, description="登记时间止（不含），ISO 8601"),
    limit: int = Query(20, ge=1, le=PAGE_MAX),
    cursor: str | None = Query(None, max_length=200, pattern=r"^[A-Za-z0-9_-]*$", description="上一页返回的 next"),
) -> dict[str, Any]:
    qs = selectors.appeals_visible_to(_actor(request)).select_related("category", "area", "lead_unit")
    if state:
        qs = qs.filter(state__in=[s.strip() for s in state.split(",") if s.strip()])
    if channel:
        qs = qs.filter(channel__in=[c.strip() for c in channel.split(",") if c.strip()])
    if category and category.strip():
        cat = resolve_category(category)
        if cat is not None:
            qs = qs.filter(Q(category_id=cat.pk) | Q(category__path__startswith=f"{cat.path}/"))
    if (start := _aware(created_from)) is not None:
        qs = qs.filter(created_at__gte=start)
    if (end := _aware(created_to)) is not None:
        qs = qs.filter(created_at__lt=end)
    try:
        rows, raw_next = keyset_page(
            qs, field="created_at", cursor=_decode_cursor(cursor) if cursor else None, limit=limit, descending=True
        )
    except InvalidCursor as error:
        raise ValidationFailed(_("分页游标无效"), code="invalid_cursor") from error
    items = _present(request, rows)[1]
    return {"items": items, "next": _encode_cursor(raw_next) if raw_next else None}


@router.get("/appeals/{key}/timeline", response={200: list[EventOut], **ERRORS}, summary="诉求办理过程")
def appeal_events(request: HttpRequest, key: PathKey) -> list[dict[str, Any]]:
    appeal = selectors.appeal_get(user=_actor(request), key=key)
    return [event_dict(e) for e in selectors.appeal_timeline(appeal=appeal)]


# --- the centre's transitions ---------------------------------------------------------------------------------


def _visible(request: HttpRequest, key: PathKey) -> Appeal:
    return selectors.appeal_get(user=_actor(request), key=key)


@router.post("/appeals/{key}/accept", response={200: AppealDetailOut, **ERRORS}, summary="受理")
def appeal_accept(request: HttpRequest, key: PathKey, payload: AcceptIn) -> dict[str, Any]:
    changes = payload.model_dump(exclude={"category", "dispatch"}, exclude_none=True)
    appeal = services.appeal_accept(
        actor=_actor(request),
        appeal=_visible(request, key),
        category=payload.category,
        dispatch=payload.dispatch,
        **changes,
    )
    return _detail(request, appeal)


@router.post("/appeals/{key}/reject", response={200: AppealDetailOut, **ERRORS}, summary="不予受理")
def appeal_reject(request: HttpRequest, key: PathKey, payload: RejectIn) -> dict[str, Any]:
    appeal = services.appeal_reject(
        actor=_actor(request), appeal=_visible(request, key), reason_code=payload.reason_code, note=payload.note
    )
    return _detail(request, appeal)


@router.post("/appeals/{key}/dispatch", response={200: AppealDetailOut, **ERRORS}, summary="派遣")
def appeal_dispatch(request: HttpRequest, key: PathKey, payload: DispatchIn) -> dict[str, Any]:
    appeal = _visible(request, key)
    lead = _unit(payload.lead_unit) if payload.lead_unit not in (None, "") else None
    assisting = [_unit(u) for u in payload.assisting_units]
    appeal = services.appeal_dispatch(
        actor=_actor(request), appeal=appeal, lead_unit=lead, assisting_units=assisting, reason=payload.reason
    )
    return _detail(request, appeal)


@router.post("/appeals/{key}/reply", response={200: AppealDetailOut, **ERRORS}, summary="统一答复")
def appeal_reply(request: HttpRequest, key: PathKey, payload: ReplyIn) -> dict[str, Any]:
    appeal = services.appeal_reply(actor=_actor(request), appeal=_visible(request, key), text=payload.text)
    return _detail(request, appeal)


@router.post("/appeals/{key}/follow-up", response={200: AppealDetailOut, **ERRORS}, summary="回访")
def appeal_follow_up(request: HttpRequest, key: PathKey, payload: FollowUpIn) -> dict[str, Any]:
    appeal = services.appeal_follow_up(
        actor=_actor(request),
        appeal=_visible(request, key),
        rating=payload.rating,
        resolved=payload.resolved,
        reached=payload.reached,
        note=payload.note,
    )
    return _detail(request, appeal)


@router.post("/requests/{request_id}/decide", response={200: RequestOut, **ERRORS}, summary="审批单位申请")
def request_decide(request: HttpRequest, request_id: PathId, payload: DecideIn) -> dict[str, Any]:
    user = _actor(request)
    row = AssignmentRequest.objects.filter(pk=request_id, assignment__in=selectors.assignments_visible_to(user)).first()
    if row is None:
        raise NotFound()
    decided = unit_work.request_decide(actor=user, request=row, approve=payload.approve, note=payload.note)
    return request_dict(decided)


# --- the handling unit's transitions --------------------------------------------------------------------------


def _assignment(request: HttpRequest, assignment_id: int) -> Assignment:
    found = selectors.assignments_visible_to(_actor(request)).filter(pk=assignment_id).first()
    if found is None:
        raise NotFound()
    return found


def _assignment_out(assignment: Assignment) -> dict[str, Any]:
    fresh = Assignment.objects.select_related("unit").get(pk=assignment.pk)
    return assignment_dict(fresh)


@router.post("/assignments/{assignment_id}/sign", response={200: AssignmentOut, **ERRORS}, summary="签收")
def assignment_sign(request: HttpRequest, assignment_id: PathId) -> dict[str, Any]:
    assignment = unit_work.assignment_sign(actor=_actor(request), assignment=_assignment(request, assignment_id))
    return _assignment_out(assignment)


@router.post("/assignments/{assignment_id}/contact", response={200: AssignmentOut, **ERRORS}, summary="联系诉求人")
def assignment_contact(request: HttpRequest, assignment_id: PathId, payload: ContactIn) -> dict[str, Any]:
    assignment = unit_work.assignment_record_contact(
        actor=_actor(request), assignment=_assignment(request, assignment_id), note=payload.note
    )
    return _assignment_out(assignment)


@router.post("/assignments/{assignment_id}/feedback", response={200: AssignmentOut, **ERRORS}, summary="处置反馈")
def assignment_feedback(request: HttpRequest, assignment_id: PathId, payload: FeedbackIn) -> dict[str, Any]:
    assignment = unit_work.assignment_feedback(
        actor=_actor(request),
        assignment=_assignment(request, assignment_id),
        text=payload.text,
        resolved=payload.resolved,
    )
    return _assignment_out(assignment)


class ContactRevealIn(Schema):
    reason: str = text(200, min_length=2, default=..., description="查看事由（必填，记入个人信息查看记录与审计日志）")


class ContactRevealOut(Schema):
    tracking_no: str
    citizen_phone: str
    address: str


@router.post(
    "/appeals/{key}/contact-reveal",
    response={200: ContactRevealOut, **ERRORS},
    summary="承办单位查看诉求人联系电话与地址（须事由，留痕）",
)
def appeal_contact_reveal(request: HttpRequest, key: PathKey, payload: ContactRevealIn) -> dict[str, Any]:
    """联系诉求人: a unit with an active assignment on the appeal gets the caller's phone and address in full; the
    view is logged with the reason. Anyone else: 403 (or 404 outside their scope)."""
    appeal = _visible(request, key)
    shown = contact_reveal.citizen_contact_reveal(
        actor=_actor(request), appeal=appeal, reason=payload.reason, ip_address=client_ip(request)
    )
    return {"tracking_no": appeal.tracking_no, "citizen_phone": shown.phone, "address": shown.address}


@router.post(
    "/assignments/{assignment_id}/requests",
    response={201: RequestOut, **ERRORS},
    summary="申请退回、延期或挂账",
)
def assignment_request(request: HttpRequest, assignment_id: PathId, payload: RequestIn) -> Status:
    created = unit_work.assignment_request(
        actor=_actor(request),
        assignment=_assignment(request, assignment_id),
        kind=payload.kind,
        reason=payload.reason,
        basis=payload.basis,
        extra_working_days=payload.extra_working_days,
    )
    return Status(201, request_dict(created))


# --- catalogues -----------------------------------------------------------------------------------------------


@catalogue_router.get("/categories", response={200: list[CategoryNode], **ERRORS}, summary="诉求分类树")
def category_tree(request: HttpRequest) -> list[dict[str, Any]]:
    nodes: dict[int, dict[str, Any]] = {}
    parents: dict[int, int | None] = {}
    for cat in Category.objects.filter(is_active=True).order_by("level", "sort", "code"):
        nodes[cat.pk] = {
            "id": cat.pk,
            "code": cat.code,
            "name": cat.name,
            "path": cat.path,
            "level": cat.level,
            "default_urgency": cat.default_urgency,
            "children": [],
        }
        parents[cat.pk] = cat.parent_id
    roots = []
    for pk, node in nodes.items():
        parent = parents[pk]
        if parent is None:
            roots.append(node)
        elif parent in nodes:  # children of an inactive category are hidden with it
            nodes[parent]["children"].append(node)
    return roots


@catalogue_router.get("/units", response={200: UnitsOut, **ERRORS}, summary="属地单位与职能部门")
def unit_list(request: HttpRequest) -> dict[str, Any]:
    territorial: list[dict[str, Any]] = []
    departments: list[dict[str, Any]] = []
    for unit in Unit.objects.filter(is_active=True).select_related("parent").order_by("path"):
        row = {
            "id": unit.pk,
            "code": unit.code,
            "name": unit.name,
            "kind": unit.kind,
            "parent_code": unit.parent.code if unit.parent_id and unit.parent else None,
            "depth": unit.depth,
            "is_stationed": unit.is_stationed,
            "phone": unit.phone,
        }
        (territorial if unit.kind in TERRITORIAL_KINDS else departments).append(row)
    return {"territorial": territorial, "departments": departments}
