"""Text preparation for routing: normalisation and Chinese word segmentation (jieba)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import pairwise

import jieba

# Routing reads the beginning of a message: titles and first paragraphs carry the matter, and a cap keeps a
# 20,000-character paste as fast as an ordinary appeal.
MAX_CHARS = 1200

_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_TOKEN_KEEP = re.compile(r"[\w\u3400-\u4dbf\u4e00-\u9fff]")
_DIGITS = re.compile(r"\d+")


def normalise(text: str | None) -> str:
    """NFKC (full-width digits and letters → half-width), lower case, one space for any run of white space,
    digit runs → ``0`` (a building number says nothing about the matter), cut at ``MAX_CHARS``."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text[: MAX_CHARS * 2]).lower()
    text = _DIGITS.sub("0", text)
    return _SPACE.sub(" ", text).strip()[:MAX_CHARS]


def cjk_count(text: str, *, distinct: bool = False) -> int:
    found = _CJK.findall(text)
    return len(set(found)) if distinct else len(found)


def join_fields(*parts: str | None) -> str:
    """Title and body as one text (``--text-col title,text``)."""
    return "。".join(p.strip() for p in parts if p and p.strip())


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(60)
    tok = jieba.Tokenizer()
    tok.initialize()
    return tok


def words(text: str) -> list[str]:
    """jieba words of a normalised text, without punctuation and spaces."""
    return list(_words(text))


@lru_cache(maxsize=64)
def _words(text: str) -> tuple[str, ...]:
    # The n-gram and the embedding features of one appeal segment the same text one after the other: once is enough.
    return tuple(w for w in _tokenizer().lcut(text, HMM=False) if _TOKEN_KEEP.search(w))


def word_ngrams(text: str) -> list[str]:
    """Word unigrams and bigrams: the analyzer of the word features (module-level so that models pickle)."""
    tokens = words(text)
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]
