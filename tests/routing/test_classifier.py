"""Routing classifier: features, training, calibration, label levels, model store, edge inputs, promotion rule."""

from __future__ import annotations

import numpy as np
import pytest

from shanzhi.routing import classifier
from shanzhi.routing.classifier import store
from shanzhi.routing.classifier.calibration import expected_calibration_error, softmax, temperature_fit
from shanzhi.routing.classifier.evaluation import cross_validate, model_evaluate
from shanzhi.routing.classifier.labels import LabelProjection, label_space_mode, map_path, reference_level1
from shanzhi.routing.classifier.model import classifier_train
from shanzhi.routing.classifier.promotion import promotion_decide
from shanzhi.routing.classifier.text import MAX_CHARS, cjk_count, join_fields, normalise, word_ngrams

HEAT = "供水供电供气供热/供热/暖气不热"
NOISE = "政法/社会治安/噪音扰民"
WAGES = "劳动和社会保障/劳动关系/拖欠工资"
LAMP = "城市管理/路灯照明/路灯不亮"

TINY = {
    HEAT: [
        "家里暖气一直不热，屋里才十三度",
        "暖气片冰凉，供暖以后温度上不去",
        "今年供暖不达标，暖气温乎乎的",
        "暖气不热孩子都冻感冒了，热力公司不来人",
        "屋里冷得穿棉袄，暖气管子是凉的",
        "供热温度太低了，暖气片下面凉上面热",
    ],
    NOISE: [
        "楼上邻居半夜蹦跶噪音扰民睡不着",
        "酒吧音响太吵一直闹到凌晨",
        "隔壁装修电钻砸墙噪音很大",
        "半夜有人打麻将吵得睡不着觉",
        "楼下噪音扰民，晚上十二点还在吵",
        "改装摩托车炸街噪音太大",
    ],
    WAGES: [
        "老板三个月没发工资了",
        "公司拖欠工资一直不给",
        "辞职后公司扣着工资不发",
        "饭店老板跑路了欠我们工资",
        "工资每个月都拖着不发还少发",
        "单位拖欠工资半年了，讨薪无门",
    ],
    LAMP: [
        "路灯不亮晚上黑咕隆咚",
        "小区后门的路灯坏了好几个月",
        "一排路灯都不亮走路害怕",
        "马路上路灯坏了没人修",
        "路灯一闪一闪的不亮了",
        "晚上下班路灯全黑了，看不见路",
    ],
}


def tiny_data() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for label, items in TINY.items():
        texts += items
        labels += [label] * len(items)
    return texts, labels


@pytest.fixture(scope="module")
def tiny_model():
    texts, labels = tiny_data()
    return classifier_train(texts, labels, calibration_share=0.0, n_jobs=1)


@pytest.fixture
def model_dir(settings, tmp_path):
    settings.SHANZHI_ROUTING_MODEL_DIR = str(tmp_path / "models")
    classifier.reset()
    yield tmp_path / "models"
    classifier.reset()


# --- features -----------------------------------------------------------------------------------------------------


def test_normalise_full_width_digits_space_and_length():
    assert normalise("  暖气　不热１２３号楼\n\n ") == "暖气 不热0号楼"
    assert normalise(None) == ""
    assert len(normalise("很" * 20000)) == MAX_CHARS


def test_word_ngrams_segment_chinese_and_drop_punctuation():
    grams = word_ngrams(normalise("小区暖气不热，物业不管！"))
    assert "暖气" in grams and "物业" in grams
    assert "，" not in grams and "！" not in grams
    assert any(" " in g for g in grams)  # bigrams


def test_cjk_count_and_join_fields():
    assert cjk_count("hello 你好") == 2
    assert cjk_count("暖暖暖暖", distinct=True) == 1
    assert join_fields("标题", "", None, " 正文 ") == "标题。正文"


# --- train and predict ----------------------------------------------------------------------------------------------


def test_tiny_model_predicts_unseen_wording(tiny_model):
    probabilities = tiny_model.probabilities(["我家暖气一点都不热，冷死了", "单位欠我两个月工资"])
    predicted = [tiny_model.classes[i] for i in probabilities.argmax(axis=1)]
    assert predicted == [HEAT, WAGES]


def test_probabilities_are_calibrated_distributions(tiny_model):
    p = tiny_model.probabilities(["路灯不亮", "", "hello", "暖气" * 3000])
    assert np.all((p >= 0) & (p <= 1))
    assert np.allclose(p.sum(axis=1), 1.0, atol=1e-5)


def test_temperature_fit_softens_overconfident_scores():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, size=300)
    scores = rng.normal(size=(300, 3))
    scores[np.arange(300), truth] += 1.0  # informative but noisy, at a scale that is far too sharp below
    t = temperature_fit(scores * 20, truth)
    assert t > 5
    confident = softmax(scores * 20, 1.0).max(axis=1)
    calibrated = softmax(scores * 20, t).max(axis=1)
    correct = softmax(scores, 1.0).argmax(axis=1) == truth
    assert expected_calibration_error(calibrated, correct) < expected_calibration_error(confident, correct)


# --- label levels ---------------------------------------------------------------------------------------------------


def test_leaf_prediction_counts_by_level1_ancestor():
    assert map_path(HEAT, {"供水供电供气供热", "政法"}, "own") == "供水供电供气供热"
    assert map_path(HEAT, {"供水供电供气供热/供热", "政法"}, "own") == "供水供电供气供热/供热"
    assert map_path(HEAT, {HEAT}, "own") == HEAT


def test_reference_labels_map_own_extra_classes():
    labels = {"城乡建设", "环境保护", "劳动和社会保障"}
    assert label_space_mode(labels) == "reference"
    assert label_space_mode({"物业管理", "政法"}) == "own"
    assert map_path(HEAT, labels, "reference") == "城乡建设"
    assert map_path(NOISE, labels, "reference") == "环境保护"
    assert reference_level1("卫生计生/医疗保障/医保报销") == "劳动和社会保障"
    assert reference_level1("交通运输/公共交通/公交线路与站点") == "交通运输"


def test_projection_sums_probabilities_per_label():
    classes = ["政法/社会治安/噪音扰民", "政法/社会治安/盗窃", "城市管理/路灯照明/路灯不亮"]
    projection = LabelProjection(classes, ["政法", "城市管理"], "own")
    predicted, confidence = projection.predict(np.array([[0.3, 0.3, 0.4]], dtype=np.float32))
    assert predicted == ["政法"] and confidence[0] == pytest.approx(0.6)


def test_evaluate_at_level1_and_cross_validation(tiny_model):
    result = model_evaluate(tiny_model, ["暖气不热屋里冷", "路灯坏了不亮"], ["供水供电供气供热", "城市管理"])
    assert result.accuracy == 1.0 and result.macro_f1 == 1.0
    assert {r.label for r in result.rows} == {"城市管理", "供水供电供气供热"}
    texts, labels = tiny_data()
    cv = cross_validate(texts, labels, folds=2, n_jobs=1)
    assert cv.n == len(texts)
    assert cv.accuracy > 0.5
    assert sum(map(sum, cv.confusion)) == len(texts)


# --- promotion rule ---------------------------------------------------------------------------------------------------


def test_promotion_rule():
    assert promotion_decide(candidate_accuracy=0.5, current_accuracy=None, n_heldout=0).promote
    assert promotion_decide(candidate_accuracy=0.81, current_accuracy=0.80, n_heldout=100).promote
    assert not promotion_decide(candidate_accuracy=0.80, current_accuracy=0.80, n_heldout=100).promote  # a tie keeps
    assert not promotion_decide(candidate_accuracy=0.79, current_accuracy=0.80, n_heldout=100).promote
    assert not promotion_decide(candidate_accuracy=0.99, current_accuracy=0.80, n_heldout=5).promote


# --- store and classify() ---------------------------------------------------------------------------------------------


def test_store_versions_and_classify_edges(db, model_dir, tiny_model, settings):
    v1 = store.version_save(tiny_model, metrics={}, source={"test": True})
    store.version_promote(v1)
    assert store.current_version() == v1 == "v1"
    result = classifier.classify("我家暖气不热，屋里冷得很", k=3)
    assert result.model_version == "v1"
    assert len(result.top) == 3 and result.top[0][1] == HEAT
    assert result.top[0][0] is None  # the tree is not loaded in this test
    assert 0.0 <= result.top[0][2] <= 1.0
    long_text = "我家暖气一直不热，屋里冷得很。" * 1400  # 21,000 characters
    for odd in ["", "   ", "The street light is broken", "暖" * 20000, "12345!!!", long_text]:
        answer = classifier.classify(odd)
        assert answer.top and not answer.confident
    settings.SHANZHI_ROUTING_AUTO_THRESHOLD = 0.0
    assert classifier.classify("暖气不热屋里冷").confident
    # A newly promoted version is picked up without restarting (the manifest changed).
    v2 = store.version_save(tiny_model, metrics={}, source={})
    store.version_promote(v2)
    assert classifier.classify("路灯不亮").model_version == "v2"
    manifest = store.manifest_read()
    assert [v["version"] for v in manifest["versions"]] == ["v1", "v2"] and manifest["current"] == "v2"
