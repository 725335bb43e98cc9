"""Routing classifier: appeal text → category of the tree with a calibrated confidence.

``classify(text)`` is the service for intake, the dispatcher's queue and the console. It uses the current (promoted)
model version, cached in the process and reloaded when the manifest changes; when no model exists yet the
cold-start model is trained from the shipped seed corpus first (a few seconds, once).
"""

from __future__ import annotations

from dataclasses import dataclass
from threading import Lock

import numpy as np
from django.conf import settings

from shanzhi.routing.classifier import store
from shanzhi.routing.classifier.model import TextClassifier
from shanzhi.routing.classifier.text import cjk_count, normalise

__all__ = ["Classification", "classify", "model_current", "reset"]

# Fewer distinct Chinese characters than this and the text says too little to route automatically.
MIN_CJK = 4
# Longer than this and a person should read it (a pasted document, several matters at once): never automatic.
LONG_TEXT = 5000


@dataclass(frozen=True)
class Classification:
    top: list[tuple[int | None, str, float]]  # (category id or None if not in the tree, path, probability)
    model_version: str
    confident: bool

    @property
    def explanation(self) -> str:
        if not self.top:
            return "未能分类"
        _, path, score = self.top[0]
        return f"{path} {score:.2f} by model {self.model_version}"


class _Cache:
    def __init__(self) -> None:
        self.lock = Lock()
        self.stamp: float | None = None
        self.version: str | None = None
        self.model: TextClassifier | None = None


_cache = _Cache()


def model_current() -> tuple[str, TextClassifier]:
    """The promoted model, loaded once per manifest change."""
    stamp = store.manifest_stamp()
    if _cache.model is not None and stamp == _cache.stamp and _cache.version is not None:
        return _cache.version, _cache.model
    with _cache.lock:
        from shanzhi.routing.classifier.training import cold_start_ensure

        version = cold_start_ensure()
        _cache.model = calibration_ensure(store.version_load(version))
        _cache.version = version
        _cache.stamp = store.manifest_stamp()
        return version, _cache.model


def calibration_ensure(model: TextClassifier) -> TextClassifier:
    """A model trained before top-label calibration existed gets it here, once per process, from the seed corpus's
    calibration letters (texts it did not learn from): its first choices would otherwise show 1.00 / 0.00 / 0.00."""
    if getattr(model, "top_calibration", None) is None:
        from shanzhi.routing.classifier.training import seed_examples

        try:
            examples = seed_examples("calibration")
        except (OSError, ValueError):  # no seed corpus here (a trimmed install): the plain softmax stays
            return model
        model.top_calibration_fit([e.text for e in examples], [e.label for e in examples])
    return model


def reset() -> None:
    """Forget the cached model (tests, or after deleting model files)."""
    with _cache.lock:
        _cache.model = _cache.version = _cache.stamp = None


_ids_cache: tuple[int, dict[str, int]] = (0, {})


def _category_ids() -> dict[str, int]:
    """Path → id of the tree, rebuilt only when the catalogue snapshot is replaced."""
    global _ids_cache
    from shanzhi.routing.catalogue import catalogue

    snapshot = catalogue()
    if _ids_cache[0] != id(snapshot):
        _ids_cache = (id(snapshot), {path: c.pk for path, c in snapshot.categories_by_path.items()})
    return _ids_cache[1]


def classify(text: str, *, k: int = 3) -> Classification:
    """Top-``k`` categories with probabilities. Never raises on odd input: empty, very long or non-Chinese text
    gets an answer with ``confident=False`` so that a dispatcher decides (long text is read from its beginning)."""
    version, model = model_current()
    text = text if isinstance(text, str) else ""
    probabilities = model.probabilities([text])[0]
    order = np.argsort(-probabilities)[: max(1, k)]
    ids = _category_ids()
    top = [(ids.get(model.classes[i]), model.classes[i], float(probabilities[i])) for i in order]
    threshold = float(getattr(settings, "SHANZHI_ROUTING_AUTO_THRESHOLD", 0.8))
    meaningful = cjk_count(normalise(text), distinct=True) >= MIN_CJK
    if not meaningful:
        # Scale down: the model's preference on a text without Chinese content is not evidence.
        top = [(cid, path, round(score * 0.2, 4)) for cid, path, score in top]
    confident = meaningful and len(text) <= LONG_TEXT and top[0][2] >= threshold
    return Classification(top=top, model_version=version, confident=confident)
