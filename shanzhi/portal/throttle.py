"""Sliding-window limits kept in the database (:class:`~shanzhi.portal.models.ThrottleHit`).

The database is shared by every web process of a deployment, so the limits hold across processes in both the
embedded (SQLite) and the production (PostgreSQL) profile without a cache service. A deployment that puts a
shared cache in front (Redis, Memcached) may move this onto it; Django's per-process LocMem cache would not do,
since each process would count on its own.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shanzhi.core.errors import ShanzhiError
from shanzhi.portal import rules
from shanzhi.portal.models import ThrottleHit

# Rows older than this are deleted while writing new ones (no limit looks further back).
RETENTION = dt.timedelta(days=2)


class RateLimited(ShanzhiError):
    code = "rate_limited"
    status = 429
    default_message = _("操作过于频繁，请稍后再试")


def limit(name: str) -> rules.Limit:
    return rules.limit_from(getattr(settings, "SHANZHI_PORTAL_LIMITS", None), name)


def _wait_text(seconds: float) -> str:
    seconds = max(1, int(seconds + 0.999))
    if seconds >= 60:
        return gettext("%(n)s 分钟") % {"n": (seconds + 59) // 60}
    return gettext("%(n)s 秒") % {"n": seconds}


def recent(*, bucket: str, key_hash: str, window: dt.timedelta, now: dt.datetime) -> list[dt.datetime]:
    """The times of the hits in the window, oldest first."""
    return list(
        ThrottleHit.objects.filter(bucket=bucket, key_hash=key_hash, at__gt=now - window, at__lte=now)
        .order_by("at")
        .values_list("at", flat=True)
    )


def check(*, name: str, bucket: str, key_hash: str, now: dt.datetime, message: str | None = None) -> None:
    """Refuse (RateLimited, with how long to wait) when the limit ``name`` is used up for this key."""
    rule = limit(name)
    hits = recent(bucket=bucket, key_hash=key_hash, window=rule.window, now=now)
    if len(hits) >= rule.count:
        free_at = hits[-rule.count] + rule.window
        wait = _wait_text((free_at - now).total_seconds())
        text = message or gettext("操作过于频繁，请 %(wait)s后再试")
        raise RateLimited(text % {"wait": wait}, code="rate_limited", limit=name)


def hit(*, bucket: str, key_hash: str, now: dt.datetime) -> None:
    """Count one action; prune this key's rows that no window needs any more."""
    ThrottleHit.objects.filter(bucket=bucket, key_hash=key_hash, at__lt=now - RETENTION).delete()
    ThrottleHit.objects.create(bucket=bucket, key_hash=key_hash, at=now)


def prune(*, now: dt.datetime) -> int:
    """Delete every row past retention (for a periodic job); returns how many went."""
    deleted, _counts = ThrottleHit.objects.filter(at__lt=now - RETENTION).delete()
    return deleted
