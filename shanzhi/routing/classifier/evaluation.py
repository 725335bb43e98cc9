"""Figures of a classifier on labelled texts: accuracy, macro-F1, per-class table, confusion matrix, calibration."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import StratifiedKFold

from shanzhi.routing.classifier.calibration import expected_calibration_error
from shanzhi.routing.classifier.labels import LabelProjection
from shanzhi.routing.classifier.model import TextClassifier, classifier_train


@dataclass
class ClassRow:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Evaluation:
    n: int
    accuracy: float
    macro_f1: float
    ece: float
    mode: str
    labels: list[str]
    rows: list[ClassRow] = field(default_factory=list)
    confusion: list[list[int]] = field(default_factory=list)
    top3_accuracy: float = 0.0
    # At the auto-dispatch threshold: the share of texts whose confidence reaches it, and how many of those are right.
    threshold: float = 0.8
    auto_share: float = 0.0
    auto_accuracy: float = 0.0

    def summary(self) -> dict[str, float | int | str]:
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "top3_accuracy": round(self.top3_accuracy, 4),
            "ece": round(self.ece, 4),
            "auto_share": round(self.auto_share, 4),
            "auto_accuracy": round(self.auto_accuracy, 4),
        }


def auto_threshold() -> float:
    from django.conf import settings

    return float(getattr(settings, "SHANZHI_ROUTING_AUTO_THRESHOLD", 0.8))


def scores_compute(
    truth: list[str], predicted: list[str], confidence: np.ndarray, top3_hit: np.ndarray, mode: str
) -> Evaluation:
    labels = sorted(set(truth) | set(predicted))
    index = {label: i for i, label in enumerate(labels)}
    confusion = np.zeros((len(labels), len(labels)), dtype=int)
    for t, p in zip(truth, predicted, strict=True):
        confusion[index[t], index[p]] += 1
    rows: list[ClassRow] = []
    for label in sorted(set(truth)):
        i = index[label]
        tp = confusion[i, i]
        precision = tp / confusion[:, i].sum() if confusion[:, i].sum() else 0.0
        recall = tp / confusion[i, :].sum() if confusion[i, :].sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append(ClassRow(label, float(precision), float(recall), float(f1), int(confusion[i, :].sum())))
    correct = np.array([t == p for t, p in zip(truth, predicted, strict=True)])
    threshold = auto_threshold()
    auto = np.asarray(confidence) >= threshold
    return Evaluation(
        threshold=threshold,
        auto_share=float(auto.mean()) if len(truth) else 0.0,
        auto_accuracy=float(correct[auto].mean()) if auto.any() else 0.0,
        n=len(truth),
        accuracy=float(correct.mean()) if len(truth) else 0.0,
        macro_f1=float(np.mean([r.f1 for r in rows])) if rows else 0.0,
        ece=expected_calibration_error(confidence, correct),
        mode=mode,
        labels=labels,
        rows=rows,
        confusion=confusion.tolist(),
        top3_accuracy=float(top3_hit.mean()) if len(top3_hit) else 0.0,
    )


def model_evaluate(model: TextClassifier, texts: list[str], truth: list[str], *, mode: str = "auto") -> Evaluation:
    """Test a trained model on labelled texts, at the level of the labels given."""
    projection = LabelProjection(model.classes, truth, mode)
    probabilities = np.vstack([model.probabilities(texts[i : i + 512]) for i in range(0, len(texts), 512)])
    predicted, confidence = projection.predict(probabilities)
    projected = projection.project(probabilities)
    top3 = np.argsort(-projected, axis=1)[:, :3]
    label_index = {label: i for i, label in enumerate(projection.labels)}
    top3_hit = np.array([label_index[t] in row for t, row in zip(truth, top3, strict=True)])
    return scores_compute(truth, predicted, confidence, top3_hit, projection.mode)


def cross_validate(texts: list[str], labels: list[str], *, folds: int, seed: int = 0, **train_kw: object) -> Evaluation:
    """K-fold cross-validation on one file alone: train on K-1 folds, test on the last, pool the predictions."""
    y = np.asarray(labels)
    _, counts = np.unique(y, return_counts=True)
    if counts.min() < folds:
        from sklearn.model_selection import KFold

        splitter: KFold | StratifiedKFold = KFold(n_splits=folds, shuffle=True, random_state=seed)
    else:
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    truth: list[str] = []
    predicted: list[str] = []
    confidence: list[float] = []
    top3_hit: list[bool] = []
    for train_idx, test_idx in splitter.split(np.zeros(len(y)), y):
        model = classifier_train([texts[i] for i in train_idx], [labels[i] for i in train_idx], seed=seed, **train_kw)  # type: ignore[arg-type]
        fold_truth = [labels[i] for i in test_idx]
        projection = LabelProjection(model.classes, fold_truth, "own")
        probabilities = model.probabilities([texts[i] for i in test_idx])
        fold_pred, fold_conf = projection.predict(probabilities)
        projected = projection.project(probabilities)
        index = {label: i for i, label in enumerate(projection.labels)}
        top3 = np.argsort(-projected, axis=1)[:, :3]
        truth += fold_truth
        predicted += fold_pred
        confidence += list(fold_conf)
        top3_hit += [index[t] in row for t, row in zip(fold_truth, top3, strict=True)]
    return scores_compute(truth, predicted, np.asarray(confidence), np.asarray(top3_hit), "own")
