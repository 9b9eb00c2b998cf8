"""The verdict rules of the claims audit and the rounding arithmetic they use.

A check (one of the ``audit.checks_*`` functions) recomputes a claim and returns a :class:`Check`;
:func:`verdict` turns claim and check into one of four verdicts:

- ``holds``: equal at the claim's own precision;
- ``rounding``: differs, but the claimed value is reached within the rounding of the inputs as printed;
- ``differs``: the data, or the formula as the post states it, gives another value (both are shown, and
  ``matches`` says which other formula the claimed number fits, when one does);
- ``unsupported``: the data cannot bear the claim (too few points, no per-seed values, no such data, or no
  value could be recomputed at all).
"""
from __future__ import annotations

import math


from .. import formatting as fmt
from dataclasses import dataclass

VERDICTS = ("holds", "rounding", "differs", "unsupported")


@dataclass(frozen=True)
class Check:
    """What a computation found for one claim.

    ``value`` is in the claim's units (percent for percentages, x for ratios); ``low``/``high`` bound it
    over the rounding of the inputs as printed (NaN when no rounding applies); ``flag`` is the recomputed
    truth of a label or statement claim; ``lower_bound`` marks a value that is only a lower bound.
    """

    value: float = math.nan
    shown: str = fmt.NA
    reason: str = ""
    low: float = math.nan
    high: float = math.nan
    flag: bool | None = None
    lower_bound: bool = False
    supported: bool = True
    matches: str = ""


def unsupported(reason: str, value: float = math.nan, shown: str = "cannot be computed") -> Check:
    return Check(value=value, shown=shown, reason=reason, supported=False)


def _half_unit(x: float) -> float:
    """Half of the last printed digit of a stored number: 2.6 -> 0.05, 33 -> 0.5."""
    text = f"{x:.10g}"
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10 ** -decimals


def _pct_half_unit(fraction: float) -> float:
    """Half of the last printed digit of a fraction printed as a percentage (0.735 -> 0.0005)."""
    return _half_unit(round(100 * fraction, 6)) / 100


def _minutes_half_unit(m: float) -> float:
    """Times printed in whole hours ("2h") are good to half an hour; others to their last digit."""
    return 30.0 if m >= 60 and m % 60 == 0 else _half_unit(m)



def verdict(claim, check: Check) -> tuple[str, str]:
    """The verdict on one claim and its reason (see the module docstring for the four verdicts)."""
    kind = claim["kind"]
    if not check.supported:
        return "unsupported", check.reason
    if kind == "label":  # a category (YES, Complete, O(1)) compared as text
        same = str(claim["claimed_text"]).strip().lower() == check.shown.strip().lower()
        return ("holds" if same else "differs"), check.reason
    if kind in ("statement", "threshold") and check.flag is not None:
        return ("holds" if check.flag else "differs"), check.reason
    claimed, digits = float(claim["claimed"]), int(claim["decimals"])
    if math.isnan(check.value):  # nothing to compare the claim with: the data cannot bear it
        return "unsupported", check.reason or "the data gives no value"
    if abs(round(check.value, digits) - claimed) < 0.5 * 10 ** -(digits + 3):
        if kind == "lower_bound" and not check.lower_bound:
            return "differs", f"the data has a measurement, not a lower bound; {check.reason}"
        if kind != "lower_bound" and check.lower_bound:
            return "differs", f"the data has only a lower bound, which the claim states as a value; {check.reason}"
        return "holds", check.reason
    half = 0.5 * 10 ** -digits
    if not math.isnan(check.low) and check.low - half <= claimed <= check.high + half:
        return "rounding", f"{check.reason}; the claimed value is within the rounding of the inputs"
    extra = f"; the claimed number matches {check.matches}" if check.matches else ""
    return "differs", check.reason + extra


