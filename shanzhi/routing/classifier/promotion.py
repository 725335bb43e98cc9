"""The promotion rule of a retrained model (pure): promote only if it beats the current one on recent history.

The comparison is a *shadow evaluation*: the candidate and the current model both classify the centre's recent
confirmed appeals (which the candidate was not trained on); only the people's choices count as truth.
"""

from __future__ import annotations

from dataclasses import dataclass

# A candidate may lose this much macro-F1 while winning on accuracy (rare classes must not be sacrificed).
MACRO_F1_SLACK = 0.02


@dataclass(frozen=True)
class PromotionDecision:
    promote: bool
    reason: str


def promotion_decide(
    *,
    candidate_accuracy: float,
    current_accuracy: float | None,
    n_heldout: int,
    min_heldout: int = 30,
    candidate_macro_f1: float | None = None,
    current_macro_f1: float | None = None,
) -> PromotionDecision:
    """``current_accuracy`` None means there is no current model: any candidate is better than none.

    With too little recent history to compare on, the current model stays (a retrain cannot prove itself). The
    candidate must be strictly more accurate on the recent history — a tie keeps the model the centre already
    trusts — and must not lose more than ``MACRO_F1_SLACK`` of macro-F1.
    """
    if current_accuracy is None:
        return PromotionDecision(True, "当前无模型")
    if n_heldout < min_heldout:
        return PromotionDecision(False, f"近期已确认诉求仅 {n_heldout} 条，少于 {min_heldout} 条，保留当前模型")
    if candidate_accuracy <= current_accuracy + 1e-9:
        return PromotionDecision(
            False, f"新模型准确率 {candidate_accuracy:.3f} 未超过当前 {current_accuracy:.3f}，保留当前模型"
        )
    if (
        candidate_macro_f1 is not None
        and current_macro_f1 is not None
        and candidate_macro_f1 < current_macro_f1 - MACRO_F1_SLACK
    ):
        return PromotionDecision(
            False, f"新模型宏F1 {candidate_macro_f1:.3f} 低于当前 {current_macro_f1:.3f}，保留当前模型"
        )
    return PromotionDecision(True, f"新模型准确率 {candidate_accuracy:.3f} 高于当前 {current_accuracy:.3f}，已启用")
