"""The page's count-model arithmetic (ui/components/live.js), run in Chromium itself against the engine."""

import json
import math

import pytest

from makemore.counts import smooth
from makemore.table import nll_counts
from ui.corpus import builtin_corpus
from ui.models import PARTS, heatmap_live, nll_live

from .harness import ROOT

LIVE_JS = (ROOT / "ui" / "components" / "live.js").read_text()


@pytest.fixture(scope="module")
def js(browser):
    """A blank page that has evaluated live.js: call its functions by name."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=LIVE_JS + "\nwindow.mm = { mmNlls, mmRowP, mmFormat };")
    yield page
    context.close()


@pytest.fixture(scope="module")
def corpus():
    return builtin_corpus("names.txt")


@pytest.mark.parametrize("k, fit", [(1, "all"), (1, "train"), (2, "train")])
@pytest.mark.parametrize("s", [0.0, 0.01, 1.0, 37.0, 1000.0])
def test_mm_nlls_is_the_engines_nll_on_every_split(js, corpus, k, fit, s):
    payload = nll_live(corpus.key, corpus, k, fit)
    page = js.evaluate(
        "([text, s]) => { const d = JSON.parse(text); d.fit_counts = Float64Array.from(d.fit_counts);"
        " const o = window.mm.mmNlls(d, s); for (const k in o) o[k] = isFinite(o[k]) ? o[k] : String(o[k]); return o; }",
        [payload, s],
    )
    P = smooth(corpus.counts(k, fit), s)
    for part in PARTS:
        engine = nll_counts(P, corpus.counts(k, part))
        if math.isinf(engine):  # s = 0 and a pair the fit words never have
            assert page[part] == "Infinity", part
        else:
            assert page[part] == pytest.approx(engine, abs=1e-6), (part, page[part], engine)


@pytest.mark.parametrize("s", [0.0, 0.5, 1.0, 1000.0])
def test_mm_row_p_is_the_engines_smoothed_row(js, corpus, s):
    live = json.loads(heatmap_live(corpus.key, corpus, 1, "."))
    V = live["V"]
    rows = js.evaluate(
        "([counts, V, s]) => Array.from({length: V}, (_, r) => Array.from(window.mm.mmRowP(counts, r * V, V, s, new Float64Array(V))))",
        [live["counts"], V, s],
    )
    P = smooth(corpus.counts(1), s)
    for r in range(V):
        assert rows[r] == pytest.approx(P[r].tolist(), abs=1e-6), r
