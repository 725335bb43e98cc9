"""Appeals to look for duplicates and hotspots in: a small category tree, a dispatcher, and a quick intake."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings

from shanzhi.routing.models import Category

if "shanzhi.proactive" not in django_settings.INSTALLED_APPS:  # pragma: no cover - a setup error, said plainly
    raise RuntimeError(
        "tests/proactive need shanzhi.proactive in INSTALLED_APPS; run with "
        "`PYTHONPATH=. pytest tests/proactive --ds=tests.proactive.settings_proactive` until settings.py has it"
    )

T0 = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 in Haibowan, a Tuesday


@dataclass
class World:
    district: object
    road_light: Category  # 城乡建设/市政设施/路灯损坏
    road_damage: Category  # 城乡建设/市政设施/道路破损
    noise: Category  # 环境保护/噪声污染/施工噪声
    dispatcher: object
    operator: object
    handler: object


@pytest.fixture
def world(district, make_user) -> World:
    build = Category.objects.create(code="01", name="城乡建设")
    municipal = Category.objects.create(code="0101", name="市政设施", parent=build)
    light = Category.objects.create(code="010101", name="路灯损坏", parent=municipal)
    damage = Category.objects.create(code="010102", name="道路破损", parent=municipal)
    env = Category.objects.create(code="11", name="环境保护")
    noise_l2 = Category.objects.create(code="1101", name="噪声污染", parent=env)
    noise = Category.objects.create(code="110101", name="施工噪声", parent=noise_l2)
    return World(
        district=district,
        road_light=light,
        road_damage=damage,
        noise=noise,
        dispatcher=make_user(district.centre, "dispatcher", username="disp"),
        operator=make_user(district.centre, "operator", username="op"),
        handler=make_user(district.dept_urban, "handler", username="cg"),
    )


@pytest.fixture
def intake(world):
    """``intake(hours=3, phone=..., area=..., content=..., category=...)`` → an accepted, undispatched appeal."""
    from shanzhi.appeals.services import appeal_intake

    counter = {"n": 0}

    def make(*, hours: float = 0, phone: str | None = None, **kw):
        counter["n"] += 1
        params = {
            "actor": world.operator,
            "channel": "hotline",
            "content": "和平社区3号楼门口的路灯不亮已经一周了，晚上出行很不方便",
            "category": world.road_light,
            "citizen_name": "张三",
            "citizen_phone": phone if phone is not None else f"1380000{counter['n']:04d}",
            "area": world.district.grid_a,
            "auto_dispatch": False,
            "at": T0 + dt.timedelta(hours=hours),
        }
        params.update(kw)
        return appeal_intake(**params).appeal

    return make
