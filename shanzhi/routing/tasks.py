"""Background work of routing (``django.tasks``): retraining the classifier from the centre's confirmed history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.tasks import task

from shanzhi.core import clock
from shanzhi.routing.classifier import store
from shanzhi.routing.classifier.evaluation import model_evaluate
from shanzhi.routing.classifier.promotion import promotion_decide
from shanzhi.routing.classifier.training import history_examples, model_train, seed_examples

HELDOUT_DAYS = 30


def classifier_retrain(*, heldout_days: int = HELDOUT_DAYS, min_heldout: int = 30) -> dict[str, Any]:
    """Train a candidate on the seed corpus + history older than ``heldout_days``; test it and the current model
    on the recent history it did not see; promote it only if it is not worse."""
    cutoff = clock.now() - timedelta(days=heldout_days)
    older = history_examples(until=cutoff)
    recent = history_examples(since=cutoff)
    candidate = model_train([*seed_examples(), *older], seed_calibration=True)
    texts, labels = [e.text for e in recent], [e.label for e in recent]
    cand_eval = model_evaluate(candidate, texts, labels, mode="own") if recent else None
    current = store.current_version()
    current_acc: float | None = None
    if current is not None:
        current_acc = model_evaluate(store.version_load(current), texts, labels, mode="own").accuracy if recent else 0.0
    decision = promotion_decide(
        candidate_accuracy=cand_eval.accuracy if cand_eval else 0.0,
        current_accuracy=current_acc,
        n_heldout=len(recent),
        min_heldout=min_heldout,
    )
    version = store.version_save(
        candidate,
        metrics={"recent_history": cand_eval.summary() if cand_eval else {}, "current_accuracy": current_acc},
        source={"seed_corpus": True, "history": len(older), "heldout": len(recent), "decision": decision.reason},
    )
    if decision.promote:
        store.version_promote(version)
    return {"version": version, "promoted": decision.promote, "reason": decision.reason}


@task
def retrain_classifier() -> dict[str, Any]:
    """Weekly (or on demand): learn from the dispatchers' corrections."""
    return classifier_retrain()
