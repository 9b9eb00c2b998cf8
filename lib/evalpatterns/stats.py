"""Statistics used across findings: power-law fits, Hedges' g, Wilson intervals.

Each function returns a small named result, in the manner of ``scipy.stats``.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd
from statistics import NormalDist


class PowerLawFit(NamedTuple):
    """``y = prefactor * n ** exponent`` fitted by least squares on log10(n), log10(y).

    ``r_squared`` is NaN when y does not vary (the fit is exact and R² undefined); the confidence interval
    is NaN with fewer than three points. ``fitted`` is False with fewer than two distinct n; ``reason`` says
    why in words.
    """

    exponent: float
    prefactor: float
    r_squared: float
    ci_low: float
    ci_high: float
    n_points: int
    fitted: bool
    reason: str


def power_law_fit(n, y, confidence: float = 0.95) -> PowerLawFit:
    """Fit ``log10(y) = log10(prefactor) + exponent * log10(n)``.

    Example: ``power_law_fit([10, 100], [10, 100]).exponent == 1.0``. The interval on the exponent is
    ``slope ± t(df = k - 2) * stderr``; R² is ``1 - SS_res / SS_tot``.
    """
    n = np.asarray(n, dtype=float)
    y = np.asarray(y, dtype=float)
    k = int(n.size)
    nan = float("nan")
    if k != y.size:
        raise ValueError(f"n and y differ in length ({k} and {y.size})")
    if np.any(n <= 0) or np.any(y <= 0):
        raise ValueError("a power-law fit needs positive n and y")
    if np.unique(n).size < 2:
        return PowerLawFit(nan, nan, nan, nan, nan, k, False,
                           f"cannot fit: {k} point{'s' if k != 1 else ''} at {np.unique(n).size} problem size"
                           f"{'s' if np.unique(n).size != 1 else ''}; a fit needs two")
    lx, ly = np.log10(n), np.log10(y)
    mx, my = lx.mean(), ly.mean()
    sxx = float(((lx - mx) ** 2).sum())
    slope = float(((lx - mx) * (ly - my)).sum() / sxx)
    intercept = float(my - slope * mx)
    resid = ly - (intercept + slope * lx)
    ss_res = float((resid ** 2).sum())
    ss_tot = float(((ly - my) ** 2).sum())
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else nan
    if k >= 3:
        se = math.sqrt(ss_res / (k - 2) / sxx)
        from scipy.stats import t as _t  # imported here: scipy.stats costs half a second to import

        half = float(_t.ppf(0.5 + confidence / 2, k - 2)) * se
        lo, hi = slope - half, slope + half
        reason = f"fit on {k} points" + ("" if ss_tot > 0 else "; y is constant, so R² is undefined")
    else:
        lo = hi = nan
        reason = "fit on 2 points: exact, no interval and no R² worth the name"
        r2 = nan
    return PowerLawFit(slope, 10 ** intercept, r2, lo, hi, k, True, reason)


class HedgesG(NamedTuple):
    """Hedges' g (a minus b, bias-corrected) with its normal-approximation confidence interval."""

    g: float
    d: float
    correction: float
    se: float
    ci_low: float
    ci_high: float
    n_a: int
    n_b: int


def hedges_g_from_stats(mean_a: float, sd_a: float, n_a: int, mean_b: float, sd_b: float, n_b: int,
                        confidence: float = 0.95) -> HedgesG:
    """Hedges' g from group means, standard deviations (ddof=1) and sizes.

    ``d = (mean_a - mean_b) / s_pooled``, ``s_pooled = sqrt(((n_a-1) sd_a² + (n_b-1) sd_b²) / (n_a+n_b-2))``,
    ``g = J d`` with ``J = 1 - 3 / (4 (n_a + n_b) - 9)``; ``se = sqrt((n_a+n_b)/(n_a n_b) + g²/(2 (n_a+n_b)))``
    (Hedges & Olkin 1985). Example: means 10 and 12, SDs 2 and 2, 5 each: d = -1, J = 0.9032, g = -0.9032.
    """
    if n_a < 2 or n_b < 2:
        raise ValueError(f"Hedges' g needs at least two values per group (got {n_a} and {n_b})")
    pooled = math.sqrt(((n_a - 1) * sd_a ** 2 + (n_b - 1) * sd_b ** 2) / (n_a + n_b - 2))
    if pooled == 0:
        raise ValueError("Hedges' g is undefined when both groups have zero variance")
    d = (mean_a - mean_b) / pooled
    j = 1 - 3 / (4 * (n_a + n_b) - 9)
    g = j * d
    se = math.sqrt((n_a + n_b) / (n_a * n_b) + g ** 2 / (2 * (n_a + n_b)))
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    return HedgesG(g, d, j, se, g - z * se, g + z * se, int(n_a), int(n_b))


def hedges_g(a, b, confidence: float = 0.95) -> HedgesG:
    """Hedges' g of the per-seed values ``a`` against ``b`` (see :func:`hedges_g_from_stats`)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return hedges_g_from_stats(a.mean(), a.std(ddof=1) if a.size > 1 else 0.0, a.size,
                               b.mean(), b.std(ddof=1) if b.size > 1 else 0.0, b.size, confidence)


class WilsonInterval(NamedTuple):
    proportion: float
    low: float
    high: float


def wilson_interval(k, n, confidence: float = 0.95) -> WilsonInterval:
    """Wilson score interval for k successes in n trials (vectorised over arrays).

    ``centre = (p + z²/2n) / (1 + z²/n)``, ``half = z sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n)``.
    Example: 46 of 50 gives 0.92 with interval (0.812, 0.968).
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = k / n
    denom = 1 + z ** 2 / n
    centre = (p + z ** 2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2)) / denom
    return WilsonInterval(p, centre - half, centre + half)


def stderr_interval(value, stderr, confidence: float = 0.95, low: float = 0.0,
                    high: float = 1.0) -> WilsonInterval:
    """The normal interval ``value ± z stderr`` of a rate known by its standard error (when its counts are
    not), cut to the rate's scale ``[low, high]``. Example: 0.6 with stderr 0.163 gives (0.280, 0.920)."""
    value, stderr = np.asarray(value, dtype=float), np.asarray(stderr, dtype=float)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    return WilsonInterval(value, np.clip(value - z * stderr, low, high), np.clip(value + z * stderr, low, high))


def within_each_others_interval(labels, k, n, confidence: float = 0.95) -> list[tuple[str, str]]:
    """Pairs of accuracies (k of n) each of which lies inside the other's Wilson interval: the data cannot
    tell them apart. Entries with an unknown denominator are skipped. Example: 146/200 and 147/200."""
    frame = pd.DataFrame({"label": list(labels), "k": list(k), "n": list(n)}).dropna()
    if frame.empty:
        return []
    w = wilson_interval(frame["k"].to_numpy(float), frame["n"].to_numpy(float), confidence)
    p, lo, hi = (np.asarray(a) for a in w)
    inside = (p[None, :] >= lo[:, None]) & (p[None, :] <= hi[:, None])  # inside[i, j]: p_j in interval i
    both = inside & inside.T
    i, j = np.triu_indices(len(frame), k=1)
    keep = both[i, j]
    names = frame["label"].to_numpy()
    return [(str(names[a]), str(names[b])) for a, b in zip(i[keep], j[keep])]


class ProportionComparison(NamedTuple):
    """Two proportions k1/n1 and k2/n2 compared: their difference with Newcombe's hybrid-score interval
    (built from the two Wilson intervals) and the two-sided p-value of Fisher's exact test."""

    difference: float
    low: float
    high: float
    p_value: float


def compare_proportions(k1, n1, k2, n2, confidence: float = 0.95) -> ProportionComparison:
    """``k1/n1 - k2/n2`` with Newcombe's interval (method 10) and Fisher's exact p.

    Example: 46/50 against 147/200: difference 0.185, interval about (0.07, 0.27), p < 0.01.
    """
    from scipy.stats import fisher_exact

    a, b = wilson_interval(k1, n1, confidence), wilson_interval(k2, n2, confidence)
    d = float(a.proportion - b.proportion)
    low = d - math.sqrt((a.proportion - a.low) ** 2 + (b.high - b.proportion) ** 2)
    high = d + math.sqrt((a.high - a.proportion) ** 2 + (b.proportion - b.low) ** 2)
    p = float(fisher_exact([[int(k1), int(n1 - k1)], [int(k2), int(n2 - k2)]]).pvalue)
    return ProportionComparison(d, float(low), float(high), p)


def compare_with_stderr(v1, se1, v2, se2, confidence: float = 0.95) -> ProportionComparison:
    """``v1 - v2`` for two rates known by their standard errors (no counts): the normal interval
    ``d ± z sqrt(se1² + se2²)`` and the two-sided z-test's p. Example: 0.7 (se 0.153) against 0.6 (se 0.163):
    difference 0.1, interval about (-0.34, 0.54), p = 0.65."""
    d = float(v1) - float(v2)
    se = math.sqrt(float(se1) ** 2 + float(se2) ** 2)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = 2 * (1 - NormalDist().cdf(abs(d) / se)) if se > 0 else (0.0 if d else 1.0)
    return ProportionComparison(d, d - z * se, d + z * se, float(p))


class RatioOfMeans(NamedTuple):
    """``mean_b / mean_a`` with a confidence interval from the delta method on the log ratio."""

    ratio: float
    low: float
    high: float
    df: float


def ratio_of_means(mean_a: float, sd_a: float, n_a: int, mean_b: float, sd_b: float, n_b: int,
                   confidence: float = 0.95) -> RatioOfMeans:
    """How many times ``mean_a`` is ``mean_b``, with its interval, from two groups' means, SDs and sizes.

    ``log R = log(mean_b) - log(mean_a)`` has variance ``v_a + v_b`` with ``v = sd² / (n mean²)`` (the delta
    method); the interval is ``exp(log R ± t(df) sqrt(v_a + v_b))`` with Welch-Satterthwaite
    ``df = (v_a + v_b)² / (v_a² / (n_a - 1) + v_b² / (n_b - 1))``. Example: means 10 and 100, SDs 1 and 10,
    5 each: R = 10, v_a = v_b = 0.002, df = 8, interval 10 exp(±2.306 sqrt(0.004)) = (8.64, 11.57).
    """
    if n_a < 2 or n_b < 2:
        raise ValueError(f"an interval on a ratio of means needs two values per group (got {n_a} and {n_b})")
    if mean_a <= 0 or mean_b <= 0:
        raise ValueError("a ratio of means on the log scale needs positive means")
    ratio = mean_b / mean_a
    va, vb = sd_a ** 2 / (n_a * mean_a ** 2), sd_b ** 2 / (n_b * mean_b ** 2)
    if va + vb == 0:
        return RatioOfMeans(ratio, ratio, ratio, math.inf)
    df = (va + vb) ** 2 / (va ** 2 / (n_a - 1) + vb ** 2 / (n_b - 1))
    from scipy.stats import t as _t

    half = float(_t.ppf(0.5 + confidence / 2, df)) * math.sqrt(va + vb)
    return RatioOfMeans(ratio, ratio * math.exp(-half), ratio * math.exp(half), df)
