"""Calibration of the linear scores into probabilities: temperature scaling of a softmax, fitted on held-out data.

One parameter, fitted by minimising the negative log-likelihood of a calibration split the classifier did not see
(Guo et al. 2017, "On calibration of modern neural networks"). Monotone, so it never changes the ranking.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from scipy.optimize import minimize_scalar


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / max(temperature, 1e-6)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def temperature_fit(scores: np.ndarray, truth: np.ndarray) -> float:
    """The temperature that minimises the NLL of ``truth`` (class indexes) under ``softmax(scores / T)``."""
    if len(truth) == 0:
        return 1.0
    rows = np.arange(len(truth))

    def nll(log_t: float) -> float:
        p = softmax(scores, float(np.exp(log_t)))
        return float(-np.log(np.clip(p[rows, truth], 1e-12, None)).mean())

    best = minimize_scalar(nll, bounds=(np.log(0.005), np.log(50.0)), method="bounded")
    return float(np.exp(best.x))


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """ECE: the gap between confidence and accuracy, averaged over equal-width confidence bins."""
    if len(confidence) == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in pairwise(edges):
        mask = (confidence > lo) & (confidence <= hi)
        if mask.any():
            ece += mask.mean() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(ece)


# --- top-label calibration --------------------------------------------------------------------------------------
#
# One temperature makes the probabilities right on average, but not at the top: on the seed corpus's held-out
# letters three in ten first choices get 0.99 or more while about one in fifteen of those is wrong, and the
# alternatives show 0.00. The first choice's probability is therefore re-estimated from how often first choices of
# that confidence were right on the calibration texts: equal-count bins, each bin's share of right answers with a
# Laplace prior ((right + 1) / (n + 2): never 1.00 or 0.00 from a finite sample), made monotone (pool adjacent
# violators). The alternatives share the rest in the proportions of the softmax; the ranking never changes.

TOP_BIN_SIZE = 60


def _pool_adjacent_violators(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The non-decreasing sequence nearest to ``values`` in weighted least squares."""
    blocks: list[list[float]] = []  # [mean, weight, count]
    for v, w in zip(values.tolist(), weights.tolist(), strict=True):
        blocks.append([v, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, n2 = blocks.pop()
            v1, w1, n1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    return np.array([b[0] for b in blocks for _ in range(int(b[2]))], dtype=np.float64)


def top_label_fit(
    confidence: np.ndarray, correct: np.ndarray, *, bin_size: int = TOP_BIN_SIZE
) -> tuple[np.ndarray, np.ndarray] | None:
    """(knots, values) of the map from the first choice's softmax probability to the chance it is right; None when
    there are too few calibration texts (fewer than two bins)."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    n_bins = len(confidence) // max(1, bin_size)
    if n_bins < 2:
        return None
    order = np.argsort(confidence, kind="stable")
    knots, values, weights = [], [], []
    for chunk in np.array_split(order, n_bins):
        knots.append(float(confidence[chunk].mean()))
        values.append((float(correct[chunk].sum()) + 1.0) / (len(chunk) + 2.0))
        weights.append(float(len(chunk)))
    fitted = _pool_adjacent_violators(np.array(values), np.array(weights))
    return np.array(knots, dtype=np.float64), fitted


def top_label_apply(
    scores: np.ndarray, temperature: float, calibration: tuple[np.ndarray, np.ndarray] | None
) -> np.ndarray:
    """``softmax(scores / temperature)`` with the first choice re-estimated by ``calibration`` (see
    :func:`top_label_fit`) and the others sharing the rest in their softmax proportions, computed among themselves
    (so that they do not all round to zero). Rows sum to 1 and keep their order. Without a calibration: the plain
    softmax."""
    if calibration is None or scores.size == 0 or scores.shape[1] < 2:
        return softmax(scores, temperature)
    knots, values = calibration
    z = np.asarray(scores, dtype=np.float64)
    p = softmax(z, temperature)
    rows = np.arange(z.shape[0])
    first = p.argmax(axis=1)
    masked = z.copy()
    masked[rows, first] = -np.inf
    share = softmax(masked, temperature)  # the alternatives among themselves; the first choice gets exp(-inf) = 0
    top = np.interp(p[rows, first], knots, values)
    # Never below the level at which the best alternative would overtake the first choice.
    second = share.max(axis=1)
    top = np.maximum(top, second / (1.0 + second))
    out = share * (1.0 - top)[:, None]
    out[rows, first] = top
    return out
