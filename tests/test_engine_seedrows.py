"""engine.seedrows: Finding 5 on Parquet per-seed rows left on the engine gives what it gives on the loaded rows."""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from evalpatterns import io, page
from evalpatterns.engine.seedrows import SeedRows
from evalpatterns.findings import memorization as finding
from evalpatterns.words import memorization as words

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import synthetic  # noqa: E402


def test_the_finding_on_parquet_seed_rows_is_the_finding_on_the_loaded_rows(tmp_path):
    frame = synthetic.memorization_frame(3_000)
    frame.to_csv(tmp_path / "memorization.csv", index=False)
    pq.write_to_dataset(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "seeds",
                        partition_cols=["method"])
    published = ROOT / "data" / "effect_sizes.csv"
    got_data = page.load(finding.DATA, memorization_csv=tmp_path / "seeds", effect_sizes_csv=published)
    assert isinstance(got_data["memorization"], SeedRows)  # not read into memory
    got = finding.analyse(got_data)
    want = finding.analyse(page.load(finding.DATA, memorization_csv=tmp_path / "memorization.csv",
                                     effect_sizes_csv=published))
    assert got.n_seed_rows == want.n_seed_rows == 3_000
    pd.testing.assert_frame_equal(got.episodes, want.episodes, check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(got.seed_effects, want.seed_effects, check_exact=False, rtol=1e-10)
    assert (got.seed_effects["basis"] == "per-seed rows").sum() == 14  # 2 RL methods x 10 N, less 6 censored
    assert got.conclusion == want.conclusion
    a, b = words.values(got), words.values(want)
    assert [k for k in a if a[k] != b[k] and not (isinstance(a[k], float) and abs(a[k] - b[k]) <= 1e-9 * abs(b[k]))] \
        == []


def test_the_books_seed_rows_as_parquet(tmp_path):
    io.load("memorization", ROOT / "data" / "memorization.csv").to_parquet(tmp_path / "m.parquet", index=False)
    got = finding.analyse(page.load(finding.DATA, memorization_csv=tmp_path / "m.parquet",
                                    effect_sizes_csv=ROOT / "data" / "effect_sizes.csv"))
    want = finding.analyse(page.load(finding.DATA, memorization_csv=ROOT / "data" / "memorization.csv",
                                     effect_sizes_csv=ROOT / "data" / "effect_sizes.csv"))
    assert got.n_seed_rows == want.n_seed_rows == 0  # the book has no per-seed rows: g from published stats
    pd.testing.assert_frame_equal(got.seed_effects, want.seed_effects)
    assert got.conclusion == want.conclusion and words.values(got) == words.values(want)
