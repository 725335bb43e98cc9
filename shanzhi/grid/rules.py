"""Pure rules of the grid worker's field work: time passed in, no ORM."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence

#: A phone may be this far ahead of the server's clock.
CLOCK_SKEW = dt.timedelta(minutes=5)
#: A submission queued on a phone older than this is refused (the worker must file it again, knowingly).
MAX_QUEUE_AGE = dt.timedelta(days=7)
#: A verification within this time of the unit's feedback counts as timely.
VERIFY_WITHIN = dt.timedelta(hours=48)
#: What a phone's idempotency key may look like (a UUID or similar).
CLIENT_KEY = re.compile(r"[A-Za-z0-9_.:-]{8,64}")

#: Appeal states in which the grid worker verifies the fix, and what a failed verification does.
VERIFY_FAIL_ACTIONS = {"feedback": "redo", "replied": "redo", "closed": "reopen"}

EARTH_RADIUS_M = 6_371_008.8


def key_is_valid(key: str) -> bool:
    return bool(CLIENT_KEY.fullmatch(key or ""))


def submission_time_problem(*, made_at: dt.datetime, now: dt.datetime) -> str | None:
    """None if a phone's timestamp is acceptable; otherwise the error code."""
    if made_at > now + CLOCK_SKEW:
        return "time_in_future"
    if made_at < now - MAX_QUEUE_AGE:
        return "submission_too_old"
    return None


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (longitude, latitude) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def route_length_m(points: Sequence[tuple[float, float]]) -> float:
    return sum(haversine_m(points[i], points[i + 1]) for i in range(len(points) - 1))


def verification_fail_action(state: str) -> str | None:
    """What a failed verification does to an appeal in ``state``: "redo", "reopen", or None (not verifiable)."""
    return VERIFY_FAIL_ACTIONS.get(state)


def rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def is_timely(*, feedback_at: dt.datetime | None, verified_at: dt.datetime) -> bool:
    return feedback_at is not None and verified_at - feedback_at <= VERIFY_WITHIN
