"""Top-label calibration: the first choice's probability is how often such first choices are right; the
alternatives keep a share of the rest (no more 1.00 / 0.00 / 0.00), the ranking never changes."""

from __future__ import annotations

import numpy as np

from shanzhi.routing.classifier.calibration import (
    expected_calibration_error,
    softmax,
    temperature_fit,
    top_label_apply,
    top_label_fit,
)


def overconfident(n: int = 1200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Scores that a fitted temperature still leaves far too sure at the top: 10 % of very sharp rows are wrong."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 5, size=n)
    scores = rng.normal(size=(n, 5))
    scores[np.arange(n), truth] += 2.0
    sharp = rng.random(n) < 0.4
    wrong = sharp & (rng.random(n) < 0.1)
    other = (truth + 1) % 5
    scores[sharp & ~wrong, truth[sharp & ~wrong]] += 40.0
    scores[wrong, other[wrong]] += 40.0
    return scores, truth


def test_rows_are_distributions_in_the_same_order():
    scores, truth = overconfident()
    t = temperature_fit(scores[:600], truth[:600])
    p = softmax(scores[:600], t)
    cal = top_label_fit(p.max(axis=1), p.argmax(axis=1) == truth[:600])
    out = top_label_apply(scores[600:], t, cal)
    assert np.allclose(out.sum(axis=1), 1.0)
    assert np.all(out >= 0)
    assert np.array_equal(out.argmax(axis=1), softmax(scores[600:], t).argmax(axis=1))
    # Never certain, and the runner-up keeps a visible share even when the scores are 40 apart.
    assert out.max() < 0.99
    second = np.sort(out, axis=1)[:, -2]
    assert second.min() > 0.0 and np.mean(second >= 0.005) > 0.3


def test_calibration_error_falls_on_unseen_rows():
    scores, truth = overconfident(2400, seed=1)
    fit, test = slice(0, 1200), slice(1200, 2400)
    t = temperature_fit(scores[fit], truth[fit])
    p = softmax(scores[fit], t)
    cal = top_label_fit(p.max(axis=1), p.argmax(axis=1) == truth[fit])
    plain = softmax(scores[test], t)
    calibrated = top_label_apply(scores[test], t, cal)
    correct = plain.argmax(axis=1) == truth[test]
    assert expected_calibration_error(calibrated.max(axis=1), correct) < expected_calibration_error(
        plain.max(axis=1), correct
    )


def test_too_few_calibration_texts_leave_the_softmax():
    assert top_label_fit(np.array([0.9, 0.8]), np.array([True, False])) is None
    scores = np.array([[3.0, 1.0, 0.0]])
    assert np.allclose(top_label_apply(scores, 1.0, None), softmax(scores, 1.0))


def test_a_low_calibrated_top_never_lets_the_runner_up_overtake():
    knots, values = np.array([0.0, 1.0]), np.array([0.2, 0.2])  # "first choices are right one time in five"
    out = top_label_apply(np.array([[2.0, 1.9, -5.0]]), 1.0, (knots, values))
    assert out[0, 0] >= out[0, 1] and np.isclose(out.sum(), 1.0)
