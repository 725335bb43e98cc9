"""新媒体+普法宣传: articles and short videos from the four professional forces (administrative units, judicial
organs, people's mediation, legal aid), published in the portal by topic; reads and plays counted per day.

Use cases (``publicity_<verb>``) and reads live here together, apart from the three lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from shanzhi.cogovern import access
from shanzhi.cogovern.models import PublicityDaily, PublicityForce, PublicityItem, PublicityKind
from shanzhi.core import clock
from shanzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from shanzhi.orgs.models import User

MAX_TOPIC = 30


def may_publish(user: User) -> bool:
    return access.may_work(user)


@dataclass(frozen=True)
class Draft:
    kind: str
    force: str
    topic: str
    title: str
    body: str
    video_url: str = ""
    publisher: str = ""


def publicity_save(*, actor: User, draft: Draft, item: PublicityItem | None = None, now: dt.datetime) -> PublicityItem:
    if not may_publish(actor):
        raise PermissionDenied(_("您无权编辑普法宣传内容"), code="publicity_forbidden")
    if draft.kind not in PublicityKind.values:
        raise ValidationFailed(_("形式无效"), code="invalid_publicity_kind")
    if draft.force not in PublicityForce.values:
        raise ValidationFailed(_("发布力量无效"), code="invalid_publicity_force")
    title, topic, body = draft.title.strip(), draft.topic.strip(), draft.body.strip()
    if not (2 <= len(title) <= 120) or not (1 <= len(topic) <= MAX_TOPIC) or len(body) < 5:
        raise ValidationFailed(_("请填写标题、主题和正文（正文至少 5 个字）"), code="publicity_incomplete")
    video_url = draft.video_url.strip()
    if draft.kind == PublicityKind.VIDEO and not video_url.startswith(("https://", "http://", "/")):
        raise ValidationFailed(_("短视频须填写视频地址"), code="video_url_required")
    values = {
        "kind": draft.kind,
        "force": draft.force,
        "topic": topic,
        "title": title,
        "body": body,
        "video_url": video_url,
        "publisher": draft.publisher.strip()[:100],
    }
    if item is None:
        return PublicityItem.objects.create(created_by=actor, created_at=now, **values)
    for name, value in values.items():
        setattr(item, name, value)
    item.save(update_fields=list(values))
    return item


def publicity_publish(*, actor: User, item: PublicityItem, published: bool, now: dt.datetime) -> PublicityItem:
    if not may_publish(actor):
        raise PermissionDenied(_("您无权编辑普法宣传内容"), code="publicity_forbidden")
    item.is_published = published
    if published and item.published_at is None:
        item.published_at = now
    item.save(update_fields=["is_published", "published_at"])
    return item


def _count(item: PublicityItem, field: str, now: dt.datetime) -> None:
    day = clock.local_date(now)
    PublicityItem.objects.filter(pk=item.pk).update(**{field: F(field) + 1})
    if PublicityDaily.objects.filter(item=item, day=day).update(**{field: F(field) + 1}):
        return
    try:
        with transaction.atomic():
            PublicityDaily.objects.create(item=item, day=day, **{field: 1})
    except IntegrityError:  # another request created the day's row first
        PublicityDaily.objects.filter(item=item, day=day).update(**{field: F(field) + 1})


def publicity_read(*, item: PublicityItem, now: dt.datetime) -> None:
    """One opening of the item's page in the portal."""
    _count(item, "reads", now)


def publicity_play(*, item: PublicityItem, now: dt.datetime) -> None:
    """One start of the item's video (the player reports it)."""
    if item.kind != PublicityKind.VIDEO:
        raise ValidationFailed(_("该内容不是视频"), code="not_a_video")
    _count(item, "plays", now)


# --- reads --------------------------------------------------------------------------------------------------------


def published() -> QuerySet[PublicityItem]:
    return PublicityItem.objects.filter(is_published=True)


def published_get(pk: int) -> PublicityItem:
    item = published().filter(pk=pk).first()
    if item is None:
        raise NotFound()
    return item


def topics() -> list[tuple[str, int]]:
    """(topic, number of published items), most items first."""
    counts: dict[str, int] = {}
    for topic in published().values_list("topic", flat=True):
        counts[topic] = counts.get(topic, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def items_for_console(user: User) -> QuerySet[PublicityItem]:
    if not access.may_read(user):
        return PublicityItem.objects.none()
    return PublicityItem.objects.all()


@dataclass(frozen=True)
class PublicityFigures:
    force: str
    articles_read: int
    videos_played: int


def figures(*, start: dt.date, end: dt.date) -> list[PublicityFigures]:
    """Reads of articles and plays of videos per force on local days start..end (inclusive)."""
    rows = (
        PublicityDaily.objects.filter(day__gte=start, day__lte=end)
        .values("item__force")
        .annotate(reads=Sum("reads"), plays=Sum("plays"))
    )
    by_force = {r["item__force"]: (r["reads"] or 0, r["plays"] or 0) for r in rows}
    return [PublicityFigures(label, *by_force[code]) for code, label in PublicityForce.choices if code in by_force]
