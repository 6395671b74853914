"""The session's training runs as one typed object: the latest attempt, the finished ones, clear.

The runs themselves live in the process's run service (service/runs.py), outside any script run;
this object holds the session's references to them and is the only place a tab gets a run from.
"""

from __future__ import annotations

import secrets
import weakref
from dataclasses import dataclass, field

import streamlit as st

from makemore.counts import examples
from makemore.mlp import MLPConfig, MLPTrainer
from makemore.neural import NetTrainer
from service.runs import Run, service
from ui.corpus import Corpus
from ui.state import Settings

EARLIER = 5  # earlier runs drawn beneath the latest one
ANIMATE_SECONDS = 3.0  # with "animate", a short run is spread over this long so it can be watched
PACES = {"full speed": None, "over ~3 s": "animate", "10 epochs/s": 10.0, "2 epochs/s": 2.0, "1 epoch/s": 1.0}


def data_key(s: Settings, corpus: Corpus) -> tuple:
    """What a training run depends on besides its config: the data, the context and the fit part."""
    return (corpus.key, s.context, s.fit_part)


def trainer(s: Settings, corpus: Corpus) -> NetTrainer:
    """The run Train starts with these settings (its cost() is what the page states before it)."""
    k, part, config = s.context, s.fit_part, s.train_config
    words, vocab = corpus.parts[part], corpus.vocab
    make = (lambda: examples(words, vocab, k)) if config.method != "counts" else None
    return NetTrainer(corpus.counts(k, part), vocab, k, config, make)


def mlp_data_key(corpus: Corpus) -> tuple:
    """What an MLP run depends on besides its config: the data (it trains on the train split)."""
    return ("mlp", corpus.key)


def mlp_trainer(corpus: Corpus, config: MLPConfig) -> MLPTrainer:
    """An MLP run on the corpus's train split, its dev NLL on the dev split (its cost() is stated before Train)."""
    return MLPTrainer(corpus.parts["train"], corpus.parts["dev"], corpus.vocab, config)


def pace_rate(pace, epochs: int) -> float | None:
    """A PACES value as epochs per second."""
    return epochs / ANIMATE_SECONDS if pace == "animate" else pace


@dataclass
class Runs:
    """A session's runs: `latest` (the net's, finished or not), the latest of each other lane (the
    MLP's, the crossover's), and the finished net and MLP runs, oldest first."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(16))  # the session's presence token
    latest: Run | None = None
    done: list[Run] = field(default_factory=list)
    lanes: dict[str, Run] = field(default_factory=dict)  # lane -> its latest run: "mlp", "crossover 3"...
    lost: bool = False  # a run was streaming when this page's server went away (its URL said so)

    @classmethod
    def of_session(cls) -> Runs:
        ss = st.session_state
        if "_runs" not in ss:
            ss["_runs"] = runs = cls(lost="run" in st.query_params)
            # a client with no presence channel (no JS): its runs stop when Streamlit drops the session
            weakref.finalize(runs, service().end_session, runs.token).atexit = False
        runs = ss["_runs"]
        runs.sync()
        return runs

    def sync(self) -> None:
        """A run that finished since the last script run joins the finished ones."""
        for run in (self.latest, self.lanes.get("mlp")):
            if run is not None and run.status == "done" and run not in self.done:
                kept = [r for r in self.done if r.lane == run.lane][-EARLIER:]
                self.done = [r for r in self.done if r.lane != run.lane or r in kept] + [run]

    def start(self, s: Settings, corpus: Corpus) -> Run:
        t = trainer(s, corpus)
        pace = pace_rate("animate", t.epochs) if s.animate else None
        self.latest = service().start(self.token, t, data_key(s, corpus), pace)
        self.lost = False
        return self.latest

    def start_lane(self, lane: str, trainer, data: tuple, pace: float | None = None) -> Run:
        """Queue a run in `lane` beside the net's: it stops only the lane's own run still going."""
        self.lanes[lane] = run = service().start(self.token, trainer, data, pace, lane=lane)
        return run

    def finished(self, data: tuple) -> Run | None:
        """The last run that finished on this data (a later failed run keeps it)."""
        return next((r for r in reversed(self.done) if r.data == data), None)

    def earlier(self, run: Run) -> list[Run]:
        """The finished runs on the same data before `run` (at most EARLIER), oldest first."""
        return [r for r in self.done if r is not run and r.data == run.data][-EARLIER:]

    def clear(self) -> None:
        """Forget every finished net run but the latest (the Clear button)."""
        self.done = [r for r in self.done if r is self.latest or r.lane]
