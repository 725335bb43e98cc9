"""A citizen's request to see or delete what the centre holds about them (PIPL art. 45 and 47), handled by staff.

The citizen is found by their phone number (what every channel records). Staff who may see personal data in full
(:func:`~shanzhi.orgs.permissions.may_handle_citizen_requests`: at the centre) handle requests,
with a stated reason:
- **copy** (:func:`citizen_data_export`): every appeal with that number, the caller's data in full, the words, the
  place, the state, the public reply and the public timeline — as a JSON document staff hand over. One
  ``PersonalDataAccess`` export row per appeal (so each is in the audit chain, with the reason).
- **deletion** (:func:`citizen_data_erase`): the finished appeals with that number are anonymised as the retention
  job would (:mod:`shanzhi.appeals.retention`); appeals still being handled are kept (the centre needs the number to
  answer) and counted, so staff can tell the citizen. One audit entry with the ids and the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.models import FINAL_STATES, Appeal
from shanzhi.appeals.retention import COORDINATE_DIGITS
from shanzhi.core import clock, pii
from shanzhi.core.audit import audit_record
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.core.models import PersonalDataAccess
from shanzhi.orgs.models import User
from shanzhi.orgs.permissions import may_handle_citizen_requests

MIN_REASON = 4


def _checked(*, actor: User, phone: str, reason: str) -> tuple[str, str]:
    if not may_handle_citizen_requests(actor):
        raise PermissionDenied(_("只有中心有个人信息权限的工作人员可以办理查阅或删除申请"))
    normalized = pii.normalize_phone(phone or "")
    if not pii.phone_is_valid(normalized):
        raise ValidationFailed(_("请输入正确的手机号或固定电话"), code="invalid_phone")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationFailed(_("请填写办理事由（如申请编号、申请人身份核验方式）"), code="reason_required")
    return normalized, reason[:200]


def _appeals(phone: str) -> QuerySet[Appeal]:
    return Appeal.objects.filter(citizen_phone=phone).select_related("category", "area", "lead_unit")


def citizen_data_export(*, actor: User, phone: str, reason: str, ip_address: str | None = None) -> dict[str, Any]:
    """What the centre holds about the caller of ``phone``, as a JSON-ready document (logged per appeal)."""
    phone, reason = _checked(actor=actor, phone=phone, reason=reason)
    appeals = list(_appeals(phone).prefetch_related("events").order_by("created_at", "pk"))
    with transaction.atomic():
        PersonalDataAccess.objects.bulk_create(
            [
                PersonalDataAccess(
                    user=actor,
                    action=PersonalDataAccess.Action.EXPORT,
                    subject_type="appeal",
                    subject_id=a.tracking_no,
                    fields="citizen_name,citizen_phone,citizen_id,address",
                    reason=reason,
                    ip_address=ip_address,
                )
                for a in appeals
            ]
        )
        audit_record(
            "citizen_request.export",
            actor=actor,
            subject_type="citizen",
            detail={"appeal_ids": [a.pk for a in appeals], "reason": reason},
            ip_address=ip_address,
        )
    return {
        "generated_at": clock.now().isoformat(),
        "phone": phone,
        "appeals": [_appeal_document(a) for a in appeals],
    }


def _appeal_document(appeal: Appeal) -> dict[str, Any]:
    def iso(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "tracking_no": appeal.tracking_no,
        "channel": appeal.get_channel_display(),
        "appeal_type": appeal.get_appeal_type_display(),
        "state": appeal.get_state_display(),
        "created_at": iso(appeal.created_at),
        "closed_at": iso(appeal.closed_at),
        "citizen_name": appeal.citizen_name,
        "citizen_phone": appeal.citizen_phone,
        "citizen_id_number": appeal.citizen_id_number if appeal.citizen_id_enc else "",
        "address": appeal.address,
        "longitude": appeal.longitude,
        "latitude": appeal.latitude,
        "area": appeal.area.name if appeal.area else "",
        "category": appeal.category.name if appeal.category else "",
        "title": appeal.title,
        "content": appeal.content,
        "reply": appeal.reply_text,
        "rating": appeal.get_rating_display() if appeal.rating else "",
        "timeline": [
            {"at": iso(e.created_at), "event": e.get_kind_display()} for e in appeal.events.all() if e.is_public
        ],
    }


@dataclass(frozen=True)
class ErasureResult:
    anonymised: int
    kept_open: int  # still being handled: kept until they are finished (then retention or another request)


@transaction.atomic
def citizen_data_erase(*, actor: User, phone: str, reason: str, ip_address: str | None = None) -> ErasureResult:
    """Anonymise the caller's finished appeals now; count the open ones that must keep the number for now."""
    phone, reason = _checked(actor=actor, phone=phone, reason=reason)
    held = _appeals(phone)
    ids = list(held.filter(state__in=FINAL_STATES).values_list("pk", flat=True))
    kept_open = held.exclude(state__in=FINAL_STATES).count()
    Appeal.objects.filter(pk__in=ids).update(
        citizen_name="",
        citizen_phone="",
        citizen_id_enc="",
        citizen_id_index="",
        address="",
        longitude=Round("longitude", COORDINATE_DIGITS),
        latitude=Round("latitude", COORDINATE_DIGITS),
    )
    audit_record(
        "citizen_request.erase",
        actor=actor,
        subject_type="citizen",
        detail={"appeal_ids": ids, "kept_open": kept_open, "reason": reason},
        ip_address=ip_address,
    )
    return ErasureResult(len(ids), kept_open)
