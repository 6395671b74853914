"""The five kinds of question a lecturer asks. A kind is one class: its prompt, its answer form,
the check of an answer, its ranking, its board's chart and its table's (and CSV's) columns."""

from __future__ import annotations

import math
import re

from makemore import plots
from makemore.mlp import MLPConfig
from makemore.table import score
from service.rooms import Rejected
from ui.models import split_nlls, table_nlls
from ui.page import Page
from ui.runs import data_key, mlp_data_key

NAME = re.compile(r"[a-z]{1,32}")


class Question:
    """One kind: `fields` are the answer's values (the board's columns, in order), `kept` more
    values the answer keeps (the board's CSV has them, its table not), `rank_by` the value the
    board sorts on (lowest first)."""

    kind = ""
    prompt = ""
    fields: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    rank_by = ""
    axis = ""  # the chart's x axis
    tab = ""  # the explorer's tab where a student computes the answer (a button in the form opens it)
    own = False  # the answer is a setting of the student's own: a follower's page has the lecturer's

    def form(self, page: Page, right) -> tuple[dict | None, str]:
        """The answer this student's page gives (None and why not, when it gives none yet)."""
        raise NotImplementedError

    def check(self, value: dict) -> dict:
        """The answer as the board keeps it: the kind's fields, each finite; raises Rejected."""
        out = {}
        for f in (*self.fields, *self.kept):
            v = value.get(f)
            if (
                isinstance(v, bool)
                or not isinstance(v, int | float | str)
                or (isinstance(v, float) and not math.isfinite(v))
            ):
                raise Rejected(f"this answer has no finite {f}")
            out[f] = v
        return out

    def rank(self, rows: list[dict], truth: float | None = None) -> list[dict]:
        return sorted(rows, key=lambda a: a["value"].get(self.rank_by, math.inf))

    def truth(self, page: Page) -> float | None:
        """The value the board reveals (None: the ranking is the answers' own)."""
        return None

    def figure(self, rows: list[dict], truth: float | None):
        import plotly.graph_objects as go

        vals = [a["value"] for a in rows]
        fig = go.Figure(go.Scatter(x=[max(v[self.fields[1]], 0.01) for v in vals], y=[v["dev"] for v in vals]))
        fig.update_traces(mode="markers", marker={"color": plots.BLUE, "size": 14})
        fig.update_layout(xaxis={"type": "log", "title": self.axis}, yaxis={"title": "dev NLL", "tickformat": ".2f"})
        return fig


class Train(Question):
    kind, prompt = "train", "Train the net with your own learning rate and regularization"
    fields, rank_by, axis = ("dev", "lr", "reg", "epochs"), "dev", "learning rate"
    tab = "Neural net"

    def form(self, page, right):
        s, corpus = page.settings, page.corpus
        run = page.runs.finished(data_key(s, corpus))
        if run is None:
            return None, "Train the net first, in the Neural net tab (the button opens it; the class's data stays)."
        dev = table_nlls(("net", run.id), run.table(), corpus, s.context)["dev"]
        cfg = run.config
        return {"dev": dev, "lr": cfg.lr, "reg": cfg.reg, "epochs": cfg.epochs}, ""


class MLP(Question):
    """The student's own MLP run (the MLP tab's, on the class's word list): its dev NLL, computed by
    this server on the whole dev split when the run ended, and the settings it was trained with."""

    kind, prompt = "mlp", "Train the MLP: lowest dev NLL"
    fields, rank_by = ("dev", "context", "d", "h", "steps"), "dev"
    tab = "MLP"
    kept = ("batch", "lr1", "lr2", "init_fix", "seed")
    SETTINGS = ("context", "d", "h", "steps", "batch", "lr1", "lr2", "seed")  # MLPConfig's, as they are

    def form(self, page, right):
        run = page.runs.finished(mlp_data_key(page.corpus))
        if run is None:
            return None, "Train the MLP first, in the MLP tab (the button opens it; your settings, your run)."
        c = run.trainer.config
        return {"dev": run.final_nll, **{f: getattr(c, f) for f in self.SETTINGS}, "init_fix": int(c.init_fix)}, ""

    def check(self, value):
        out = super().check(value)
        try:
            MLPConfig(**{f: out[f] for f in self.SETTINGS}).check()
        except (TypeError, ValueError) as e:
            raise Rejected(f"these are not an MLP's settings: {e}") from None
        if out["init_fix"] not in (0, 1) or not 0 < out["dev"] < 100:
            raise Rejected("this answer is not an MLP run's")
        return out

    def figure(self, rows, truth):
        import plotly.graph_objects as go

        vals = [a["value"] for a in rows]
        fig = go.Figure(go.Scatter(x=[v["context"] for v in vals], y=[v["dev"] for v in vals], mode="markers"))
        fig.update_traces(marker={"color": plots.BLUE, "size": 14})
        fig.update_layout(
            xaxis={"title": "context n", "dtick": 1, "range": [0.5, 8.5]},
            yaxis={"title": "dev NLL", "tickformat": ".2f"},
        )
        return fig


class Smoothing(Question):
    kind, prompt = "smoothing", "Find the smoothing with the lowest dev NLL"
    fields, rank_by, axis = ("dev", "smoothing"), "dev", "smoothing s"
    tab, own = "Counts", True

    def form(self, page, right):
        s, corpus = page.settings, page.corpus
        return {
            "dev": split_nlls(corpus.key, corpus, s.context, s.fit_part, s.smoothing)["dev"],
            "smoothing": s.smoothing,
        }, ""


class Likeliest(Question):
    kind, prompt = "likeliest", "Type the name you think the model finds likeliest"
    fields, rank_by = ("name", "nll"), "nll"

    def form(self, page, right):
        name = right.text_input("Your name", max_chars=32, key="class_name").strip().lower()
        if not name:
            return None, ""
        try:
            return {"name": name, "nll": score(page.tables["counts"], name).nll}, ""
        except ValueError as e:
            return None, str(e)

    def check(self, value):
        out = super().check(value)
        if not isinstance(out["name"], str) or not NAME.fullmatch(out["name"]):
            raise Rejected("a name is 1 to 32 letters a-z")
        return out

    def figure(self, rows, truth):
        import plotly.graph_objects as go

        names: dict[str, int] = {}
        for a in rows:
            names[a["value"]["name"]] = names.get(a["value"]["name"], 0) + 1
        top = sorted(names.items(), key=lambda x: -x[1])[:15]
        fig = go.Figure(go.Bar(x=[n for n, _ in top], y=[c for _, c in top], marker_color=plots.BLUE))
        fig.update_layout(xaxis={"title": "name", "type": "category"}, yaxis={"title": "students", "dtick": 1})
        return fig


class Predict(Question):
    kind, prompt = "predict", "Predict the count model's NLL at s = 0 before I show it"
    fields, rank_by = ("nll",), "nll"

    def form(self, page, right):
        return {"nll": right.number_input("Your guess", 0.0, 10.0, 2.5, step=0.01, key="class_guess")}, ""

    def truth(self, page):
        s, corpus = page.settings, page.corpus
        t = split_nlls(corpus.key, corpus, s.context, s.fit_part, 0.0)[s.fit_part]
        return t if math.isfinite(t) else None

    def rank(self, rows, truth=None):  # the closest guess first
        if truth is None:
            return list(rows)
        return sorted(rows, key=lambda a: abs(a["value"]["nll"] - truth))

    def figure(self, rows, truth):
        import plotly.graph_objects as go

        fig = go.Figure(go.Histogram(x=[a["value"]["nll"] for a in rows], nbinsx=20, marker_color=plots.BLUE))
        fig.update_layout(xaxis={"title": "predicted NLL at s = 0"}, yaxis={"title": "students", "dtick": 1})
        if truth is not None:
            fig.add_vline(x=truth, line={"color": plots.ORANGE, "width": 3}, annotation_text=f"the truth: {truth:.3f}")
        return fig


KINDS: dict[str, Question] = {q.kind: q for q in (Train(), MLP(), Smoothing(), Likeliest(), Predict())}
QUESTIONS = {kind: q.prompt for kind, q in KINDS.items()}  # kind -> prompt
