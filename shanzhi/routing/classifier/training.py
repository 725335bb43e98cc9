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


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    created_at: datetime | None = None


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
    from shanzhi.routing.models import Category

    rows = list(Category.objects.filter(is_active=True, children__isnull=True).values_list("path", "name", "keywords"))
    if not rows:
        with CATEGORIES_CSV.open(encoding="utf-8") as fh:
            rows = [
                (f"{r['level1']}/{r['level2']}/{r['level3']}", r["level3"], r["keywords"])
                for r in csv.DictReader(fh)
                if r["level3"]
            ]
    examples = []
    for path, name, keywords in rows:
        words = " ".join(keywords.replace(",", " ").replace("，", " ").split())
        parent = path.split("/")[-2] if "/" in path else ""
        examples.append(Example(f"{parent} {name} {words}".strip(), path))
    return examples * KEYWORD_REPEATS


def history_examples(*, since: datetime | None = None, until: datetime | None = None) -> list[Example]:
    """Appeals whose category a person set or confirmed, oldest first (through :mod:`shanzhi.routing.history_port`,
    which the appeal desk plugs its reader into); none when no reader is plugged in."""
    return history_port.history_read(since=since, until=until)


def train_options() -> dict[str, Any]:
    return {
        "backend": getattr(settings, "SHANZHI_ROUTING_BACKEND", "tfidf"),
        "embedding_model": getattr(settings, "SHANZHI_ROUTING_EMBEDDING_MODEL", ""),
    }


def model_train(
    examples: list[Example], *, with_keywords: bool = True, seed_calibration: bool = False
) -> TextClassifier:
    """Train on ``examples`` (+ the tree's keywords). With ``seed_calibration`` the temperature is fitted on the seed
    corpus's calibration file, written with held-back templates: a split of generated training text would make the
    model look surer than it is on real wording."""
    data = [*examples, *(keyword_examples() if with_keywords else [])]
    calibration = None
    if seed_calibration:
        cal = seed_examples("calibration")
        calibration = ([e.text for e in cal], [e.label for e in cal])
    return classifier_train([e.text for e in data], [e.label for e in data], calibration=calibration, **train_options())


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
