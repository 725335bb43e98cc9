"""The promotion rule of a retrained model (pure): promote only if it is not worse on recent held-back history."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PromotionDecision:
    promote: bool
    reason: str


def promotion_decide(
    *, candidate_accuracy: float, current_accuracy: float | None, n_heldout: int, min_heldout: int = 30
) -> PromotionDecision:
    """``current_accuracy`` None means there is no current model: any candidate is better than none.

    With too little recent history to compare on, the current model stays (a retrain cannot prove itself).
    Ties promote: the candidate has seen more of the centre's own corrections.
    """
    if current_accuracy is None:
        return PromotionDecision(True, "当前无模型")
    if n_heldout < min_heldout:
        return PromotionDecision(False, f"近期留出历史仅 {n_heldout} 条，少于 {min_heldout} 条，保留当前模型")
    if candidate_accuracy + 1e-9 >= current_accuracy:
        return PromotionDecision(True, f"新模型 {candidate_accuracy:.3f} 不低于当前 {current_accuracy:.3f}")
    return PromotionDecision(False, f"新模型 {candidate_accuracy:.3f} 低于当前 {current_accuracy:.3f}")
