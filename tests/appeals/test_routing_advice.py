"""Intake without a category: the classifier suggests, decides above the threshold, and the dispatcher's choice
is recorded as a confirmed label."""

from __future__ import annotations

import pytest

from shanzhi.appeals import services
from shanzhi.appeals.models import AppealState
from shanzhi.routing import classifier
from shanzhi.routing.classifier import store
from shanzhi.routing.classifier.training import classifier_train

pytestmark = pytest.mark.django_db

LAMPS = [
    "路灯不亮晚上黑咕隆咚",
    "小区后门的路灯坏了好几个月",
    "一排路灯都不亮走路害怕",
    "马路上路灯坏了没人修",
    "路灯一闪一闪的不亮了",
    "晚上下班路灯全黑了看不见路",
]
PROPERTY = [
    "物业不管事，楼道垃圾没人清",
    "物业费涨了服务越来越差",
    "物业公司不修电梯",
    "物业保安天天睡觉不管事",
    "小区物业乱收停车费",
    "物业不给维修漏水的管道",
]


@pytest.fixture
def model(desk, settings, tmp_path):
    settings.SHANZHI_ROUTING_MODEL_DIR = str(tmp_path)
    classifier.reset()
    texts = LAMPS + PROPERTY
    labels = [desk.road_light.path] * len(LAMPS) + [desk.property_service.path] * len(PROPERTY)
    version = store.version_save(
        classifier_train(texts, labels, calibration_share=0.0, n_jobs=1), metrics={}, source={"test": True}
    )
    store.version_promote(version)
    yield version
    classifier.reset()


def test_without_a_model_the_appeal_waits_for_a_dispatcher(desk, intake):
    appeal = intake(category=None, content="楼下的路灯坏了")
    assert appeal.state == AppealState.ACCEPTED and appeal.category is None
    assert appeal.routing_suggestions == [] and "尚无分类模型" in appeal.routing_explanation


def test_confident_classification_dispatches_with_its_explanation(desk, intake, model, settings):
    settings.SHANZHI_ROUTING_AUTO_THRESHOLD = 0.0
    appeal = intake(category=None, content="我们楼下的路灯坏了一个星期，晚上黑漆漆的")
    assert appeal.state == AppealState.DISPATCHED
    assert appeal.category == desk.road_light and appeal.lead_unit == desk.district.dept_urban
    assert f"by model {model}" in appeal.routing_explanation and "派单目录" in appeal.routing_explanation
    assert appeal.routing_suggestions[0]["path"] == desk.road_light.path


def test_unsure_classification_leaves_suggestions_and_the_dispatcher_picks_one(desk, intake, model, settings):
    settings.SHANZHI_ROUTING_AUTO_THRESHOLD = 1.01
    appeal = intake(category=None, content="物业公司不管事，楼道垃圾堆了好几天", area=desk.district.grid_b)
    assert appeal.state == AppealState.ACCEPTED and appeal.category is None
    top = appeal.routing_suggestions[0]
    assert top["path"] == desk.property_service.path and top["lead_unit_name"] == desk.district.town_b.name
    assert "置信度不足" in appeal.routing_explanation
    services.appeal_dispatch(actor=desk.dispatcher, appeal=appeal, category=top["category_id"])
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISPATCHED and appeal.lead_unit == desk.district.town_b
    structured = appeal.events.get(kind="structured")
    assert structured.actor == desk.dispatcher and structured.payload["suggested"] == top["path"]


def test_odd_text_never_breaks_intake(desk, intake, model, settings):
    settings.SHANZHI_ROUTING_AUTO_THRESHOLD = 0.5
    for text in ["The street light is broken", "灯" * 20000, "？？？"]:
        appeal = intake(category=None, content=text)
        assert appeal.state == AppealState.ACCEPTED and appeal.category is None
