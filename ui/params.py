"""The page's settings: their defaults, their widget keys, and their round trip through the URL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
TABS = ("Counts", "Neural net", "Compare", "Score a name", "Sample step by step")
MODES = ("explorer", "lecture")
N_STEPS = 11  # the lecture mode's steps (ui/lecture)
MAX_EPOCHS = 1000
MAX_LR = 1_000_000.0
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
    default: Any
    parse: Callable[[str], Any]  # URL text -> value; raises ValueError when invalid


PARAMS: dict[str, Param] = {
    "mode": Param("explorer", _choice(MODES)),
    "step": Param(1, _number(int, 1, N_STEPS)),
    "tab": Param("Counts", _choice(TABS)),
    "dataset": Param("names.txt", _choice(DATASETS)),
    "year": Param(2017, _number(int, YEARS.start, YEARS.stop - 1)),
    "sex": Param("both", _choice(list(SEXES))),
    "context": Param(1, _choice([1, 2])),
    "fit_on": Param("all words", _choice(FIT_ON)),
    "smoothing": Param(1.0, _in_list(SMOOTHINGS)),
    "epochs": Param(100, _number(int, 1, MAX_EPOCHS)),
    "lr": Param(50.0, _number(float, 1e-4, MAX_LR)),
    "reg": Param(0.01, _number(float, 0.0, 100.0)),
    "method": Param("counts", _choice(METHODS)),
    "animate": Param(True, _choice([True, False])),
    "seed": Param(2147483647, _number(int, 0, MAX_SEED)),
    "n_samples": Param(10, _number(int, 1, 100)),
    "temperature": Param(1.0, _in_list(TEMPERATURES)),
    "view": Param("counts", _choice(VIEWS)),
    "slice": Param(".", _one_character),
    "name": Param("emma", _name),
    "size": Param(100, _choice(SIZES)),
    "scale": Param("fixed", _choice(SCALES)),
    "embed_options": Param("", _choice(THEMES)),  # not a setting: the theme Streamlit reads at load
}


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
