"""Request and response shapes of the appeals API (``/api/v1/``), and the mapping from models to them.

Personal data (the citizen's name, phone and address) is masked unless the caller holds
``orgs.view_personal_data``; the views then log every full view (see :func:`appeal_dict`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from annotated_types import Ge, Le
from ninja import Field, Schema
from pydantic import BaseModel, BeforeValidator, StrictBool, StrictFloat, StrictStr, WithJsonSchema

from shanzhi.appeals.models import (
    Appeal,
    AppealEvent,
    AppealType,
    Assignment,
    AssignmentRequest,
    Channel,
    Rating,
    RequestKind,
)
from shanzhi.core import error_registry, pii
from shanzhi.core.ids import MAX_ID
from shanzhi.orgs.models import Unit
from shanzhi.routing.models import Category, Urgency

# --- input ---------------------------------------------------------------------------------------------------
#
# The schema says exactly what the validation takes (a schemathesis run in the suite holds both to it): enumerations
# as enums, booleans and integers strict (``0`` is not ``false``, ``"3"`` is not ``3``), ids within a 64-bit key,
# text without NUL characters (which no PostgreSQL text column can hold). What the schema cannot say (a phone number
# that is not a real one, a category that does not exist, a place outside the district) is a coded 422.

NO_NUL = r"^[^\u0000]*$"
#: A filter or key with no control characters at all.
NO_CONTROL = r"^[^\u0000-\u001f\u007f]*$"


def _whole_number(value: object) -> object:
    """An integer as JSON Schema means it: ``3`` or ``3.0``, never ``true`` or ``"3"``."""
    if isinstance(value, (bool, str)):
        raise ValueError("an integer is required")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Id = Annotated[
    int,
    BeforeValidator(_whole_number),
    Ge(1),
    Le(MAX_ID),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID}),
]
WorkingDays = Annotated[
    int,
    BeforeValidator(_whole_number),
    Ge(1),
    Le(30),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 30}),
]
IdOrCode = Id | Annotated[StrictStr, Field(min_length=1, max_length=200, pattern=NO_CONTROL)]


def text(max_length: int, *, min_length: int = 0, default: Any = "", description: str | None = None) -> Any:
    """A text field: no NUL characters, the given length."""
    return Field(default, min_length=min_length, max_length=max_length, pattern=NO_NUL, description=description)


class AppealCreateIn(Schema):
    content: str = text(20_000, min_length=1, default=..., description="诉求内容")
    channel: Channel = Field(Channel.OPEN311, description="来源渠道")
    title: str = text(120, description="标题（留空取内容前 40 字）")
    appeal_type: AppealType = Field(AppealType.HELP, description="诉求类型")
    urgency: Urgency | None = Field(None, description="紧急程度（留空按分类的默认值）")
    category: IdOrCode | None = Field(None, description="分类：编号(id)、编码(code)或完整路径(如 城乡建设/物业管理)")
    citizen_name: str = text(50, description="诉求人姓名")
    citizen_phone: str = text(30, description="联系电话（手机或座机）")
    citizen_id_number: str = text(18, description="身份证号（加密保存，不在接口中返回）")
    is_anonymous: StrictBool = False
    wants_reply: StrictBool = True
    address: str = text(200, description="事发地址")
    longitude: StrictFloat | None = Field(None, ge=-180, le=180, description="经度 (WGS-84/CGCS2000)")
    latitude: StrictFloat | None = Field(None, ge=-90, le=90, description="纬度")
    area_code: str | None = Field(
        None, max_length=32, pattern=NO_CONTROL, description="所属区域的区划代码（无坐标时用）"
    )
    external_ref: str = text(64, description="对接系统中的编号")
    structured: StrictBool = Field(True, description="false：原始信息，待话务员补录后受理")


class AppealBatchItemIn(AppealCreateIn):
    idempotency_key: str | None = Field(
        None,
        max_length=80,
        pattern=NO_CONTROL,
        description="本件的幂等键：重发同一键返回首次登记的诉求（status=existing），不再新建",
    )


class AppealBatchIn(Schema):
    appeals: list[AppealBatchItemIn] = Field(
        ..., min_length=1, max_length=1000, description="诉求列表（每批上限见 SHANZHI_INTAKE_BATCH_MAX，默认 100）"
    )


class AcceptIn(Schema):
    category: IdOrCode | None = Field(None, description="分类：编号、编码或完整路径（留空用已有分类）")
    title: str | None = text(120, default=None)
    content: str | None = text(20_000, default=None)
    appeal_type: AppealType | None = None
    urgency: Urgency | None = None
    address: str | None = text(200, default=None)
    dispatch: StrictBool = Field(True, description="按派单目录自动派遣")


class RejectIn(Schema):
    reason_code: str = Field(..., max_length=20, pattern=NO_CONTROL, description="不予受理理由编码")
    note: str = text(500)


class DispatchIn(Schema):
    lead_unit: IdOrCode | None = Field(None, description="主办单位（编号或编码）；留空则按派单目录")
    assisting_units: list[IdOrCode] = Field(default_factory=list, max_length=20, description="协办单位")
    reason: str = text(500)


class ReplyIn(Schema):
    text: str = text(5000, default=..., description="统一答复内容")


class FollowUpIn(Schema):
    rating: Rating | Literal[""] = Field("", description="满意度（未联系上时留空）")
    resolved: StrictBool | None = None
    reached: StrictBool = True
    note: str = text(2000)


class ContactIn(Schema):
    note: str = text(2000, description="联系情况")


class FeedbackIn(Schema):
    text: str = text(5000, default=..., description="处置情况")
    resolved: StrictBool


class RequestIn(Schema):
    kind: RequestKind = Field(..., description="return 退回, extend 延期, shelve 挂账")
    reason: str = text(2000, default=...)
    basis: str = text(300, description="退回须写明职责或权限依据")
    extra_working_days: WorkingDays | None = None


class DecideIn(Schema):
    approve: StrictBool
    note: str = text(300)


# --- output ---------------------------------------------------------------------------------------------------


class Out(BaseModel):
    """Response shapes. The views hand over plain dicts (:func:`appeal_dict` and the like), so these are plain
    pydantic models: ninja's ``Schema`` wraps every value in a ``DjangoGetter`` to read model attributes, a
    validator call per nested object, which the batch response paid for every item."""


class ErrorOut(Out):
    #: One of the codes the apps declare (``shanzhi/*/error_codes.py``), listed as an enum in the OpenAPI schema.
    code: str = Field(json_schema_extra=error_registry.code_json_schema)
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class UnitRef(Out):
    id: int
    code: str
    name: str


class CategoryRef(Out):
    id: int
    code: str
    name: str
    path: str


class AssignmentOut(Out):
    id: int
    appeal_id: int
    unit: UnitRef
    role: str
    round: int
    state: str
    dispatched_at: dt.datetime
    sign_due_at: dt.datetime | None
    contact_due_at: dt.datetime | None
    due_at: dt.datetime | None
    warning: str
    signed_at: dt.datetime | None
    contacted_at: dt.datetime | None
    feedback: str
    feedback_at: dt.datetime | None
    resolved: bool | None
    done_at: dt.datetime | None


class AppealOut(Out):
    id: int
    tracking_no: str
    channel: str
    appeal_type: str
    urgency: str
    state: str
    state_label: str
    title: str
    content: str
    category: CategoryRef | None
    citizen_name: str
    citizen_phone: str
    address: str
    personal_data_masked: bool
    is_anonymous: bool
    wants_reply: bool
    longitude: float | None
    latitude: float | None
    area: UnitRef | None
    lead_unit: UnitRef | None
    round: int
    due_at: dt.datetime | None
    warning: str
    routing_explanation: str
    reply_text: str
    replied_at: dt.datetime | None
    rating: str
    resolved: bool | None
    closed_at: dt.datetime | None
    external_ref: str
    created_at: dt.datetime


class AppealReceiptOut(Out):
    """What an integration needs back to track what it sent (no personal data)."""

    id: int
    tracking_no: str
    state: str
    category: str | None = Field(description="分类编码")
    lead_unit: UnitRef | None
    due_at: dt.datetime | None
    external_ref: str
    created_at: dt.datetime


class BatchItemOut(Out):
    index: int = Field(description="在请求 appeals 中的序号（从 0 起）")
    status: str = Field(description="created 新建 / existing 重发（已登记过）/ rejected 拒收（见 error）")
    appeal: AppealReceiptOut | None
    error: ErrorOut | None


class AppealBatchOut(Out):
    created: int
    existing: int
    rejected: int
    results: list[BatchItemOut]


class AppealDetailOut(AppealOut):
    assignments: list[AssignmentOut]
    actions: list[str] = Field(description="调用者当前可执行的操作")


class AppealPage(Out):
    items: list[AppealOut]
    next: str | None = Field(None, description="下一页游标；为空表示没有更多")


class EventOut(Out):
    id: int
    kind: str
    kind_label: str
    from_state: str
    to_state: str
    reason: str
    payload: dict[str, Any]
    actor: str | None
    actor_unit: UnitRef | None
    assignment_id: int | None
    is_public: bool
    created_at: dt.datetime


class RequestOut(Out):
    id: int
    assignment_id: int
    kind: str
    state: str
    reason: str
    basis: str
    extra_working_days: int | None
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str


class CategoryNode(Out):
    id: int
    code: str
    name: str
    path: str
    level: int
    default_urgency: str
    children: list[CategoryNode] = Field(default_factory=list)


CategoryNode.model_rebuild()


class UnitOut(Out):
    id: int
    code: str
    name: str
    kind: str
    parent_code: str | None
    depth: int
    is_stationed: bool
    phone: str


class UnitsOut(Out):
    territorial: list[UnitOut]
    departments: list[UnitOut]


# --- mapping --------------------------------------------------------------------------------------------------


def unit_ref(unit: Unit | None) -> dict[str, Any] | None:
    return None if unit is None else {"id": unit.pk, "code": unit.code, "name": unit.name}


def category_ref(category: Category | None) -> dict[str, Any] | None:
    if category is None:
        return None
    return {"id": category.pk, "code": category.code, "name": category.name, "path": category.path}


def appeal_dict(appeal: Appeal, *, reveal: bool) -> dict[str, Any]:
    """The API form of an appeal. ``reveal`` shows personal data in full; the caller must have logged the view."""
    name, phone, address = appeal.citizen_name, appeal.citizen_phone, appeal.address
    if not reveal:
        name, phone, address = pii.mask_name(name), pii.mask_phone(phone), pii.mask_address(address)
    return {
        "id": appeal.pk,
        "tracking_no": appeal.tracking_no,
        "channel": appeal.channel,
        "appeal_type": appeal.appeal_type,
        "urgency": appeal.urgency,
        "state": appeal.state,
        "state_label": str(appeal.get_state_display()),
        "title": appeal.title,
        "content": appeal.content,
        "category": category_ref(appeal.category) if appeal.category_id else None,
        "citizen_name": name,
        "citizen_phone": phone,
        "address": address,
        "personal_data_masked": not reveal,
        "is_anonymous": appeal.is_anonymous,
        "wants_reply": appeal.wants_reply,
        "longitude": appeal.longitude,
        "latitude": appeal.latitude,
        "area": unit_ref(appeal.area) if appeal.area_id else None,
        "lead_unit": unit_ref(appeal.lead_unit) if appeal.lead_unit_id else None,
        "round": appeal.round,
        "due_at": appeal.due_at,
        "warning": appeal.warning,
        "routing_explanation": appeal.routing_explanation,
        "reply_text": appeal.reply_text,
        "replied_at": appeal.replied_at,
        "rating": appeal.rating,
        "resolved": appeal.resolved,
        "closed_at": appeal.closed_at,
        "external_ref": appeal.external_ref,
        "created_at": appeal.created_at,
    }


def appeal_receipt_dict(appeal: Appeal) -> dict[str, Any]:
    """The receipt of a batch item (the category and lead unit come from the in-process snapshot)."""
    from shanzhi.routing.catalogue import catalogue

    snapshot = catalogue()
    category = snapshot.categories.get(appeal.category_id) if appeal.category_id else None
    lead = snapshot.units.get(appeal.lead_unit_id) if appeal.lead_unit_id else None
    return {
        "id": appeal.pk,
        "tracking_no": appeal.tracking_no,
        "state": appeal.state,
        "category": category.code if category else None,
        "lead_unit": unit_ref(lead),
        "due_at": appeal.due_at,
        "external_ref": appeal.external_ref,
        "created_at": appeal.created_at,
    }


def assignment_dict(assignment: Assignment) -> dict[str, Any]:
    return {
        "id": assignment.pk,
        "appeal_id": assignment.appeal_id,
        "unit": unit_ref(assignment.unit),
        "role": assignment.role,
        "round": assignment.round,
        "state": assignment.state,
        "dispatched_at": assignment.dispatched_at,
        "sign_due_at": assignment.sign_due_at,
        "contact_due_at": assignment.contact_due_at,
        "due_at": assignment.due_at,
        "warning": assignment.warning,
        "signed_at": assignment.signed_at,
        "contacted_at": assignment.contacted_at,
        "feedback": assignment.feedback,
        "feedback_at": assignment.feedback_at,
        "resolved": assignment.resolved,
        "done_at": assignment.done_at,
    }


def event_dict(event: AppealEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "kind": event.kind,
        "kind_label": str(event.get_kind_display()),
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "payload": event.payload or {},
        "actor": str(event.actor) if event.actor_id else None,
        "actor_unit": unit_ref(event.actor_unit) if event.actor_unit_id else None,
        "assignment_id": event.assignment_id,
        "is_public": event.is_public,
        "created_at": event.created_at,
    }


def request_dict(request: AssignmentRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "assignment_id": request.assignment_id,
        "kind": request.kind,
        "state": request.state,
        "reason": request.reason,
        "basis": request.basis,
        "extra_working_days": request.extra_working_days,
        "requested_at": request.requested_at,
        "decided_at": request.decided_at,
        "decision_note": request.decision_note,
    }
