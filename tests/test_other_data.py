"""Every chapter re-executed on data with other numbers than the post's (``tests/otherdata.py``).

The whole book is built once on a complete alternative data folder; for every chapter the glued values in
``results.json`` must equal the library's computation on that data (the same functions and parameters the
chapter uses), its tables must hold the right rows, and its page must show the new numbers and none of the
post's. Then single chapters are run (``evalpatterns run``, two at a time) on valid but unusual data: nothing
collapsed, everything collapsed, no phase change, no KL logged, one point where a fit needs two, every RL run
censored. They must be analysed, not crashed on, and the prose must say what that data shows.
"""
from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import otherdata
from books import build_on, chapter_results
from htmlcheck import expected_table, html_table
from evalpatterns import audit, build, findings, io, memorization, report, tables, tables_downstream
from evalpatterns import chapters as registry
from evalpatterns import formatting as fmt
from evalpatterns import page as page_module
from evalpatterns.words import summary as summary_words
from evalpatterns.words.audit import audit_values

pytestmark = pytest.mark.book

KINDS = ("capability", "mode_collapse", "roi", "distillation", "memorization", "effect_sizes")
#: Chapters whose content comes from the data folder (bring-your-own-data runs its own example file).
DATA_CHAPTERS = ("introduction", "capability-cliff", "mode-collapse", "model-switch-roi", "hybrid-distillation",
                 "sl-vs-rl", "summary")
FINDINGS = DATA_CHAPTERS[1:]

#: Numbers and names that only the post's data produces: none may appear on a page built from other data.
POST_NUMBERS = (
    # Finding 1
    "40%", "95%", "54%", "37%", "+55", "\u221217", "31.5%", "2.8/10",
    # Finding 2
    "5e-6", "5e-5", "2e-4", "73.5%", "10x", "4x",
    # Finding 3
    "2h 47m", "167", "166.6", "38x", "1,266x", "1,269x", "+19", "92%", "+0.5", "3.8", "4.6x", "61\u201373%", "73%",
    "0.0030",
    # Finding 4
    "363x", "361x", "5.4453", "4.3808", "0.015", "0.266", "0.269", "70x", "7.5x",
    # Finding 5
    "909x+", "27x", "9x", "549x", "41x", "4,545x+", "4545x+", "6,040", "10,000+", "50,000+", "301", "451", "0.42",
    "\u22128.2", "\u221215.3", "\u221212.1",
)
POST_NAMES = ("DeepSeek", "Qwen", "Llama", "Open Character", "GAN Jokes", "10000000")
#: Tables that quote the post's claims (and so its numbers) beside the recomputed values.
AUDIT_TABLES = ("tbl-claims", "tbl-audit")


# -- reading pages -----------------------------------------------------------------------------------------

def _article(soup: BeautifulSoup):
    return soup.select_one("article.bd-article") or soup.select_one("main") or soup.body or soup


def visible_text(soup: BeautifulSoup, drop_ids: tuple[str, ...] = (), drop_prefixes: tuple[str, ...] = ()) -> str:
    """What a reader sees of the chapter: prose, tables and captions, without code, nav or scripts (and without
    the elements whose id is in ``drop_ids`` or starts with one of ``drop_prefixes``)."""
    soup = BeautifulSoup(str(_article(soup)), "html.parser")
    for node in soup.select("div.cell_input, pre, script, style, nav"):
        node.decompose()
    for node in soup.find_all(id=True):
        if not node.decomposed and (node["id"] in drop_ids or node["id"].startswith(drop_prefixes)):
            node.decompose()
    return " ".join(soup.get_text(" ", strip=True).split())


def prose(soup: BeautifulSoup) -> list[str]:
    """The chapter's paragraphs and list items, outside tables, figures and code."""
    out = []
    for node in _article(soup).select("p, li"):
        if node.find_parent(["table", "figcaption", "figure", "pre", "details"]) or \
                node.find_parent("div", class_="cell"):
            continue
        if node.name == "li" and node.find("p"):
            continue
        text = " ".join(node.get_text(" ", strip=True).split())
        if text:
            out.append(text)
    return out


def section_prose(soup: BeautifulSoup, section_id: str) -> list[str]:
    node = soup.find(id=section_id)
    assert node is not None, f"no section {section_id}"
    return prose(BeautifulSoup(str(node), "html.parser"))


def pasted(soup: BeautifulSoup) -> list[str]:
    return [" ".join(s.get_text().split()) for s in _article(soup).select("span.pasted-text")]


def glue_names(chapter_id: str) -> list[str]:
    """The ``{glue:text}`` names of a chapter's prose, in order (with any format spec)."""
    return re.findall(r"\{glue:text\}`([^`]+)`", registry.get(chapter_id).source.read_text())


def shown(value, spec: str = "") -> str:
    """A glued value as ``{glue:text}`` shows it (myst-nb: ``str`` or ``format`` of the plain value)."""
    value = report.plain(value)
    value = "n/a" if value is None else value
    return " ".join((format(value, spec) if spec else str(value)).split())


def post_numbers_in(text: str) -> list[str]:
    # a confidence level is not the post's 95% success rate
    text = re.sub(r"\b95% (CI|confidence|interval)", r"\1", text)
    found = [tok for tok in POST_NUMBERS
             if re.search(r"(?<![\w.,+\u2212-])" + re.escape(tok) + r"(?![\w%]|[.,]\d)", text)]
    return found + [name for name in POST_NAMES if name in text]


# -- the library's side: what each chapter should glue --------------------------------------------------------
# Every finding chapter makes the same calls (page.finding, page.show, page.audit); these make them again on the
# same files and parameters, through the finding's one analysis.

def _finding_page(chapter_id: str, p: dict):
    """A finding chapter's data, result and audit, as the chapter makes them."""
    module = findings.module(chapter_id)
    data, result = page_module.finding(module, p)
    audited = audit.audit(io.load("claims", p["claims_csv"]), audit.Context.from_results([result]), module.NUMBER)
    return data, result, audited


def _words(chapter_id: str):
    return importlib.import_module(f"evalpatterns.words.{findings.module(chapter_id).__name__.rsplit('.', 1)[1]}")


def library_values(chapter_id: str, p: dict) -> dict:
    """Every value ``chapter_id`` glues, computed here from its data files and parameters ``p``."""
    if chapter_id == "introduction":
        frames = [io.load(q.data, p[q.name]) for q in registry.get("introduction").data_parameters]
        params = {**json.loads(p["book_parameters"]).get("summary", {}), **p}
        return {**summary_words.values(page_module.all_results(params)), "n_files": len(frames),
                "n_rows": sum(len(f) for f in frames),
                "n_measured": sum(int(f["status"].eq("measured").sum()) for f in frames)}
    if chapter_id in findings.CHAPTERS:
        data, result, audited = _finding_page(chapter_id, p)
        own = page_module.data_files_values(data.paths)
        return {**_words(chapter_id).values(result), **own, **audit_values(audited, own_data=own["book_data"]),
                "claim_text": findings.module(chapter_id).CLAIM}
    if chapter_id == "summary":
        results = page_module.all_results(p)
        audited = audit.audit(io.load("claims", p["claims_csv"]), audit.Context.from_results(results))
        own = page_module.data_files_values({k: p[f"{k}_csv"] for k in registry.DATA_KINDS})["book_data"]
        return {**summary_words.values(results), **audit_values(audited, prefix="all_claims", own_data=own)}
    raise KeyError(chapter_id)


def library_tables(chapter_id: str, p: dict) -> dict[str, tuple]:
    """``table id -> (display frame the page shows, number of records results.json should hold)``."""
    if chapter_id == "introduction":
        kinds = [q.data for q in registry.get("introduction").data_parameters]
        frames = {f"{k}.csv": io.load(k, p[f"{k}_csv"]) for k in kinds}
        return {"tbl-provenance": (tables.provenance_table(frames), len(kinds))}
    if chapter_id == "summary":
        results = page_module.all_results(p)
        audited = audit.audit(io.load("claims", p["claims_csv"]), audit.Context.from_results(results))
        failing = audited[audited["verdict"] != "holds"]
        return {"tbl-audit-counts": (tables.audit_by_finding(audited), len(tables.audit_by_finding(audited))),
                "tbl-audit": (tables.failing_claims(audited), len(failing))}
    if chapter_id not in findings.CHAPTERS:
        return {}
    _, result, audited = _finding_page(chapter_id, p)
    name = {"capability-cliff": "capability", "mode-collapse": "collapse", "model-switch-roi": "roi",
            "hybrid-distillation": "distillation", "sl-vs-rl": "memorization"}[chapter_id]
    failing, holding = tables.claims_by_outcome(audited)  # failing claims first, those that hold folded
    parts = {"": failing, "-holds": holding} if len(failing) else {"": holding}
    out = {f"tbl-claims-{name}{suffix}": (tables.claims_display(part), len(part))
           for suffix, part in parts.items() if len(part) or not suffix}
    if chapter_id == "capability-cliff":
        out.update({"tbl-capability": (tables.capability_table(result.data, p["small_b"], p["large_b"]),
                                       len(result.data)),
                    "tbl-capability-derived": (tables.gap_table(result.gaps, result.changes, p["small_b"],
                                                                p["large_b"]), len(result.gaps))})
    elif chapter_id == "mode-collapse":
        out["tbl-collapse"] = (tables.collapse_table(result.runs), int((result.runs["outcome"] != "no run").sum()))
    elif chapter_id == "model-switch-roi":
        out.update({"tbl-roi": (tables.roi_display(result.table), len(result.table)),
                    "tbl-switch": (tables.switch_display(result.summary), len(result.table))})
    elif chapter_id == "hybrid-distillation":
        log, shown = result.log, result.excerpt_run
        out.update({"tbl-log-excerpt": (tables.log_excerpt(log, shown), int(log["run"].eq(shown).sum())),
                    "tbl-severity": (tables.severity_table(result.transitions), len(result.transitions))})
        if result.downstream_table is not None:  # an optional input
            out["tbl-downstream"] = (tables_downstream.downstream_display(result.downstream_table),
                                     len(result.downstream_table))
    else:
        effects = tables.effect_size_display(result.effect_sizes, result.seed_effects)
        out.update({"tbl-episodes": (tables.episodes_display(result.episodes, result.advantage),
                                     len(result.advantage)),
                    "tbl-scaling": (tables.scaling_display(result.fits), len(result.fits)),
                    # one record per comparison shown: recomputed ones included, not only the published file
                    "tbl-effect-sizes": (effects, len(effects))})
    return out


def mismatches(results: dict, expected: dict) -> list[str]:
    """Where glued values in results.json differ from the library's (numbers approximately, text exactly)."""
    problems = []
    for name, value in expected.items():
        want = report.plain(value)
        want = None if want == "n/a" else want  # results.json holds null where the page shows "n/a"
        if name not in results:
            problems.append(f"{name}: missing from results.json (the library gives {want!r})")
            continue
        got = results[name]
        if isinstance(want, bool) or isinstance(got, bool):
            ok = got is want
        elif isinstance(want, (int, float)) and isinstance(got, (int, float)):
            ok = got == pytest.approx(want, rel=1e-9, abs=1e-12)
        else:
            ok = got == want
        if not ok:
            problems.append(f"{name}: results.json has {got!r}, the library gives {want!r}")
    return problems


def expected_pasted(chapter_id: str, values: dict, results: dict) -> list[str]:
    """What each ``{glue:text}`` of the chapter should show, in order: the library's value, or the chapter's
    own result for a name the library's functions do not produce."""
    out = []
    for ref in glue_names(chapter_id):
        name, _, spec = ref.partition(":")
        out.append(shown(values[name] if name in values else results.get(name, f"<{name} not glued>"), spec))
    return out


# -- the whole book on other data ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return otherdata.write_other_data(tmp_path_factory.mktemp("other-data"))


@pytest.fixture(scope="module")
def book(data_dir, tmp_path_factory) -> Path:
    return build_on(data_dir, tmp_path_factory.mktemp("other-book"), "valid data with other numbers",
                    otherdata.BOOK_OVERRIDES)


@pytest.fixture(scope="module")
def results(book) -> dict:
    return chapter_results(book)


def params(chapter_id: str, data_dir: Path) -> dict:
    """The chapter's parameters in the book built on ``data_dir`` (the front page reads the summary's, as
    ``evalpatterns build`` hands them to it)."""
    p = build.resolve_parameters(chapter_id, otherdata.BOOK_OVERRIDES.get(chapter_id), data_dir)
    if chapter_id == "introduction":
        p["book_parameters"] = json.dumps({"summary": params("summary", data_dir)})
    return p


def page(book: Path, chapter_id: str) -> BeautifulSoup:
    return BeautifulSoup((book / "chapters" / f"{chapter_id}.html").read_text(), "html.parser")


def test_other_data_is_valid_and_differs_from_the_post(data_dir):
    for kind in KINDS:
        assert io.validate(kind, data_dir / f"{kind}.csv") == [], kind
        frame = io.load(kind, data_dir / f"{kind}.csv")
        assert frame["status"].notna().all() and frame["source"].notna().all(), kind
        default = (registry.ROOT / "data" / f"{kind}.csv").read_bytes()
        assert (data_dir / f"{kind}.csv").read_bytes() != default, kind


@pytest.mark.parametrize("chapter_id", DATA_CHAPTERS)
def test_results_json_equals_the_library_on_the_same_data(results, data_dir, chapter_id):
    expected = library_values(chapter_id, params(chapter_id, data_dir))
    problems = mismatches(results[chapter_id], expected)
    assert not problems, f"{chapter_id}:\n" + "\n".join(problems)


@pytest.mark.parametrize("chapter_id", DATA_CHAPTERS)
def test_tables_show_the_new_data_and_hold_every_row(book, results, data_dir, chapter_id):
    soup = page(book, chapter_id)
    for name, (display, n_records) in library_tables(chapter_id, params(chapter_id, data_dir)).items():
        assert html_table(soup, name) == expected_table(display), f"{chapter_id}: {name}"
        assert len(results[chapter_id][name]) == n_records, f"{chapter_id}: {name} in results.json"


@pytest.mark.parametrize("chapter_id", DATA_CHAPTERS)
def test_prose_shows_the_librarys_values(book, results, data_dir, chapter_id):
    values = library_values(chapter_id, params(chapter_id, data_dir))
    assert pasted(page(book, chapter_id)) == expected_pasted(chapter_id, values, results[chapter_id])


@pytest.mark.parametrize("chapter_id", DATA_CHAPTERS)
def test_no_number_of_the_posts_appears(book, chapter_id):
    soup = page(book, chapter_id)
    # the data manifest's SHA-256 digests are hex strings that may contain any digits; the claims audit quotes
    # the post's claims (with the numbers the post printed) beside what this data gives
    text = visible_text(soup, drop_ids=("tbl-built-from",), drop_prefixes=AUDIT_TABLES)
    assert post_numbers_in(text) == [], chapter_id
    assert "55" not in pasted(soup), f"{chapter_id}: the post's 55-point gap"


@pytest.mark.parametrize("chapter_id", FINDINGS)
def test_prose_has_no_unfilled_values(book, chapter_id):
    """Every value the prose names exists in this data, so no sentence should read 'n/a'."""
    bad = [p for p in prose(page(book, chapter_id)) if "n/a" in p]
    assert bad == [], chapter_id


def test_new_numbers_reach_every_finding(book):
    """A few hand-worked numbers of the other data (see tests/otherdata.py), as the reader sees them."""
    seen = {c: pasted(page(book, c)) for c in FINDINGS}
    cap = " ".join(seen["capability-cliff"])
    for words in ("8B is 60 percentage points better than 3B (90% at 8B against 30% at 3B)",
                  "training the 3B model improved it from 45% to 58%: +13 points, or 28.9% of where it started",
                  "The data support the post's claim"):
        assert words in cap, words
    assert "3x" in " ".join(seen["mode-collapse"]) and "1e-5" in " ".join(seen["mode-collapse"])
    switch = " ".join(seen["model-switch-roi"])
    # 50 + 25 + 8 = 83 minutes for +3.0 points; the switch +33 points in 7 minutes; 33 / 3 = 11x; ROI 130x
    for value in ("1h 23m", "7m", "+33.0 points", "+3.0 points", "is 11x", "returns 130x", "55%"):
        assert value in switch, value
    assert "80x" in " ".join(seen["hybrid-distillation"]) and "step 30" in " ".join(seen["hybrid-distillation"])
    # at N = 40: supervised 16.5 (mean of 4 seeds), RL-EoE 405 (405 / 16.5 = 24.5x), RL-Step 12,125 (734.8x)
    bars = next(t for t in seen["sl-vs-rl"] if t.startswith("At N = 40,"))
    assert all(x in bars for x in ("16.5 episodes", "405 (24.5x as many", "12,125 (735x as many")), bars
    summary = " ".join(seen["summary"])
    for value in ("+33.0 points in 7m", "1h 23m", "60 percentage points", "735x"):
        assert value in summary, value


def test_hedges_g_is_recomputed_from_per_seed_rows(book, results, data_dir):
    p = params("sl-vs-rl", data_dir)
    mem = io.load("memorization", p["memorization_csv"])
    published = io.load("effect_sizes", p["effect_sizes_csv"])
    recomputed = memorization.effect_sizes_from_seeds(mem)
    # RL-EoE at N = 8, 40, 200 and RL-Step at 8 and 40; RL-Step at 200 is censored in every seed
    assert sorted(zip(recomputed["method_b"], recomputed["n_values"])) == \
        [("rl_eoe", 8), ("rl_eoe", 40), ("rl_eoe", 200), ("rl_step", 8), ("rl_step", 40)]
    rows = html_table(page(book, "sl-vs-rl"), "tbl-effect-sizes")
    assert rows == expected_table(tables.effect_size_display(published, memorization.recomputed_effect_sizes(mem, published)))
    for r in recomputed.itertuples():
        row = next(x for x in rows if x[1] == fmt.number(r.n_values) and
                   x[0] == f"Supervised vs {memorization.METHOD_LABELS[r.method_b]}")
        assert row[2] == fmt.decimal(r.hedges_g, 1)
        assert row[3] == f"{fmt.decimal(r.ci_low, 1)} to {fmt.decimal(r.ci_high, 1)}"
        assert "recomputed" in row[5] and "4 + 4 seeds" in row[5]
    # the published value superseded by the seeds is not shown; the one that cannot be recomputed is
    assert not any(x[2] == "\u22126.4" for x in rows) and any(x[2] == "\u221233.3" for x in rows)
    # results.json holds the recomputed g and interval for a script to read, not only the published file
    records = results["sl-vs-rl"]["tbl-effect-sizes"]
    for r in recomputed.itertuples():
        match = [x for x in records if x.get("n_values") == r.n_values and x.get("method_b") == r.method_b
                 and x.get("hedges_g") is not None and x["hedges_g"] == pytest.approx(r.hedges_g)]
        assert match, f"results.json tbl-effect-sizes lacks the recomputed g for {r.method_b} at N = {r.n_values}"
        assert match[0].get("ci_low") == pytest.approx(r.ci_low) and match[0].get("ci_high") == pytest.approx(r.ci_high)


def _checker():
    problems: list[str] = []

    def check(chapter_id, condition, what):
        if not condition:
            problems.append(f"{chapter_id}: {what}")
    return problems, check


def test_capability_prose_describes_this_data(book):
    """Sentences written for the post's data must not be stated about data where they are false."""
    problems, check = _checker()
    cap = page(book, "capability-cliff")
    text = " ".join(prose(cap))
    # the other data has no 1B row and no repetition-avoidance task
    check("capability-cliff", "1B row" not in text, "says 'the whole 1B row' is hatched; the data has no 1B row")
    check("capability-cliff", "repetition-avoidance" not in text,
          "names repetition-avoidance scores; the data has no such task")
    alts = " ".join(img.get("alt", "") for img in _article(cap).select("img"))
    check("capability-cliff", "1B" not in alts, "figure alt text lists a 1B size; the data has none")
    assert not problems, "\n".join(problems)


def test_roi_prose_describes_this_data(book):
    """Sentences written for the post's data must not be stated about data where they are false."""
    problems, check = _checker()
    sw = page(book, "model-switch-roi")
    text = " ".join(prose(sw))
    caption = " ".join(c.get_text(" ", strip=True) for c in _article(sw).select("figcaption"))
    alts = " ".join(img.get("alt", "") for img in _article(sw).select("img"))
    # no attempt of the other data reports only a range of accuracies
    check("model-switch-roi", "only a range" not in text, "says an attempt reported only a range; none did")
    check("model-switch-roi", "range of accuracy it reported" not in caption,
          "figure caption describes a range bar on the first attempt; no attempt has a range")
    check("model-switch-roi", "four training attempts" not in alts, "alt text says four training attempts; "
          "the data has three")
    # the switched-to model (34B) is 34 / 12 = 2.83x larger than the baseline model (12B)
    size = next((s for s in prose(sw) if "than the baseline model" in s), "")
    check("model-switch-roi", "2.83x larger" in size, f"size sentence should say 2.83x larger; it says: {size!r}")
    assert not problems, "\n".join(problems)


# -- single chapters on valid but unusual data ---------------------------------------------------------------

def rl_faster_csv(folder) -> Path:
    """memorization.csv (aggregates) telling Finding 5's opposite story: at every N both RL methods converged
    in fewer episodes than supervised learning (supervised 100-400, RL-EoE 20-80, RL-Step 60-290)."""
    rows = [[m, n, None, e, "true", "measured", "opposite story", ""]
            for m, eps in (("supervised", (100, 200, 300, 400)), ("rl_eoe", (20, 40, 60, 80)),
                           ("rl_step", (60, 120, 180, 290)))
            for n, e in zip((10, 100, 500, 1000), eps)]
    return otherdata._write(Path(folder) / "memorization.csv", otherdata.MEMORIZATION_HEADER, rows)


def no_cliff_csv(folder) -> Path:
    """The opposite story for Finding 1: 3B at least as good as 8B on every task, one of them a break rate (lower
    is better) that training at 8B lowered from 65% to 35%."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "capability.csv"
    path.write_text("project,task,params_b,stage,value,scale_max,higher_is_better,status,source\n"
                    "Lab,Structured output,3,base,0.82,1,,measured,test\n"
                    "Lab,Structured output,8,base,0.80,1,,measured,test\n"
                    "Lab,Tool calling,3,base,0.70,1,,measured,test\n"
                    "Lab,Tool calling,8,base,0.66,1,,measured,test\n"
                    "Lab,Break rate,3,base,0.30,1,false,measured,test\n"
                    "Lab,Break rate,8,base,0.65,1,false,measured,test\n"
                    "Lab,Break rate,8,trained,0.35,1,false,measured,test\n")
    return path


def eval_sets_differ_csv(folder) -> Path:
    """Finding 3 with the switch's 46/50 on a 50-question subset against a baseline's 146/200 on the full set."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "roi.csv"
    path.write_text("approach,kind,minutes,accuracy,n_correct,n_eval,eval_set,status,source\n"
                    "Base,baseline,0,0.73,146,200,full set (200),measured,test\n"
                    "Train,training,60,0.74,148,200,full set (200),measured,test\n"
                    "Switch,model_switch,5,0.92,46,50,subset (50 of 200),measured,test\n")
    return path


CASES = {
    # name: (chapter, writer, overrides)
    "eval-sets-differ": ("model-switch-roi", eval_sets_differ_csv, {}),
    "no-cliff": ("capability-cliff", no_cliff_csv, {}),
    "nothing-collapsed": ("mode-collapse", otherdata.nothing_collapsed_csv, {}),
    "all-collapsed": ("mode-collapse", otherdata.all_collapsed_csv, {}),
    "no-phase-change": ("hybrid-distillation", otherdata.no_phase_change_csv, {}),
    "no-kl": ("hybrid-distillation", otherdata.no_kl_csv, {}),
    "one-point": ("sl-vs-rl", otherdata.one_point_csv, {"bars_n": 20}),
    "all-censored": ("sl-vs-rl", otherdata.all_censored_csv, {"bars_n": 20}),
    "rl-faster": ("sl-vs-rl", rl_faster_csv, {}),
}


class Run:
    def __init__(self, chapter_id: str, output: Path):
        self.chapter = chapter_id
        self.output = output
        run = json.loads((output / "results.json").read_text())
        self.parameters, self.results = run["parameters"], run["results"]
        self.soup = BeautifulSoup((output / f"{chapter_id}_files" / f"{chapter_id}.html").read_text(), "html.parser")

    @property
    def prose(self) -> list[str]:
        return prose(self.soup)

    @property
    def pasted(self) -> list[str]:
        return pasted(self.soup)


@pytest.fixture(scope="module")
def unusual(tmp_path_factory):
    """``unusual(name)``: the chapter run (`evalpatterns run`) on that case's data, once per case, or a test
    failure naming the chapter, the data and the error. Asking for a case also starts the next one not yet
    started (in CASES' order), so that two runs go at once: two processes, two cores."""
    started: dict[str, tuple[subprocess.Popen, Path]] = {}
    _runs: dict[str, Run | str] = {}

    def start(name: str) -> None:
        chapter_id, write, overrides = CASES[name]
        folder = tmp_path_factory.mktemp(name)
        csv_path = write(folder / "data")
        cmd = [sys.executable, "-m", "evalpatterns.cli", "run", chapter_id, "--data", str(csv_path),
               "--output", str(folder / "out")] + [a for k, v in overrides.items() for a in ("-p", k, str(v))]
        started[name] = (subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True),
                         folder / "out")

    def get(name: str) -> Run:
        for case in [name] + [c for c in CASES if c not in started][:1]:
            if case not in started:
                start(case)
        if name not in _runs:
            proc, out = started[name]
            stderr = proc.communicate()[1]
            chapter_id, write, _ = CASES[name]
            _runs[name] = Run(chapter_id, out) if proc.returncode == 0 else \
                f"chapter '{chapter_id}' on {name} data ({write.__name__}) crashed:\n{stderr}"
        if isinstance(_runs[name], str):
            pytest.fail(_runs[name], pytrace=False)
        return _runs[name]
    yield get
    for proc, _ in started.values():
        if proc.poll() is None:  # started ahead for a test that was deselected
            proc.kill()
            proc.communicate()


@pytest.mark.parametrize("name", CASES)
def test_unusual_data_is_analysed_and_results_equal_the_library(unusual, name):
    run = unusual(name)
    problems = mismatches(run.results, library_values(run.chapter, run.parameters))
    assert not problems, f"{name}:\n" + "\n".join(problems)
    assert run.pasted == expected_pasted(run.chapter, library_values(run.chapter, run.parameters), run.results)
    unresolved = [p for p in run.prose if re.search(r"\b(tbl|fig)-[a-z]", p)]
    assert not unresolved, f"{name}: a reference to a table or figure the page does not have: {unresolved}"


def test_a_comparison_across_eval_sets_carries_a_caveat_naming_both(unusual):
    run = unusual("eval-sets-differ")
    assert run.results["n_eval_set_mismatches"] == 2
    both = "Switch against Base and Switch against Train (on subset (50 of 200) and full set (200))"
    notes = [" ".join(n.get_text(" ", strip=True).split()) for n in _article(run.soup).select("div.admonition.note")]
    assert notes == [f"Note Compared values come from different eval sets: {both}. Values measured on different "
                     "eval sets are not directly comparable, so these comparisons are only indicative."]
    assert run.results["verdict_reason_text"].endswith(f": {both}")
    assert any(both in p for p in run.prose)  # the verdict's reason, in the prose


def test_a_run_on_files_without_the_optional_downstream_file_says_it_was_not_given(unusual):
    run = unusual("no-kl")
    assert run.parameters["distillation_downstream_csv"] == ""
    assert run.results["downstream_given"] is False and "tbl-downstream" not in run.results
    assert any("downstream accuracies were not given" in p for p in run.prose)


def _no_bracket(run: Run):
    text = " ".join(run.prose)
    assert "lies between" not in text and "bracket;" not in text, "claims a bracket the runs do not have"
    assert not re.search(r"\bn/a\b", text)


def test_nothing_collapsed_claims_no_bracket(unusual):
    run = unusual("nothing-collapsed")
    assert (run.results["n_collapsed"], run.results["n_converged"]) == (0, 3)
    assert run.results["smallest_collapsed"] is None and run.results["bracket_ratio"] is None
    assert [r[-1] for r in html_table(run.soup, "tbl-collapse")[1:]] == ["NO", "NO", "NO"]
    _no_bracket(run)
    assert re.search(r"\bno run collapsed\b|\bnone of the runs collapsed\b", " ".join(run.prose), re.I)


def test_all_collapsed_claims_no_bracket(unusual):
    run = unusual("all-collapsed")
    assert (run.results["n_collapsed"], run.results["n_converged"]) == (3, 0)
    assert run.results["largest_converged"] is None and run.results["bracket_ratio"] is None
    assert [r[-1] for r in html_table(run.soup, "tbl-collapse")[1:]] == ["YES", "YES", "YES"]
    _no_bracket(run)
    assert re.search(r"\b(every|all( the)?) runs? collapsed\b", " ".join(run.prose), re.I)


def test_no_phase_change_says_there_is_no_transition(unusual):
    run = unusual("no-phase-change")
    assert run.results["n_runs"] == 2 and run.results["n_with_transition"] == 0
    assert [r[2] for r in html_table(run.soup, "tbl-severity")[1:]] == ["none", "none"]
    assert [r[-1] for r in html_table(run.soup, "tbl-severity")[1:]] == ["No transition", "No transition"]
    text = " ".join(run.prose)
    assert re.search(r"no (run )?(changes|phase change|transition)", text, re.I), text
    assert "none" not in run.pasted, "the prose names a run 'none'"
    assert not re.search(r"\bn/a\b", text), f"a sentence reads 'n/a': {text}"


def test_no_kl_still_reports_the_transition(unusual):
    run = unusual("no-kl")
    assert run.results["n_with_transition"] == 1 and run.results["n_complete"] == 1
    assert run.results["spike_ratio"] is None
    rows = html_table(run.soup, "tbl-severity")
    assert len(rows) == 2 and rows[1][2] == "30" and rows[1][4] == "n/a" and rows[1][-1] == "Complete"
    text = " ".join(run.prose)
    assert "step 30" in text, "the prose does not give the transition step the log shows"
    assert "none" not in run.pasted, "the prose names a run 'none'"
    assert not re.search(r"\bn/a\b", text), f"a sentence reads 'n/a': {text}"


def test_one_point_says_the_fit_needs_two(unusual):
    run = unusual("one-point")
    assert run.results["rl_eoe_fit_note"].startswith("cannot fit: 1 point")
    assert run.results["rl_eoe_exponent"] is None  # results.json: null where there is no value
    assert run.results["rl_eoe_advantage_text"] == "18.5x"  # 240 / 13 = 18.46 at N = 20, three significant digits
    scaling = " ".join(section_prose(run.soup, "scaling"))
    assert "cannot fit" in scaling and "RL-EoE" in scaling, scaling
    assert "exponent is n/a" not in scaling and not re.search(r"\bn/a\b", scaling), scaling


def test_every_rl_run_censored_gives_lower_bounds(unusual):
    run = unusual("all-censored")
    r = run.results
    assert r["n_lower_bounds"] == 6
    for m in ("rl_eoe", "rl_step"):
        assert r[f"{m}_advantage_is_lower_bound"] is True
        assert r[f"{m}_advantage_text"].endswith("x+") and r[f"{m}_episodes_text"].endswith("+")
    assert (r["rl_eoe_advantage_text"], r["rl_step_advantage_text"]) == ("417x+", "667x+")  # 5,000/12, 8,000/12
    rows = html_table(run.soup, "tbl-episodes")[1:]
    assert all(row[2].endswith("+ ep") and row[3].endswith("+ ep") for row in rows)
    assert all(all(part.endswith("x+") for part in row[4].split(" / ")) for row in rows)
    bars = next(t for t in run.pasted if t.startswith("At N = 20,"))
    assert "5,000+ (417x+ as many, a lower bound" in bars and "8,000+ (667x+ as many, a lower bound" in bars, bars
    scaling = " ".join(section_prose(run.soup, "scaling"))
    assert "cannot fit" in scaling and not re.search(r"\bn/a\b", scaling), scaling


def test_rl_faster_page_says_the_data_contradict_the_claim(unusual):
    run = unusual("rl-faster")
    assert run.results["verdict"] == "contradicted"
    assert run.soup.find("h1").get_text().startswith("Finding 5: does supervised learning memorise faster than RL?")
    text = " ".join(run.prose)
    assert text.startswith("The data contradict the post's claim: RL needed as many episodes as supervised learning "
                           "or fewer in 8 of 8 comparisons (0.6x the supervised episodes for RL-Step at N = 100).")
    # at N = 100: supervised 200, RL-EoE 40 (0.2x), RL-Step 120 (0.6x): fewer, never an advantage
    assert "40 (0.2x as many: fewer than supervised learning)" in text
    assert "120 (0.6x as many: fewer than supervised learning)" in text
    assert "more episodes than supervised learning" not in text and "fewer episodes than RL" not in text
    assert re.search(r"The verdict on this finding, by .+? ?: contradicted ?, because RL needed as many episodes as "
                     r"supervised learning or fewer in 8 of 8 comparisons", text), text


def test_no_cliff_is_contradicted_and_never_asserted(unusual):
    run = unusual("no-cliff")
    assert (run.results["verdict"], run.results["n_cliff"], run.results["n_small_as_good"]) == ("contradicted", 0, 3)
    text = " ".join(run.prose)
    assert text.startswith("The data contradict the post's claim: no task fails at 3B and passes at 8B")
    # the largest gap by size is the break rate's 35 points, in favour of the smaller model
    assert "on Break rate (lower is better): 3B is 35 percentage points better than 8B" in text
    # training the 8B model lowered the break rate: an improvement, said of the 8B model
    assert "training the 8B model improved it from 65% to 35%" in text and "regressed" not in text
    # the closing verdict (glued spans are joined with spaces)
    assert text.endswith(": contradicted , because no task fails at 3B and passes at 8B .")
    assert not re.search(r"\bn/a\b", text)
