"""What the classifier learns from: the seed corpus, the centre's confirmed history and the tree's keywords."""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from shanzhi.routing import history_port
from shanzhi.routing.classifier import store
from shanzhi.routing.classifier.model import TextClassifier, classifier_train
from shanzhi.routing.classifier.text import join_fields

log = logging.getLogger(__name__)

SEED_DIR = Path(__file__).resolve().parent.parent / "data" / "seed_corpus"
CATEGORIES_CSV = Path(__file__).resolve().parent.parent / "data" / "categories.csv"
KEYWORD_REPEATS = 4  # each leaf's name + keywords as a short pseudo-message, a few times: vocabulary for rare classes
# A dispatcher's correction (the category a person chose differs from the classifier's first suggestion) weighs
# this much more than a confirmation: it is exactly what the model got wrong, and it is rare.
CORRECTION_WEIGHT = 3.0
EXAMPLE_REPEATS = 2  # the experts' example letters (data/descriptions.py), also training messages


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    created_at: datetime | None = None
    suggested: str = ""  # the classifier's first suggestion when the appeal came in ("" when unknown)

    @property
    def corrected(self) -> bool:
        return bool(self.suggested) and self.suggested != self.label

    @property
    def weight(self) -> float:
        return CORRECTION_WEIGHT if self.corrected else 1.0


def csv_examples(path: Path | str, *, text_cols: list[str], label_col: str) -> list[Example]:
    """Rows of a CSV file; ``text_cols`` are joined (title + body). Rows without text or label are skipped."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in [*text_cols, label_col] if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"columns not in {path}: {', '.join(missing)}")
        rows = [
            Example(join_fields(*(row.get(c) for c in text_cols)), (row.get(label_col) or "").strip()) for row in reader
        ]
    return [r for r in rows if r.label]


def seed_examples(split: str = "train") -> list[Example]:
    return csv_examples(SEED_DIR / f"{split}.csv", text_cols=["title", "text"], label_col="category_path")


def keyword_examples() -> list[Example]:
    """Leaf name and keywords from the tree in the database, or from the shipped categories.csv when it is empty."""
    examples = []
    for path, name, keywords in _leaf_rows():
        words = " ".join(keywords.replace(",", " ").replace("，", " ").split())
        parent = path.split("/")[-2] if "/" in path else ""
        examples.append(Example(f"{parent} {name} {words}".strip(), path))
    return examples * KEYWORD_REPEATS


def _leaf_rows() -> list[tuple[str, str, str]]:
    """(path, name, keywords) of the active leaves of the tree in the database, else of the shipped categories.csv."""
    from shanzhi.routing.models import Category

    rows = list(Category.objects.filter(is_active=True, children__isnull=True).values_list("path", "name", "keywords"))
    if not rows:
        with CATEGORIES_CSV.open(encoding="utf-8") as fh:
            rows = [
                (f"{r['level1']}/{r['level2']}/{r['level3']}", r["level3"], r["keywords"])
                for r in csv.DictReader(fh)
                if r["level3"]
            ]
    return rows


def expert_examples() -> list[Example]:
    """The example letters of ``data/descriptions.py`` whose leaf is in the tree."""
    from shanzhi.routing.data.descriptions import EXAMPLES

    leaves = {path for path, _, _ in _leaf_rows()}
    return [Example(text, path) for path, text in EXAMPLES if path in leaves] * EXAMPLE_REPEATS


def category_descriptions() -> dict[str, str]:
    """Leaf path → what it covers: its level-1 description, its level-2 and own name, its keywords and the experts'
    examples for it. The prototypes of nearest-description similarity."""
    from shanzhi.routing.data.descriptions import EXAMPLES, LEVEL1

    examples: dict[str, list[str]] = {}
    for path, text in EXAMPLES:
        examples.setdefault(path, []).append(text)
    out = {}
    for path, name, keywords in _leaf_rows():
        parts = path.split("/")
        words = " ".join(keywords.replace(",", " ").replace("，", " ").split())
        level1 = LEVEL1.get(parts[0], parts[0])
        out[path] = " ".join([level1, *parts[1:-1], name, name, words, *examples.get(path, [])])
    return out


def history_examples(*, since: datetime | None = None, until: datetime | None = None) -> list[Example]:
    """Appeals whose category a person set or confirmed, oldest first (through :mod:`shanzhi.routing.history_port`,
    which the appeal desk plugs its reader into); none when no reader is plugged in."""
    return history_port.history_read(since=since, until=until)


def train_options() -> dict[str, Any]:
    return {
        "backend": getattr(settings, "SHANZHI_ROUTING_BACKEND", "auto"),
    }


def vector_cache() -> Any:
    """The word-vector cache of the model directory (new words of the history are embedded once)."""
    from shanzhi.routing.classifier.embedding import WordVectorCache

    return WordVectorCache(store.model_dir() / "word_vectors.npz")


def model_train(
    examples: list[Example], *, with_keywords: bool = True, seed_calibration: bool = False
) -> TextClassifier:
    """Train on ``examples`` (+ the tree's keywords). With ``seed_calibration`` the temperature is fitted on the seed
    corpus's calibration file, written with held-back templates: a split of generated training text would make the
    model look surer than it is on real wording."""
    data = [*examples, *(keyword_examples() + expert_examples() if with_keywords else [])]
    calibration = None
    if seed_calibration:
        cal = seed_examples("calibration")
        calibration = ([e.text for e in cal], [e.label for e in cal])
    return classifier_train(
        [e.text for e in data],
        [e.label for e in data],
        calibration=calibration,
        sample_weight=[e.weight for e in data],
        descriptions=category_descriptions() if with_keywords else None,
        vector_cache=vector_cache(),
        **train_options(),
    )


def cold_start_ensure() -> str:
    """The current model version; trains and promotes the cold-start model (seed corpus + history) if there is none."""
    version = store.current_version()
    if version is not None:
        return version
    log.info("routing: no classifier yet, training the cold-start model")
    history = history_examples()
    model = model_train([*seed_examples(), *history], seed_calibration=True)
    version = store.version_save(
        model, metrics={}, source={"seed_corpus": True, "history": len(history), "reason": "cold start"}
    )
    store.version_promote(version)
    return version
