"""The page's settings: their defaults, their widget keys, and their round trip through the URL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from makemore.data import SEXES, YEARS
from makemore.neural import METHODS
from makemore.plots import VIEWS


def _smoothing_stops() -> list[float]:
    """0, then 0.01 to 1000 at two significant digits (1.0, 1.1, … 9.9 in each decade): a log-like
    slider on which 0.5, 1, 2, 10 and 1000 are exact. Each stop is the float its decimal text parses
    to, so the browser (Number("2.5e-1")) and the server hold the same value."""
    stops = [0.0]
    for e in range(-2, 3):
        stops += [float(f"{m / 10:.1f}e{e}") for m in range(10, 100)]
    return [*stops, 1000.0]


SMOOTHINGS = _smoothing_stops()  # 452 stops
SWEEP_SMOOTHINGS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]
TEMPERATURES = [0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5, 2.0, 3.0, 5.0]
DATASETS = ("names.txt", "SSA year", "upload")
FIT_ON = ("all words", "train split")
TABS = ("Counts", "Neural net", "MLP", "Crossover", "Compare", "Score a name", "Sample step by step")
MODES = ("explorer", "lecture")
MAX_EPOCHS = 1000
MIN_LR, MAX_LR = 1e-6, 1e9  # every learning rate from a crawl to divergence ends in words a student follows
MLP_MAX_STEPS = 200_000  # part 2's full schedule
CROSSOVER_WITH = ("the crossover's MLP", "this page's MLP settings")  # the crossover's runs: which settings
MAX_SEED = 2**53 - 1  # the largest integer a browser number input holds exactly
SIZES = (80, 90, 100, 115, 130, 150)  # the lecture's type size, % of the presenter scale (A- / A+)
SCALES = ("fixed", "auto")  # the probabilities' colours: p from 0 to 1, or to the table's largest p
THEMES = ("", "light_theme", "dark_theme")  # Streamlit's own URL option (embed_options): the page's theme


def _choice(options) -> Callable[[str], Any]:
    def parse(raw: str):
        for o in options:
            if str(o) == raw:
                return o
        raise ValueError(f"not one of {', '.join(map(str, options))}")

    return parse


def _number(kind, lo, hi) -> Callable[[str], Any]:
    def parse(raw: str):
        try:
            v = kind(float(raw)) if kind is float else kind(raw)
        except ValueError:  # its message repeats the raw text: say it in our own words
            raise ValueError("not a whole number" if kind is int else "not a number") from None
        if not lo <= v <= hi:  # also false for nan
            raise ValueError(f"out of range {lo}..{hi}")
        return v

    return parse


def _in_list(options) -> Callable[[str], Any]:
    def parse(raw: str):
        try:
            v = float(raw)
        except ValueError:
            raise ValueError("not a number") from None
        if v not in options:
            raise ValueError(f"not one of the slider's values ({options[0]:g}..{options[-1]:g})")
        return v

    return parse


def _step(raw: str) -> int:
    """A lecture step, 1 to the last of ui.lecture.STEPS, the one list of the steps (imported here,
    late: ui.lecture imports this module)."""
    from ui.lecture import STEPS

    return _number(int, 1, len(STEPS))(raw)


def _one_character(raw: str) -> str:
    if len(raw) != 1:
        raise ValueError("one character expected")
    return raw


def _name(raw: str) -> str:
    if len(raw) > 64:
        raise ValueError("longer than 64 characters")
    return raw


@dataclass(frozen=True)
class Param:
    """One setting, declared once: the Settings dataclass, the URL round trip, its widget and the
    class's shared set are all derived from these."""

    default: Any
    parse: Callable[[str], Any]  # URL text -> value; raises ValueError when invalid
    doc: str = ""  # what it is, for the Settings field
    widget: str = ""  # the Streamlit widget that draws it ("" when a component draws it, or nothing)
    label: str = ""
    where: str = ""  # "sidebar": drawn there on every run; "page": in a tab or a step; "": the URL only
    shared: bool = True  # a class's followers take it from the lecturer
    options: tuple = ()  # a choice's values
    bounds: tuple = ()  # a number's (lo, hi)
    args: dict = field(default_factory=dict)  # the widget's other arguments (help, format, step...)

    @property
    def type(self) -> type:
        return type(self.default)


def number(default, lo, hi, doc="", **kw) -> Param:
    return Param(default, _number(type(default), lo, hi), doc, bounds=(lo, hi), **kw)


def choice(default, options, doc="", **kw) -> Param:
    return Param(default, _choice(options), doc, options=tuple(options), **kw)


SIDE = {"where": "sidebar"}
# the net's four ways to the same loss, as the page names them (the URL keeps the short names)
METHOD_NAMES = {
    "counts": "count matrix (fast)",
    "onehot": "one-hot @ W (the lecture)",
    "index": "rows of W (E04)",
    "cross_entropy": "F.cross_entropy (E05)",
}
PARAMS: dict[str, Param] = {
    "mode": choice("explorer", MODES, "explorer (tabs) or lecture (one step per screen)", shared=False),
    "step": Param(1, _step, "the lecture's step, 1-based"),
    "tab": choice("Counts", TABS, "the explorer's open tab", shared=False),
    "dataset": choice("names.txt", DATASETS, "the word list", widget="radio", label="Data", **SIDE),
    "year": number(2017, YEARS.start, YEARS.stop - 1, "an SSA year's names"),
    "sex": choice("both", list(SEXES), "an SSA year's girls, boys or both"),
    "context": choice(
        1,
        [1, 2],
        "1 bigram, 2 trigram",
        widget="radio",
        label="Context",
        **SIDE,
        args={"horizontal": True, "format_func": lambda k: ("bigram", "trigram")[k - 1]},
    ),
    "fit_on": choice(
        "all words",
        FIT_ON,
        "the words both models are fit on",
        widget="radio",
        label="Fit on",
        **SIDE,
        args={"horizontal": True, "help": "train split: exercise E02, dev/test held out"},
    ),
    "smoothing": Param(1.0, _in_list(SMOOTHINGS), "s added to every count", options=tuple(SMOOTHINGS)),
    "epochs": number(100, 1, MAX_EPOCHS, "full-batch steps of the net", widget="slider", label="Epochs", **SIDE),
    "lr": number(
        50.0,
        MIN_LR,
        MAX_LR,
        "the net's learning rate",
        widget="number_input",
        label="Learning rate",
        **SIDE,
        args={"format": "%g"},
    ),
    "reg": number(
        0.01,
        0.0,
        100.0,
        "weight of mean(W**2) in the loss",
        widget="number_input",
        label="Regularization",
        **SIDE,
        args={"format": "%g", "step": 0.01},
    ),
    "method": choice(
        "counts",
        METHODS,
        "how the loss is computed",
        widget="selectbox",
        label="Method",
        **SIDE,
        args={
            "format_func": METHOD_NAMES.get,
            "help": "four ways to compute the same loss; the count matrix is fastest",
        },
    ),
    "animate": choice(
        True,
        [True, False],
        "spread a fast run over a few seconds",
        widget="checkbox",
        label="Animate training",
        **SIDE,
        args={"help": "spread a fast run over ~3 s, to watch it"},
    ),
    "seed": number(
        2147483647,
        0,
        MAX_SEED,
        "seeds the net's W and the samples",
        widget="number_input",
        label="Seed",
        **SIDE,
        args={"step": 1},
    ),
    "n_samples": number(10, 1, 100, "names drawn", widget="slider", label="Samples", **SIDE),
    "temperature": Param(
        1.0,
        _in_list(TEMPERATURES),
        "divides the log-probabilities before sampling",
        widget="select_slider",
        label="Temperature",
        options=tuple(TEMPERATURES),
        **SIDE,
        args={"format_func": lambda t: f"{t:g}"},
    ),
    # the MLP (makemore part 2), drawn in its tab; its seed is the page's, its data the train split
    "mlp_context": number(
        3, 1, 8, "the MLP's characters of context", widget="slider", label="Context (characters)", where="page"
    ),
    "mlp_d": number(10, 2, 64, "the MLP's embedding dimensions", widget="slider", label="Embedding d", where="page"),
    "mlp_h": number(200, 10, 1000, "the MLP's tanh units", widget="slider", label="Hidden units h", where="page"),
    "mlp_steps": number(
        20_000,
        1,
        MLP_MAX_STEPS,
        "the MLP's minibatch steps",
        widget="number_input",
        label="Steps",
        where="page",
        args={"step": 1000, "help": "the lecture's run is 200,000 steps"},
    ),
    "mlp_batch": number(32, 1, 4096, "the MLP's minibatch size", widget="number_input", label="Batch", where="page"),
    "mlp_lr1": number(
        0.1,
        1e-4,
        100.0,
        "the MLP's learning rate, first half of the steps",
        widget="number_input",
        label="lr, first half",
        where="page",
        args={"format": "%g"},
    ),
    "mlp_lr2": number(
        0.01,
        1e-4,
        100.0,
        "the MLP's learning rate, second half",
        widget="number_input",
        label="lr, second half",
        where="page",
        args={"format": "%g"},
    ),
    "mlp_init_fix": choice(
        False,
        [False, True],
        "part 3's initialisation: the first loss near ln V, W1 scaled for tanh",
        widget="checkbox",
        label="Part 3's initialisation fix",
        where="page",
    ),
    "crossover_with": choice(
        CROSSOVER_WITH[0],
        CROSSOVER_WITH,
        "the settings of the crossover's MLP runs",
        widget="radio",
        label="Train the MLP with",
        where="page",
    ),
    "view": choice("counts", VIEWS, "the heatmap's cells: counts, probabilities or log-probabilities"),
    "slice": Param(".", _one_character, "trigram: the first context character of the heatmap's slice"),
    "name": Param("emma", _name, "the scored name"),
    "size": choice(100, SIZES, "the lecture's type, % of the presenter scale", shared=False),
    "scale": choice("fixed", SCALES, "the probabilities' colours: fixed (0 to 1) or auto (0 to the largest)"),
    # not a setting of ours: the theme Streamlit reads at load ("" = its own choice)
    "embed_options": choice("", THEMES, "the theme chosen in the page", shared=False),
}


def sidebar_keys(params: dict[str, Param] = PARAMS) -> tuple[str, ...]:
    """The settings drawn in the sidebar on every run."""
    return tuple(k for k, p in params.items() if p.where == "sidebar")


def shared_keys(params: dict[str, Param] = PARAMS) -> tuple[str, ...]:
    """What a class's followers take from the lecturer."""
    return tuple(k for k, p in params.items() if p.shared)


SIDEBAR, SHARED = sidebar_keys(), shared_keys()


def from_url(query: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Values for the keys present in the URL, and one plain-text note per value that was rejected
    (the raw value cut to 40 characters, quoted once)."""
    values, notes = {}, []
    for key, raw in query.items():
        if key not in PARAMS:
            continue
        shown = raw if len(raw) <= 40 else raw[:39] + "…"
        try:
            values[key] = PARAMS[key].parse(raw)
        except (ValueError, OverflowError) as e:
            notes.append(f"{key}={shown!r} ({e}; using {PARAMS[key].default})")
    return values, notes


def to_url(state: dict[str, Any]) -> dict[str, str]:
    """The URL form of every setting (the theme only when one was chosen)."""
    url = {key: str(state.get(key, p.default)) for key, p in PARAMS.items()}
    if not url["embed_options"]:
        del url["embed_options"]
    return url
