"""Capability frames for Finding 1's tests: a builder typed like ``io.load("capability", ...)`` and a
``hypothesis`` strategy drawing valid data of that kind."""
from __future__ import annotations

import pandas as pd
from hypothesis import strategies as st

COLUMNS = ["project", "task", "params_b", "stage", "value", "scale_max", "higher_is_better", "status", "source",
           "note"]


def frame(*rows, counts: bool = False) -> pd.DataFrame:
    """Rows ``(task, params_b, stage, value[, scale_max[, higher_is_better[, status[, n_correct, n_eval]]]])``
    of project ``P`` as a loaded capability frame (scale 1, higher better, measured unless given)."""
    out = []
    for r in rows:
        task, size, stage, value, scale, higher, status, k, n = (list(r) + [1.0, None, "measured", None, None]
                                                                  [len(r) - 4:])[:9]
        out.append({"project": "P", "task": task, "params_b": float(size), "stage": stage, "value": float(value),
                    "scale_max": float(scale), "higher_is_better": higher, "status": status, "source": "test",
                    "note": None, "n_correct": k, "n_eval": n})
    df = pd.DataFrame(out, columns=COLUMNS + ["n_correct", "n_eval"])
    df["higher_is_better"] = df["higher_is_better"].astype(object)
    df["note"] = df["note"].astype("str")
    if counts:
        return df.astype({"n_correct": "Int64", "n_eval": "Int64"})
    return df.drop(columns=["n_correct", "n_eval"])


SIZES = (1.0, 3.0, 8.0, 70.0)


@st.composite
def capability_frames(draw) -> pd.DataFrame:
    """Valid capability data: up to six tasks, each with its scale and direction, measured (or not) at some
    sizes and stages; counts at some rows when the frame has them."""
    with_counts = draw(st.booleans())
    rows = []
    for t in range(draw(st.integers(0, 6))):
        scale = draw(st.sampled_from([1.0, 10.0, 100.0]))
        higher = draw(st.sampled_from([True, False, None]))
        cells = draw(st.sets(st.tuples(st.sampled_from(SIZES), st.sampled_from(["base", "trained"])), max_size=6))
        for size, stage in sorted(cells):
            n = draw(st.integers(1, 300))
            k = draw(st.integers(0, n))
            value = scale * k / n if with_counts else draw(st.floats(0, scale, allow_nan=False))
            status = draw(st.sampled_from(["measured", "measured", "pending", "illustrative", "figure"]))
            known = with_counts and draw(st.booleans())
            rows.append((f"task {t}", size, stage, value, scale, higher, status, k if known else None,
                         n if known else None))
    return frame(*rows, counts=with_counts)
