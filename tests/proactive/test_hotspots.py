"""Hotspots: thresholds per window, distinct callers, idempotency, alerts and handling (issue 3 item 6)."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.core import periodic
from shanzhi.core.errors import PermissionDenied, TransitionNotAllowed
from shanzhi.proactive.hotspots import HotspotFacts, Window, clusters_find
from shanzhi.proactive.models import Hotspot, HotspotState
from shanzhi.proactive.selectors import hotspot_members, hotspots_live
from shanzhi.proactive.services import hotspot_decide, hotspots_detect

from .conftest import T0

LIGHTS = [
    "和平社区3号楼门口路灯不亮",
    "小区东门那一排路灯全坏了，晚上黑漆漆的",
    "路灯坏了好几天没人修",
    "和平社区这边路灯晚上不亮",
    "我们楼下的路灯一直闪，后来直接不亮了",
    "社区主干道路灯不亮，老人晚上出门摔了一跤",
    "路灯线路好像被挖断了",
    "附近好几盏路灯都不亮",
    "晚上路灯不亮很危险",
    "路灯杆歪了灯也不亮",
    "路灯不亮，小孩放学回家路上太黑",
]


def test_five_callers_in_a_day_raise_one_hotspot(intake, world) -> None:
    for i in range(5):
        intake(hours=i, content=LIGHTS[i])
    report = hotspots_detect(now=T0 + dt.timedelta(hours=6))
    assert report.as_dict() == {"created": 1, "extended": 0, "unchanged": 0, "closed": 0}
    hotspot = Hotspot.objects.get()
    assert hotspot.window == "24h"
    assert hotspot.category.name == "市政设施"  # leaves count by their level-2 class
    assert hotspot.summary == "城乡建设/市政设施"
    assert (hotspot.appeal_count, hotspot.caller_count) == (5, 5)
    assert hotspot.area == world.district.grid_a  # all in one grid
    assert hotspot.community == world.district.community_a
    assert hotspot.alert_unit == world.district.town_a  # the territorial unit is alerted
    assert hotspot.alert_sent and hotspot.alerted_at is not None
    assert hotspot.first_at == T0 and hotspot.last_at == T0 + dt.timedelta(hours=4)
    assert hotspot_members(hotspot).count() == 5


def test_four_callers_are_below_the_threshold(intake) -> None:
    for i in range(4):
        intake(hours=i, content=LIGHTS[i])
    assert hotspots_detect(now=T0 + dt.timedelta(hours=6)).created == 0
    assert not Hotspot.objects.exists()


def test_one_caller_calling_six_times_is_not_a_hotspot(intake) -> None:
    for i in range(6):
        intake(hours=i, content=LIGHTS[i], phone="13900001111")
    assert hotspots_detect(now=T0 + dt.timedelta(hours=7)).created == 0


def test_appeals_older_than_the_window_do_not_count(intake) -> None:
    for i in range(5):
        intake(hours=i * 7, content=LIGHTS[i])  # spread over 28 hours
    hotspots_detect(now=T0 + dt.timedelta(hours=29))
    assert not Hotspot.objects.filter(window="24h").exists()


def test_different_communities_and_categories_do_not_add_up(intake, world) -> None:
    for i in range(3):
        intake(hours=i, content=LIGHTS[i])
    for i in range(2):
        intake(hours=i, content=LIGHTS[i], area=world.district.grid_b)
    intake(hours=1, category=world.noise, content="工地夜间施工噪音大")
    intake(hours=2, category=world.noise, content="晚上打桩太吵了")
    assert hotspots_detect(now=T0 + dt.timedelta(hours=4)).created == 0


def test_detection_is_idempotent_and_extends_the_open_hotspot(intake, world) -> None:
    for i in range(5):
        intake(hours=i, content=LIGHTS[i])
    hotspots_detect(now=T0 + dt.timedelta(hours=5))
    again = hotspots_detect(now=T0 + dt.timedelta(hours=5, minutes=15))
    assert again.as_dict() == {"created": 0, "extended": 0, "unchanged": 1, "closed": 0}
    intake(hours=6, content=LIGHTS[5], area=world.district.community_a)  # placed at the community only
    extended = hotspots_detect(now=T0 + dt.timedelta(hours=7))
    assert extended.extended == 1 and extended.created == 0
    hotspot = Hotspot.objects.get()
    assert (hotspot.appeal_count, hotspot.caller_count) == (6, 6)
    assert hotspot.area == world.district.community_a  # the members no longer share one grid
    assert hotspot.last_at == T0 + dt.timedelta(hours=6)


def test_an_acknowledged_hotspot_is_extended_and_a_closed_one_is_not_reopened(intake, world) -> None:
    for i in range(5):
        intake(hours=i, content=LIGHTS[i])
    hotspots_detect(now=T0 + dt.timedelta(hours=5))
    hotspot = Hotspot.objects.get()
    hotspot_decide(actor=world.dispatcher, hotspot=hotspot, state=HotspotState.ACKNOWLEDGED, note="已通知街道")
    intake(hours=6, content=LIGHTS[5])
    assert hotspots_detect(now=T0 + dt.timedelta(hours=7)).extended == 1
    hotspot_decide(actor=world.dispatcher, hotspot=hotspot, state=HotspotState.CLOSED, note="路灯已修复")
    intake(hours=8, content=LIGHTS[6])
    report = hotspots_detect(now=T0 + dt.timedelta(hours=9))
    assert report.created == 1  # a new episode after closing is a new hotspot
    assert Hotspot.objects.filter(state__in=["open", "acknowledged"]).count() == 1


def test_ten_callers_in_a_week_raise_a_seven_day_hotspot(intake) -> None:
    for i in range(10):
        intake(hours=i * 15, content=LIGHTS[i])  # one every 15 hours: never 5 within a day
    hotspots_detect(now=T0 + dt.timedelta(hours=140))
    assert list(Hotspot.objects.values_list("window", "appeal_count")) == [("7d", 10)]


def test_similar_uncategorised_appeals_cluster_by_text(intake, world) -> None:
    for i in range(5):
        intake(
            hours=i,
            structured=False,
            category=None,
            content=f"和平社区{i + 1}号楼附近的暖气片不热，屋里只有十几度，供暖太差了",
        )
    intake(hours=1, structured=False, category=None, content="想问问公租房怎么申请")
    hotspots_detect(now=T0 + dt.timedelta(hours=6))
    hotspot = Hotspot.objects.get()
    assert hotspot.key == "text" and hotspot.category is None
    assert hotspot.appeal_count == 5
    assert hotspot.summary.startswith("相似诉求：")
    # Running again extends nothing and creates nothing.
    assert hotspots_detect(now=T0 + dt.timedelta(hours=6, minutes=15)).unchanged == 1


def test_a_quiet_open_hotspot_closes_itself(intake) -> None:
    for i in range(5):
        intake(hours=i, content=LIGHTS[i])
    hotspots_detect(now=T0 + dt.timedelta(hours=5))
    report = hotspots_detect(now=T0 + dt.timedelta(hours=30))
    assert report.closed == 1
    assert Hotspot.objects.get().state == HotspotState.CLOSED
    assert not hotspots_live().exists()


def test_thresholds_are_configurable(intake, settings) -> None:
    settings.SHANZHI = {**settings.SHANZHI, "HOTSPOTS": {"windows": {"24h": {"hours": 24, "threshold": 3}}}}
    for i in range(3):
        intake(hours=i, content=LIGHTS[i])
    assert hotspots_detect(now=T0 + dt.timedelta(hours=4)).created == 1


def test_the_board_and_the_unit_see_live_hotspots(intake, world, make_user) -> None:
    for i in range(5):
        intake(hours=i, content=LIGHTS[i])
    hotspots_detect(now=T0 + dt.timedelta(hours=5))
    assert hotspots_live().count() == 1
    assert hotspots_live(unit=world.district.town_a).count() == 1
    assert hotspots_live(unit=world.district.town_b).count() == 0


def test_who_may_handle_a_hotspot(intake, world, make_user) -> None:
    for i in range(5):
        intake(hours=i, content=LIGHTS[i])
    hotspots_detect(now=T0 + dt.timedelta(hours=5))
    hotspot = Hotspot.objects.get()
    with pytest.raises(PermissionDenied):
        hotspot_decide(actor=world.handler, hotspot=hotspot, state=HotspotState.ACKNOWLEDGED)  # 城管局
    other_town = make_user(world.district.town_b, "unit_head")
    with pytest.raises(PermissionDenied):
        hotspot_decide(actor=other_town, hotspot=hotspot, state=HotspotState.ACKNOWLEDGED)
    own_town = make_user(world.district.town_a, "unit_head")
    done = hotspot_decide(actor=own_town, hotspot=hotspot, state=HotspotState.ACKNOWLEDGED, note="已安排排查")
    assert done.state == HotspotState.ACKNOWLEDGED and done.decided_by == own_town
    with pytest.raises(TransitionNotAllowed):
        hotspot_decide(actor=own_town, hotspot=hotspot, state=HotspotState.OPEN)


def test_the_detect_task_is_registered_and_runs(intake) -> None:
    from shanzhi.proactive.tasks import detect_hotspots

    names = {job.name: job.task for job in periodic.jobs()}
    assert names["proactive.detect_hotspots"] == "shanzhi.proactive.tasks.detect_hotspots"
    assert names["proactive.propose_duplicates"] == "shanzhi.proactive.tasks.propose_duplicates"
    result = detect_hotspots.enqueue()
    assert set(result.return_value) == {"created", "extended", "unchanged", "closed"}


def test_pure_clustering_counts_distinct_callers() -> None:
    window = Window("24h", dt.timedelta(hours=24), 3)

    def f(i: int, caller: str, cat: int | None = 5) -> HotspotFacts:
        return HotspotFacts(i, T0, "C1", "G1", cat, frozenset({"路灯", "不亮"}), caller)

    now = T0 + dt.timedelta(hours=1)
    assert clusters_find([f(1, "a"), f(2, "a"), f(3, "b")], window=window, now=now) == []
    (cluster,) = clusters_find([f(1, "a"), f(2, "b"), f(3, "c"), f(4, "c")], window=window, now=now)
    assert cluster.key == "cat:5" and cluster.callers == 3 and cluster.member_ids == [1, 2, 3, 4]
    assert cluster.area_code == "G1"
