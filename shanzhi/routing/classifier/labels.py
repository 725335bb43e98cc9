"""Label spaces: comparing the model's category paths with the labels of an evaluation file.

A file may label with level-1 names, level-2 paths or full paths. Each predicted path is mapped to the deepest
label of the file that is the path itself or one of its ancestors; probabilities are summed per label, so a leaf
prediction counts for its level-1 ancestor when the labels are level-1 names.

Files labelled with the reference taxonomy of government message boards (the 15 level-1 classes of the 泰迪杯
three-level system: there 物业, 供暖, 供水 and 城管 belong to 城乡建设, medical insurance to 劳动和社会保障, food
safety to 卫生计生, noise to 环境保护 …) are compared through ``REFERENCE_LEVEL1``: when no label of a file is one of
the centre's own extra level-1 classes, paths are first mapped to the reference class.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

# Our level-1 classes that the reference taxonomy does not have.
OWN_ONLY_LEVEL1 = {"城市管理", "物业管理", "供水供电供气供热"}

# Path prefix (most specific wins) → reference level-1 class, where it differs from our own level-1.
REFERENCE_LEVEL1: dict[str, str] = {
    "城市管理": "城乡建设",
    "物业管理": "城乡建设",
    "供水供电供气供热": "城乡建设",
    "政法/社会治安/噪音扰民": "环境保护",
    "政法/矛盾纠纷/物业纠纷": "城乡建设",
    "城乡建设/建筑施工管理/夜间施工": "环境保护",
    "城乡建设/建筑施工管理/工地扬尘": "环境保护",
    "教育文体/文化体育/广场舞与活动扰民": "环境保护",
    "经济管理/消费维权": "商贸旅游",
    "经济管理/价格监管": "商贸旅游",
    "经济管理/特种设备": "商贸旅游",
    "经济管理/食品安全": "卫生计生",
    "卫生计生/医疗保障": "劳动和社会保障",
    "商贸旅游/商贸流通/快递服务": "交通运输",
    "国土资源/不动产登记": "城乡建设",
}


def reference_level1(path: str) -> str:
    parts = path.split("/")
    for depth in range(len(parts), 0, -1):
        mapped = REFERENCE_LEVEL1.get("/".join(parts[:depth]))
        if mapped:
            return mapped
    return parts[0]


def label_space_mode(labels: Iterable[str]) -> str:
    """``own`` when the labels use the centre's tree (one of its own level-1 classes appears), else ``reference``."""
    return "own" if any(label.split("/")[0] in OWN_ONLY_LEVEL1 for label in labels) else "reference"


def map_path(path: str, labels: set[str], mode: str) -> str:
    """The label of ``labels`` that a predicted ``path`` counts as (its own level-1 name when none fits)."""
    parts = path.split("/")
    for depth in range(len(parts), 0, -1):
        prefix = "/".join(parts[:depth])
        if prefix in labels:
            return prefix
    if mode == "reference":
        mapped = reference_level1(path)
        if mapped in labels:
            return mapped
    return parts[0]


class LabelProjection:
    """Projects probability rows over the model's classes onto the labels of an evaluation file."""

    def __init__(self, classes: Sequence[str], labels: Iterable[str], mode: str = "auto") -> None:
        label_set = set(labels)
        self.mode = label_space_mode(label_set) if mode == "auto" else mode
        targets = [map_path(c, label_set, self.mode) for c in classes]
        self.labels = sorted(set(targets) | label_set)
        index = {label: i for i, label in enumerate(self.labels)}
        self.matrix = np.zeros((len(classes), len(self.labels)), dtype=np.float32)
        for i, target in enumerate(targets):
            self.matrix[i, index[target]] = 1.0

    def project(self, probabilities: np.ndarray) -> np.ndarray:
        return probabilities @ self.matrix

    def predict(self, probabilities: np.ndarray) -> tuple[list[str], np.ndarray]:
        projected = self.project(probabilities)
        best = projected.argmax(axis=1)
        return [self.labels[i] for i in best], projected[np.arange(len(best)), best]
