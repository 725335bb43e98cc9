"""Feature backends: text → feature matrix. The linear classifier and its calibration sit on top of any of them.

``tfidf`` (default): character 1–3-grams and jieba word uni/bigrams, TF-IDF weighted — fast on a CPU, no download.
``embedding``: sentence embeddings from the ``sentence-transformers`` package, used only if that package is
installed and a model name is configured (``SHANZHI_ROUTING_EMBEDDING_MODEL``); otherwise ``backend_create`` falls
back to ``tfidf`` and says so.
"""

from __future__ import annotations

import importlib.util
import logging
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from shanzhi.routing.classifier.text import word_ngrams

log = logging.getLogger(__name__)


class FeatureBackend(Protocol):
    name: str

    def fit_transform(self, texts: list[str]) -> Any: ...

    def transform(self, texts: list[str]) -> Any: ...

    def describe(self) -> str: ...


class TfidfBackend:
    """Character n-grams see through typos and unknown words; jieba words add the meaning of whole terms."""

    name = "tfidf"

    def __init__(self, *, max_char_features: int = 60000, max_word_features: int = 40000, min_df: int = 2) -> None:
        self.chars = TfidfVectorizer(
            analyzer="char",
            ngram_range=(1, 3),
            min_df=min_df,
            max_features=max_char_features,
            sublinear_tf=True,
            dtype=np.float32,
        )
        self.words = TfidfVectorizer(
            analyzer=word_ngrams,
            min_df=min_df,
            max_features=max_word_features,
            sublinear_tf=True,
            dtype=np.float32,
        )

    def fit_transform(self, texts: list[str]) -> sp.csr_matrix:
        return sp.hstack([self.chars.fit_transform(texts), self.words.fit_transform(texts)], format="csr")

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        if len(texts) == 1:
            return self.transform_one(texts[0])
        return sp.hstack([self.chars.transform(texts), self.words.transform(texts)], format="csr")

    def transform_one(self, text: str) -> sp.csr_matrix:
        """The same row as ``transform([text])`` without sklearn's per-call validation: the latency path."""
        indices: list[int] = []
        values: list[float] = []
        offset = 0
        for vectorizer in (self.chars, self.words):
            analyzer = vectorizer.__dict__.get("_fast_analyzer")
            if analyzer is None:
                analyzer = vectorizer.__dict__["_fast_analyzer"] = vectorizer.build_analyzer()
            vocabulary, idf = vectorizer.vocabulary_, vectorizer.idf_
            counts: dict[int, int] = {}
            for gram in analyzer(text):
                j = vocabulary.get(gram)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if counts:
                cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
                tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
                weights = (1.0 + np.log(tf)) * idf[cols]
                weights /= np.sqrt((weights * weights).sum())
                indices.extend((cols + offset).tolist())
                values.extend(weights.tolist())
            offset += len(vocabulary)
        return sp.csr_matrix(
            (np.asarray(values, dtype=np.float32), (np.zeros(len(indices), dtype=np.int64), indices)),
            shape=(1, offset),
        )

    def __getstate__(self) -> dict[str, Any]:
        for vectorizer in (self.chars, self.words):
            vectorizer.__dict__.pop("_fast_analyzer", None)
        return self.__dict__.copy()

    def describe(self) -> str:
        n_chars, n_words = len(self.chars.vocabulary_), len(self.words.vocabulary_)
        return f"TF-IDF 字符1-3元 {n_chars} + jieba词1-2元 {n_words}"


class EmbeddingBackend:
    """Sentence embeddings (dense); the encoder is loaded lazily and not pickled with the model."""

    name = "embedding"

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name
        self._encoder: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "_encoder": None}

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self._encoder is None:
            from sentence_transformers import SentenceTransformer  # optional dependency

            self._encoder = SentenceTransformer(self.model_name)
        return np.asarray(self._encoder.encode(texts, normalize_embeddings=True), dtype=np.float32)

    def fit_transform(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def transform(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def describe(self) -> str:
        return f"句向量 {self.model_name}"


def embedding_available() -> bool:
    return importlib.util.find_spec("sentence_transformers") is not None


def backend_create(name: str = "tfidf", *, embedding_model: str = "", min_df: int = 2) -> FeatureBackend:
    if name == "embedding":
        if embedding_available() and embedding_model:
            return EmbeddingBackend(embedding_model)
        log.warning("routing: embedding backend unavailable (package or model name missing); using tfidf")
    return TfidfBackend(min_df=min_df)
