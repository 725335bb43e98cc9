"""POST requests: an Open311 service request becomes an appeal through the one intake (channel ``open311``)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from shanzhi.appeals.intake import appeal_intake
from shanzhi.appeals.models import Appeal, AppealEvent, AppealState, Channel, EventKind
from shanzhi.appeals.services import appeal_supply_info
from shanzhi.core import clock
from shanzhi.core.errors import PermissionDenied, ShanzhiError
from shanzhi.open311 import rules, selectors
from shanzhi.open311.media import media_fetch_schedule
from shanzhi.open311.models import ServiceRequest
from shanzhi.orgs.models import User
from shanzhi.orgs.permissions import INTAKE_ROLES, holds

MAX_DESCRIPTION = 4000


@dataclass(frozen=True)
class Submitted:
    """The form fields of POST requests (after the view has read them)."""

    jurisdiction_id: str | None
    service_code: str
    lat: str | None = None
    long: str | None = None
    address_string: str = ""
    address_id: str = ""
    description: str = ""
    media_url: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""


def _district_code() -> str:
    return str(settings.SHANZHI["DISTRICT_CODE"])


def _content(description: str, specs: list[rules.AttributeSpec], answers: Mapping[str, object]) -> str:
    lines = [description.strip()] if description.strip() else []
    for spec in specs:
        if spec.code in answers:
            value = answers[spec.code]
            shown = "、".join(map(str, value)) if isinstance(value, list) else str(value)
            names = {str(v.get("key")): str(v.get("name")) for v in spec.values}
            if spec.values:
                keys = value if isinstance(value, list) else [value]
                shown = "、".join(names.get(str(k), str(k)) for k in keys)
            lines.append(f"{spec.description}：{shown}")
    return "\n".join(lines)


def service_request_create(
    *, actor: User | None, data: Submitted, attributes: Mapping[str, list[str]]
) -> ServiceRequest:
    """Create the appeal for one Open311 request; refusals are :class:`rules.Open311Error` (400/403/404)."""
    if actor is None:
        raise rules.Open311Error(403, "api_key_invalid", "缺少 api_key 或 api_key 无效")
    if not holds(actor, INTAKE_ROLES):
        raise rules.Open311Error(403, "api_key_not_allowed", "该 api_key 不能提交诉求")
    rules.jurisdiction_check(data.jurisdiction_id, district_code=_district_code(), required=True)
    if not data.service_code.strip():
        raise rules.Open311Error(400, "service_code_required", "缺少 service_code")
    try:
        category = selectors.service_get(data.service_code.strip())
    except rules.Open311Error:
        raise rules.Open311Error(400, "service_code_unknown", "service_code 不存在") from None
    latitude = rules.coordinate(data.lat, name="lat", low=-90, high=90)
    longitude = rules.coordinate(data.long, name="long", low=-180, high=180)
    if (latitude is None) != (longitude is None):
        raise rules.Open311Error(400, "location_incomplete", "lat 和 long 须同时提供")
    if latitude is None and not data.address_string.strip() and not data.address_id.strip():
        raise rules.Open311Error(400, "location_required", "须提供位置：lat 与 long、address_string 或 address_id")
    if len(data.description) > MAX_DESCRIPTION:
        raise rules.Open311Error(400, "description_too_long", f"description 最多 {MAX_DESCRIPTION} 字")
    if data.media_url and not data.media_url.startswith(("http://", "https://")):
        raise rules.Open311Error(400, "invalid_media_url", "media_url 须为 http(s) 地址")
    specs = selectors.attribute_specs(category)
    answers = rules.attribute_answers(specs, attributes)
    content = _content(data.description, specs, answers)
    if not content:
        raise rules.Open311Error(400, "description_required", "须填写 description 或属性")
    name = f"{data.last_name.strip()}{data.first_name.strip()}"
    address = data.address_string.strip() or data.address_id.strip()
    with transaction.atomic():
        try:
            result = appeal_intake(
                actor=actor,
                channel=Channel.OPEN311,
                content=content,
                category=category,
                citizen_name=name,
                citizen_phone=data.phone.strip(),
                is_anonymous=not name and not data.phone.strip(),
                address=address,
                longitude=longitude,
                latitude=latitude,
                external_ref=(data.account_id or data.device_id)[:64],
            )
        except ShanzhiError as exc:
            raise rules.Open311Error(400, exc.code, str(exc.message)) from None
        appeal: Appeal = result.appeal
        service_request = ServiceRequest.objects.create(
            appeal=appeal,
            token=secrets.token_urlsafe(18),
            client=actor,
            service_code=category.code,
            attributes=answers,
            media_url=data.media_url[:500],
            address_id=data.address_id[:64],
            device_id=data.device_id[:64],
            account_id=data.account_id[:64],
            created_at=clock.now(),
        )
        media_fetch_schedule(service_request)
    return service_request


def request_update_post(*, actor: User | None, service_request_id: str, description: str) -> AppealEvent:
    """FixMyStreet's POST servicerequestupdates: the citizen's answer to the centre's question (补充材料), taken while
    the appeal waits for it (``needs_info``); other states take no updates from outside."""
    if actor is None:
        raise rules.Open311Error(403, "api_key_invalid", "缺少 api_key 或 api_key 无效")
    if not service_request_id.strip():
        raise rules.Open311Error(400, "service_request_id_required", "缺少 service_request_id")
    if not description.strip():
        raise rules.Open311Error(400, "description_required", "缺少 description")
    if len(description) > MAX_DESCRIPTION:
        raise rules.Open311Error(400, "description_too_long", f"description 最多 {MAX_DESCRIPTION} 字")
    appeal = selectors.request_get(user=actor, service_request_id=service_request_id.strip())
    if appeal.state != AppealState.NEEDS_INFO:
        raise rules.Open311Error(400, "updates_not_accepted", "该请求当前不接受更新（仅在中心要求补充材料时可提交）")
    try:
        with transaction.atomic():
            appeal_supply_info(actor=actor, appeal=appeal, text=description.strip())
    except ShanzhiError as exc:
        status = 403 if isinstance(exc, PermissionDenied) else 400
        raise rules.Open311Error(status, exc.code, str(exc.message)) from None
    event = appeal.events.filter(kind=EventKind.INFO_SUPPLIED).order_by("-created_at", "-id").first()
    assert event is not None
    return event
