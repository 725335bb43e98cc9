"""A centre desk for console tests: the shared district and catalogue (no assisting unit), staff in every role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client, override_settings

from shanzhi.appeals.models import Appeal, ReplyTemplate
from shanzhi.orgs.models import User
from shanzhi.routing.models import Category


@dataclass
class Desk:
    district: object
    road_light: Category  # 城乡建设/市政设施/路灯损坏 → 城管局 (catalogue)
    property_service: Category  # 城乡建设/物业管理/物业服务 → territorial (town)
    operator: User
    dispatcher: User
    leader: User
    analyst: User
    urban_handler: User
    town_a_handler: User
    town_b_handler: User


@pytest.fixture(autouse=True)
def _immediate_tasks():
    with override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}):
        yield


@pytest.fixture
def desk(district, make_user, seed_catalogue) -> Desk:
    catalogue = seed_catalogue(assisting=False)
    ReplyTemplate.objects.create(name="已解决", body="您反映的问题（{tracking_no}）已由{unit}处理：{feedback}")
    return Desk(
        district=district,
        road_light=catalogue.road_light,
        property_service=catalogue.property_service,
        operator=make_user(district.centre, "operator", username="op"),
        dispatcher=make_user(district.centre, "dispatcher", username="disp"),
        leader=make_user(district.centre, "leader", username="boss"),
        analyst=make_user(district.centre, "analyst", username="ana"),
        urban_handler=make_user(district.dept_urban, "handler", username="cg"),
        town_a_handler=make_user(district.town_a, "handler", username="ta"),
        town_b_handler=make_user(district.town_b, "handler", username="tb"),
    )


@pytest.fixture
def intake(desk):
    """Register a hotline appeal through the service: ``intake(category=..., area=..., **overrides)``."""
    from shanzhi.appeals.services import appeal_intake

    def make(**kw) -> Appeal:
        params = {
            "actor": desk.operator,
            "channel": "hotline",
            "content": "小区门口路灯不亮已经一周了",
            "category": desk.road_light,
            "citizen_name": "张三丰",
            "citizen_phone": "13800001234",
            "address": "凤凰岭街道和平路12号",
            "area": desk.district.grid_a,
        }
        params.update(kw)
        return appeal_intake(**params).appeal

    return make


@pytest.fixture
def login():
    """``login(user)`` → a test client logged in as ``user``."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
