"""A working desk: the small district, a category tree, a catalogue and staff in every role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from shanzhi.appeals.models import RejectReason
from shanzhi.orgs.models import User
from shanzhi.routing.models import Category, DispatchRule


@dataclass
class Desk:
    district: object
    road_light: Category  # 城乡建设/市政设施/路灯损坏 → 城管局 (catalogue)
    property_mgmt: Category  # 城乡建设/物业管理/物业服务 → territorial (town)
    consult: Category
    operator: User
    dispatcher: User
    urban_handler: User  # 城管局 handler
    housing_handler: User  # 住建局 handler
    town_a_handler: User
    town_b_handler: User


@pytest.fixture
def desk(district, make_user) -> Desk:
    build = Category.objects.create(code="01", name="城乡建设")
    municipal = Category.objects.create(code="0101", name="市政设施", parent=build)
    road_light = Category.objects.create(code="010101", name="路灯损坏", parent=municipal)
    prop = Category.objects.create(code="0102", name="物业管理", parent=build)
    prop_service = Category.objects.create(code="010201", name="物业服务", parent=prop)
    consult_root = Category.objects.create(code="09", name="党务政务")
    consult = Category.objects.create(code="0901", name="政策咨询", parent=consult_root)
    rule = DispatchRule.objects.create(category=municipal, lead_unit=district.dept_urban)
    rule.assisting_units.add(district.dept_housing)
    DispatchRule.objects.create(category=prop, lead_unit=None, territorial_level="town")
    RejectReason.objects.create(code="out_of_scope", text="不属于受理范围")
    return Desk(
        district=district,
        road_light=road_light,
        property_mgmt=prop_service,
        consult=consult,
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
