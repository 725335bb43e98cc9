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

from shanzhi.routing.classifier.backends import EmbeddingBackend, FeatureBackend, HybridBackend, backend_create
from shanzhi.routing.classifier.calibration import softmax, temperature_fit, top_label_apply, top_label_fit
from shanzhi.routing.classifier.embedding import WordVectorCache
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
    # Nearest category description: (n_classes, dim) unit vectors in the embedding space, and their weight.
    prototypes: np.ndarray | None = None
    prototype_weight: float = 0.0
    # Mean similarity of ordinary texts to each description: subtracted, so that a description that resembles
    # every letter (a "hub": 办事难 reads like any complaint) does not attract them all.
    prototype_offset: np.ndarray | None = None
    # The first choice's probability → the chance it is right (calibration.top_label_fit); None in models trained
    # before it existed, which then show the plain softmax (see classifier.calibration_ensure).
    top_calibration: tuple[np.ndarray, np.ndarray] | None = None

    def scores(self, texts: list[str]) -> np.ndarray:
        return self._scores(texts, self.prototype_weight)

    def _scores(self, texts: list[str], prototype_weight: float) -> np.ndarray:
        x = self.backend.transform([normalise(t) for t in texts])
        raw = x @ self.weights
        raw = raw.toarray() if sp.issparse(raw) else np.asarray(raw)
        raw = raw + self.intercept
        if self.prototypes is not None and prototype_weight:
            raw = raw + prototype_weight * self._similarity(x)
        return raw

    def _similarity(self, x: Any) -> np.ndarray:
        assert self.prototypes is not None
        sims = dense_block(self.backend, x) @ self.prototypes.T
        return sims - self.prototype_offset if self.prototype_offset is not None else sims

    def description_similarity(self, texts: list[str]) -> np.ndarray | None:
        """Cosine of each text with each class's description, less its mean over the training texts (None without
        an embedding backend)."""
        if self.prototypes is None:
            return None
        return self._similarity(self.backend.transform([normalise(t) for t in texts]))

    def probabilities(self, texts: list[str]) -> np.ndarray:
        return top_label_apply(self.scores(texts), self.temperature, self.top_calibration)

    def top_calibration_fit(self, texts: list[str], labels: list[str]) -> None:
        """Fit :attr:`top_calibration` on labelled texts the model did not learn from (after the temperature)."""
        index = {c: i for i, c in enumerate(self.classes)}
        known = [(t, index[label]) for t, label in zip(texts, labels, strict=True) if label in index]
        if not known:
            self.top_calibration = None
            return
        p = softmax(self.scores([t for t, _ in known]), self.temperature)
        truth = np.array([i for _, i in known])
        self.top_calibration = top_label_fit(p.max(axis=1), p.argmax(axis=1) == truth)


def dense_block(backend: FeatureBackend, x: Any) -> np.ndarray:
    """The embedding part of a feature matrix (unit rows), for the description similarity."""
    if isinstance(backend, HybridBackend):
        block = x[:, -backend.dense.dim :]
        return np.asarray(block.toarray() if sp.issparse(block) else block) / np.float32(backend.dense_weight)
    return np.asarray(x)


def _has_dense(backend: FeatureBackend) -> bool:
    return isinstance(backend, HybridBackend | EmbeddingBackend)


PROTOTYPE_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2)


def classifier_train(
    texts: list[str],
    labels: list[str],
    *,
    backend: str = "auto",
    embedding_model: str = "",
    calibration_share: float = 0.1,
    alpha: float = 3e-4,
    epochs: int | None = None,
    n_jobs: int = 2,
    seed: int = 0,
    calibration: tuple[list[str], list[str]] | None = None,
    sample_weight: list[float] | None = None,
    descriptions: dict[str, str] | None = None,
    vector_cache: WordVectorCache | None = None,
    validation: tuple[list[str], list[str]] | None = None,
) -> TextClassifier:
    """Train on (text, category path) pairs. The temperature is fitted on ``calibration`` when given (texts written
    unlike the training texts), else on a stratified ``calibration_share`` kept aside from training.

    ``sample_weight`` weighs examples (a dispatcher's correction counts more than a confirmation). ``descriptions``
    (class → what the class covers) become the classes' prototypes when the backend has embeddings: the score of a
    class gets ``w · (cos(text, description) − its mean over the training texts)``. ``w`` is the weight for which
    the accuracy on the calibration texts and on ``validation`` (letters written unlike the training texts: the
    experts' examples, which the linear model does not see) is best on average; the temperature is then fitted."""
    started = time.perf_counter()
    if len(set(labels)) < 2:
        raise ValueError("at least two categories are needed to train a classifier")
    docs = [normalise(t) for t in texts]
    y = np.asarray(labels)
    fit_idx, cal_idx = _calibration_split(y, 0.0 if calibration else calibration_share, seed)
    feats = backend_create(backend, min_df=2 if len(docs) >= 200 else 1, cache=vector_cache)
    fit_docs = [docs[i] for i in fit_idx]
    described = {c: normalise(t) for c, t in (descriptions or {}).items()}
    if isinstance(feats, HybridBackend | EmbeddingBackend):
        feats.fit(fit_docs, list(described.values()))
        x_fit = feats.transform(fit_docs)
    else:
        x_fit = feats.fit_transform(fit_docs)
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
        weights_fit = np.asarray(sample_weight, dtype=np.float64)[fit_idx] if sample_weight is not None else None
        linear.fit(x_fit, y[fit_idx], sample_weight=weights_fit)
    classes = [str(c) for c in linear.classes_]
    weights, intercept = _weights(linear)
    model = TextClassifier(backend=feats, classes=classes, weights=weights, intercept=intercept)
    if described and _has_dense(feats):
        model.prototypes = _prototypes(feats, classes, described)
        sample = x_fit[:: max(1, x_fit.shape[0] // 3000)]
        model.prototype_offset = (dense_block(feats, sample) @ model.prototypes.T).mean(axis=0).astype(np.float32)
    cal_texts, cal_labels = calibration or ([texts[i] for i in cal_idx], [str(y[i]) for i in cal_idx])
    index = {c: i for i, c in enumerate(classes)}
    if model.prototypes is not None:
        model.prototype_weight = _prototype_weight_choose(model, [(cal_texts, cal_labels), validation or ([], [])])
    if cal_texts:
        known = np.array([label in index for label in cal_labels])
        truth = np.array([index[label] for label in cal_labels if label in index], dtype=int)
        model.temperature = temperature_fit(model.scores(cal_texts)[known], truth)
        model.top_calibration_fit(cal_texts, cal_labels)
    model.info = {
        "backend": feats.describe(),
        "n_train": len(fit_idx),
        "n_calibration": len(cal_texts),
        "n_classes": len(classes),
        "alpha": alpha,
        "epochs": epochs,
        "temperature": round(model.temperature, 4),
        "top_calibration_bins": 0 if model.top_calibration is None else len(model.top_calibration[0]),
        "prototype_weight": model.prototype_weight,
        "train_seconds": round(time.perf_counter() - started, 2),
    }
    return model


def _prototype_weight_choose(model: TextClassifier, sets: list[tuple[list[str], list[str]]]) -> float:
    """The weight of the description similarity with the best *level-1* accuracy over the given labelled sets (on
    average): the descriptions speak for a class as a whole, so they are judged on the level-1 decision."""
    level1 = np.array([c.split("/")[0] for c in model.classes])
    usable = [(texts, np.array([label.split("/")[0] for label in labels])) for texts, labels in sets if texts]
    if not usable:
        return 0.0
    best, best_score = 0.0, -1.0
    for weight in PROTOTYPE_WEIGHTS:
        score = float(np.mean([(level1[model._scores(t, weight).argmax(axis=1)] == y).mean() for t, y in usable]))
        if score > best_score + 1e-9:
            best, best_score = weight, score
    return best


def _prototypes(feats: FeatureBackend, classes: list[str], described: dict[str, str]) -> np.ndarray:
    """Unit vectors of the classes' descriptions; a class without one gets its path's words."""
    texts = [described.get(c) or normalise(c.replace("/", " ")) for c in classes]
    x = feats.transform(texts)
    vectors = dense_block(feats, x).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-6
    return vectors


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
