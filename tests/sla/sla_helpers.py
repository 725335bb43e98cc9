"""Helpers shared by the SLA tests."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SH = ZoneInfo("Asia/Shanghai")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """An aware datetime at the centre (Asia/Shanghai)."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SH)
