"""The data contract: one schema per kind of observation in ``data/``.

Each schema lists its columns (type, whether a value is required, allowed values, bounds, unit) and the key
that identifies one observation. ``data/README.md`` is the human-readable form of the same contract; a test
checks that the two agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

STATUSES = ("measured", "figure", "illustrative", "pending")
STATUS_MEANING = {
    "measured": "reported as a measurement in the post, the meta-analysis or the source repository",
    "figure": "read off one of the post's figures (a measurement exists, its value is approximate)",
    "illustrative": "drawn in a figure with no run behind it",
    "pending": "the text says the run has not been done; the value shown is the one a figure drew",
}


@dataclass(frozen=True)
class Column:
    """One column of a data file.

    ``kind`` is ``str``, ``float``, ``int`` or ``bool``. ``required`` means every row needs a value; a column
    that is not required may be left out of the file altogether (it is loaded as an empty column).
    """

    name: str
    kind: str
    description: str
    required: bool = True
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    unit: str = ""

    @property
    def optional(self) -> bool:
        """Whether the whole column may be absent from the file: any column that is not required."""
        return not self.required

    def expectation(self) -> str:
        """A short phrase saying what a valid value of this column is."""
        if self.allowed is not None:
            return "one of " + ", ".join(self.allowed)
        text = {"str": "text", "float": "a number", "int": "a whole number", "bool": "true or false"}[self.kind]
        if self.minimum is not None and self.maximum is not None:
            text += f" in [{self.minimum:g}, {self.maximum:g}]"
        elif self.minimum is not None:
            text += f" > {self.minimum:g}" if self.exclusive_minimum else f" >= {self.minimum:g}"
        return text


@dataclass(frozen=True)
class Schema:
    """The columns and key of one data file."""

    name: str
    filename: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    row_rules: tuple[str, ...] = field(default=())
    bundled: bool = True  # False: part of the contract, but data/ holds no such file (no chapter needs one)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if not c.optional]


def _provenance() -> tuple[Column, ...]:
    return (
        Column("status", "str", "how the value is known", allowed=STATUSES),
        Column("source", "str", "where the value comes from: post table, meta-analysis, figure number"),
        Column("note", "str", "free-text remark on the row", required=False),
    )


RATE = dict(minimum=0.0, maximum=1.0, unit="fraction")


def _measure(rate: str, what: str, **bounds) -> tuple[Column, ...]:
    """The optional columns that say how well a stored rate is known: a range when only a range was reported,
    the number of items (and correct items), its standard error and the eval set it was measured on."""
    return (
        Column(f"{rate}_low", "float", f"low end of a reported range of {what} (such as 0-3%)", required=False,
               **bounds),
        Column(f"{rate}_high", "float", f"high end of a reported range of {what}", required=False,
               **bounds),
        Column("n_correct", "int", "items answered correctly", required=False, minimum=0),
        Column("n_eval", "int", "items evaluated", required=False, minimum=1),
        Column("stderr", "float", f"standard error of {what}, on its scale", required=False,
               minimum=0),
        Column("eval_set", "str", f"name of the eval set {what} was measured on (e.g. a 50-question subset); "
               "values from different eval sets are not directly comparable", required=False),
    )


CAPABILITY = Schema(
    "capability",
    "capability.csv",
    "Task performance by model size, before and after training (Finding 1).",
    (
        Column("project", "str", "project the result comes from"),
        Column("task", "str", "task evaluated"),
        Column("params_b", "float", "model size", minimum=0, exclusive_minimum=True, unit="billions of parameters"),
        Column("stage", "str", "before (base) or after (trained) task training", allowed=("base", "trained")),
        Column("value", "float", "score on the task, on the scale 0..scale_max", minimum=0),
        Column("scale_max", "float", "top of the score's scale: 1 for rates, 10 for a 0-10 score",
               minimum=0, exclusive_minimum=True),
        Column("higher_is_better", "bool", "whether a higher value is better on this task; empty means true",
               required=False),
        *_measure("value", "the value", minimum=0),
        *_provenance(),
    ),
    key=("project", "task", "params_b", "stage"),
    row_rules=("value <= scale_max", "n_correct <= n_eval", "value_low <= value_high",
               "one higher_is_better per (project, task)"),
)

MODE_COLLAPSE = Schema(
    "mode_collapse",
    "mode_collapse.csv",
    "Fine-tuning attempts of one model across learning rates and LoRA ranks (Finding 2).",
    (
        Column("attempt", "int", "attempt number; empty for a settings cell with no run", required=False),
        Column("model", "str", "model fine-tuned"),
        Column("learning_rate", "float", "learning rate", minimum=0, exclusive_minimum=True),
        Column("lora_rank", "int", "LoRA rank", minimum=1),
        Column("samples", "int", "training samples", required=False, minimum=1),
        Column("accuracy", "float", "validation accuracy; empty where no run exists or only a range is known",
               required=False, **RATE),
        *_measure("accuracy", "the accuracy", **RATE),
        Column("sample_output", "str", "a typical model output, where reported", required=False),
        Column("lora_alpha", "float", "LoRA alpha", required=False, minimum=0),
        Column("rslora", "bool", "rank-stabilised LoRA on", required=False),
        Column("epochs", "float", "training epochs", required=False, minimum=0),
        Column("effective_batch", "int", "effective batch size", required=False, minimum=1),
        Column("dropout", "float", "LoRA dropout", required=False, **RATE),
        Column("target_modules", "str", "LoRA target modules", required=False),
        *_provenance(),
    ),
    key=("model", "learning_rate", "lora_rank", "attempt"),
    row_rules=("n_correct <= n_eval", "accuracy_low <= accuracy_high"),
)

ROI = Schema(
    "roi",
    "roi.csv",
    "Time spent and accuracy reached by each training attempt and by the model switch (Finding 3).",
    (
        Column("approach", "str", "name of the attempt"),
        Column("kind", "str", "training attempt, model switch, or the baseline reference point",
               allowed=("training", "model_switch", "baseline")),
        Column("model", "str", "model evaluated", required=False),
        Column("params_b", "float", "model size", required=False, minimum=0,
               exclusive_minimum=True, unit="billions of parameters"),
        Column("minutes", "float", "wall-clock time spent", minimum=0, unit="minutes"),
        Column("accuracy", "float", "accuracy reached; empty when only a range is known", required=False, **RATE),
        *_measure("accuracy", "the accuracy", **RATE),
        *_provenance(),
    ),
    key=("approach",),
    row_rules=("accuracy or both of accuracy_low, accuracy_high", "accuracy_low <= accuracy_high",
               "n_correct <= n_eval"),
)

DISTILLATION = Schema(
    "distillation",
    "distillation.csv",
    "Step log of hybrid (off-policy then on-policy) distillation runs (Finding 4).",
    (
        Column("run", "str", "run identifier"),
        Column("method", "str", "distillation method or condition the run belongs to (several seeds of one "
               "condition share it); empty when the study has one method", required=False),
        Column("family", "str", "model family"),
        Column("student", "str", "student model"),
        Column("teacher", "str", "teacher model"),
        Column("gap", "float", "teacher size / student size", minimum=0, exclusive_minimum=True, unit="ratio"),
        Column("seed", "int", "random seed; empty when not reported", required=False),
        Column("step", "int", "training step", minimum=0),
        Column("phase", "str", "distillation phase", allowed=("off_policy", "on_policy")),
        Column("loss", "float", "training loss; empty where not logged", required=False),
        Column("score", "float", "on-policy reward score; empty where not logged", required=False),
        Column("kl", "float", "KL divergence student || teacher; empty where not logged", required=False,
               minimum=0),
        Column("eval_score", "float", "held-out evaluation score; empty where not logged", required=False),
        *_measure("eval_score", "the evaluation score"),
        *_provenance(),
    ),
    key=("run", "step"),
    row_rules=("n_correct <= n_eval", "eval_score_low <= eval_score_high"),
)

DISTILLATION_DOWNSTREAM = Schema(
    "distillation_downstream",
    "distillation_downstream.csv",
    "Downstream accuracy of each distillation method on each task, by model family (Finding 4).",
    (
        Column("method", "str", "distillation method or condition, as in distillation.csv's method"),
        Column("family", "str", "model family"),
        Column("task", "str", "downstream task evaluated"),
        Column("student", "str", "student model", required=False),
        Column("teacher", "str", "teacher model", required=False),
        Column("seed", "int", "random seed; empty for a single run or an aggregate over seeds", required=False),
        Column("accuracy", "float", "accuracy on the task; empty when only a range is known", required=False,
               **RATE),
        *_measure("accuracy", "the accuracy", **RATE),
        Column("higher_is_better", "bool", "whether a higher value is better on this task; empty means true",
               required=False),
        *_provenance(),
    ),
    key=("method", "family", "task", "seed"),
    row_rules=("accuracy or both of accuracy_low, accuracy_high", "accuracy_low <= accuracy_high",
               "n_correct <= n_eval"),
)

MEMORIZATION = Schema(
    "memorization",
    "memorization.csv",
    "Episodes to memorise N values, by learning method (Finding 5).",
    (
        Column("method", "str", "learning method", allowed=("supervised", "rl_eoe", "rl_step")),
        Column("n_values", "int", "problem size: values to memorise", minimum=1),
        Column("seed", "int", "random seed; empty for an aggregate over seeds", required=False),
        Column("episodes", "float", "episodes to converge; a lower bound when converged is false; "
               "empty when unknown", required=False, minimum=0, exclusive_minimum=True, unit="episodes"),
        Column("converged", "bool", "false: episodes is only a lower bound (budget hit), or unknown"),
        *_provenance(),
    ),
    key=("method", "n_values", "seed"),
)

EFFECT_SIZES = Schema(
    "effect_sizes",
    "effect_sizes.csv",
    "Published effect sizes, for when the per-seed data to recompute them is absent (Finding 5).",
    (
        Column("comparison", "str", "what is compared"),
        Column("method_a", "str", "first method", required=False,
               allowed=("supervised", "rl_eoe", "rl_step")),
        Column("method_b", "str", "second method", required=False,
               allowed=("supervised", "rl_eoe", "rl_step")),
        Column("n_values", "int", "problem size; empty (or absent) when the source does not give it",
               required=False, minimum=1),
        Column("hedges_g", "float", "Hedges' g, a minus b, in pooled standard deviations"),
        Column("p_value", "float", "p-value (or its bound)", **RATE),
        Column("p_value_bound", "str", "'upper' when the source gives only p < p_value", required=False,
               allowed=("upper", "exact")),
        Column("mean_a", "float", "published mean episodes of method a", required=False, minimum=0),
        Column("sd_a", "float", "published SD of method a", required=False, minimum=0),
        Column("n_a", "int", "seeds of method a", required=False, minimum=2),
        Column("mean_b", "float", "published mean episodes of method b", required=False, minimum=0),
        Column("sd_b", "float", "published SD of method b", required=False, minimum=0),
        Column("n_b", "int", "seeds of method b", required=False, minimum=2),
        *_provenance(),
    ),
    key=("comparison", "n_values"),
)

CLAIMS = Schema(
    "claims",
    "claims.csv",
    "The post's quantitative claims, each with the library computation that recomputes it (the audit).",
    (
        Column("id", "str", "claim identifier"),
        Column("finding", "int", "finding number (0: the post as a whole)", minimum=0, maximum=5),
        Column("source", "str", "where the claim is made: post or meta-analysis"),
        Column("quote", "str", "the claim, quoted"),
        Column("claimed", "float", "the claimed value in the claim's units (1/0 for a statement or label)"),
        Column("claimed_text", "str", "the claim's value as printed"),
        Column("decimals", "int", "decimal places the claim is printed to (its precision)", minimum=0),
        Column("kind", "str", "value, lower bound, label, statement or threshold",
               allowed=("value", "lower_bound", "label", "statement", "threshold")),
        Column("computation", "str", "name of the check in evalpatterns.audit that recomputes it"),
        Column("args", "str", "its arguments, name=value separated by ';'", required=False),
    ),
    key=("id",),
)

SCHEMAS: dict[str, Schema] = {
    s.name: s for s in (CAPABILITY, MODE_COLLAPSE, ROI, DISTILLATION, DISTILLATION_DOWNSTREAM, MEMORIZATION,
                         EFFECT_SIZES, CLAIMS)
}
