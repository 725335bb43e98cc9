"""One intake for every channel: validation, tracking numbers, idempotency, and routing at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Required, TypedDict, Unpack

from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals import dispatching
from shanzhi.appeals.events import event_draft
from shanzhi.appeals.intake_store import IntakeDraft, intake_existing, intake_write
from shanzhi.appeals.models import Appeal, AppealState, AppealType, Channel, EventKind
from shanzhi.appeals.principals import CITIZEN, PRINCIPALS, SYSTEM_IOT, Principal, staff_of
from shanzhi.core import clock, pii
from shanzhi.core.errors import PermissionDenied, ShanzhiError, ValidationFailed
from shanzhi.core.ids import as_id
from shanzhi.core.model_instances import new_instance
from shanzhi.orgs.models import TERRITORIAL_KINDS, Unit, User
from shanzhi.orgs.permissions import INTAKE_ROLES
from shanzhi.places.gazetteer import address_resolve
from shanzhi.places.services import location_resolve
from shanzhi.routing.catalogue import catalogue
from shanzhi.routing.models import Category, Urgency
from shanzhi.routing.services import routing_advice

MAX_CONTENT = 20_000
# ``Choices.values`` builds a new list on every call: the valid codes once.
_CHANNELS = frozenset(Channel.values)
_APPEAL_TYPES = frozenset(AppealType.values)
_URGENCIES = frozenset(Urgency.values)


@dataclass(frozen=True)
class IntakeResult:
    appeal: Appeal
    created: bool


def resolve_category(value: Category | int | str | None) -> Category | None:
    """A category from an instance, an id, a code or a full path ("城乡建设/物业管理/…"); codes win over ids."""
    if value is None or value == "":
        return None
    if isinstance(value, Category):
        return value
    cat = catalogue()
    found: Category | None
    if isinstance(value, int):
        found = cat.categories.get(value)
    else:
        text = value.strip()
        found = cat.categories_by_code.get(text) or cat.categories_by_path.get(text.replace(" / ", "/"))
        if found is None and (pk := as_id(text)) is not None:
            found = cat.categories.get(pk)
    if found is None or not found.is_active:
        raise ValidationFailed(_("诉求分类不存在或已停用"), code="unknown_category", category=str(value)[:60])
    return found


def _validate_area(area: Unit | None) -> Unit | None:
    if area is None:
        return None
    from django.conf import settings

    district = settings.SHANZHI["DISTRICT_CODE"]
    if area.kind not in TERRITORIAL_KINDS or f"/{district}/" not in area.path or not area.is_active:
        raise ValidationFailed(_("所选区域不属于本区"), code="outside_district")
    return area


#: Who registers an appeal without being staff: the citizen (portal, doorplate), IoT alarms.
INTAKE_PRINCIPALS = frozenset({CITIZEN.code, SYSTEM_IOT.code})


def intake_check_role(actor: User | Principal | None) -> None:
    """Refuse unless ``actor`` may register appeals: an intake role, or a principal named above (``None`` is
    refused: every appeal names who registered it)."""
    if actor is None:
        raise PermissionDenied(_("缺少操作人，不能登记诉求"), code="actor_required")
    if isinstance(actor, Principal):
        if actor.code not in INTAKE_PRINCIPALS:
            raise PermissionDenied(_("您的角色不能登记诉求"), code="role_may_not_intake")
        return
    if not actor.role_codes.difference(PRINCIPALS).intersection(INTAKE_ROLES):
        raise PermissionDenied(_("您的角色不能登记诉求"), code="role_may_not_intake")


class IntakeFields(TypedDict, total=False):
    """What a channel tells about a new appeal (the keyword arguments of :func:`intake_draft` after ``at``)."""

    channel: Required[str]
    content: Required[str]
    title: str
    appeal_type: str
    urgency: str | None
    category: Category | int | str | None
    citizen_name: str
    citizen_phone: str
    citizen_id_number: str
    is_anonymous: bool
    wants_reply: bool
    address: str
    longitude: float | None
    latitude: float | None
    area: Unit | None
    area_code: str | None
    external_ref: str
    external_due_at: dt.datetime | None
    structured: bool
    auto_dispatch: bool


def appeal_intake(
    *,
    actor: User | Principal,
    idempotency_key: str | None = None,
    at: dt.datetime | None = None,
    **fields: Unpack[IntakeFields],
) -> IntakeResult:
    """Register an appeal from any channel (the fields are those of :func:`intake_draft`).

    ``structured=False`` keeps a raw message (a call note, an SMS) as ``received`` for an operator to structure.
    Otherwise the appeal is accepted at once and, when a category is known and the catalogue finds a lead unit,
    dispatched in the same transaction. A retry with the same ``idempotency_key`` by the same actor returns the
    appeal the first call created and changes nothing.
    """
    intake_check_role(actor)
    return _intake(staff_of(actor), idempotency_key=idempotency_key, at=at, **fields)


def _intake(
    actor: User | None, *, idempotency_key: str | None, at: dt.datetime | None, **fields: Unpack[IntakeFields]
) -> IntakeResult:
    """:func:`appeal_intake` once the actor is checked (``None``: a principal, recorded as no staff member)."""
    key = idempotency_key or None
    try:
        draft = intake_draft(actor=actor, idempotency_key=key, at=at or clock.now(), **fields)
    except ShanzhiError:
        # A retry of an appeal registered before is answered with it, even if its input no longer passes (a
        # category retired since); only then is the key looked up on its own.
        existing = intake_existing(actor, [key]).get(key) if key else None
        if existing is not None:
            return IntakeResult(existing, created=False)
        raise
    try:
        existing = intake_write([draft], actor=actor).get(key or "")
    except IntegrityError:
        existing = intake_existing(actor, [key]).get(key) if key else None
        if existing is None:
            raise
    if existing is not None:
        return IntakeResult(existing, created=False)
    return IntakeResult(draft.appeal, created=True)


def intake_draft(
    *,
    actor: User | None,
    at: dt.datetime,
    channel: str,
    content: str,
    title: str = "",
    appeal_type: str = AppealType.HELP,
    urgency: str | None = None,
    category: Category | int | str | None = None,
    citizen_name: str = "",
    citizen_phone: str = "",
    citizen_id_number: str = "",
    is_anonymous: bool = False,
    wants_reply: bool = True,
    address: str = "",
    longitude: float | None = None,
    latitude: float | None = None,
    area: Unit | None = None,
    area_code: str | None = None,
    idempotency_key: str | None = None,
    external_ref: str = "",
    external_due_at: dt.datetime | None = None,
    structured: bool = True,
    auto_dispatch: bool = True,
) -> IntakeDraft:
    """Validate and route one appeal in memory (raises :class:`ValidationFailed` on bad input; writes nothing)."""
    if area is None and area_code:
        area = catalogue().units_by_code.get(area_code.strip())
        if area is None:
            raise ValidationFailed(_("区域代码不存在"), code="unknown_area", area_code=area_code[:32])
    fields = _validated_fields(
        channel=channel,
        content=content,
        title=title,
        appeal_type=appeal_type,
        urgency=urgency,
        category=category,
        citizen_name=citizen_name,
        citizen_phone=citizen_phone,
        citizen_id_number=citizen_id_number,
        address=address,
        longitude=longitude,
        latitude=latitude,
        area=area,
        structured=structured,
    )
    location_note = fields.pop("_location_note")
    advice = None
    if fields["category"] is None and fields["appeal_type"] != AppealType.CONSULTATION:
        # No category from a person: the classifier suggests; above the threshold it decides (DESIGN §6).
        advice = routing_advice(
            text=f"{fields['title']}\n{fields['content']}", area=fields["area"], channel=channel, at=at
        )
        if structured and advice.automatic is not None:
            fields["category"] = advice.automatic
            fields["urgency"] = urgency or advice.automatic.default_urgency
    appeal = new_instance(
        Appeal,
        routing_suggestions=advice.suggestions if advice else [],
        routing_explanation=advice.explanation if advice else "",
        is_anonymous=is_anonymous,
        wants_reply=wants_reply,
        idempotency_key=idempotency_key or None,
        external_ref=external_ref,
        external_due_at=external_due_at if external_due_at is not None and external_due_at > at else None,
        created_by=actor,
        created_at=at,
        state=AppealState.RECEIVED,
        **fields,
    )
    draft = IntakeDraft(
        appeal=appeal,
        events=[
            event_draft(
                appeal=appeal,
                kind=EventKind.RECEIVED,
                at=at,
                actor=actor,
                to_state=AppealState.RECEIVED,
                payload={"channel": channel, **({"location": location_note} if location_note else {})},
            )
        ],
    )
    if structured:
        appeal.state = AppealState.ACCEPTED
        draft.events.append(
            event_draft(
                appeal=appeal,
                kind=EventKind.ACCEPTED,
                at=at,
                actor=actor,
                from_state=AppealState.RECEIVED,
                to_state=AppealState.ACCEPTED,
            )
        )
        if auto_dispatch and appeal.category_id is not None:
            draft.round = dispatching.draft_by_catalogue(
                appeal=appeal,
                actor=actor,
                at=at,
                only_if_lead=True,
                prefix=advice.explanation if advice and advice.automatic else "",
            )
            if draft.round is not None:
                draft.events.append(draft.round.event)
    return draft


def _validated_fields(
    *,
    channel: str,
    content: str,
    title: str,
    appeal_type: str,
    urgency: str | None,
    category: Category | int | str | None,
    citizen_name: str,
    citizen_phone: str,
    citizen_id_number: str,
    address: str,
    longitude: float | None,
    latitude: float | None,
    area: Unit | None,
    structured: bool,
) -> dict:
    content = (content or "").strip()
    if not content:
        raise ValidationFailed(_("请填写诉求内容"), code="content_required")
    if len(content) > MAX_CONTENT:
        raise ValidationFailed(_("诉求内容过长（最多 20000 字）"), code="content_too_long")
    if channel not in _CHANNELS:
        raise ValidationFailed(_("来源渠道无效"), code="invalid_channel", channel=channel)
    if appeal_type not in _APPEAL_TYPES:
        raise ValidationFailed(_("诉求类型无效"), code="invalid_appeal_type")
    if urgency is not None and urgency not in _URGENCIES:
        raise ValidationFailed(_("紧急程度无效"), code="invalid_urgency")
    cat = resolve_category(category)
    phone = pii.normalize_phone(citizen_phone) if citizen_phone else ""
    if phone and not pii.citizen_phone_is_valid(phone):
        raise ValidationFailed(_("联系电话格式不正确"), code="invalid_phone")
    id_number = citizen_id_number.strip().upper()
    if id_number and not pii.id_number_is_valid(id_number):
        raise ValidationFailed(_("身份证号码校验不通过"), code="invalid_id_number")
    if (longitude is None) != (latitude is None):
        raise ValidationFailed(_("经度和纬度须同时填写"), code="invalid_coordinates")
    location_note = ""
    area = _validate_area(area)
    if longitude is not None and latitude is not None:
        location = location_resolve(longitude=longitude, latitude=latitude)
        location_note = location.explanation
        if location.area is not None and (area is None or location.area.path.startswith(area.path)):
            area = location.area
    elif area is None and address.strip():
        resolved = address_resolve(address)
        if resolved.best is not None:
            area = Unit.objects.filter(code=resolved.best.unit_code, is_active=True).first()
            location_note = f"地址匹配：{resolved.explanation}（{resolved.best.score:.2f}）"
    return {
        "channel": channel,
        "content": content,
        "title": (title or content[:40]).strip()[:120],
        "appeal_type": appeal_type,
        "urgency": urgency or (cat.default_urgency if cat else Urgency.ORDINARY),
        "category": cat,
        "citizen_name": citizen_name.strip()[:50],
        "citizen_phone": phone,
        "citizen_id_enc": pii.encrypt(id_number),
        "citizen_id_index": pii.blind_index(id_number),
        "address": address.strip()[:200],
        "longitude": longitude,
        "latitude": latitude,
        "area": area,
        "area_path": area.path if area else "",
        "_location_note": location_note,
    }
