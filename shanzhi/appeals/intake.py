"""One intake for every channel: validation, tracking numbers, idempotency, and routing at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Required, TypedDict, Unpack

from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals import dispatching
from shanzhi.appeals.dispatching import RoundDraft
from shanzhi.appeals.events import event_draft
from shanzhi.appeals.models import Appeal, AppealEvent, AppealState, AppealType, Channel, EventKind
from shanzhi.core import clock, pii
from shanzhi.core.bulk_insert import bulk_insert
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.core.model_instances import new_instance
from shanzhi.notifications.services import new_appeal_messages, schedule_deliveries
from shanzhi.orgs.models import TERRITORIAL_KINDS, Unit, User
from shanzhi.places.gazetteer import address_resolve
from shanzhi.places.services import location_resolve
from shanzhi.routing.catalogue import catalogue
from shanzhi.routing.models import Category, Urgency
from shanzhi.routing.services import routing_advice

MAX_CONTENT = 20_000
INTAKE_ROLES = frozenset({"operator", "dispatcher", "leader", "admin", "integration", "grid_worker"})


@dataclass(frozen=True)
class IntakeResult:
    appeal: Appeal
    created: bool


_known_sequences: set[str] = set()


def next_tracking_no(at: dt.datetime) -> str:
    """``HB20261128-000123``: district prefix, the centre's local date, a daily sequence. Never reused (ADR 2)."""
    return next_tracking_nos(at, 1)[0]


def next_tracking_nos(at: dt.datetime, count: int) -> list[str]:
    """``count`` new tracking numbers of ``at``'s day, ascending, with one statement.

    PostgreSQL: one sequence per day (created on first use), so allocation takes no row lock and needs no commit.
    Elsewhere (SQLite): one atomic upsert of the day's counter row, advanced by ``count``.
    """
    from django.conf import settings

    if count < 1:
        return []
    day = clock.local_date(at)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            name = f"appeals_tracking_{day:%Y%m%d}"
            # Inside an outer transaction the CREATE may still roll back, so it is only remembered in autocommit.
            if name not in _known_sequences or connection.in_atomic_block:
                _create_sequence(cursor, name)
                if not connection.in_atomic_block:
                    _known_sequences.add(name)
            if count == 1:
                cursor.execute("SELECT nextval(%s)", [name])
            else:
                cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [name, count])
            values = sorted(row[0] for row in cursor.fetchall())
        else:
            cursor.execute(
                "INSERT INTO appeals_trackingcounter (day, value) VALUES (%s, %s) "
                "ON CONFLICT (day) DO UPDATE SET value = appeals_trackingcounter.value + %s RETURNING value",
                [day, count, count],
            )
            (last,) = cursor.fetchone()
            values = list(range(last - count + 1, last + 1))
    prefix = settings.SHANZHI["TRACKING_PREFIX"]
    return [f"{prefix}{day:%Y%m%d}-{value:06d}" for value in values]


def _create_sequence(cursor: Any, name: str) -> None:
    """Create the day's sequence if it does not exist; a concurrent creator winning the race is fine."""
    try:
        with transaction.atomic():
            cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}" START 1')
    except (IntegrityError, ProgrammingError):
        pass  # created at the same moment by another process


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
        if found is None and text.isdigit():
            found = cat.categories.get(int(text))
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


@dataclass
class IntakeDraft:
    """A validated, routed appeal not yet written: the appeal, its first events and its first dispatch round."""

    appeal: Appeal
    events: list[AppealEvent]
    round: RoundDraft | None = None


def intake_check_role(actor: User | None) -> None:
    if actor is not None and not actor.has_role(*INTAKE_ROLES):
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
    structured: bool
    auto_dispatch: bool


def appeal_intake(
    *,
    actor: User | None,
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
    if idempotency_key:
        existing = intake_existing(actor, [idempotency_key]).get(idempotency_key)
        if existing is not None:
            return IntakeResult(existing, created=False)
    draft = intake_draft(actor=actor, idempotency_key=idempotency_key, at=at or clock.now(), **fields)
    try:
        intake_write([draft])
    except IntegrityError:
        if idempotency_key:
            existing = intake_existing(actor, [idempotency_key]).get(idempotency_key)
            if existing is not None:
                return IntakeResult(existing, created=False)
        raise
    return IntakeResult(draft.appeal, created=True)


def intake_existing(actor: User | None, keys: Iterable[str]) -> dict[str, Appeal]:
    """The appeals ``actor`` already registered under any of ``keys``. A narrow query first (almost always
    empty: retries are rare), the whole appeals only for the keys found."""
    wanted = {k for k in keys if k}
    if not wanted:
        return {}
    found: dict[str, int] = {
        key: pk
        for key, pk in Appeal.objects.filter(idempotency_key__in=wanted, created_by=actor)
        .order_by()
        .values_list("idempotency_key", "pk")
        if key
    }
    if not found:
        return {}
    by_pk = Appeal.objects.in_bulk(list(found.values()))
    return {key: by_pk[pk] for key, pk in found.items() if pk in by_pk}


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


def intake_write(drafts: Sequence[IntakeDraft]) -> None:
    """Write drafted appeals in one transaction: tracking numbers, then one bulk insert (COPY on PostgreSQL) each
    for the appeals, their assignments, their events and the citizens' acknowledgements, and one delivery task.
    All or nothing: an IntegrityError (a concurrent retry with the same idempotency key) leaves no trace but spent
    tracking numbers."""
    if not drafts:
        return
    by_day: dict[dt.date, list[Appeal]] = {}
    for draft in drafts:
        by_day.setdefault(clock.local_date(draft.appeal.created_at), []).append(draft.appeal)
    for appeals in by_day.values():
        for appeal, number in zip(appeals, next_tracking_nos(appeals[0].created_at, len(appeals)), strict=True):
            appeal.tracking_no = number
    appeals = [d.appeal for d in drafts]
    messages = new_appeal_messages(appeals=appeals, event="received")
    with transaction.atomic():
        bulk_insert(
            appeals,
            [a for d in drafts if d.round is not None for a in d.round.assignments],
            [e for d in drafts for e in d.events],
            messages,
        )
        schedule_deliveries(messages)


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
    if channel not in Channel.values:
        raise ValidationFailed(_("来源渠道无效"), code="invalid_channel", channel=channel)
    if appeal_type not in AppealType.values:
        raise ValidationFailed(_("诉求类型无效"), code="invalid_appeal_type")
    if urgency is not None and urgency not in Urgency.values:
        raise ValidationFailed(_("紧急程度无效"), code="invalid_urgency")
    cat = resolve_category(category)
    phone = pii.normalize_phone(citizen_phone) if citizen_phone else ""
    if phone and not pii.phone_is_valid(phone):
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
