"""Background work of routing (``django.tasks``): retraining the classifier from the centre's confirmed history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.tasks import task

from shanzhi.core import clock
from shanzhi.routing.classifier import store
from shanzhi.routing.classifier.evaluation import Evaluation, model_evaluate
from shanzhi.routing.classifier.model import TextClassifier
from shanzhi.routing.classifier.promotion import PromotionDecision, promotion_decide
from shanzhi.routing.classifier.training import Example, history_examples, model_train, seed_examples

HELDOUT_DAYS = 30


def shadow_evaluate(
    candidate: TextClassifier, recent: list[Example], *, min_heldout: int = 30
) -> tuple[PromotionDecision, dict[str, Any]]:
    """Both models classify the recent confirmed appeals; the decision and the comparison shown to the admin."""
    texts, labels = [e.text for e in recent], [e.label for e in recent]
    current = store.current_version()
    cand_eval: Evaluation | None = model_evaluate(candidate, texts, labels, mode="own") if recent else None
    curr_eval: Evaluation | None = None
    if current is not None and recent:
        curr_eval = model_evaluate(store.version_load(current), texts, labels, mode="own")
    corrected = [i for i, e in enumerate(recent) if e.corrected]
    comparison: dict[str, Any] = {
        "n_recent": len(recent),
        "n_corrected": len(corrected),
        "current_version": current,
        "candidate": cand_eval.summary() if cand_eval else {},
        "current": curr_eval.summary() if curr_eval else {},
    }
    decision = promotion_decide(
        candidate_accuracy=cand_eval.accuracy if cand_eval else 0.0,
        current_accuracy=None if current is None else (curr_eval.accuracy if curr_eval else 0.0),
        n_heldout=len(recent),
        min_heldout=min_heldout,
        candidate_macro_f1=cand_eval.macro_f1 if cand_eval else None,
        current_macro_f1=curr_eval.macro_f1 if curr_eval else None,
    )
    comparison["decision"] = decision.reason
    comparison["promoted"] = decision.promote
    return decision, comparison


def candidate_consider(
    candidate: TextClassifier, recent: list[Example], *, source: dict[str, Any], min_heldout: int = 30
) -> dict[str, Any]:
    """Save the candidate as a version with its shadow comparison; promote it only if it beats the current one."""
    decision, comparison = shadow_evaluate(candidate, recent, min_heldout=min_heldout)
    version = store.version_save(
        candidate,
        metrics={"recent_history": comparison["candidate"], "shadow": comparison},
        source={**source, "heldout": len(recent), "decision": decision.reason},
    )
    if decision.promote:
        store.version_promote(version)
    return {"version": version, "promoted": decision.promote, "reason": decision.reason, "comparison": comparison}


def classifier_retrain(*, heldout_days: int = HELDOUT_DAYS, min_heldout: int = 30) -> dict[str, Any]:
    """Train a candidate on the seed corpus + history older than ``heldout_days`` (corrections weighted); test it
    and the current model on the recent history it did not see; promote it only if it is better."""
    cutoff = clock.now() - timedelta(days=heldout_days)
    older = history_examples(until=cutoff)
    recent = history_examples(since=cutoff)
    candidate = model_train([*seed_examples(), *older], seed_calibration=True)
    source = {"seed_corpus": True, "history": len(older), "corrections": sum(e.corrected for e in older)}
    return candidate_consider(candidate, recent, source=source, min_heldout=min_heldout)


@task
def retrain_classifier() -> dict[str, Any]:
    """Weekly (or on demand): learn from the dispatchers' corrections."""
    return classifier_retrain()
