"""What every tab and lecture step gets, built once per script run beside `Settings.read()`."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from makemore.table import Table
from ui.corpus import Corpus
from ui.models import MODELS, fitted
from ui.runs import Runs
from ui.state import Settings, publish


@dataclass(frozen=True)
class Page:
    """The settings, the data, the named tables of every model that has one, and the runs."""

    settings: Settings
    corpus: Corpus
    tables: dict[str, Table]  # {"counts": ..., "net": ..., "uniform": ...}, in MODELS' order
    keys: dict[str, tuple]  # the same names: what identifies each table in the caches
    runs: Runs

    @property
    def labels(self) -> dict[str, str]:
        return {name: MODELS[name].label for name in self.tables}

    @property
    def colours(self) -> dict[str, str]:
        """Each shown model's colour by its label: a model keeps its colour whatever else is shown."""
        return {MODELS[name].label: MODELS[name].colour for name in self.tables}


def build(corpus: Corpus) -> Page:
    """Read the settings, mirror them in the URL, and fit every model on them."""
    s = Settings.read()
    publish(s)
    runs = Runs.of_session()
    if runs.latest is not None and runs.latest.active:
        # in the address bar while it runs: a page that reconnects to another server (its own went
        # away) brings it along, and that server can say the run is lost
        st.query_params["run"] = runs.latest.id[:8]
    tables, keys = {}, {}
    for name in MODELS:
        made = fitted(name, s, corpus, runs)
        if made is not None:
            keys[name], tables[name] = made
    return Page(s, corpus, tables, keys, runs)
