"""Finding 3's arithmetic (evalpatterns.roi) on the real data and on small synthetic data.

Expected numbers are worked by hand from the post / meta-analysis (the arithmetic is in the comments)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from evalpatterns import roi
from datafiles import real, unchanged


@pytest.fixture(scope="module")
def roi_data():
    return real("roi")


def test_roi_table_changes_and_roi(roi_data):
    t = unchanged(roi.roi_table, roi_data, 0.73).set_index("approach")
    assert list(t.index) == ["Training Attempt 1", "Training Attempt 2", "Training Attempt 3",
                             "Training Attempt 4", "Model Switch"]
    # against the 73% baseline, in points:
    #   attempt 1: range 0-3% -> midpoint 1.5% -> 1.5 - 73 = -71.5 (range -73 .. -70); ROI -71.5/120 = -0.596
    #   attempt 2: 2% -> -71; -71/33 = -2.152
    #   attempt 3: 0% -> -73; -73/11 = -6.636
    #   attempt 4: 73.5% -> +0.5; 0.5/2.6 = 0.192
    #   switch: 92% -> +19; 19/5 = 3.8
    expected_change = [-71.5, -71.0, -73.0, 0.5, 19.0]
    expected_roi = [-71.5 / 120, -71 / 33, -73 / 11, 0.5 / 2.6, 19 / 5]
    np.testing.assert_allclose(t["change_points"], expected_change, atol=1e-9)
    np.testing.assert_allclose(t["roi"], expected_roi, rtol=1e-9)
    np.testing.assert_allclose(t["roi"], [-0.596, -2.152, -6.636, 0.192, 3.8], atol=5e-4)
    a1 = t.loc["Training Attempt 1"]
    assert bool(a1["is_range"]) is True
    assert a1["accuracy_point"] == pytest.approx(0.015)
    assert a1["change_low"] == pytest.approx(-73.0) and a1["change_high"] == pytest.approx(-70.0)
    assert a1["roi_low"] == pytest.approx(-73 / 120) and a1["roi_high"] == pytest.approx(-70 / 120)
    assert not t.loc[["Training Attempt 2", "Model Switch"], "is_range"].any()
    # a point value has a degenerate range
    assert t.loc["Model Switch", "change_low"] == pytest.approx(19.0)


def test_roi_table_rounds_to_the_posts_table(roi_data):
    t = roi.roi_table(roi_data, 0.73)
    # the post prints -0.5, -2.2, -6.6, +0.2, +3.8
    assert [round(x, 1) for x in t["roi"]] == [-0.6, -2.2, -6.6, 0.2, 3.8]


def test_roi_table_other_baseline(roi_data):
    t = roi.roi_table(roi_data, baseline_accuracy=0.0).set_index("approach")
    # against 0%: switch +92 points, 92/5 = 18.4 per minute
    assert t.loc["Model Switch", "change_points"] == pytest.approx(92.0)
    assert t.loc["Model Switch", "roi"] == pytest.approx(18.4)


@pytest.mark.parametrize("bad", [-0.01, 73])
def test_roi_baseline_must_be_a_fraction(roi_data, bad):
    with pytest.raises(ValueError, match="fraction"):
        roi.roi_table(roi_data, baseline_accuracy=bad)


def test_switch_vs_training(roi_data):
    s = roi.switch_vs_training(roi.roi_table(roi_data, 0.73))
    # 120 + 33 + 11 + 2.6 = 166.6 minutes ("2h 47m")
    assert s.training_minutes == pytest.approx(166.6)
    assert s.training_attempts == 4
    assert s.best_training_accuracy == pytest.approx(0.735)
    # best training 73.5% against 73%: +0.5 points
    assert s.training_gain_points == pytest.approx(0.5)
    assert s.training_roi == pytest.approx(0.5 / 166.6)
    assert s.switch_minutes == pytest.approx(5.0)
    assert s.switch_accuracy == pytest.approx(0.92)
    assert s.switch_gain_points == pytest.approx(19.0)
    assert s.switch_roi == pytest.approx(3.8)
    # the post's "38x" is the gain ratio 19 / 0.5 = 38
    assert s.gain_ratio == pytest.approx(38.0)
    # the formula the post states, (19/5) / (0.5/166.6) = 3.8 / 0.0030012 = 1266.16
    assert s.roi_ratio == pytest.approx((19 / 5) / (0.5 / 166.6))
    assert s.roi_ratio == pytest.approx(1266.16, abs=1e-6)


def test_switch_vs_training_without_a_switch(roi_data):
    t = roi.roi_table(roi_data[roi_data["kind"] != "model_switch"], 0.73)
    s = roi.switch_vs_training(t)
    assert s.training_minutes == pytest.approx(166.6)
    assert math.isnan(s.switch_gain_points) and math.isnan(s.roi_ratio) and math.isnan(s.gain_ratio)


def test_size_ratio(roi_data):
    # DeepSeek-R1-32B against Qwen2.5-7B: 32 / 7 = 4.571 ("4.5x smaller")
    assert roi.size_ratio(roi_data) == pytest.approx(32 / 7)


def test_size_ratio_unknown_sizes(roi_data):
    assert math.isnan(roi.size_ratio(roi_data.drop(columns="params_b")))
    assert math.isnan(roi.size_ratio(roi_data.assign(params_b=np.nan)))
