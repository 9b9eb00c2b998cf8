"""Warm kernels: a chapter executed in a kernel that has run other notebooks gives the notebook a new kernel
gives, and a kernel that dies is reported and replaced."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from evalpatterns import build
from evalpatterns.book import execute
from evalpatterns import chapters as registry
from evalpatterns.kernels import KernelError, WarmKernel

ROOT = registry.ROOT
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}

POLLUTER = [
    "import os, sys, warnings\nimport numpy as np\nimport matplotlib\nimport matplotlib.pyplot as plt",
    "secret = 42\n"
    "matplotlib.rcParams['lines.linewidth'] = 9.0\n"
    "np.mean([])  # a RuntimeWarning, shown once per place in numpy unless the registry is forgotten\n"
    "warnings.simplefilter('ignore')\n"
    "os.environ['EVALPATTERNS_TEST_LEFTOVER'] = '1'\n"
    "sys.path.insert(0, '/nowhere')\n"
    "os.chdir('/')\n"
    "fig = plt.figure()",
]
PROBE = [
    "label = 'default'",  # the parameters cell
    "import json, os, sys, warnings\nimport numpy as np\nimport matplotlib\nimport matplotlib.pyplot as plt\n"
    "print(json.dumps({'label': label, 'secret': 'secret' in globals(), 'fig': 'fig' in globals(),\n"
    "                  'linewidth': matplotlib.rcParams['lines.linewidth'],\n"
    "                  'leftover': os.environ.get('EVALPATTERNS_TEST_LEFTOVER'),\n"
    "                  'nowhere': '/nowhere' in sys.path, 'cwd': os.getcwd(), 'figures': plt.get_fignums(),\n"
    "                  'ignoring': warnings.filters[0][:2] == ('ignore', None) and warnings.filters[0][2] is Warning}))",
    "np.mean([])",
]


def notebook(sources: list[str], parameters_cell: bool = False):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources], metadata={"kernelspec": KERNELSPEC})
    if parameters_cell:
        nb.cells[0].metadata["tags"] = ["parameters"]
    return nb


def outputs(nb) -> list:
    """Every code cell's execution count and outputs (what a reader sees), without timings."""
    return [(c.get("execution_count"), c.get("outputs")) for c in nb.cells if c.cell_type == "code"]


def printed(nb) -> dict:
    return json.loads(next(o["text"] for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout"))


def test_a_warm_kernel_forgets_the_notebook_before(tmp_path):
    new = papermill.execute_notebook(notebook(PROBE, True), None, parameters={"label": "p"}, cwd=str(tmp_path),
                                     kernel_name="python3", progress_bar=False)
    with WarmKernel(tmp_path) as kernel:
        kernel.execute(notebook(POLLUTER), {}, tmp_path)
        warm = kernel.execute(notebook(PROBE, True), {"label": "p"}, tmp_path)
    state = printed(warm)
    assert state == printed(new)
    assert state["label"] == "p"  # the injected parameter
    assert not state["secret"] and not state["fig"] and not state["nowhere"] and not state["ignoring"]
    assert state["leftover"] is None and state["figures"] == [] and state["cwd"] == str(tmp_path)
    import matplotlib

    assert state["linewidth"] == matplotlib.rcParamsDefault["lines.linewidth"] != 9.0
    assert outputs(warm) == outputs(new)
    assert [count for count, _ in outputs(warm)] == [1, 2, 3, 4]  # the injected cell is the second
    assert "Mean of empty slice" in json.dumps(outputs(warm)[-1])  # the warning is shown again


def test_a_kernel_that_dies_is_reported_and_replaced(tmp_path):
    with WarmKernel(tmp_path) as kernel:
        with pytest.raises(KernelError, match="the kernel died"):
            kernel.execute(notebook(["import os\nos._exit(3)"]), {}, tmp_path)
        after = kernel.execute(notebook(PROBE, True), {}, tmp_path)
    assert printed(after)["label"] == "default"


def test_a_chapter_whose_kernel_dies_is_named(tmp_path, monkeypatch):
    src = tmp_path / "repo"
    (src / "chapters").mkdir(parents=True)
    text = (ROOT / "chapters" / "mode-collapse.md").read_text()
    assert "page.show(result, words, data)" in text  # the line replaced by a dying kernel
    (src / "chapters" / "mode-collapse.md").write_text(text.replace("page.show(result, words, data)",
                                                                    "import os; os._exit(3)", 1))
    monkeypatch.setattr(registry, "ROOT", src)
    params = build.resolve_parameters("mode-collapse", {"mode_collapse_csv": str(ROOT / "data/mode_collapse.csv")})
    with WarmKernel(src / "chapters") as kernel:
        with pytest.raises(build.BuildError, match="chapter 'mode-collapse' could not be executed: the kernel died"):
            build.execute_chapter("mode-collapse", params, tmp_path / "out.ipynb", kernel=kernel)
    assert not (tmp_path / "out.ipynb").exists()


def test_the_costliest_chapters_are_started_first(tmp_path, monkeypatch):
    order = []
    monkeypatch.setattr(execute, "_job_in_worker", lambda job, cache, fresh: order.append(job.chapter))
    build.execute_all(build.plan(), tmp_path, workers=1, log=lambda *a: None)
    costs = [registry.get(c).cost for c in order]
    assert order[:2] == ["bring-your-own-data", "summary"] and costs == sorted(costs, reverse=True)
    assert sorted(order) == sorted(c.id for c in registry.CHAPTERS)


def normalised(path: Path) -> dict:
    """An executed notebook without what differs between two executions of the same code: papermill's
    timings and start/end times, and the record of the kind of kernel."""
    nb = json.loads(path.read_text())
    nb["metadata"].pop("papermill", None)
    assert nb["metadata"].pop("evalpatterns")["kernel"] in ("warm", "new")  # the one difference by design
    for cell in nb["cells"]:
        cell["metadata"].pop("papermill", None)
        cell["metadata"].pop("execution", None)
    return nb


FRESH = ("import json, sys\nfrom evalpatterns import build\n"
         "done = build.execute_all(build.plan(), sys.argv[1], fresh_kernels=True, log=lambda *a: None)\n"
         "print(json.dumps({chapter: str(path) for chapter, path in done.items()}))")


@pytest.fixture(scope="module")
def fresh_notebooks(tmp_path_factory):
    """``fresh_notebooks()``: every chapter executed by papermill in a new kernel of its own, by chapter. They
    execute in a process of their own, started with the module's first test that asks for them, so that they
    run while that test executes its own (one warm kernel leaves a core free); the call waits for them."""
    proc = subprocess.Popen([sys.executable, "-c", FRESH, str(tmp_path_factory.mktemp("fresh"))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = {}

    def get() -> dict[str, Path]:
        if not done:
            stdout, stderr = proc.communicate()
            if proc.returncode != 0:
                pytest.fail(f"executing the chapters in new kernels failed:\n{stderr}", pytrace=False)
            done.update({chapter: Path(path) for chapter, path in json.loads(stdout).items()})
        return done
    yield get
    if proc.poll() is None:  # a test failed before it waited
        proc.kill()
        proc.communicate()


@pytest.mark.book
def test_one_warm_kernel_running_every_chapter_in_turn_writes_what_new_kernels_write(fresh_notebooks, tmp_path,
                                                                                     monkeypatch):
    """One warm kernel executes all eight chapters one after another (costliest first): each notebook has
    the same cells, outputs, figures (PNG bytes) and execution counts as papermill's in a new kernel."""
    monkeypatch.delenv("EVALPATTERNS_FRESH_KERNELS", raising=False)
    jobs = build.plan()
    warm = build.execute_all(jobs, tmp_path, workers=1, fresh_kernels=False, log=lambda *a: None)
    assert len(list(tmp_path.glob("kernel-*.log"))) == 1  # one kernel ran them all
    assert [c["id"] for c in json.loads(warm["summary"].read_text())["cells"][:3]] == ["cell-0", "cell-1", "cell-2"]
    recorded = json.loads(warm["summary"].read_text())["metadata"]
    assert recorded["papermill"]["input_path"] == "chapters/summary.md" and recorded["evalpatterns"] == {"kernel": "warm"}
    fresh = fresh_notebooks()
    for job in jobs:
        assert normalised(warm[job.chapter]) == normalised(fresh[job.chapter]), job.chapter
    assert "image/png" in json.dumps(normalised(fresh["summary"]))  # figures were compared


@pytest.mark.book
def test_the_books_warm_kernels_wrote_what_new_kernels_write(book, fresh_notebooks):
    """The book fixture's build: two workers, each with a warm kernel running the chapters it was given."""
    cache = book.parent / ".cache" / "executed"
    fresh = fresh_notebooks()
    for job in build.plan():
        assert normalised(cache / f"{job.chapter}-{job.key}.ipynb") == normalised(fresh[job.chapter]), job.chapter


def test_run_gives_the_same_results_with_fresh_kernels(tmp_path):
    example = ROOT / "data" / "examples" / "roi.csv"
    results, procs = {}, {}
    for mode in ("warm", "fresh"):  # the two runs at once: two processes, two cores
        cmd = [sys.executable, "-m", "evalpatterns.cli", "run", "model-switch-roi", "--data", str(example),
               "-p", "baseline_accuracy", "0.6", "--output", str(tmp_path / mode)]
        procs[mode] = subprocess.Popen(cmd + (["--fresh-kernels"] if mode == "fresh" else []),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for mode, proc in procs.items():
        out = tmp_path / mode
        stderr = proc.communicate()[1]
        assert proc.returncode == 0, stderr
        results[mode] = (json.loads((out / "results.json").read_text()),
                         outputs(nbformat.read(str(out / "model-switch-roi.ipynb"), as_version=4)))
    assert results["warm"] == results["fresh"]
    assert results["warm"][0]["results"]["training_minutes"] > 0


class _Channel:
    """A client channel replaying messages; Empty once they run out (as a timed-out get_msg)."""

    def __init__(self, messages):
        self.messages = list(messages)

    async def get_msg(self, timeout=None):
        from queue import Empty

        if not self.messages:
            raise Empty
        return self.messages.pop(0)


class _Client:
    def __init__(self, shell, iopub):
        self.shell_channel, self.iopub_channel, self.requests = _Channel(shell), _Channel(iopub), 0

    def kernel_info(self):
        self.requests += 1
        return f"info-{self.requests}"


class _Manager:
    def __init__(self, alive=True):
        self.alive = alive

    async def is_alive(self):
        return self.alive


def _reply(parent):
    return {"parent_header": {"msg_id": parent}, "msg_type": "kernel_info_reply", "content": {}}


def _status(parent, state):
    return {"parent_header": {"msg_id": parent}, "msg_type": "status", "content": {"execution_state": state}}


def test_ready_once_the_requests_idle_status_arrives_on_iopub():
    """Other requests' messages are skipped; the kernel is ready at its own reply's idle status."""
    import asyncio

    from evalpatterns.kernels import wait_for_ready

    kc = _Client(shell=[_reply("older"), _reply("info-1")],
                 iopub=[_status("older", "idle"), _status("info-1", "busy"), _status("info-1", "idle"),
                        _status("later", "busy")])
    asyncio.run(wait_for_ready(kc, _Manager(), timeout=5))
    assert kc.requests == 1 and kc.iopub_channel.messages == [_status("later", "busy")]  # nothing waited out


def test_an_iopub_not_yet_connected_means_asking_again_and_a_dead_kernel_is_an_error():
    import asyncio

    from evalpatterns.kernels import wait_for_ready

    kc = _Client(shell=[_reply("info-1"), _reply("info-2")], iopub=[])  # info-1's statuses were lost
    kc.iopub_channel.messages = []
    original = kc.kernel_info

    def kernel_info():  # IOPub connects before the second request
        msg_id = original()
        if msg_id == "info-2":
            kc.iopub_channel.messages = [_status("info-2", "busy"), _status("info-2", "idle")]
        return msg_id

    kc.kernel_info = kernel_info
    asyncio.run(wait_for_ready(kc, _Manager(), timeout=5))
    assert kc.requests == 2
    with pytest.raises(RuntimeError, match="died"):
        asyncio.run(wait_for_ready(_Client(shell=[], iopub=[]), _Manager(alive=False), timeout=5))


def test_a_killed_kernels_sockets_are_closed_at_once(tmp_path):
    """jupyter_client gives a client's sockets a linger of 1 s: a killed kernel's client held its process that
    long at exit or garbage collection (test_fuzz's refused runs once took 25 s to tear down)."""
    kernel = WarmKernel(tmp_path)
    client, manager = kernel.kc, kernel.km
    shell = client.shell_channel.socket
    kernel.kill()
    assert shell.closed and (manager._control_socket is None or manager._control_socket.closed)
    assert kernel.km is None and kernel.kc is None
