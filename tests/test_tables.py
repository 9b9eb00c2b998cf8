"""Tables of the findings (evalpatterns.tables): the interval column, from counts or from a standard error."""
from __future__ import annotations

import pandas as pd
from scipy import stats as st

from evalpatterns import tables


def test_interval_column_uses_counts_then_stderr_then_a_dash():
    frame = pd.DataFrame({"accuracy": [0.92, 0.6, 0.5], "n_correct": [46, None, None], "n_eval": [50, 10, None],
                          "stderr": [0.01, 0.163, None]})
    z = st.norm.ppf(0.975)
    # 46/50: Wilson's interval (0.812, 0.968), whatever the stderr says
    assert tables.interval_column(frame) == ["81.2%\u201396.8% (46/50)",
                                             f"{100 * (0.6 - z * 0.163):.1f}%\u2013{100 * (0.6 + z * 0.163):.1f}% "
                                             "(s.e. 16.3%)", "\u2014"]
    assert tables.interval_column(frame)[1] == "28.1%\u201391.9% (s.e. 16.3%)"


def test_interval_column_without_the_optional_columns_is_dashes():
    assert tables.interval_column(pd.DataFrame({"accuracy": [0.5, 0.7]})) == ["\u2014", "\u2014"]
    # the value column is named by the caller (the ROI table's point accuracy)
    roi = pd.DataFrame({"accuracy_point": [0.5], "stderr": [0.05]})
    assert tables.interval_column(roi, "accuracy_point") == ["40.2%\u201359.8% (s.e. 5%)"]
