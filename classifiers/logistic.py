"""Exact, weighted, L2-regularised logistic regression (Newton's method), used by the subject model."""

from __future__ import annotations

import numpy as np

L2 = 0.3
"""Default L2 penalty (on the weights, not the bias), in units of one fully-weighted example."""
POSITIVE_WEIGHT_CAP = 5.0
"""Positives are up-weighted to balance the classes, at most this much."""
NEWTON_ITERATIONS = 25


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, iterations: int = NEWTON_ITERATIONS) -> tuple[np.ndarray, float]:
    """Fit one weighted, L2-regularised logistic regression with Newton steps; return ``(weights, bias)``."""
    n, d = x.shape
    pos = float(y.sum())
    if pos == 0 or pos == n:
        return np.zeros(d), (-8.0 if pos == 0 else 8.0)
    w_pos = min(POSITIVE_WEIGHT_CAP, (n - pos) / pos)
    sample_w = np.where(y > 0, w_pos, 1.0)
    xb = np.hstack([x, np.ones((n, 1))])
    beta = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[-1] = 1e-6
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ beta, -40, 40)))
        grad = xb.T @ (sample_w * (p - y)) + reg * beta
        hess = (xb * (sample_w * p * (1 - p))[:, None]).T @ xb + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if float(np.max(np.abs(step))) < 1e-7:
            break
    return beta[:-1], float(beta[-1])
