"""A tiny promoted classifier over the test desk's categories (路灯损坏, 物业服务, 政策咨询), for tests that run the
classifier's producer and its consumers together. Trains in about a second on TF-IDF features."""

from __future__ import annotations

from shanzhi.routing import classifier
from shanzhi.routing.classifier import store
from shanzhi.routing.classifier.model import classifier_train

LAMP = [
    "小区门口路灯不亮",
    "路灯坏了晚上很黑",
    "这条路的路灯一直不亮",
    "路灯杆倒了灯不亮",
    "街边路灯闪烁不亮",
    "路口的路灯坏了好几天",
    "路灯晚上不亮影响出行",
    "路灯损坏没人修",
]
PROPERTY = [
    "物业不打扫楼道卫生",
    "物业服务太差了",
    "物业公司乱收费",
    "物业不管小区垃圾",
    "小区物业服务态度差",
    "物业不修电梯",
    "物业管理混乱",
    "物业人员不作为",
]
CONSULT = [
    "咨询公租房申请条件",
    "想问一下政策怎么办理",
    "咨询社保缴费政策",
    "请问低保怎么申请",
    "咨询落户政策",
    "问一下补贴政策",
    "咨询办事流程",
    "政策咨询怎么办理",
]


def desk_model_promote(desk, settings, tmp_path) -> str:
    """Train on the desk's three leaves, store and promote it in a model directory of the test's own (the session's
    empty one must stay empty for the other tests); returns the version."""
    settings.SHANZHI_ROUTING_MODEL_DIR = str(tmp_path / "models")
    classifier.reset()
    texts = LAMP + PROPERTY + CONSULT
    labels = [desk.road_light.path] * len(LAMP) + [desk.property_service.path] * len(PROPERTY)
    labels += [desk.consult.path] * len(CONSULT)
    model = classifier_train(texts, labels, backend="tfidf", calibration_share=0.0, n_jobs=1)
    version = store.version_save(model, metrics={}, source={"test": True})
    store.version_promote(version)
    classifier.reset()
    return version
