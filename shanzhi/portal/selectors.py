"""Reads for the portal. A citizen sees only their own appeals: those whose ``citizen_phone`` is their verified
phone, and the anonymous appeals opened with tracking number + query code in this session. Anything else is
NotFound, never a hint that it exists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import dateformat
from django.utils.translation import gettext as _

from shanzhi.appeals import rules as appeal_rules
from shanzhi.appeals.models import Appeal, AppealEvent, AppealState, Attachment, EventKind, Rating
from shanzhi.appeals.selectors import appeal_timeline
from shanzhi.core import clock, pii
from shanzhi.core.errors import NotFound
from shanzhi.notifications.models import OTP_EVENT, NotificationChannel, OutboxMessage, OutboxState
from shanzhi.orgs.models import Unit, UnitKind
from shanzhi.portal import rules
from shanzhi.portal.citizen import Citizen
from shanzhi.portal.models import PortalRating
from shanzhi.routing.models import Category
from shanzhi.sla.services import limits_as_text, policy_limits


def reopen_days() -> int:
    return int(getattr(settings, "SHANZHI_PORTAL_REOPEN_DAYS", rules.DEFAULT_REOPEN_DAYS))


def _scope(citizen: Citizen) -> Q | None:
    condition = Q(pk__in=list(citizen.ticket_appeal_ids)) if citizen.ticket_appeal_ids else None
    if citizen.phone:
        mine = Q(citizen_phone=citizen.phone)
        condition = mine if condition is None else condition | mine
    return condition


def citizen_appeals(*, citizen: Citizen, limit: int = 100) -> list[Appeal]:
    condition = _scope(citizen)
    if condition is None:
        return []
    return list(Appeal.objects.filter(condition).select_related("category").order_by("-created_at", "-id")[:limit])


def citizen_appeal_get(*, citizen: Citizen, tracking_no: str) -> Appeal:
    condition = _scope(citizen)
    if condition is None:
        raise NotFound()
    appeal = (
        Appeal.objects.filter(condition, tracking_no=(tracking_no or "").strip().upper())
        .select_related("category", "lead_unit", "master")
        .first()
    )
    if appeal is None:
        raise NotFound()
    return appeal


def citizen_photo_get(*, citizen: Citizen, tracking_no: str, attachment_id: int) -> Attachment:
    appeal = citizen_appeal_get(citizen=citizen, tracking_no=tracking_no)
    photo = appeal.attachments.filter(pk=attachment_id, is_public=True, content_type__startswith="image/").first()
    if photo is None:
        raise NotFound()
    return photo


# --- the public timeline -------------------------------------------------------------------------------------

# What a citizen is told for each kind of public event; kinds not listed are not shown in the portal.
_SHOWN = {
    EventKind.RECEIVED: "诉求已登记",
    EventKind.ACCEPTED: "已受理",
    EventKind.STRUCTURED: "登记信息已完善",
    EventKind.REJECTED: "不予受理",
    EventKind.ANSWERED: "已直接答复",
    EventKind.INFO_REQUESTED: "需要您补充材料",
    EventKind.INFO_SUPPLIED: "您已补充",
    EventKind.DISPATCHED: "已派遣",
    EventKind.SIGNED: "承办单位已签收",
    EventKind.REDO: "重新办理",
    EventKind.EXTENDED: "办理期限已延长",
    EventKind.REPLIED: "统一答复",
    EventKind.FOLLOWED_UP: "回访",
    EventKind.CLOSED: "已办结",
    EventKind.MERGED: "已合并办理",
    EventKind.ATTACHED: "上传照片",
}
# Kinds whose ``reason`` is written for the citizen (the question, their own answer, the reply).
_WITH_TEXT = {
    EventKind.REJECTED,
    EventKind.ANSWERED,
    EventKind.INFO_REQUESTED,
    EventKind.INFO_SUPPLIED,
    EventKind.REPLIED,
}


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    label: str
    text: str


def public_timeline(*, appeal: Appeal) -> list[TimelineEntry]:
    """The appeal's public events, in words for the citizen: no staff names, no internal notes or explanations."""
    entries = []
    for event in appeal_timeline(appeal=appeal, public_only=True):
        label = _SHOWN.get(event.kind)  # type: ignore[call-overload]
        if label is None:
            continue
        entries.append(TimelineEntry(at=event.created_at, label=_(label), text=_event_text(event)))
    return entries


def _event_text(event: AppealEvent) -> str:
    if event.kind in _WITH_TEXT:
        return event.reason
    if event.kind in (EventKind.DISPATCHED, EventKind.REDO):
        name = (event.payload or {}).get("lead_name", "")
        return _("交由 %(unit)s 办理") % {"unit": name} if name else ""
    if event.kind == EventKind.FOLLOWED_UP:
        rating = (event.payload or {}).get("rating", "")
        return str(Rating(rating).label) if rating in Rating.values else ""
    if event.kind == EventKind.MERGED:
        master = (event.payload or {}).get("master", "")
        return _("与诉求 %(no)s 合并办理") % {"no": master} if master else ""
    return ""


# --- what happens next ----------------------------------------------------------------------------------------


def handle_limit_text(appeal: Appeal) -> str:
    """“5 个工作日” (“5 working days”) for the appeal's category and urgency (the SLA policy)."""
    return limits_as_text(policy_limits(category=appeal.category, urgency=appeal.urgency))["handle"]


def due_date_text(moment: dt.datetime | None) -> str:
    """The day of ``moment`` in the centre's time zone, in the active language: “2026年11月28日”, “28 Nov 2026”."""
    if moment is None:
        return ""
    day = moment.astimezone(clock.centre_tz()).date()
    # Translators: a date format for Django's "date" filter (Y year, n month, j day, M "Nov"); letters are
    # format codes, so escape literal Latin letters with a backslash. English: "j M Y" → "28 Nov 2026".
    return dateformat.format(day, _("Y年n月j日"))


def latest_question(appeal: Appeal) -> str:
    event = appeal.events.filter(kind=EventKind.INFO_REQUESTED, is_public=True).order_by("-created_at", "-id").first()
    return event.reason if event else ""


def next_step(*, appeal: Appeal, now: dt.datetime) -> str:
    """One sentence telling the citizen where the appeal stands and what happens next."""
    no = appeal.tracking_no
    state = appeal.state
    if state == AppealState.RECEIVED:
        return _("已收到，编号 %(no)s。工作人员将尽快受理并确定承办单位，受理后会通知您。") % {"no": no}
    if state == AppealState.ACCEPTED:
        return _("已受理，编号 %(no)s，正在为您确定承办单位，预计 %(limit)s内答复。") % {
            "no": no,
            "limit": handle_limit_text(appeal),
        }
    if state in (AppealState.DISPATCHED, AppealState.IN_PROGRESS, AppealState.FEEDBACK):
        limit = handle_limit_text(appeal)
        if appeal.due_at:
            return _("已受理，编号 %(no)s，预计 %(limit)s内答复（%(date)s 前）。") % {
                "no": no,
                "limit": limit,
                "date": due_date_text(appeal.due_at),
            }
        return _("已受理，编号 %(no)s，预计 %(limit)s内答复。") % {"no": no, "limit": limit}
    if state == AppealState.NEEDS_INFO:
        return _("编号 %(no)s 需要您补充：%(q)s。补充后继续办理，等待期间办理时限暂停计算。") % {
            "no": no,
            "q": latest_question(appeal),
        }
    if state == AppealState.REPLIED:
        deadline = rules.reopen_deadline(replied_at=appeal.replied_at, days=reopen_days())
        return _("编号 %(no)s 已答复。请查看答复并评价；如不满意，可在 %(date)s 前申请重新办理。") % {
            "no": no,
            "date": due_date_text(deadline),
        }
    if state == AppealState.CLOSED:
        return _("编号 %(no)s 已办结，感谢您的支持。") % {"no": no}
    if state == AppealState.ANSWERED:
        return _("编号 %(no)s 已直接答复，请查看答复内容。") % {"no": no}
    if state == AppealState.REJECTED:
        return _("编号 %(no)s 不予受理，原因见下方办理记录；如有疑问请来电咨询。") % {"no": no}
    if state == AppealState.MERGED and appeal.master_id:
        return _("编号 %(no)s 已与同类诉求 %(master)s 合并办理，结果将一并答复。") % {
            "no": no,
            "master": appeal.master.tracking_no if appeal.master else "",
        }
    return no


# --- what the citizen may do now ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CitizenActions:
    supply_info: bool
    rate: bool
    reopen: bool
    reopen_deadline: dt.datetime | None


def citizen_actions(*, appeal: Appeal, now: dt.datetime) -> CitizenActions:
    rated = PortalRating.objects.filter(appeal=appeal, round=appeal.round).exists()
    deadline = rules.reopen_deadline(replied_at=appeal.replied_at, days=reopen_days())
    in_window = deadline is not None and now <= deadline
    return CitizenActions(
        supply_info=appeal.state == AppealState.NEEDS_INFO,
        rate=appeal.state == AppealState.REPLIED and not rated,
        reopen=appeal.state == AppealState.CLOSED
        and in_window
        and appeal.appeal_type != "consultation"
        and appeal_rules.action_allowed_from("reopen", appeal.state),
        reopen_deadline=deadline,
    )


# --- pickers ---------------------------------------------------------------------------------------------------


def category_choices() -> list[Category]:
    """Active categories whose ancestors are active too, in tree order (for the picker with search)."""
    shown: list[Category] = []
    included: set[int] = set()
    for category in Category.objects.filter(is_active=True).order_by("level", "path"):
        if category.parent_id is None or category.parent_id in included:
            included.add(category.pk)
            shown.append(category)
    return sorted(shown, key=lambda c: c.path)


def communities() -> QuerySet[Unit]:
    district = settings.SHANZHI["DISTRICT_CODE"]
    return (
        Unit.objects.filter(kind=UnitKind.COMMUNITY, is_active=True, path__contains=f"/{district}/")
        .select_related("parent")
        .order_by("path")
    )


def inbox(*, citizen: Citizen, limit: int = 30) -> list[OutboxMessage]:
    """What the centre told the citizen about their appeals, newest first: the portal's own messages and the SMS
    sent to this phone (a caller who rang the hotline and signs in later with the same phone reads them here).
    An appeal from the portal gets both an SMS and a portal message with the same text: shown once. Sign-in codes
    are not appeal messages and never shown."""
    if not citizen.phone:
        return []
    phone = pii.normalize_phone(citizen.phone)
    rows = (
        OutboxMessage.objects.filter(
            recipient=phone,
            channel__in=[NotificationChannel.PORTAL, NotificationChannel.SMS],
            state=OutboxState.SENT,
            appeal__isnull=False,
        )
        .exclude(event=OTP_EVENT)
        .select_related("appeal")
        .order_by("-created_at", "-id")[: limit * 2]
    )
    shown: list[OutboxMessage] = []
    seen: set[tuple[int | None, str, str]] = set()
    for message in rows:
        key = (message.appeal_id, message.event, message.body)
        if key in seen:
            continue
        seen.add(key)
        shown.append(message)
        if len(shown) == limit:
            break
    return shown
