"""Helpers of the appeal tests on the shared desk (``tests/desk.py``)."""

from __future__ import annotations

from desk import Desk


def appeal_fields(desk: Desk, **overrides: object) -> dict:
    """The fields of a typical structured appeal from the 12345 exchange (grid A, 路灯损坏, a mobile phone)."""
    values: dict = {
        "channel": "city_12345",
        "content": "小区门口路灯不亮已经一周了",
        "category": desk.road_light,
        "citizen_name": "张三",
        "citizen_phone": "13800001234",
        "area": desk.district.grid_a,
    }
    values.update(overrides)
    return values


def appeals_with_keys(desk: Desk, count: int = 3000) -> list:
    """``count`` appeals the operator sent with idempotency keys, written at once: a table where a look-up that
    does not search by key would have to read thousands of the caller's rows."""
    import uuid

    from django.db import transaction

    from shanzhi.appeals.models import Appeal
    from shanzhi.core import clock
    from shanzhi.core.bulk_insert import bulk_insert

    at = clock.now()
    many = [
        Appeal(
            tracking_no=f"HB20261128-8{n:05d}",
            channel="api",
            state="accepted",
            content=f"诉求 {n}",
            created_by=desk.operator,
            created_at=at,
            idempotency_key=str(uuid.uuid4()),
        )
        for n in range(count)
    ]
    with transaction.atomic():
        bulk_insert(many)
    return many
