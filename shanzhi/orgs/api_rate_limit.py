"""Per-key rate limits for the API: at most ``ApiKey.rate_limit_per_minute`` calls in each calendar minute.

A fixed window of one minute, counted where every process sees the same number:
- in a shared cache (Redis, Memcached — any Django cache whose ``incr`` is atomic across processes), when the setting
  ``SHANZHI_API_RATE_LIMIT_CACHE`` names one of ``CACHES``;
- otherwise in the database (:class:`~shanzhi.orgs.models.ApiKeyRateWindow`, one row per key and minute), which is
  what the embedded profile (SQLite, no Redis) and a plain PostgreSQL deployment use.

A process-local cache (``LocMemCache``) is never used for counting: each gunicorn worker would allow the whole limit.
The decision is a pure function of the count and the time (:func:`rate_decision`); the limiter takes its clock as
a parameter, so tests move time by hand.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.cache import caches
from django.db import connection

from shanzhi.core import clock

WINDOW = dt.timedelta(minutes=1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
PROCESS_LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # whole seconds until the window ends (0 when allowed)


def window_start(now: dt.datetime) -> dt.datetime:
    """The start of the minute ``now`` falls in (UTC)."""
    seconds = (now - _EPOCH) // dt.timedelta(seconds=1)
    return _EPOCH + dt.timedelta(seconds=seconds - seconds % int(WINDOW.total_seconds()))


def rate_decision(*, count: int, limit: int, now: dt.datetime) -> RateDecision:
    """``count`` calls (this one included) in the window that holds ``now``, against ``limit`` a minute."""
    if count <= limit:
        return RateDecision(True, limit, limit - count, 0)
    left = (window_start(now) + WINDOW - now).total_seconds()
    return RateDecision(False, limit, 0, max(1, math.ceil(left)))


class Counter(Protocol):
    def hit(self, key_id: int, start: dt.datetime) -> int:
        """Count one call of key ``key_id`` in the window starting at ``start``; the window's count after it."""
        ...


class DatabaseCounter:
    """One row per key and window, counted by one upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, atomic on
    SQLite ≥ 3.35 and PostgreSQL alike): one statement per call; a key's older windows go when a new one opens."""

    def hit(self, key_id: int, start: dt.datetime) -> int:
        from shanzhi.orgs.models import ApiKeyRateWindow

        table = connection.ops.quote_name(ApiKeyRateWindow._meta.db_table)
        stamp = start if settings.USE_TZ else start.replace(tzinfo=None)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (api_key_id, window_start, count) VALUES (%s, %s, 1) "
                "ON CONFLICT (api_key_id, window_start) DO UPDATE SET count = "
                f"{table}.count + 1 RETURNING count",
                [key_id, connection.ops.adapt_datetimefield_value(stamp)],
            )
            count = int(cursor.fetchone()[0])
        if count == 1:
            ApiKeyRateWindow.objects.filter(api_key_id=key_id, window_start__lt=start).delete()
        return count


class CacheCounter:
    """A counter in a shared Django cache (``add`` then ``incr``, both atomic in Redis and Memcached)."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def hit(self, key_id: int, start: dt.datetime) -> int:
        cache = caches[self.alias]
        name = f"shanzhi:apikey-rate:{key_id}:{int(start.timestamp())}"
        cache.add(name, 0, timeout=int(WINDOW.total_seconds()) * 2)
        try:
            return int(cache.incr(name))
        except ValueError:  # expired between add and incr
            cache.add(name, 1, timeout=int(WINDOW.total_seconds()) * 2)
            return 1


def configured_counter() -> Counter:
    """The shared cache named by ``SHANZHI_API_RATE_LIMIT_CACHE`` if it is one, else the database."""
    alias = getattr(settings, "SHANZHI_API_RATE_LIMIT_CACHE", "")
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "") if alias else ""
    if backend and backend not in PROCESS_LOCAL_CACHES:
        return CacheCounter(alias)
    return DatabaseCounter()


class RateLimiter:
    """Counts a key's calls and decides. ``now`` is the clock (injected in tests); ``counter`` where to count."""

    def __init__(self, *, now: Callable[[], dt.datetime] | None = None, counter: Counter | None = None) -> None:
        self.now = now
        self.counter = counter

    def check(self, *, key_id: int, limit: int) -> RateDecision:
        moment = (self.now or clock.now)()
        counter = self.counter or configured_counter()
        count = counter.hit(key_id, window_start(moment))
        return rate_decision(count=count, limit=limit, now=moment)


#: The limiter the API uses (tests replace its ``now``).
limiter = RateLimiter()
