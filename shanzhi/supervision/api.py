"""The supervision API (``/api/v1/supervision/…``): the orders a caller may see, and each step of the cycle.

Views parse and validate; :mod:`shanzhi.supervision.services` decides. An order outside the caller's scope is a
coded 404, the same as one that does not exist; lists hold only what the caller may see.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema, Status

from shanzhi.appeals.api_schemas import NO_CONTROL, ErrorOut, Out, text
from shanzhi.appeals.models import ACTIVE_ASSIGNMENT_STATES, Assignment, AssignmentRole
from shanzhi.appeals.selectors import appeal_get
from shanzhi.core import clock
from shanzhi.core.errors import ValidationFailed
from shanzhi.core.ids import MAX_ID, as_id
from shanzhi.orgs.models import User
from shanzhi.supervision import rules, selectors, services
from shanzhi.supervision.models import SupervisionOrder

router = Router(tags=["督办"])

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class UnitRef(Out):
    id: int
    code: str
    name: str


class UrgeOut(Out):
    at: dt.datetime
    by: str
    note: str
    level_from: str
    level_to: str
    reply_due_from: dt.datetime | None
    reply_due_to: dt.datetime | None


class OrderOut(Out):
    id: int
    appeal_id: int
    tracking_no: str
    assignment_id: int
    unit: UnitRef
    level: str
    level_label: str
    trigger: str
    trigger_label: str
    state: str
    state_label: str
    reason: str
    issued_at: dt.datetime
    issued_by: str | None = Field(None, description="空表示系统自动督办")
    reply_due_at: dt.datetime | None
    reply_overdue: bool = Field(..., description="待回复且已过回复时限（回复超时）")
    reply: str
    replied_at: dt.datetime | None
    replied_late: bool = Field(..., description="回复晚于回复时限")
    urge_count: int
    last_urged_at: dt.datetime | None
    returned_note: str
    closed_at: dt.datetime | None
    close_note: str
    urges: list[UrgeOut] = Field(default_factory=list)


class OrderPage(Out):
    items: list[OrderOut]
    counts: dict[str, int]


class OrderListQuery(Schema):
    state: Literal["open", "replied", "closed", "late", "all"] = Field(
        "open", description="open 待回复, replied 已回复, closed 已办结, late 回复超时, all 全部"
    )
    mine: bool = Field(False, description="只看发给本单位的督办单")
    limit: int = Field(50, ge=1, le=200)


class IssueIn(Schema):
    appeal: str = Field(..., max_length=40, pattern=NO_CONTROL, description="诉求编号或 id")
    assignment_id: int | None = Field(None, ge=1, le=MAX_ID, description="被督办的派单；留空取当前主办单位的派单")
    level: str = Field("yellow", max_length=10, pattern=NO_CONTROL, description="yellow 黄牌, red 红牌, overdue 超期")
    reason: str = text(2000, default=..., description="督办事由")


class SupervisionReplyIn(Schema):
    reply: str = text(2000, default=..., description="督办回复")


class NoteIn(Schema):
    note: str = text(2000, default=..., description="意见")


class CloseIn(Schema):
    note: str = text(2000, description="办结意见（可空）")


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _name(user: User | None) -> str | None:
    if user is None:
        return None
    return user.display_name or user.username


def order_dict(order: SupervisionOrder, *, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or clock.now()
    return {
        "id": order.pk,
        "appeal_id": order.appeal_id,
        "tracking_no": order.appeal.tracking_no,
        "assignment_id": order.assignment_id,
        "unit": {"id": order.unit_id, "code": order.unit.code, "name": order.unit.name},
        "level": order.level,
        "level_label": str(order.get_level_display()),
        "trigger": order.trigger,
        "trigger_label": str(order.get_trigger_display()),
        "state": order.state,
        "state_label": str(order.get_state_display()),
        "reason": order.reason,
        "issued_at": order.issued_at,
        "issued_by": _name(order.issued_by),
        "reply_due_at": order.reply_due_at,
        "reply_overdue": rules.is_overdue_for_reply(state=order.state, reply_due_at=order.reply_due_at, now=now),
        "reply": order.reply,
        "replied_at": order.replied_at,
        "replied_late": order.replied_late,
        "urge_count": order.urge_count,
        "last_urged_at": order.last_urged_at,
        "returned_note": order.returned_note,
        "closed_at": order.closed_at,
        "close_note": order.close_note,
        "urges": [
            {
                "at": u.at,
                "by": _name(u.by) or "",
                "note": u.note,
                "level_from": u.level_from,
                "level_to": u.level_to,
                "reply_due_from": u.reply_due_from,
                "reply_due_to": u.reply_due_to,
            }
            for u in order.urges.select_related("by").order_by("at", "id")
        ],
    }


def _order(request: HttpRequest, order_id: int) -> SupervisionOrder:
    return selectors.order_get(user=_actor(request), pk=order_id)


def _out(order: SupervisionOrder) -> dict[str, Any]:
    fresh = SupervisionOrder.objects.select_related("appeal", "unit", "issued_by").get(pk=order.pk)
    return order_dict(fresh)


@router.get("/orders", response={200: OrderPage, **ERRORS}, summary="督办单列表")
def order_list(request: HttpRequest, query: Query[OrderListQuery]) -> dict[str, Any]:
    user = _actor(request)
    rows = selectors.order_list(user=user, state=query.state, mine=query.mine, limit=query.limit)
    now = clock.now()
    return {
        "items": [order_dict(o, now=now) for o in rows],
        "counts": selectors.order_counts(user=user, mine=query.mine),
    }


@router.get("/orders/{order_id}", response={200: OrderOut, **ERRORS}, summary="督办单详情")
def order_detail(request: HttpRequest, order_id: PathId) -> dict[str, Any]:
    return order_dict(_order(request, order_id))


def _assignment_for(appeal_id: int, assignment_id: int | None) -> Assignment:
    qs = Assignment.objects.filter(appeal_id=appeal_id)
    if assignment_id is not None:
        found = qs.filter(pk=assignment_id).first()
        if found is None:
            raise ValidationFailed(_("该派单不属于此诉求"), code="unknown_assignment", field="assignment_id")
        return found
    found = qs.filter(state__in=ACTIVE_ASSIGNMENT_STATES, role=AssignmentRole.LEAD).order_by("-round", "-id").first()
    if found is None:
        raise ValidationFailed(_("该诉求没有正在办理的派单，不能督办"), code="no_active_assignment")
    return found


@router.post("/orders", response={201: OrderOut, **ERRORS}, summary="人工督办")
def order_issue(request: HttpRequest, payload: IssueIn) -> Status:
    user = _actor(request)
    key: int | str = as_id(payload.appeal) or payload.appeal
    appeal = appeal_get(user=user, key=key)
    assignment = _assignment_for(appeal.pk, payload.assignment_id)
    order = services.supervision_issue(actor=user, assignment=assignment, level=payload.level, reason=payload.reason)
    return Status(201, _out(order))


@router.post("/orders/{order_id}/reply", response={200: OrderOut, **ERRORS}, summary="回复督办")
def order_reply(request: HttpRequest, order_id: PathId, payload: SupervisionReplyIn) -> dict[str, Any]:
    order = services.supervision_reply(actor=_actor(request), order=_order(request, order_id), reply=payload.reply)
    return _out(order)


@router.post("/orders/{order_id}/urge", response={200: OrderOut, **ERRORS}, summary="催办")
def order_urge(request: HttpRequest, order_id: PathId, payload: NoteIn) -> dict[str, Any]:
    order = services.supervision_urge(actor=_actor(request), order=_order(request, order_id), note=payload.note)
    return _out(order)


@router.post("/orders/{order_id}/reject", response={200: OrderOut, **ERRORS}, summary="退回重新回复")
def order_reject(request: HttpRequest, order_id: PathId, payload: NoteIn) -> dict[str, Any]:
    order = services.supervision_reject(actor=_actor(request), order=_order(request, order_id), note=payload.note)
    return _out(order)


@router.post("/orders/{order_id}/close", response={200: OrderOut, **ERRORS}, summary="办结督办单")
def order_close(request: HttpRequest, order_id: PathId, payload: CloseIn) -> dict[str, Any]:
    order = services.supervision_close(actor=_actor(request), order=_order(request, order_id), note=payload.note)
    return _out(order)
