"""The citizen's use cases in the portal. Each calls the appeals services (with ``actor=None``: the guards check
the appeal's state but no staff role, and events record no staff actor) and adds only the portal's own records.

- :func:`portal_submit` — a new appeal (channel ``portal``), idempotent per form, rate-limited per phone and IP;
  an anonymous submission gets a query code (:class:`~shanzhi.portal.models.PortalTicket`);
- :func:`ticket_open` — tracking number + query code open one anonymous appeal;
- :func:`portal_supply_info` — the citizen answers a 待补充 request;
- :func:`portal_rate` — the citizen rates the unified reply: satisfied and resolved → 办结; otherwise, within the
  reopen window, → 重办 (reopened); after it, the rating is kept for the centre's follow-up call;
- :func:`portal_reopen` — a closed appeal handled again, within the window (needs the appeals rules to allow it).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.attachments import IMAGE_TYPES, attachment_add, read_limited, sniff
from shanzhi.appeals.models import Appeal, AppealState, AppealType, Channel, Rating
from shanzhi.appeals.services import appeal_intake, appeal_rate_by_citizen, appeal_reopen, appeal_supply_info
from shanzhi.core.errors import NotFound, TransitionNotAllowed, ValidationFailed
from shanzhi.notifications.models import NotificationChannel
from shanzhi.notifications.services import notify_citizen
from shanzhi.orgs.models import Unit
from shanzhi.portal import rules, throttle
from shanzhi.portal.citizen import Citizen
from shanzhi.portal.models import PortalRating, PortalSubmission, PortalTicket, RatingOutcome
from shanzhi.portal.selectors import reopen_days
from shanzhi.routing.models import Category

logger = logging.getLogger("shanzhi.portal")

KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
NOT_AN_IMAGE = _("“%(name)s”不是图片，只能上传照片（JPG、PNG、WEBP）")


@dataclass(frozen=True)
class Photo:
    data: bytes
    name: str


@dataclass(frozen=True)
class Submitted:
    appeal: Appeal
    created: bool
    ticket_code: str = ""


def photo_checked(upload: io.IOBase | object, name: str) -> Photo:
    """Read one upload and refuse anything that is not a real image (type sniffed from the bytes)."""
    data = read_limited(upload, int(settings.SHANZHI["ATTACHMENT_MAX_BYTES"]))  # type: ignore[arg-type]
    short = (name or "").rsplit("/", 1)[-1][:60]
    try:
        mime, _ext = sniff(data)
    except ValidationFailed as refusal:
        if refusal.code == "file_type_not_allowed":
            raise ValidationFailed(NOT_AN_IMAGE % {"name": short}, code="photo_not_image") from refusal
        raise
    if mime not in IMAGE_TYPES:
        raise ValidationFailed(NOT_AN_IMAGE % {"name": short}, code="photo_not_image")
    return Photo(data=data, name=short or "photo.jpg")


def _check_photo_count(photos: Sequence[Photo]) -> None:
    if len(photos) > rules.MAX_PHOTOS:
        raise ValidationFailed(_("最多上传 %(n)s 张照片") % {"n": rules.MAX_PHOTOS}, code="too_many_photos")


def photos_store(*, appeal: Appeal, photos: Sequence[Photo]) -> None:
    """A citizen's photos for ``appeal`` (the doorplate form's, say): at most six, each stored as a public image."""
    _check_photo_count(photos)
    _store_photos(appeal, photos)


def _store_photos(appeal: Appeal, photos: Sequence[Photo]) -> None:
    for photo in photos:
        attachment_add(actor=None, appeal=appeal, upload=io.BytesIO(photo.data), name=photo.name)


def _check_submit_limits(*, citizen: Citizen, ip_hash: str, now: dt.datetime) -> None:
    if citizen.phone:
        key = rules.digest("phone", citizen.phone)
        throttle.check(name="submit_phone_hour", bucket="submit_phone", key_hash=key, now=now)
        throttle.check(name="submit_phone_day", bucket="submit_phone", key_hash=key, now=now)
    throttle.check(name="submit_ip_hour", bucket="submit_ip", key_hash=ip_hash, now=now)


def _existing_submission(*, key: str, citizen: Citizen) -> Submitted | None:
    found = PortalSubmission.objects.filter(key=key).select_related("appeal").first()
    if found is None or found.appeal is None:
        return None
    if found.owner_hash != citizen.owner_hash:
        raise ValidationFailed(_("表单已失效，请刷新页面后重新提交"), code="form_key_reused")
    return Submitted(appeal=found.appeal, created=False)


def portal_submit(
    *,
    citizen: Citizen,
    ip_hash: str,
    form_key: str,
    appeal_type: str,
    content: str,
    category: Category | None = None,
    citizen_name: str = "",
    address: str = "",
    longitude: float | None = None,
    latitude: float | None = None,
    area: Unit | None = None,
    photos: Sequence[Photo] = (),
    now: dt.datetime,
) -> Submitted:
    """File an appeal from the portal. A repeated submit of the same form returns the first appeal."""
    if not KEY_RE.match(form_key or ""):
        raise ValidationFailed(_("表单已失效，请刷新页面后重新提交"), code="form_key_invalid")
    key = f"portal:{form_key}"
    existing = _existing_submission(key=key, citizen=citizen)
    if existing is not None:
        return existing
    _check_submit_limits(citizen=citizen, ip_hash=ip_hash, now=now)
    _check_photo_count(photos)
    ticket_code = ""
    try:
        with transaction.atomic():
            # Written first: a concurrent double submit waits here for the first one, then finds it.
            submission = PortalSubmission.objects.create(key=key, owner_hash=citizen.owner_hash, created_at=now)
            result = appeal_intake(
                actor=None,
                channel=Channel.PORTAL,
                content=content,
                appeal_type=appeal_type,
                category=category,
                citizen_name=citizen_name if citizen.phone else "",
                citizen_phone=citizen.phone,
                is_anonymous=not citizen.phone,
                wants_reply=bool(citizen.phone),
                address=address,
                longitude=longitude,
                latitude=latitude,
                area=area,
                idempotency_key=key,
                structured=category is not None,
                at=now,
            )
            appeal = result.appeal
            submission.appeal = appeal
            submission.save(update_fields=["appeal"])
            _store_photos(appeal, photos)
            if citizen.phone:
                throttle.hit(bucket="submit_phone", key_hash=rules.digest("phone", citizen.phone), now=now)
                notify_citizen(appeal=appeal, event="received", channel=NotificationChannel.PORTAL, new_appeal=True)
            else:
                ticket_code = rules.new_ticket_code()
                PortalTicket.objects.create(
                    appeal=appeal, code_hash=rules.digest("ticket", f"{appeal.pk}:{ticket_code}"), created_at=now
                )
            throttle.hit(bucket="submit_ip", key_hash=ip_hash, now=now)
    except IntegrityError:
        existing = _existing_submission(key=key, citizen=citizen)
        if existing is None:
            raise
        return existing
    logger.info("portal appeal %s submitted (%s)", appeal.tracking_no, "verified" if citizen.phone else "anonymous")
    return Submitted(appeal=appeal, created=True, ticket_code=ticket_code)


def ticket_open(*, tracking_no: str, code: str, ip_hash: str, now: dt.datetime) -> Appeal:
    """The anonymous appeal with this tracking number and query code; every try counts against the IP's limit."""
    throttle.check(name="track_ip", bucket="track_ip", key_hash=ip_hash, now=now)
    throttle.hit(bucket="track_ip", key_hash=ip_hash, now=now)
    ticket = (
        PortalTicket.objects.select_related("appeal").filter(appeal__tracking_no=(tracking_no or "").strip().upper())
    ).first()
    wanted = rules.digest("ticket", f"{ticket.appeal_id}:{rules.normalize_ticket_code(code)}") if ticket else ""
    if ticket is None or not rules.same_digest(ticket.code_hash, wanted):
        raise NotFound(_("编号或查询码不正确"), code="ticket_not_found")
    return ticket.appeal


def portal_supply_info(*, citizen: Citizen, appeal: Appeal, text: str, photos: Sequence[Photo] = ()) -> Appeal:
    """The citizen's answer to 待补充, with optional photos; the appeal resumes where it was."""
    _check_photo_count(photos)
    with transaction.atomic():
        appeal = appeal_supply_info(actor=None, appeal=appeal, text=text)
        _store_photos(appeal, photos)
    return appeal


def portal_rate(
    *, citizen: Citizen, appeal: Appeal, rating: str, resolved: bool, comment: str = "", now: dt.datetime
) -> PortalRating:
    """The citizen's rating of the unified reply (once per round)."""
    if rating not in Rating.values:
        raise ValidationFailed(_("请选择满意度评价"), code="rating_required")
    comment = (comment or "").strip()[:500]
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.state != AppealState.REPLIED:
            raise TransitionNotAllowed(_("该诉求当前不能评价"), code="rating_not_open")
        if PortalRating.objects.filter(appeal=appeal, round=appeal.round).exists():
            raise ValidationFailed(_("您已评价过本次答复"), code="already_rated")
        in_window = rules.within_reopen_window(replied_at=appeal.replied_at, days=reopen_days(), now=now)
        outcome = appeal_rate_by_citizen(
            appeal=appeal, rating=rating, resolved=resolved, comment=comment, channel="portal", allow_redo=in_window
        )
        record = PortalRating(
            appeal=appeal,
            round=appeal.round,
            rating=rating,
            resolved=resolved,
            comment=comment,
            at=now,
            outcome={"close": RatingOutcome.CLOSED, "redo": RatingOutcome.REOPENED}.get(
                outcome, RatingOutcome.RECORDED
            ),
        )
        record.save()
    return record


def portal_reopen(*, citizen: Citizen, appeal: Appeal, reason: str, now: dt.datetime) -> Appeal:
    """A closed appeal handled again because the problem is not solved, within the reopen window."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请说明仍未解决的问题"), code="reason_required")
    if appeal.appeal_type == AppealType.CONSULTATION or appeal.state != AppealState.CLOSED:
        raise TransitionNotAllowed(_("该诉求当前不能申请重新办理"), code="reopen_not_allowed")
    if not rules.within_reopen_window(replied_at=appeal.replied_at, days=reopen_days(), now=now):
        raise TransitionNotAllowed(
            _("已超过答复后 %(n)s 天的重新办理期限，请提交新的诉求") % {"n": reopen_days()},
            code="reopen_window_passed",
        )
    return appeal_reopen(
        actor=None,  # the citizen
        appeal=appeal,
        reason=f"市民通过移动端申请重新办理：{reason[:500]}",
    )
