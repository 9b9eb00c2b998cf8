"""Numbers formatted for people: ``92%``, ``+19 points``, ``1,269x``, ``2h 47m``, ``5e-5``, ``10,000+``.

Every function returns a plain ``str`` (never a numpy scalar) and ``"n/a"`` for a missing value, so results
can be glued and shown without further care.
"""
from __future__ import annotations

import math

import pandas as pd

NA = "n/a"


def _missing(x) -> bool:
    try:
        return x is None or bool(pd.isna(x))
    except (TypeError, ValueError):  # arrays and the like are not a missing scalar
        return False


def pct(fraction, digits: int = 0) -> str:
    """A fraction as a percentage: ``pct(0.735, 1) == '73.5%'``; trailing ``.0`` dropped."""
    if _missing(fraction):
        return NA
    text = f"{100 * float(fraction):.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", "+0"):
        text = "0"
    return text.replace("-", "\u2212") + "%"


def pct_range(low, high, digits: int = 0) -> str:
    """A range of fractions: ``pct_range(0, 0.03) == '0-3%'``."""
    if _missing(low) or _missing(high):
        return NA
    return f"{pct(low, digits)[:-1]}\u2013{pct(high, digits)}"


def number(x, digits: int = 0, signed: bool = False) -> str:
    """A number with thousands separators: ``number(10000) == '10,000'``; ``signed`` adds ``+``."""
    if _missing(x):
        return NA
    x = float(x)
    text = f"{x:{'+' if signed else ''},.{digits}f}"
    if float(text.replace(",", "")) == 0:  # no "-0"
        text = ("+" if signed else "") + text.lstrip("+-")
    return text.replace("-", "\u2212")


def points(x, digits: int = 0, signed: bool = True) -> str:
    """Percentage points: ``points(19) == '+19'``, ``points(-6.64, 1) == '\u22126.6'``."""
    return number(x, digits, signed)


def ratio(x, digits: int | None = None, lower_bound: bool = False) -> str:
    """A ratio with three significant digits: ``ratio(1269.2) == '1,269x'``, ``ratio(9.5) == '9.5x'``,
    ``ratio(1.45) == '1.45x'``, ``ratio(0.28) == '0.28x'``, ``ratio(909.1, lower_bound=True) == '909x+'``.
    ``digits`` fixes the decimals instead, but a non-zero ratio is never shown as ``0x``."""
    if _missing(x):
        return NA
    x = float(x)
    if digits is None or (x != 0 and round(abs(x), digits) == 0):
        digits = significant_decimals(x, 3)
    text = number(x, digits)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "x" + ("+" if lower_bound else "")


def tenths(x) -> int:
    """Decimals for a value that is whole or in tenths: 0 for whole numbers (up to float noise), else 1, so that
    7.5 stays 7.5 and 0.5 does not become 0: ``points(0.5, tenths(0.5)) == '+0.5'``."""
    return 0 if _missing(x) or round(float(x), 6) == round(float(x)) else 1


def significant_decimals(x: float, figures: int = 3) -> int:
    """How many decimals show ``figures`` significant digits of ``x`` (none for numbers >= 10**figures)."""
    if x == 0 or not math.isfinite(x):
        return 0
    return max(0, figures - 1 - math.floor(math.log10(abs(x))))


DAYS_FROM_HOURS = 48  # from two days on, a duration is read in days: "1,900 days 3h", not "45603h 3m"


def duration(minutes) -> str:
    """Minutes as hours and minutes: ``duration(166.6) == '2h 47m'``, ``duration(2.6) == '2.6m'``; from
    :data:`DAYS_FROM_HOURS` hours on, as days and whole hours: ``duration(2880) == '2 days'``,
    ``duration(1e5) == '69 days 11h'`` (1,666.7 h), ``duration(2_736_180) == '1,900 days 3h'``."""
    if _missing(minutes):
        return NA
    m = float(minutes)
    if m < 10 and m != round(m):
        return f"{m:.1f}m"
    total = int(round(m))
    h, rest = divmod(total, 60)
    if h >= DAYS_FROM_HOURS:
        days, hours = divmod((total + 30) // 60, 24)  # whole hours, a half hour up
        return f"{days:,} days" + (f" {hours}h" if hours else "")
    if not h:
        return f"{rest}m"
    return f"{h}h {rest}m" if rest else f"{h}h"


def sci(x) -> str:
    """A learning rate in short scientific form: ``sci(5e-05) == '5e-5'``, ``sci(0.0002) == '2e-4'``."""
    if _missing(x):
        return NA
    mantissa, exp = f"{float(x):.3g}".split("e") if "e" in f"{float(x):.3g}" else (None, None)
    if mantissa is None:
        mantissa, exp = f"{float(x):.2e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    return f"{mantissa}e{int(exp)}"


def episodes(x, lower_bound: bool = False) -> str:
    """An episode count: ``episodes(10000, lower_bound=True) == '10,000+'``."""
    if _missing(x):
        return NA
    return number(x) + ("+" if lower_bound else "")


def decimal(x, digits: int = 2) -> str:
    """A plain decimal with a true minus sign: ``decimal(-8.2, 1) == '\u22128.2'``."""
    return number(x, digits)


def size(params_b) -> str:
    """A model size in billions: ``size(3) == '3B'``, ``size(7.5) == '7.5B'``."""
    if _missing(params_b):
        return NA
    return f"{float(params_b):g}B"
