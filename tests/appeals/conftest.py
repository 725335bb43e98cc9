"""A working desk: the small district, the shared catalogue (with an assisting unit) and staff in every role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from shanzhi.orgs.models import User
from shanzhi.routing.models import Category


@dataclass
class Desk:
    district: object
    road_light: Category  # 城乡建设/市政设施/路灯损坏 → 城管局 (catalogue, 住建局 assisting)
    property_service: Category  # 城乡建设/物业管理/物业服务 → territorial (town)
    consult: Category
    operator: User
    dispatcher: User
    urban_handler: User  # 城管局 handler
    housing_handler: User  # 住建局 handler
    town_a_handler: User
    town_b_handler: User


@pytest.fixture
def desk(district, make_user, seed_catalogue) -> Desk:
    catalogue = seed_catalogue(assisting=True)
    return Desk(
        district=district,
        road_light=catalogue.road_light,
        property_service=catalogue.property_service,
        consult=catalogue.consult,
        operator=make_user(district.centre, "operator", username="op"),
        dispatcher=make_user(district.centre, "dispatcher", username="disp"),
        urban_handler=make_user(district.dept_urban, "handler", username="cg"),
        housing_handler=make_user(district.dept_housing, "handler", username="zj"),
        town_a_handler=make_user(district.town_a, "handler", username="ta"),
        town_b_handler=make_user(district.town_b, "handler", username="tb"),
    )


@pytest.fixture
def intake(desk):
    """Register a structured hotline appeal quickly: ``intake(category=..., **overrides)``."""
    from shanzhi.appeals.services import appeal_intake

    def make(**kw):
        params = {
            "actor": desk.operator,
            "channel": "hotline",
            "content": "小区门口路灯不亮已经一周了",
            "category": desk.road_light,
            "citizen_name": "张三",
            "citizen_phone": "13800001234",
            "area": desk.district.grid_a,
        }
        params.update(kw)
        return appeal_intake(**params).appeal

    return make


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
