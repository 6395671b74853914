"""notebooks/bigram.ipynb runs from top to bottom on the package, and is stored without outputs."""

import json
import math

import nbformat
import pytest
from nbclient import NotebookClient

from makemore import fit_counts, nll

from .conftest import ROOT

pytestmark = pytest.mark.system

NOTEBOOK = ROOT / "notebooks" / "bigram.ipynb"


def test_the_committed_notebook_has_no_outputs():
    nb = json.loads(NOTEBOOK.read_text())
    dirty = [
        i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and (c["outputs"] or c["execution_count"])
    ]
    assert not dirty, f"cells {dirty} carry outputs: run `make notebook` to rewrite it clean"


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    return nb


def outputs(cell) -> str:
    """Everything a cell printed or displayed, as text."""
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", ""))
        data = out.get("data", {})
        parts.append(data.get("text/plain", ""))
    return "\n".join(parts)


def test_the_notebook_runs_and_shows_the_lecture(executed, words, vocab):
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert 12 <= len(code) <= 22, f"{len(code)} code cells; the lecture fits in about twenty"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, errors[0]["evalue"] if errors else ""
    text = "\n".join(outputs(c) for c in code)
    assert f"{len(words):,} words" in text, "the data cell shows how many words"
    expected = nll(fit_counts(words, vocab), words)
    assert f"average NLL over {len(words):,} words: {expected:.4f}" in text, "the NLL cell matches the engine"
    figures = [o for c in code for o in c.outputs if "application/vnd.plotly.v1+json" in o.get("data", {})]
    assert len(figures) >= 3, f"{len(figures)} Plotly figures displayed inline"
    heat = figures[0]["data"]["application/vnd.plotly.v1+json"]["data"][0]
    assert heat["type"] == "heatmap" and heat["text"][1][14] == "an<br>" + str(int(heat["z"][1][14]))
    line = next(t for t in text.splitlines() if t.startswith("NLL counts"))
    net_nll = float(line.split("net ")[1].split(";")[0])
    assert math.isclose(net_nll, expected, abs_tol=0.03), f"the net ends near the counts: {line}"


def test_the_notebooks_written_out_loops_agree_with_the_package(executed):
    text = "\n".join(outputs(c) for c in executed.cells if c.cell_type == "code")
    line = next(t for t in text.splitlines() if t.startswith("lecture loop: loss at step 100"))
    loop, package = float(line.split("step 100 ")[1].split(";")[0]), float(line.split("package: ")[1])
    assert abs(loop - package) < 1e-4, f"part 1's loop and the package part ways: {line}"
    assert "11,897 parameters" in text, "part 2's net has the lecture's parameter count"
    line = next(t for t in text.splitlines() if t.startswith("largest |loss difference|"))
    assert float(line.split("steps: ")[1].split(";")[0]) < 1e-5, f"MLPTrainer and part 2's loop part ways: {line}"
    assert "best count model: n = 3" in text, "the crossover's count table"
