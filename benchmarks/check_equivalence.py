"""Differential check: the optimised loader and analyses against their code before optimisation.

    .venv/bin/python benchmarks/check_equivalence.py                 # 300 cases each, about a minute
    .venv/bin/python benchmarks/check_equivalence.py --cases 2000 --seed 7 --rev 70c28be

The reference is ``lib/evalpatterns/{io,distillation,memorization}.py`` as of git revision --rev (default: the
last commit before the optimisation), loaded beside the current package so that both use today's schemas.
Each case corrupts a real data file at random (bad cells, blank or ragged lines, stray quotes, a quote left
open, extra or repeated columns, a BOM, CRLF, invalid UTF-8, ...) and checks that ``io.check`` gives the same
problems (every field) and the same frame as the reference (extra columns aside: the reference kept them, the
optimised loader reads only the schema's columns), as CSV and as Parquet files of text or typed columns.
It then checks ``distillation.transitions`` and the memorization functions on altered logs. Not a test (it
is random and slow); a report of mismatches, each with the input kept for a look.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import io as _io
import random
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
REV = "70c28be"
TOKENS = ["", " ", "  x ", "abc", "1.5", "-0", "-0.0", "0", "1e999", "-1e400", "nan", "NaN", "Inf", "-infinity",
          "1_000", "\uff11\uff12", "0x10", "+.5", "5.", ".5e-3", "true", "FALSE", "yes", "No", "1", "maybe",
          '"quoted"', ' "q, r"', 'a"b', '"a""b"', "9007199254740993", "1e5", "12345678901234567890", "\t3",
          "\u00e9", "3 ", " 4", "2.0", "-3", "1e-320", "measured", "figure", "off_policy", "on_policy",
          "supervised", "rl_step", "base", "training", "0.5", "100", "7", "1,2", '"x\ny"', "\u00a012", "1.0e+03",
          "00012", "+-1", "1e5.5", "0.30000000000000004", "123456789012345678", "1E-5", '" 5"', "'7'", "+3e69",
          "+0.1234567890123456789", "-3e69", "1e-330", "-1e-330", "+5"]


def reference_module(name: str, rev: str):
    """``evalpatterns/<name>.py`` at ``rev``, imported as ``evalpatterns._reference_<name>``."""
    src = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:lib/evalpatterns/{name}.py"], check=True,
                         capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp(prefix="evalpatterns-ref-")) / f"{name}.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location(f"evalpatterns._reference_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def problems_of(result):
    frame, problems = result
    return frame, [(p.file, p.line, p.column, p.expected, p.found) for p in problems]


def same_check(ref, new, kind: str, path: Path, schema_names) -> str:
    def run(mod):
        try:
            return problems_of(mod.check(kind, path)), None
        except Exception as exc:  # noqa: BLE001
            return None, type(exc).__name__
    (r, re_), (n, ne_) = run(ref), run(new)
    if re_ or ne_:
        return "" if re_ == ne_ else f"exceptions {re_} / {ne_}"
    (rf, rp), (nf, np_) = r, n
    if rp != np_:
        return f"problems differ:\n  reference {rp[:4]}\n  optimised {np_[:4]}"
    if (rf is None) != (nf is None):
        return "one returned a frame, the other not"
    if rf is None:
        return ""
    cols = [c for c in rf.columns if c in schema_names]
    if list(nf.columns) != cols:
        return f"columns {list(nf.columns)} / {cols}"
    try:
        pd.testing.assert_frame_equal(rf[cols], nf, check_exact=True)
    except AssertionError as exc:
        return f"frames differ: {exc}"
    for c in cols:
        a, b = rf[c].to_numpy(), nf[c].to_numpy()
        if a.dtype.kind == "f" and not np.array_equal(np.signbit(a), np.signbit(b)):
            return f"sign of zero differs in {c}"
        if [type(x) for x in a] != [type(x) for x in b]:
            return f"cell types differ in {c}"
    return ""


def mutated_csv(rng: random.Random, text: str) -> bytes:
    rows = list(csv.reader(_io.StringIO(text)))
    eol = rng.choice(["\n", "\n", "\r\n"])
    for _ in range(rng.randint(1, 4)):
        m = rng.random()
        r = rng.randrange(1, len(rows))
        if m < 0.45:
            c = rng.randrange(len(rows[0]))
            if c < len(rows[r]):
                rows[r][c] = rng.choice(TOKENS)
        elif m < 0.55:
            rows.append(list(rows[r]))
        elif m < 0.65:
            rows[0].append(rng.choice(["extra", "comment", "extra"]))
            for row in rows[1:]:
                row.append(rng.choice(["", "x", " ", "y,z", "\u00e9"]))
        elif m < 0.70:
            rows[r] = rows[r][:-1]
        elif m < 0.74:
            rows[r] = rows[r] + ["more"]
        elif m < 0.80:
            rows.insert(r, [])
        elif m < 0.83:
            rows.insert(r, [""] * len(rows[0]))
        elif m < 0.86:
            rows[r] = ["  "] * len(rows[r])
        elif m < 0.89:
            c = rng.randrange(len(rows[0]))
            rows[0][c] = rng.choice([" " + rows[0][c], rows[0][c] + "x", rows[0][(c + 1) % len(rows[0])]])
        else:
            c = rng.randrange(len(rows[0]))
            for row in rows[1:]:
                if c < len(row):
                    row[c] = ""
    buf = _io.StringIO()
    csv.writer(buf, lineterminator=eol).writerows(rows)
    out = buf.getvalue()
    if rng.random() < 0.1:
        out = "\ufeff" + out
    if rng.random() < 0.1:
        out = out.rstrip("\r\n")
    if rng.random() < 0.1:
        out = out + eol + eol
    if rng.random() < 0.08:
        out = out.replace(",", ", ", rng.randint(1, 5))
    if rng.random() < 0.05:
        out = out.rstrip("\r\n") + rng.choice(['"', ',"x', '"x"y', 'a"'])
    if rng.random() < 0.1:
        parts = out.split(",")
        for _ in range(rng.randint(1, 3)):
            parts[rng.randrange(1, len(parts))] = rng.choice(['"ab"c', 'a"b', '"x"y"z"', '"a""b"', '""', '"a\nb"',
                                                              ' "s"', '"', '"q,r"'])
        out = ",".join(parts)
    data = out.encode("utf-8")
    if rng.random() < 0.05:
        i = rng.randrange(len(data))
        data = data[:i] + rng.choice([b"\xff", b"\x00", b"\xc3"]) + data[i:]
    return data


def check_loader(ref, new, rng, cases: int, work: Path) -> int:
    from evalpatterns.schema import SCHEMAS

    kinds = [k for k in SCHEMAS if (DATA / SCHEMAS[k].filename).exists()]
    fails = 0
    for i in range(cases):
        kind = rng.choice(kinds)
        schema = SCHEMAS[kind]
        data = mutated_csv(rng, (DATA / schema.filename).read_text(encoding="utf-8"))
        path = work / schema.filename
        path.write_bytes(data)
        variants = [("csv", path)]
        if rng.random() < 0.3:
            try:
                raw = pd.read_csv(path, dtype=str, keep_default_na=False)
                typed = ref.load(kind, path)
            except Exception:  # noqa: BLE001 - a file pandas cannot read has no Parquet twin
                raw = typed = None
            for label, frame in (("parquet-text", raw), ("parquet-typed", typed)):
                if frame is not None:
                    pq = work / f"{kind}.{label}.parquet"
                    try:
                        frame.to_parquet(pq)
                    except Exception:  # noqa: BLE001
                        continue
                    variants.append((label, pq))
        for label, p in variants:
            why = same_check(ref, new, kind, p, set(schema.names))
            if why:
                fails += 1
                keep = work / f"mismatch{i}-{label}{p.suffix}"
                keep.write_bytes(p.read_bytes())
                print(f"  loader mismatch ({kind}, {label}, kept as {keep}): {why[:600]}")
    return fails


def check_analyses(ref_d, ref_m, rng, cases: int) -> int:
    from evalpatterns import distillation, io, memorization

    log0 = io.load("distillation", DATA / "distillation.csv")
    mem0 = io.load("memorization", DATA / "memorization.csv")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import synthetic

    log1 = synthetic.distillation_frame(5000).pipe(lambda f: f.assign(seed=f["seed"].astype("Int64")))
    mem1 = synthetic.memorization_frame(5000).assign(converged=lambda f: f["converged"].eq("true"))
    fails = 0
    for i in range(cases):
        log = rng.choice([log0, log1]).copy()
        for _ in range(rng.randint(0, 5)):
            k = rng.randrange(len(log))
            m = rng.random()
            run = (log["run"] == log["run"].iloc[k]).to_numpy()

            def put(column, value):
                log.iloc[k, log.columns.get_loc(column)] = value
            if m < 0.2:
                put("kl", rng.choice([np.nan, 0.0, -0.0, 5.0]))
            elif m < 0.35:
                put("eval_score", rng.choice([np.nan, 0.0, 0.5]))
            elif m < 0.45:
                put("phase", rng.choice(["on_policy", "off_policy", "other"]))
            elif m < 0.55:
                log = log.sample(frac=1.0, random_state=rng.randrange(1000))
            elif m < 0.6:
                log = pd.concat([log, log.iloc[[k]]])
            elif m < 0.7:
                log.loc[run, "family"] = np.nan
            elif m < 0.8:
                log.loc[run, "phase"] = "off_policy"
            elif m < 0.9:
                log = log.astype({"run": object, "family": object})
            else:
                log.loc[run, "eval_score"] = np.nan
        kw = rng.choice([{}, {"complete_below": 0.25}, {"partial_drop": 0.95}])
        try:
            pd.testing.assert_frame_equal(distillation.transitions(log, **kw), ref_d.transitions(log, **kw),
                                          check_exact=True)
        except AssertionError as exc:
            fails += 1
            print(f"  transitions mismatch (case {i}): {str(exc)[:400]}")
        mem = rng.choice([mem0, mem1]).copy()
        for _ in range(rng.randint(0, 4)):
            k = rng.randrange(len(mem))
            m = rng.random()

            def put(column, value):
                mem.iloc[k, mem.columns.get_loc(column)] = value
            if m < 0.3:
                put("episodes", np.nan)
            elif m < 0.5:
                mem = mem.astype({"converged": object})
                put("converged", rng.choice([None, False, True]))
            elif m < 0.7:
                put("status", rng.choice(["weird", np.nan, "pending"]))
            elif m < 0.8:
                mem = mem.sample(frac=1.0, random_state=rng.randrange(100))
            else:
                put("seed", np.nan)
        try:
            a, b = memorization.episodes_table(mem), ref_m.episodes_table(mem)
            pd.testing.assert_frame_equal(a, b, check_exact=True)
            pd.testing.assert_frame_equal(memorization.sl_advantage(a), ref_m.sl_advantage(b), check_exact=True)
            pd.testing.assert_frame_equal(memorization.scaling_fits(a), ref_m.scaling_fits(b), check_exact=True)
            pd.testing.assert_frame_equal(memorization.effect_sizes_from_seeds(mem),
                                          ref_m.effect_sizes_from_seeds(mem), check_exact=True)
        except AssertionError as exc:
            fails += 1
            print(f"  memorization mismatch (case {i}): {str(exc)[:400]}")
    return fails


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rev", default=REV, help="git revision of the reference code")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    from evalpatterns import io

    ref_io = reference_module("io", args.rev)
    ref_d = reference_module("distillation", args.rev)
    ref_m = reference_module("memorization", args.rev)
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="evalpatterns-equivalence-"))
    print(f"loader: {args.cases} corrupted files against io.py at {args.rev} (work folder {work})")
    loader = check_loader(ref_io, io, rng, args.cases, work)
    print(f"  {loader} mismatches")
    print(f"analyses: {args.cases} altered logs and seed tables against {args.rev}")
    analyses = check_analyses(ref_d, ref_m, rng, args.cases)
    print(f"  {analyses} mismatches")
    if not loader:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if loader or analyses else 0


if __name__ == "__main__":
    sys.exit(main())
