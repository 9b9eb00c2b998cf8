"""Finding 2 as one analysis (evalpatterns.findings.collapse): the result on the post's data, the conclusion
on hand-made data telling each story, range-only accuracies, and a property test over drawn data.

Frames are written as CSV and read with ``io.load``, so they are typed exactly like the real data. Fisher's
exact p-values are checked against scipy and, where small, against the count written beside them.
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from properties import examples
from evalpatterns import audit, chapters, io
from evalpatterns.findings import base
from evalpatterns.findings import collapse as finding

DATA = Path(__file__).resolve().parents[1] / "data"
REGISTER = io.load("claims", DATA / "claims.csv")
HEADER = ("attempt,model,learning_rate,lora_rank,samples,accuracy,accuracy_low,accuracy_high,n_correct,n_eval,"
          "sample_output,status,source\n")


def frame(tmp_path: Path, *rows: tuple) -> pd.DataFrame:
    """Runs as (attempt, learning rate, accuracy or (low, high), k of 200 or None[, output])."""
    lines = []
    for r in rows:
        attempt, lr, acc, k = r[:4]
        out = r[4] if len(r) > 4 else ""
        low, high = acc if isinstance(acc, tuple) else ("", "")
        point = "" if isinstance(acc, tuple) else acc
        counts = ("", "") if k is None else (k, 200)
        lines.append(f"{attempt},M,{lr},32,100,{point},{low},{high},{counts[0]},{counts[1]},{out},measured,s")
    path = tmp_path / "mode_collapse.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n")
    return io.load("mode_collapse", path)


@pytest.fixture(scope="module")
def post():
    return finding.analyse({"mode_collapse": io.load("mode_collapse", DATA / "mode_collapse.csv")})


def test_module_constants_and_params_are_the_chapters_parameters():
    assert (finding.NUMBER, finding.CHAPTER, finding.DATA) == (2, "mode-collapse", ("mode_collapse",))
    assert finding.QUESTION.endswith("?") and "threshold" in finding.QUESTION
    p = finding.Params()
    assert (p.collapse_accuracy, p.complete_accuracy, p.binary_bracket) == (0.10, 0.05, 2.0)
    registry = {q.name: q for q in chapters.get("mode-collapse").parameters}
    for name in ("collapse_accuracy", "complete_accuracy", "binary_bracket"):
        assert registry[name].default == getattr(p, name)
        assert {q.name: q for q in chapters.get("summary").parameters}[name].default == getattr(p, name)
    assert registry["binary_bracket"].minimum == 1


def test_post_data_result(post):
    # attempts 2 (2e-4, 2%), 3 (5e-5, 0%) collapsed; 4 (5e-6, 73.5%) converged; 6 cells with no run
    assert post.n_runs == 3 and post.n_unknown == 0
    assert post.runs.set_index("attempt").loc[[2, 3, 4], "outcome"].tolist() == ["collapsed", "collapsed", "converged"]
    assert post.bracket.ratio == pytest.approx(10.0)  # 5e-5 / 5e-6
    assert len(post.grid) == 9 and (post.grid["outcome"] == "no run").sum() == 6
    # the bracketing runs differ in rank, samples, alpha, RSLoRA, epochs and batch as well as in learning rate
    assert post.bracket_changed == ("lora_rank", "samples", "lora_alpha", "rslora", "epochs", "effective_batch")
    # 0% and 2% are both at or below the 5% limit: both complete collapses
    assert post.runs.set_index("attempt").loc[[2, 3, 4], "severity"].tolist() == ["complete", "complete", "none"]


def test_post_data_is_inconclusive_with_fishers_exact_p_of_one_third(post):
    """2 collapsed above the bracket, 1 converged below: table ((2, 0), (0, 1)). Of the C(3, 2) = 3 ways to
    place the two collapses among three runs, one puts both above: p = 1/3, not below 0.05."""
    c = post.conclusion
    assert post.separation.table == ((2, 0), (0, 1))
    assert c.p_value == pytest.approx(1 / 3)
    assert c.p_value == pytest.approx(stats.fisher_exact([[2, 0], [0, 1]]).pvalue)
    assert c.verdict == base.INCONCLUSIVE
    assert c.statistic == pytest.approx(10.0)
    assert "3 runs cannot rule out chance" in c.reason and "p = 0.33" in c.reason
    assert "10x" in c.shown and "2 collapsed, 1 converged" in c.shown


def test_enough_separated_runs_support_the_claim(tmp_path):
    # 4 collapsed at 1e-4..1e-3, 4 converged at 1e-6..1e-5: p = 2 / C(8, 4) = 2/70 (both perfect tables count)
    f = frame(tmp_path, *[(i, lr, 0.01, 2) for i, lr in enumerate(("1e-4", "2e-4", "5e-4", "1e-3"))],
              *[(i + 4, lr, 0.7, 140) for i, lr in enumerate(("1e-6", "2e-6", "5e-6", "1e-5"))])
    r = finding.analyse(f)
    assert r.conclusion.verdict == base.SUPPORTED
    assert r.conclusion.p_value == pytest.approx(2 / 70)
    assert r.conclusion.p_value == pytest.approx(stats.fisher_exact([[4, 0], [0, 4]]).pvalue)
    assert r.conclusion.statistic == pytest.approx(10.0)  # 1e-4 / 1e-5


@pytest.mark.parametrize("rows, why", [
    # nothing collapsed at any rate tried
    ([(1, "1e-4", 0.7, 140), (2, "3e-5", 0.72, 144), (3, "1e-5", 0.74, 148)], "no run collapsed at any rate"),
    # converged at 1e-4, above 3e-6 where a run collapsed: no single threshold
    ([(1, "1e-4", 0.7, 140), (2, "3e-5", 0.0, 0), (3, "1e-5", 0.74, 148), (4, "3e-6", 0.01, 2)],
     "no single threshold separates the runs"),
    # gradual: 30% at 2e-5 is above the 10% line and below half of the best 73.5%
    ([(1, "5e-6", 0.735, 147), (2, "1e-5", 0.5, 100), (3, "2e-5", 0.3, 60), (4, "5e-5", 0.0, 0),
      (5, "1e-4", 0.0, 0), (6, "2e-4", 0.0, 0)], "accuracy degrades gradually, since the run at 2e-5 reached 30%"),
])
def test_opposite_stories_are_contradicted(tmp_path, rows, why):
    c = finding.analyse(frame(tmp_path, *rows)).conclusion
    assert c.verdict == base.CONTRADICTED
    assert why in c.reason
    assert c.p_value is None  # the threshold test is not what contradicts the claim: no p-value beside it


@pytest.mark.parametrize("rows, why", [
    ([(1, "1e-4", 0.0, 0)], "only 1 run has an outcome"),
    ([(1, "1e-4", 0.0, 0), (2, "1e-4", 0.7, 140)], "every run is at the one learning rate 1e-4"),
    ([(1, "1e-4", 0.0, 0), (2, "1e-5", 0.02, 4)], "every run collapsed, from 1e-5 to 1e-4"),
    ([], "only 0 runs have an outcome"),
])
def test_too_little_data_is_inconclusive(tmp_path, rows, why):
    rows = rows or [("", "1e-4", "", None)]  # a settings cell with no run
    c = finding.analyse(frame(tmp_path, *rows)).conclusion
    assert c.verdict == base.INCONCLUSIVE
    assert why in c.reason


def test_range_only_accuracies_are_kept_and_classified(tmp_path):
    # 0-3%: high end <= 10%: collapsed (and <= 5%: complete); 20-40%: low end > 10%: converged;
    # 5-30%: across the line: unknown, left out of the bracket
    f = frame(tmp_path, (1, "2e-4", (0.0, 0.03), None), (2, "5e-5", (0.05, 0.30), None),
              (3, "5e-6", (0.20, 0.40), None), (4, "1e-6", 0.7, 140))
    r = finding.analyse(f)
    runs = r.runs.set_index("attempt")
    assert runs["outcome"].tolist() == ["collapsed", "unknown", "converged", "converged"]
    assert runs["is_range"].tolist() == [True, True, True, False]
    assert runs.loc[1, "severity"] == "complete" and pd.isna(runs.loc[2, "severity"])
    assert r.n_unknown == 1 and r.n_runs == 3
    assert (r.bracket.largest_converged, r.bracket.smallest_collapsed) == (5e-6, 2e-4)
    assert r.grid.set_index("attempt").loc[2, "outcome"] == "unknown"


@pytest.mark.parametrize("complete_accuracy", [0.0, 0.05, 0.10])
def test_a_run_at_zero_is_a_complete_collapse_never_partial(tmp_path, complete_accuracy):
    f = frame(tmp_path, (1, "1e-4", 0.0, 0), (2, "1e-5", 0.7, 140), (3, "5e-5", 0.08, 16))
    r = finding.analyse(f, finding.Params(complete_accuracy=complete_accuracy))
    sev = r.runs.set_index("attempt")["severity"]
    assert sev[1] == "complete"  # no sample_output recorded, still complete
    assert sev[3] == ("complete" if complete_accuracy >= 0.08 else "partial")
    assert sev[2] == "none"


def test_trend_judges_a_rise_by_fishers_exact_test(post, tmp_path):
    """The post's rise 0/200 -> 4/200 has Fisher's p = 0.12: not a rise beyond noise."""
    t = post.trend
    assert t.rise.p_value == pytest.approx(stats.fisher_exact([[0, 200], [4, 196]]).pvalue)
    assert t.rise.p_value == pytest.approx(0.1231, abs=1e-4)
    assert t.shape == "within noise"
    big = finding.analyse(frame(tmp_path, (1, "5e-6", 0.735, 147), (2, "5e-5", 0.0, 0), (3, "2e-4", 0.2, 40)))
    assert big.trend.shape == "non-monotonic"  # 0/200 -> 40/200: p < 0.0001


def test_params_are_checked(post):
    with pytest.raises(ValueError, match="fraction"):
        finding.analyse(post.data, finding.Params(collapse_accuracy=1.5))


# -- property: any valid data analyses without raising, and the sentences agree with the numbers -----------

RATES = st.sampled_from(["1e-6", "5e-6", "1e-5", "5e-5", "1e-4", "5e-4"])
ACC = st.one_of(
    st.integers(0, 200).map(lambda k: (k / 200, k)),
    st.tuples(st.integers(0, 100), st.integers(0, 100)).map(lambda t: ((min(t) / 100, max(t) / 100), None)),
    st.just(("", None)),
)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(RATES, ACC), min_size=1, max_size=8))
def test_analyse_never_raises_and_its_words_agree(tmp_path, drawn):
    from evalpatterns.words import collapse as words

    rows = [(i + 1, lr, acc, k) for i, (lr, (acc, k)) in enumerate(drawn)]
    r = finding.analyse(frame(tmp_path, *rows))
    v = words.values(r)
    c = r.conclusion
    n_outcome = int(r.runs["collapsed"].notna().sum())
    assert v["n_runs"] == n_outcome == r.bracket.n_collapsed + r.bracket.n_converged
    assert c.verdict in base.VERDICTS
    if c.verdict == base.SUPPORTED:
        assert c.p_value < base.ALPHA and r.bracket.consistent and r.n_intermediate == 0
    rates = r.runs.loc[r.runs["collapsed"].notna(), "learning_rate"].nunique()
    if r.bracket.n_collapsed == 0 and n_outcome >= 2 and rates > 1:
        assert c.verdict == base.CONTRADICTED
    if c.verdict != base.SUPPORTED:
        assert "set in at a learning-rate threshold here" not in v["takeaway_text"]
        assert not v["opening_text"].startswith("The data support")
    sentences = [v[k] for k in v if k.endswith("_text") and isinstance(v[k], str) and " " in v[k]]
    for text in sentences:  # a missing value rewrites the sentence
        assert "n/a" not in text and "nan" not in text.lower().split()
    assert ("1 runs" not in v["outcomes_text"]) and ("0 runs" not in v["outcomes_text"])
    if not math.isnan(r.bracket.ratio) and r.bracket.consistent:
        assert v["bracket_ratio_text"] in v["bracket_text"]
    # every check of the post's Finding 2 claims runs on the result (called directly: the audit loop would
    # turn an AttributeError into "not available"), and a value it cannot recompute is unsupported, not NaN
    ctx = audit.Context.from_results([r])
    for _, claim in REGISTER[REGISTER["finding"] == 2].iterrows():
        check = audit.COMPUTATIONS[claim["computation"]](ctx, **audit.register._args(claim["args"]))
        if claim["kind"] == "value" and check.supported:
            assert not math.isnan(check.value), claim["id"]


def _post_runs(*sets) -> pd.DataFrame:
    """The post's mode_collapse.csv with ``sets`` as its eval_set column (row by row)."""
    df = io.load("mode_collapse", DATA / "mode_collapse.csv")
    df["eval_set"] = list(sets) + [None] * (len(df) - len(sets))
    return df


def test_runs_on_different_eval_sets_are_named_with_every_set():
    r = finding.analyse(_post_runs("amd-200", "amd-200", "amd-50"))
    assert [(m.compared, m.eval_sets) for m in r.eval_sets] == [
        ("the runs compared across learning rates", ("amd-200", "amd-50"))]
    assert r.conclusion.verdict == finding.analyse(_post_runs()).conclusion.verdict
    assert r.conclusion.reason.endswith("not directly comparable: the runs compared across learning rates (on "
                                        "amd-200 and amd-50)")


@pytest.mark.parametrize("sets", [(), ("amd-200", "amd-200", "amd-200"), ("amd-200",)])
def test_equal_or_absent_eval_sets_give_no_caveat(sets):
    r = finding.analyse(_post_runs(*sets))
    assert r.eval_sets == () and "eval set" not in r.conclusion.reason
