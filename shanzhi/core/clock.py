"""The one place that asks for the current time, so tests can freeze it and rules can take it as a parameter."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def now() -> dt.datetime:
    """The current instant, timezone-aware (UTC)."""
    return timezone.now()


def centre_tz() -> ZoneInfo:
    """The centre's time zone (Asia/Shanghai unless configured)."""
    return ZoneInfo(settings.TIME_ZONE)


def local_date(moment: dt.datetime | None = None) -> dt.date:
    """The calendar date at the centre for ``moment`` (default: now)."""
    return (moment or now()).astimezone(centre_tz()).date()
