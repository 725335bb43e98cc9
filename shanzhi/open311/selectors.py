"""Reads of the Open311 server: the service list (the category tree), service definitions, requests and updates.

Who sees which requests: a caller with an API key sees the appeals in its user's scope (``appeals_visible_to``);
a caller without one sees only the requests that came in through Open311 (the civic apps publish them anyway).
Personal data of the citizen (name, phone, ID number) is never part of an Open311 answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from shanzhi.appeals.models import FINAL_STATES, OPEN_STATES, Appeal, AppealEvent, EventKind
from shanzhi.appeals.selectors import appeals_visible_to
from shanzhi.core import clock
from shanzhi.open311 import rules
from shanzhi.open311.models import LIST_DATATYPES, ServiceAttribute, ServiceRequest
from shanzhi.orgs.models import User
from shanzhi.routing.models import Category

PUBLIC_REPLY_STATES = ("replied", "closed", "answered")


def _tz() -> dt.tzinfo:
    return clock.centre_tz()


# --- services ---------------------------------------------------------------------------------------------------


def service_categories() -> QuerySet[Category]:
    """The services: every active category without active children (what a citizen can report)."""
    return (
        Category.objects.filter(is_active=True)
        .exclude(children__is_active=True)
        .select_related("parent")
        .order_by("code")
    )


def services_list() -> list[dict[str, Any]]:
    with_attributes = set(
        ServiceAttribute.objects.filter(is_active=True).values_list("category_id", flat=True).distinct()
    )
    return [
        {
            "service_code": cat.code,
            "service_name": cat.name,
            "description": cat.path,
            "metadata": cat.pk in with_attributes,
            "type": "realtime",
            "keywords": ",".join(cat.keywords.replace("，", " ").replace(",", " ").split()),
            "group": cat.parent.name if cat.parent else "",
        }
        for cat in service_categories()
    ]


def service_get(code: str) -> Category:
    cat = service_categories().filter(code=code).first()
    if cat is None:
        raise rules.Open311Error(404, "service_not_found", "service_code 不存在")
    return cat


def service_attributes(category: Category) -> list[ServiceAttribute]:
    return list(ServiceAttribute.objects.filter(category=category, is_active=True).order_by("order", "id"))


def attribute_specs(category: Category) -> list[rules.AttributeSpec]:
    return [
        rules.AttributeSpec(
            code=a.code,
            datatype=a.datatype,
            description=a.description,
            required=a.required,
            variable=a.variable,
            values=tuple(a.values or ()),
        )
        for a in service_attributes(category)
    ]


def service_definition(code: str) -> dict[str, Any]:
    category = service_get(code)
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description,
                "order": a.order,
                "description": a.description,
                **(
                    {"values": [{"key": str(v.get("key")), "name": str(v.get("name"))} for v in a.values or []]}
                    if a.datatype in LIST_DATATYPES
                    else {}
                ),
            }
            for a in service_attributes(category)
        ],
    }


# --- requests ---------------------------------------------------------------------------------------------------


def requests_visible_to(user: User | None) -> QuerySet[Appeal]:
    if user is None:
        return Appeal.objects.filter(open311__isnull=False)
    return appeals_visible_to(user)


def _base(qs: QuerySet[Appeal]) -> QuerySet[Appeal]:
    return qs.select_related("category", "lead_unit", "open311")


def requests_search(
    *,
    user: User | None,
    ids: list[str],
    service_codes: list[str],
    start: dt.datetime | None,
    end: dt.datetime | None,
    status: str | None,
    now: dt.datetime,
    page: int = 1,
    page_size: int = rules.MAX_PAGE_SIZE,
) -> list[Appeal]:
    """GET requests: by ids (then no other filter applies, as the specification says), else by the filters within
    the date window (the last 90 days by default), newest first, at most 1000 (``page``/``page_size`` page on)."""
    qs = _base(requests_visible_to(user))
    if ids:
        return list(qs.filter(tracking_no__in=ids).order_by("-created_at", "-id"))
    start, end = rules.request_window(start=start, end=end, now=now)
    qs = qs.filter(created_at__gte=start, created_at__lte=end)
    if service_codes:
        qs = qs.filter(category__code__in=service_codes)
    if status == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif status == "closed":
        qs = qs.filter(state__in=FINAL_STATES)
    offset = (page - 1) * page_size
    return list(qs.order_by("-created_at", "-id")[offset : offset + page_size])


def request_get(*, user: User | None, service_request_id: str) -> Appeal:
    appeal = _base(requests_visible_to(user)).filter(tracking_no=service_request_id).first()
    if appeal is None:
        raise rules.Open311Error(404, "request_not_found", "service_request_id 不存在")
    return appeal


def token_get(*, user: User | None, token: str) -> ServiceRequest:
    qs = ServiceRequest.objects.select_related("appeal").filter(token=token)
    if user is not None:
        qs = qs.filter(appeal__in=requests_visible_to(user))
    found = qs.first()
    if found is None:
        raise rules.Open311Error(404, "token_not_found", "token 不存在")
    return found


def _updated_at(appeal: Appeal) -> dt.datetime:
    return appeal.updated_at or appeal.created_at


def _public_events(appeals: Iterable[Appeal]) -> dict[int, list[AppealEvent]]:
    ids = [a.pk for a in appeals]
    grouped: dict[int, list[AppealEvent]] = {pk: [] for pk in ids}
    for event in (
        AppealEvent.objects.filter(appeal_id__in=ids, is_public=True).exclude(to_state="").order_by("created_at", "id")
    ):
        grouped[event.appeal_id].append(event)
    return grouped


def update_dict(event: AppealEvent, *, tracking_no: str) -> dict[str, Any]:
    tz = _tz()
    text = EventKind(event.kind).label if event.kind in EventKind.values else event.kind
    if event.kind in (EventKind.REPLIED, EventKind.ANSWERED):
        text = f"{text}：{rules.mask_numbers(event.reason)}"
    return {
        "update_id": str(event.pk),
        "service_request_id": tracking_no,
        "status": rules.update_status(event.to_state),
        "updated_datetime": rules.format_datetime(event.created_at, tz),
        "description": text,
        "media_url": "",
    }


def request_dicts(appeals: list[Appeal], *, extensions: bool = False) -> list[dict[str, Any]]:
    tz = _tz()
    events = _public_events(appeals) if extensions else {}
    out = []
    for appeal in appeals:
        sr: ServiceRequest | None = getattr(appeal, "open311", None)
        status = rules.status_for(appeal.state)
        item: dict[str, Any] = {
            "service_request_id": appeal.tracking_no,
            "status": status,
            "status_notes": rules.mask_numbers(appeal.reply_text) if appeal.state in PUBLIC_REPLY_STATES else "",
            "service_name": appeal.category.name if appeal.category else "",
            "service_code": appeal.category.code if appeal.category else "",
            "description": rules.mask_numbers(appeal.content),
            "agency_responsible": appeal.lead_unit.name if appeal.lead_unit else "",
            "service_notice": "",
            "requested_datetime": rules.format_datetime(appeal.created_at, tz),
            "updated_datetime": rules.format_datetime(_updated_at(appeal), tz),
            "expected_datetime": rules.format_datetime(appeal.due_at, tz) if status == "open" else "",
            "address": appeal.address,
            "address_id": sr.address_id if sr else "",
            "zipcode": "",
            "lat": appeal.latitude if appeal.latitude is not None else "",
            "long": appeal.longitude if appeal.longitude is not None else "",
            "media_url": sr.media_url if sr else "",
        }
        if extensions:
            item["extended_attributes"] = {
                "state": appeal.state,
                "attributes": sr.attributes if sr else {},
                "updates": [update_dict(e, tracking_no=appeal.tracking_no) for e in events.get(appeal.pk, [])],
            }
        out.append(item)
    return out


def updates_search(
    *, user: User | None, start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime
) -> list[dict[str, Any]]:
    """FixMyStreet's GET servicerequestupdates: public state changes of visible requests within the window."""
    start, end = rules.request_window(start=start, end=end, now=now)
    visible = requests_visible_to(user)
    events = (
        AppealEvent.objects.filter(appeal__in=visible, is_public=True, created_at__gte=start, created_at__lte=end)
        .exclude(to_state="")
        .select_related("appeal")
        .order_by("created_at", "id")[: rules.MAX_PAGE_SIZE]
    )
    return [update_dict(e, tracking_no=e.appeal.tracking_no) for e in events]


def discovery(base_url: str) -> dict[str, Any]:
    tz = _tz()
    changeset = rules.format_datetime(dt.datetime(2026, 12, 4, tzinfo=dt.UTC), tz)
    contact = getattr(settings, "SHANZHI", {}).get("OPEN311_CONTACT", "海勃湾区社会治理中心 12345")
    return {
        "changeset": changeset,
        "contact": contact,
        "key_service": "接口密钥由区社会治理中心发放（shanzhi apikey create）",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base_url,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
