"""The routing text classifier: a feature backend, a linear model and a temperature, trained together."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split

from shanzhi.routing.classifier.backends import FeatureBackend, backend_create
from shanzhi.routing.classifier.calibration import softmax, temperature_fit
from shanzhi.routing.classifier.text import normalise


@dataclass
class TextClassifier:
    """Predicts category paths. ``weights`` is (n_features, n_classes), pruned and sparse: small and fast."""

    backend: FeatureBackend
    classes: list[str]
    weights: Any
    intercept: np.ndarray
    temperature: float = 1.0
    info: dict[str, Any] = field(default_factory=dict)

    def scores(self, texts: list[str]) -> np.ndarray:
        x = self.backend.transform([normalise(t) for t in texts])
        raw = x @ self.weights
        raw = raw.toarray() if sp.issparse(raw) else np.asarray(raw)
        return raw + self.intercept

    def probabilities(self, texts: list[str]) -> np.ndarray:
        return softmax(self.scores(texts), self.temperature)


def classifier_train(
    texts: list[str],
    labels: list[str],
    *,
    backend: str = "tfidf",
    embedding_model: str = "",
    calibration_share: float = 0.1,
    alpha: float = 3e-4,
    epochs: int | None = None,
    n_jobs: int = 2,
    seed: int = 0,
    calibration: tuple[list[str], list[str]] | None = None,
) -> TextClassifier:
    """Train on (text, category path) pairs. The temperature is fitted on ``calibration`` when given (texts written
    unlike the training texts), else on a stratified ``calibration_share`` kept aside from training."""
    started = time.perf_counter()
    if len(set(labels)) < 2:
        raise ValueError("at least two categories are needed to train a classifier")
    docs = [normalise(t) for t in texts]
    y = np.asarray(labels)
    fit_idx, cal_idx = _calibration_split(y, 0.0 if calibration else calibration_share, seed)
    feats = backend_create(backend, embedding_model=embedding_model, min_df=2 if len(docs) >= 200 else 1)
    x_fit = feats.fit_transform([docs[i] for i in fit_idx])
    if epochs is None:
        # About 300k updates per class are plenty: many epochs over a small corpus, few over a large history.
        epochs = int(min(15, max(2, round(300_000 / max(1, len(fit_idx))))))
    linear = SGDClassifier(
        loss="hinge",
        alpha=alpha,
        max_iter=epochs,
        tol=None,
        random_state=seed,
        n_jobs=n_jobs,
        class_weight=None,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed number of epochs is the intent
        linear.fit(x_fit, y[fit_idx])
    classes = [str(c) for c in linear.classes_]
    weights, intercept = _weights(linear)
    model = TextClassifier(backend=feats, classes=classes, weights=weights, intercept=intercept)
    cal_texts, cal_labels = calibration or ([texts[i] for i in cal_idx], [str(y[i]) for i in cal_idx])
    if cal_texts:
        cal_scores = model.scores(cal_texts)
        index = {c: i for i, c in enumerate(classes)}
        known = np.array([label in index for label in cal_labels])
        truth = np.array([index[label] for label in cal_labels if label in index], dtype=int)
        model.temperature = temperature_fit(cal_scores[known], truth)
    model.info = {
        "backend": feats.describe(),
        "n_train": len(fit_idx),
        "n_calibration": len(cal_texts),
        "n_classes": len(classes),
        "alpha": alpha,
        "epochs": epochs,
        "temperature": round(model.temperature, 4),
        "train_seconds": round(time.perf_counter() - started, 2),
    }
    return model


def _calibration_split(y: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    idx = np.arange(len(y))
    n_cal = int(len(y) * share)
    if share <= 0 or n_cal < 10:
        return idx, np.array([], dtype=int)
    values, counts = np.unique(y, return_counts=True)
    # Classes with a single example cannot be split; they stay in the training part.
    rare = set(values[counts < 2])
    keep = np.array([v not in rare for v in y])
    splittable, always = idx[keep], idx[~keep]
    strat = y[splittable] if len(set(y[splittable])) <= n_cal else None
    try:
        fit, cal = train_test_split(splittable, test_size=n_cal, random_state=seed, stratify=strat)
    except ValueError:
        fit, cal = train_test_split(splittable, test_size=n_cal, random_state=seed)
    return np.concatenate([fit, always]), np.asarray(cal)


def _weights(linear: SGDClassifier) -> tuple[Any, np.ndarray]:
    """Transpose to (features, classes), float32, weights below 2 % of the largest set to zero, stored sparse."""
    coef = np.asarray(linear.coef_, dtype=np.float32)
    intercept = np.asarray(linear.intercept_, dtype=np.float32)
    if coef.shape[0] == 1:  # two classes: sklearn keeps one row; make it two symmetric ones
        coef = np.vstack([-coef, coef])
        intercept = np.array([-intercept[0], intercept[0]], dtype=np.float32)
    limit = 0.02 * float(np.abs(coef).max() or 1.0)
    coef[np.abs(coef) < limit] = 0.0
    return sp.csr_matrix(coef.T), intercept
