"""Driving the page through AppTest, by widget key: start it, read its figures and tables, train, check."""

import json
from html import unescape

from streamlit.testing.v1 import AppTest

from service.runs import service
from tests.conftest import ROOT
from ui.boundary import CRASH
from ui.params import PARAMS
from ui.text import fmt_nll

APP = str(ROOT / "streamlit_app.py")


def crashes(at: AppTest) -> list[str]:
    """Every exception the page met: raised (at.exception) or caught by a tab's boundary (its error box)."""
    return [e.value for e in at.exception] + [text(e) for e in at.error if CRASH in text(e)]


def check(at: AppTest) -> AppTest:
    """Fail on any exception the last run met, caught or not."""
    found = crashes(at)
    assert not found, f"the page met an exception: {found}"
    return at


def plain(markdown: str) -> str:
    """Markdown source as the reader sees it: user text is written as character references, with
    invisible word joiners (U+2060) that keep addresses from becoming links."""
    return unescape(markdown).replace("\u2060", "")


def text(el) -> str:
    return plain(el.value)


def checked(at: AppTest) -> AppTest:
    """Every run of `at` (at.run(), or a widget's .run()) fails on an exception the page met."""
    run = at._run  # both paths end here

    def run_and_check(*args, **kwargs):
        return check(run(*args, **kwargs))

    at._run = run_and_check
    return at


def app(query: dict | None = None, **state) -> AppTest:
    at = checked(AppTest.from_file(APP, default_timeout=120))
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    for key, value in state.items():
        widget(at, key).set_value(value)
    if state:
        at.run()
    return check(at)


LIVE = ("smoothing", "view", "slice")  # committed by the page's own components (ui/components/__init__.py)


class Committed:
    """A setting the page's live components commit (a drag released, a view clicked). AppTest cannot
    drive a component, so set_value commits the way ui.components._keeper does after a release; the
    browser suite drives the components themselves (tests/browser/test_live.py)."""

    def __init__(self, at: AppTest, key: str):
        self.at, self.key = at, key

    @property
    def value(self):
        """What the page's control shows: the sidebar's slider, else the Counts tab's controls."""
        shown_in = ["smoothing_sidebar", "count_controls"] if self.key == "smoothing" else ["count_controls"]
        for component in shown_in:
            if has(self.at, component):
                return figure(self.at, component)[self.key]
        return self.at.session_state["_kept"][self.key]

    def set_value(self, value) -> "Committed":
        self.at.session_state["_kept"][self.key] = PARAMS[self.key].parse(str(value))
        return self


def has(at: AppTest, key: str) -> bool:
    return any(el.proto.id.endswith(f"-{key}") for el in at.get("bidi_component"))


def widget(at: AppTest, key: str):
    if key in LIVE:
        return Committed(at, key)
    for kind in ("slider", "select_slider", "number_input", "selectbox", "radio", "checkbox", "text_input"):
        found = [w for w in getattr(at, kind) if w.key == key]
        if found:
            return found[0]
    raise KeyError(key)


def figure(at: AppTest, key: str) -> dict:
    """The data drawn by the plotly_view or heatmap_view component under `key`."""
    for el in at.get("bidi_component"):
        if el.proto.id.endswith(f"-{key}"):
            return json.loads(el.proto.bytes)
    raise KeyError(key)


def tables(at: AppTest) -> list[dict[str, dict[str, str]]]:
    """Every Markdown table on the page as {row label: {column: cell}}."""
    out = []
    for m in at.markdown:
        lines = m.value.splitlines()
        if len(lines) < 2 or not lines[0].startswith("|") or not lines[1].startswith("|---"):
            continue
        cells = [[plain(c.strip()) for c in line.strip("|").split("|")] for line in lines]
        header = cells[0][1:]
        out.append({row[0]: dict(zip(header, row[1:], strict=True)) for row in cells[2:]})
    return out


def nll_table(at: AppTest) -> dict[str, dict[str, str]]:
    """Compare's NLL table: one row per split, one column per model (and earlier run)."""
    return next(t for t in tables(at) if list(t) == ["all", "train", "dev", "test"])


def count_nlls(at: AppTest) -> dict[str, str]:
    """The Counts tab's NLL per split as the page shows them (the server's own figures)."""
    return {part: fmt_nll(float(v)) for part, v in figure(at, "count_nll")["server"].items()}


def open_tab(at: AppTest, name: str) -> AppTest:
    """Switch tabs as a click does: only the open tab's content runs."""
    at.session_state["_kept"]["tab"] = name  # the tab bar's on_change keeps its value there
    at.run()
    return check(at)


def sample_names(at: AppTest, index: int = 0) -> list[str]:
    return [row["name"] for row in tables(at)[index].values()]


def train(at: AppTest, **state) -> AppTest:
    """Press Train, wait for the run service to finish the run, and draw the page again (what the
    browser's chart asks for when its run ends)."""
    for key, value in {"animate": False, **state}.items():
        widget(at, key).set_value(value)
    at.sidebar.button(key="train").click().run()
    finish(at)
    return check(at)


def finish(at: AppTest, timeout: float = 120) -> AppTest:
    """Wait for the session's latest run to end, then rerun."""
    run = at.session_state["_runs"].latest
    assert run is not None, "no run was started"
    assert service().wait(run, timeout), f"the run did not end in {timeout} s: {run.status} at epoch {run.epoch}"
    at.run()
    return check(at)


def trace(fig: dict, uid: str) -> dict:
    """A trace of the loss figure: "run" (the latest run's curve) or "floor" (the count model)."""
    return next(t for t in fig["data"] if t.get("meta") == uid)


def curve(at: AppTest) -> list[float]:
    return trace(figure(at, "loss"), "run")["y"]
