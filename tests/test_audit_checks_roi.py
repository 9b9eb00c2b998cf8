"""Finding 3's checks (evalpatterns.audit.checks_roi): small ROI data sets that produce each verdict on
purpose."""
from __future__ import annotations

import math

import pytest

from evalpatterns import audit

from audit_cases import ROI_HEADER, check, roi_ctx
from datafiles import load_text


def roi_frame(tmp_path, train_acc, train_min, switch_acc, switch_min, base_b=32, switch_b=7, extra=""):
    text = (ROI_HEADER
            + f"base,baseline,Big,{base_b},0,0.73,0.61,0.73,146,200,measured,s\n"
            + f"train,training,Big,{base_b},{train_min},{train_acc},,,,,measured,s\n"
            + f"switch,model_switch,Small,{switch_b},{switch_min},{switch_acc},,,,,measured,s\n" + extra)
    return load_text(tmp_path, "roi", text)


def test_roi_ratio_holds_exactly(tmp_path):
    # training: 74% - 73% = 1 point in 10 min = 0.1/min; switch: 92% - 73% = 19 points in 5 min = 3.8/min;
    # (19 / 5) / (1 / 10) = 38 exactly
    row = check("f3-roi-ratio", roi_ctx(roi_frame(tmp_path, 0.74, 10, 0.92, 5)))
    assert row["verdict"] == "holds"
    assert row["recomputed_value"] == pytest.approx(38.0)
    assert row["recomputed"] == "38x"


def test_roi_ratio_holds_at_the_claims_precision(tmp_path):
    # switch 92.2% - 73% = 19.2 points in 5 min = 3.84/min; / 0.1 = 38.4, printed to 0 decimals: 38
    row = check("f3-roi-ratio", roi_ctx(roi_frame(tmp_path, 0.74, 10, 0.922, 5)))
    assert row["verdict"] == "holds"
    assert row["recomputed_value"] == pytest.approx(38.4)


def test_roi_ratio_differs(tmp_path):
    # training 80% - 73% = 7 points in 10 min = 0.7/min; switch 98% - 73% = 25 points in 5 min = 5/min;
    # (25 / 5) / (7 / 10) = 7.14; the gains alone: 25 / 7 = 3.57x. Over the inputs' rounding (each accuracy
    # +-0.5 point, baseline +-0.5, minutes +-0.5) the ratio stays within (24/5.5)/(8/9.5) = 5.18 ..
    # (26/4.5)/(6/10.5) = 10.1, far from 38
    row = check("f3-roi-ratio", roi_ctx(roi_frame(tmp_path, 0.80, 10, 0.98, 5)))
    assert row["verdict"] == "differs"
    assert row["recomputed_value"] == pytest.approx(50 / 7)
    assert row["recomputed"] == "7.14x"  # three significant digits
    assert "the ratio of the gains alone, 25 / 7.0 = 3.57x" in row["reason"]
    c = audit.roi_ratio(roi_ctx(roi_frame(tmp_path, 0.80, 10, 0.98, 5)))
    assert (c.low, c.high) == (pytest.approx((24 / 5.5) / (8 / 9.5)), pytest.approx((26 / 4.5) / (6 / 10.5)))


def test_roi_ratio_rounding_when_a_one_point_gain_is_within_print_rounding(tmp_path):
    # training 74% - 73% = 1 point: each accuracy is good to +-0.5 point, so the training gain may be 0..2
    # points and (19/5)/(1/10) = 38 may be anything from (18/5.5)/(2/9.5) = 15.5 upwards (unbounded, as the
    # gain may be 0); with 98% the stated formula gives 50, and the claimed 38 is within that rounding
    row = check("f3-roi-ratio", roi_ctx(roi_frame(tmp_path, 0.74, 10, 0.98, 5)))
    assert row["recomputed_value"] == pytest.approx(50.0)
    assert row["verdict"] == "rounding"
    c = audit.roi_ratio(roi_ctx(roi_frame(tmp_path, 0.74, 10, 0.98, 5)))
    assert c.low == pytest.approx((24 / 5.5) / (2 / 9.5)) and c.high == math.inf


def test_roi_ratio_without_training_gain_is_unsupported(tmp_path):
    # best training 70% < 73%: training gained nothing, so (gain / time) is not positive and the ratio undefined
    row = check("f3-roi-ratio", roi_ctx(roi_frame(tmp_path, 0.70, 10, 0.92, 5)))
    assert row["verdict"] == "unsupported"
    assert row["reason"] == "training gained nothing, so the ratio is undefined"


def test_roi_ratio_rounding_when_only_the_printed_inputs_reach_the_claim(tmp_path):
    """Missing feature / bug: roi_ratio gives no rounding interval (low/high stay NaN), so the rounding verdict
    can never be reached for it, unlike every other ROI claim (attempt_roi, training_minutes, size_ratio).

    Here training reaches 75% in 10 min (2 points, 0.2/min) and the switch 92% in 5 min (19 points, 3.8/min):
    the stated formula gives 3.8 / 0.2 = 19, not 38. The inputs as printed (75%, 73%, 92% to half a point;
    10 and 5 minutes to half a minute) give switch gain 18 .. 20 over 4.5 .. 5.5 min and training gain 1 .. 3
    over 9.5 .. 10.5 min: the ratio spans (18 / 5.5) / (3 / 9.5) = 10.4 .. (20 / 4.5) / (1 / 10.5) = 46.7,
    which holds 38. (On the real data the same interval is about 420 and up, so f3-roi-ratio still differs.)"""
    row = check("f3-roi-ratio", roi_ctx(roi_frame(tmp_path, 0.75, 10, 0.92, 5)))
    assert row["recomputed_value"] == pytest.approx(19.0)
    assert row["verdict"] == "rounding", row["reason"]


@pytest.mark.parametrize("minutes, verdict, value", [
    # 0-3% over 143 min: midpoint (1.5 - 73) / 143 = -71.5 / 143 = -0.5 exactly
    (143, "holds", -0.5),
    # over 2h: -0.596, printed -0.6; 2h as printed is 1.5h .. 2.5h: (0 - 73.5) / 90 .. (3 - 72.5) / 150 =
    # -0.817 .. -0.463 holds -0.5
    (120, "rounding", -71.5 / 120),
    # over 1h: -71.5 / 60 = -1.19; (0 - 73.5) / 30 = -2.45 .. (3 - 72.5) / 90 = -0.772 < -0.5 - 0.05
    (60, "differs", -71.5 / 60),
])
def test_attempt_roi_of_a_range_each_verdict(tmp_path, minutes, verdict, value):
    extra = f"Training Attempt 1,training,Big,32,{minutes},,0.00,0.03,,,measured,s\n"
    ctx = roi_ctx(roi_frame(tmp_path, 0.74, 10, 0.92, 5, extra=extra))
    row = check("f3-roi-a1", ctx)
    assert row["verdict"] == verdict, row["reason"]
    assert row["recomputed_value"] == pytest.approx(value)
    assert "0\u20133%" in row["reason"]


def test_attempt_roi_missing_attempt_is_unsupported(tmp_path):
    row = check("f3-roi-a1", roi_ctx(roi_frame(tmp_path, 0.74, 10, 0.92, 5)))
    assert row["verdict"] == "unsupported"
    assert row["reason"] == "no attempt named Training Attempt 1"


@pytest.mark.parametrize("base_b, switch_b, verdict", [
    (45, 10, "holds"),      # 45 / 10 = 4.5
    (32, 7, "rounding"),    # 4.571 -> 4.6; (31.5 / 7.5) = 4.2 .. 32.5 / 6.5 = 5.0 holds 4.5
    (70, 7, "differs"),     # 10.0; 69.5 / 7.5 = 9.27 .. 70.5 / 6.5 = 10.8: far from 4.5
])
def test_size_ratio_each_verdict(tmp_path, base_b, switch_b, verdict):
    row = check("f3-size", roi_ctx(roi_frame(tmp_path, 0.74, 10, 0.92, 5, base_b, switch_b)))
    assert row["verdict"] == verdict
    assert row["recomputed_value"] == pytest.approx(base_b / switch_b)


def test_switch_accuracy_carries_its_denominator(tmp_path):
    text = (ROI_HEADER + "base,baseline,Big,32,0,0.73,0.61,0.73,,,measured,s\n"
            + "train,training,Big,32,10,0.74,,,,,measured,s\n"
            + "switch,model_switch,Small,7,5,0.92,,,46,50,measured,s\n")
    row = check("f3-qwen", roi_ctx(load_text(tmp_path, "roi", text)))
    # Wilson 46/50: centre (0.92 + 1.92/50) / (1 + 3.84/50) = 0.8900, half 0.0784: 81.2% .. 96.8%
    assert row["verdict"] == "holds"
    assert row["reason"] == "46/50, 95% interval 81.2% to 96.8%"
    no_denominator = check("f3-qwen", roi_ctx(roi_frame(tmp_path, 0.74, 10, 0.92, 5)))
    assert no_denominator["reason"] == "no denominator recorded"
