"""The desk with its two grids on the map (grid A west, grid B east), a worker in each and a community head."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from desk import boundaries_create

from shanzhi.core import clock


@pytest.fixture
def field(desk, make_user):
    """The desk with boundaries; ``field.worker_a`` / ``worker_b`` work grid A / B."""
    boundaries_create(desk.district)
    desk.worker_a = desk.grid_worker_a
    desk.worker_b = make_user(desk.district.grid_b, "grid_worker", username="grid-b")
    desk.community_head = make_user(desk.district.community_a, "unit_head", username="com-a")
    desk.admin = make_user(desk.district.centre, "admin", username="admin")
    desk.admin.is_staff = True
    desk.admin.save()
    return desk


@pytest.fixture
def key():
    return lambda: uuid.uuid4().hex


@pytest.fixture
def now() -> dt.datetime:
    return clock.now() - dt.timedelta(hours=2)  # the phone made it a while ago; later steps stay in the past
