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
