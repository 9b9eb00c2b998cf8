"""Per-seed rows that stay on the engine: Finding 5's chapter on a Parquet ``memorization`` file or folder.

:class:`SeedRows` gives the finding what it reads of the per-seed rows, each the pandas function's result on
the loaded rows (``tests/test_engine_seedrows.py`` compares them): the table of episodes by method and N
(:func:`evalpatterns.memorization.episodes_table`), Hedges' g from the seeds
(:func:`evalpatterns.memorization.effect_sizes_from_seeds`) and the number of rows with a seed.
"""
from __future__ import annotations

import pandas as pd

from .steplog import OnEngine


class SeedRows(OnEngine):
    """The ``memorization`` rows at a path, left on the engine."""

    kind = "memorization"

    def episodes_table(self) -> pd.DataFrame:
        from . import episodes_table

        return episodes_table(self.path, self.engine, self.spark_master, self.con)

    def effect_sizes_from_seeds(self, reference: str = "supervised", confidence: float = 0.95) -> pd.DataFrame:
        from . import effect_sizes_from_seeds

        return effect_sizes_from_seeds(self.path, reference, confidence, self.engine, self.spark_master, self.con)

    def n_seed_rows(self) -> int:
        """The number of rows that name a seed."""
        table = self.table
        return int(self.con.execute(table.aggregate(n=table.seed.count()))["n"].iloc[0])
