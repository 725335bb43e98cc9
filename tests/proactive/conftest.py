"""Appeals to look for duplicates and hotspots in, on the shared desk: a few more categories and a quick intake."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from shanzhi.routing.models import Category

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
def world(desk) -> World:
    """The shared desk's 路灯损坏 with a sibling (道路破损) and a category of another class (施工噪声)."""
    damage = Category.objects.create(code="010102", name="道路破损", parent=desk.road_light.parent)
    env = Category.objects.create(code="11", name="环境保护")
    noise_l2 = Category.objects.create(code="1101", name="噪声污染", parent=env)
    noise = Category.objects.create(code="110101", name="施工噪声", parent=noise_l2)
    return World(
        district=desk.district,
        road_light=desk.road_light,
        road_damage=damage,
        noise=noise,
        dispatcher=desk.dispatcher,
        operator=desk.operator,
        handler=desk.urban_handler,
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
