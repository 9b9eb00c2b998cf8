"""What a check reads: the data and parameters of the chapter being audited."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from .. import collapse, distillation, memorization, roi

@dataclass
class Context:
    """The data and parameters a chapter audits with; derived results are computed once, on demand."""

    capability: pd.DataFrame | None = None
    mode_collapse: pd.DataFrame | None = None
    roi: pd.DataFrame | None = None
    distillation: pd.DataFrame | None = None
    memorization: pd.DataFrame | None = None
    effect_sizes: pd.DataFrame | None = None
    params: dict = field(default_factory=dict)
    _cache: dict = field(default_factory=dict)

    def p(self, name: str, default):
        return self.params.get(name, default)

    def get(self, name: str, make: Callable):
        if name not in self._cache:
            self._cache[name] = make()
        return self._cache[name]

    @property
    def runs(self) -> pd.DataFrame:
        return self.get("runs", lambda: collapse.classify_collapse(self.mode_collapse, self.p("collapse_accuracy", 0.10)))

    @property
    def roi_table(self) -> pd.DataFrame:
        return self.get("roi_table", lambda: roi.roi_table(self.roi, self.p("baseline_accuracy", 0.73)))

    @property
    def switch(self):
        return self.get("switch", lambda: roi.switch_vs_training(self.roi_table))

    @property
    def transitions(self) -> pd.DataFrame:
        return self.get("transitions", lambda: distillation.transitions(
            self.distillation, self.p("complete_below", 0.01), self.p("partial_drop", 0.25)))

    @property
    def episodes(self) -> pd.DataFrame:
        return self.get("episodes", lambda: memorization.episodes_table(self.memorization))

    @property
    def advantage(self) -> pd.DataFrame:
        return self.get("advantage", lambda: memorization.sl_advantage(self.episodes))

    @property
    def seed_effects(self) -> pd.DataFrame:
        return self.get("seed_effects", lambda: memorization.recomputed_effect_sizes(
            self.memorization, self.effect_sizes if self.effect_sizes is not None else pd.DataFrame()))


