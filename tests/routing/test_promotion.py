"""Shadow evaluation: a retrained model is promoted only when it beats the current one on recent history."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shanzhi.routing import classifier, tasks
from shanzhi.routing.classifier import store
from shanzhi.routing.classifier.model import classifier_train
from shanzhi.routing.classifier.promotion import promotion_decide
from shanzhi.routing.classifier.training import Example

from .test_classifier import TINY, tiny_data

RECENT = {
    "供水供电供气供热/供热/暖气不热": ["暖气摸着冰凉屋里很冷", "供暖开始了家里还是不热", "暖气片不热热力公司不管"],
    "政法/社会治安/噪音扰民": ["楼上半夜蹦迪噪音太大", "凌晨还有人大声喧哗吵得睡不着", "酒吧音响声音太吵"],
    "劳动和社会保障/劳动关系/拖欠工资": ["老板拖欠工资两个月", "公司一直不发工资", "辞职了工资不给结"],
    "城市管理/路灯照明/路灯不亮": ["小区外面路灯不亮", "马路上的路灯坏了", "晚上路灯全黑了"],
}


@pytest.fixture
def model_dir(settings, tmp_path):
    settings.SHANZHI_ROUTING_MODEL_DIR = str(tmp_path / "models")
    classifier.reset()
    yield
    classifier.reset()


def recent_history() -> list[Example]:
    rows = [Example(text, label) for label, items in RECENT.items() for text in items]
    return rows * 3  # 36 confirmed appeals: enough to compare on


def good_model():
    texts, labels = tiny_data()
    return classifier_train(texts, labels, calibration_share=0.0, n_jobs=1, backend="tfidf")


def worse_model():
    """Trained on the same texts with the labels shuffled: it has learned nothing true."""
    texts, labels = tiny_data()
    shuffled = labels[:]
    random.Random(3).shuffle(shuffled)
    return classifier_train(texts, shuffled, calibration_share=0.0, n_jobs=1, backend="tfidf")


@given(
    candidate=st.floats(0, 1),
    current=st.floats(0, 1),
    n=st.integers(0, 500),
    f1_candidate=st.floats(0, 1),
    f1_current=st.floats(0, 1),
)
def test_a_candidate_that_is_not_more_accurate_is_never_promoted(candidate, current, n, f1_candidate, f1_current):
    decision = promotion_decide(
        candidate_accuracy=candidate,
        current_accuracy=current,
        n_heldout=n,
        candidate_macro_f1=f1_candidate,
        current_macro_f1=f1_current,
    )
    if candidate <= current or n < 30:
        assert not decision.promote
    assert decision.reason


def test_macro_f1_guard():
    assert not promotion_decide(
        candidate_accuracy=0.9, current_accuracy=0.8, n_heldout=100, candidate_macro_f1=0.5, current_macro_f1=0.7
    ).promote


@pytest.mark.django_db
def test_worse_model_is_never_promoted_and_the_comparison_is_kept(model_dir):
    current = store.version_save(good_model(), metrics={}, source={"test": True})
    store.version_promote(current)
    result = tasks.candidate_consider(worse_model(), recent_history(), source={"test": True})
    assert not result["promoted"] and store.current_version() == current
    shadow = result["comparison"]
    assert shadow["candidate"]["accuracy"] < shadow["current"]["accuracy"]
    assert shadow["n_recent"] == 36 and shadow["current_version"] == current
    saved = store.manifest_read()["versions"][-1]
    assert saved["metrics"]["shadow"]["decision"] == result["reason"] and saved["promoted_at"] is None


@pytest.mark.django_db
def test_better_model_is_promoted(model_dir):
    current = store.version_save(worse_model(), metrics={}, source={"test": True})
    store.version_promote(current)
    result = tasks.candidate_consider(good_model(), recent_history(), source={"test": True})
    assert result["promoted"] and store.current_version() == result["version"] != current
    assert "高于当前" in result["reason"]


@pytest.mark.django_db
def test_same_model_again_is_not_promoted(model_dir):
    model = good_model()
    current = store.version_save(model, metrics={}, source={})
    store.version_promote(current)
    result = tasks.candidate_consider(model, recent_history(), source={})
    assert not result["promoted"] and store.current_version() == current


def test_tiny_fixture_covers_recent_labels():
    assert set(RECENT) == set(TINY)


@pytest.mark.django_db
def test_versions_command_shows_the_comparison_to_the_admin(model_dir):
    from io import StringIO

    from django.core.management import call_command

    current = store.version_save(good_model(), metrics={}, source={})
    store.version_promote(current)
    tasks.candidate_consider(worse_model(), recent_history(), source={})
    out = StringIO()
    call_command("routing", "versions", stdout=out)
    text = out.getvalue()
    assert "* v1" in text and "  v2" in text
    assert "影子评估：近期已确认 36 条" in text and "结论：新模型准确率" in text and "保留当前模型" in text
