"""makemore explorer: the bigram (and trigram) model fit by counting and by gradient descent, side by side."""

from __future__ import annotations

import functools
import hashlib
import math
import time
import uuid
from dataclasses import dataclass, field

import streamlit as st
import torch

from makemore import plots
from makemore.counts import count_matrix, examples, smooth, sweep
from makemore.data import SEXES, YEARS, DataError, Vocab, babynames, load_words, parse_words, split
from makemore.export import matrix_csv, samples_csv, weights_json
from makemore.neural import METHODS, TrainConfig, train
from makemore.table import Table, draw, nll_counts, sample, score
from ui.components import heatmap_view, plotly_view, preload, spec
from ui.params import (
    DATASETS,
    FIT_ON,
    MAX_EPOCHS,
    MAX_LR,
    MAX_SEED,
    PARAMS,
    SMOOTHINGS,
    TABS,
    TEMPERATURES,
    from_url,
    to_url,
)

torch.set_num_threads(1)  # the server's own threads compete with torch's
LIVE_FPS = 30  # loss-curve updates per second while training
ANIMATE_SECONDS = 3.0  # with "animate", a short run is spread over this long so it can be watched
PARTS = ["all", "train", "dev", "test"]  # rows of the NLL tables


def main() -> None:
    st.set_page_config(page_title="makemore explorer", page_icon="🔤", layout="wide")
    restore_from_url()
    corpus = dataset_ui()
    # the sidebar's values are in session_state already, so the main area goes first: the heatmap
    # reaches the browser after a handful of messages, not after every sidebar widget
    st.title("makemore: the bigram model, two ways")
    st.caption(
        f"{corpus.label}: {len(corpus.words):,} words, {corpus.n_examples(ss('context')):,} examples, "
        f"{len(corpus.vocab)} symbols. One table P[context, next], filled by counting and by gradient descent."
    )
    # only the open tab runs (on_change="rerun"): a slider step redraws one tab, not five
    tabs = dict(zip(TABS, st.tabs(TABS, key="tab", on_change="rerun"), strict=True))
    shows = {
        "Counts": show_counts,
        "Compare": show_compare,
        "Score a name": show_score,
        "Sample step by step": show_steps,
    }
    for name, show in shows.items():
        if tabs[name].open:
            with tabs[name]:
                show(corpus)
    preload()  # after the open tab: the heatmap needs no plotly.js, the other tabs do
    settings_ui(corpus)
    st.query_params.from_dict(to_url(st.session_state))
    if tabs["Neural net"].open:
        with tabs["Neural net"]:  # last: a training run streams into it, and everything else is drawn already
            show_net(corpus)


def ss(key: str):
    return st.session_state[key]


def open_tab(name: str) -> None:
    st.session_state["tab"] = name


def fit_part() -> str:
    """The words both models are fit on: all of them (the lecture) or the train split (E02)."""
    return "all" if ss("fit_on") == FIT_ON[0] else "train"


# ---------------------------------------------------------------- settings and URL state


def restore_from_url() -> None:
    """Once per session: widget values from the URL, the rest from defaults; notes for bad values."""
    if "_restored" not in st.session_state:
        values, notes = from_url(st.query_params.to_dict())
        for key, p in PARAMS.items():
            st.session_state[key] = values.get(key, p.default)
        st.session_state["_restored"] = True
        st.session_state["_url_notes"] = notes
    for key, p in PARAMS.items():  # keys of widgets not drawn in a run are dropped by Streamlit
        st.session_state.setdefault(key, p.default)
    for note in st.session_state["_url_notes"]:
        st.sidebar.warning(f"Link: {note}", icon="🔗")


@dataclass
class Corpus:
    """A word list with its vocabulary, split and count matrices (computed once per k)."""

    label: str
    words: list[str]
    key: tuple  # identifies the data in caches
    vocab: Vocab = field(init=False)
    parts: dict[str, list[str]] = field(init=False)
    _derived: dict = field(default_factory=dict, repr=False)  # computed once: count matrices, word sets

    def __post_init__(self):
        self.vocab = Vocab.from_words(self.words)
        train_w, dev_w, test_w = split(self.words)
        self.parts = {"all": self.words, "train": train_w, "dev": dev_w, "test": test_w}

    def counts(self, k: int, part: str = "all") -> torch.Tensor:
        if (k, part) not in self._derived:
            self._derived[k, part] = count_matrix(self.parts[part], self.vocab, k)
        return self._derived[k, part]

    def n_examples(self, k: int) -> int:
        return int(self.counts(k).sum())

    def known(self, part: str) -> frozenset[str]:
        """The words a sample is checked against ("new" or "in data")."""
        if ("known", part) not in self._derived:
            self._derived["known", part] = frozenset(self.parts[part])
        return self._derived["known", part]


@st.cache_resource(max_entries=8, show_spinner=False)
def load_corpus(kind: str, year: int = 2017, sex: str = "both", _data: bytes = b"", digest: str = "") -> Corpus:
    if kind == "upload":
        return Corpus("uploaded list", parse_words(_data), ("upload", digest))
    if kind == "SSA year":
        return Corpus(f"SSA {year}, {sex}", babynames(year, sex), ("ssa", year, sex))
    return Corpus("names.txt", load_words(), ("names",))


def dataset_ui() -> Corpus:
    sb = st.sidebar
    sb.header("Data")
    kind = sb.radio("Dataset", DATASETS, key="dataset", horizontal=True)
    if kind == "SSA year":
        c1, c2 = sb.columns(2)
        c1.number_input("Year", YEARS.start, YEARS.stop - 1, step=1, key="year")
        c2.selectbox("Sex", list(SEXES), key="sex")
        return load_corpus(kind, ss("year"), ss("sex"))
    if kind == "upload":
        up = sb.file_uploader("Word list (.txt, one word per line)", type=["txt"], key="upload")
        if up is None:
            sb.info("Upload a file; until then the page uses names.txt.")
            return load_corpus("names.txt")
        data = up.getvalue()
        try:
            return load_corpus("upload", _data=data, digest=hashlib.sha256(data).hexdigest())
        except DataError as e:
            sb.error(f"{up.name}: {e}")
            st.error(f"Could not use {up.name}: {e}. Showing names.txt instead.")
            return load_corpus("names.txt")
    return load_corpus("names.txt")


def settings_ui(corpus: Corpus) -> None:
    sb = st.sidebar
    sb.radio("Context", [1, 2], key="context", horizontal=True, format_func=lambda k: ("bigram", "trigram")[k - 1])
    sb.radio("Fit on", FIT_ON, key="fit_on", horizontal=True, help="train split: exercise E02, dev/test held out")
    sb.header("Count model")
    sb.select_slider("Smoothing s (add-s)", SMOOTHINGS, key="smoothing", format_func=lambda s: f"{s:g}")
    sb.header("Neural net")
    sb.slider("Epochs", 1, MAX_EPOCHS, key="epochs")
    c1, c2 = sb.columns(2)
    c1.number_input("Learning rate", 1e-4, MAX_LR, key="lr", format="%g")
    c2.number_input("Regularization", 0.0, 100.0, key="reg", format="%g", step=0.01)
    sb.selectbox("Method", METHODS, key="method", help="four ways to compute the same loss; counts is fastest")
    sb.checkbox("Animate training", key="animate", help=f"spread a fast run over ~{ANIMATE_SECONDS:g} s")
    sb.button("Train", key="train", type="primary", width="stretch", on_click=open_tab, args=("Neural net",))
    sb.header("Sampling")
    sb.number_input("Seed", 0, MAX_SEED, step=1, key="seed")
    c1, c2 = sb.columns(2)
    c1.slider("Samples", 1, 100, key="n_samples")
    c2.select_slider("Temperature", TEMPERATURES, key="temperature", format_func=lambda t: f"{t:g}")


# ---------------------------------------------------------------- cached derived data


@st.cache_data(max_entries=64, show_spinner=False)
def count_table(key: tuple, _corpus: Corpus, k: int, part: str, smoothing: float) -> torch.Tensor:
    return smooth(_corpus.counts(k, part), smoothing)


def count_model(corpus: Corpus) -> Table:
    return Table(
        corpus.vocab, ss("context"), count_table(corpus.key, corpus, ss("context"), fit_part(), ss("smoothing"))
    )


@st.cache_data(max_entries=64, show_spinner=False)
def heatmap_data(key: tuple, _corpus: Corpus, k: int, smoothing: float, view: str, first: str) -> dict:
    N, P = _corpus.counts(k), count_table(key, _corpus, k, "all", smoothing)
    if k == 2:  # the 27x27 slice of contexts starting with `first`
        i = _corpus.vocab.stoi[first] * len(_corpus.vocab)
        N, P = N[i : i + len(_corpus.vocab)], P[i : i + len(_corpus.vocab)]
    return plots.heatmap_cells(N, P, _corpus.vocab, view, prefix=first if k == 2 else "")


@st.cache_data(max_entries=64, show_spinner=False)
def split_nlls(key: tuple, _corpus: Corpus, k: int, fit: str, smoothing: float) -> dict[str, float]:
    P = count_table(key, _corpus, k, fit, smoothing)
    return {part: nll_counts(P, _corpus.counts(k, part)) for part in PARTS}


@st.cache_data(max_entries=16, show_spinner=False)
def sweep_rows(key: tuple, _corpus: Corpus, k: int) -> list[dict]:
    parts = {p: _corpus.parts[p] for p in ("train", "dev", "test")}
    return sweep(parts, _corpus.vocab, k, [s for s in SMOOTHINGS if s > 0] + [2000.0, 5000.0, 10000.0])


@st.cache_data(max_entries=64, show_spinner=False)
def samples_of(key: tuple, _table: Table, n: int, seed: int, temperature: float, _known: frozenset) -> list:
    return sample(_table, n, seed, temperature, known=_known)


def fmt_nll(x: float) -> str:
    if math.isnan(x):
        return "— (no words)"
    return "∞ (a pair with p = 0)" if x == math.inf else f"{x:.4f}"


# ---------------------------------------------------------------- tab 1: counts


def show_counts(corpus: Corpus) -> None:
    k = ss("context")
    first = "."
    if k == 2:
        if ss("slice") not in corpus.vocab.itos:
            st.session_state["slice"] = "."
        first = ss("slice")
    left, right = st.columns([3, 1])
    with left:
        heatmap_view(heatmap_data(corpus.key, corpus, k, ss("smoothing"), ss("view"), first), key="heatmap")
    with right:
        st.radio("Show", plots.VIEWS, key="view")
        if k == 2:
            st.selectbox("First context character", list(corpus.vocab.itos), key="slice")
        st.subheader("Dataset")
        st.metric("Words", f"{len(corpus.words):,}")
        st.metric("Examples", f"{corpus.n_examples(k):,}")
        st.metric("Symbols", len(corpus.vocab))
        st.subheader("Count model NLL")
        nlls = split_nlls(corpus.key, corpus, k, fit_part(), ss("smoothing"))
        show_table({"NLL": [fmt_nll(v) for v in nlls.values()]}, list(nlls))
        st.caption(
            f"smoothing {ss('smoothing'):g}, fit on {fit_part()} words; uniform is ln {len(corpus.vocab)} "
            f"= {math.log(len(corpus.vocab)):.4f}"
        )
        csv_downloads(corpus)


def csv_downloads(corpus: Corpus) -> None:
    """The count matrix and the probabilities; the CSV text is made only when a button is clicked."""
    table = count_model(corpus)
    counts = functools.partial(matrix_csv, table, corpus.counts(ss("context")), "{:d}")
    st.download_button("Counts (CSV)", counts, "counts.csv", "text/csv", key="dl_counts")
    probs = functools.partial(matrix_csv, table, table.P)
    st.download_button("Probabilities (CSV)", probs, "probabilities.csv", "text/csv", key="dl_probs")


def show_table(columns: dict[str, list], index: list, corner: str = "") -> None:
    """A small table as Markdown: plain HTML, large enough to read on a projector."""
    lines = ["| " + " | ".join([corner, *columns]) + " |", "|" + "---|" * (len(columns) + 1)]
    for r, label in enumerate(index):
        lines.append("| " + " | ".join([md(label), *(md(col[r]) for col in columns.values())]) + " |")
    st.markdown("\n".join(lines))


def md(x) -> str:
    """Text shown literally in Markdown (an uploaded word may hold any character)."""
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+-.!|~$" else c for c in str(x)) or " "


# ---------------------------------------------------------------- tab 2: neural net


def train_config() -> TrainConfig:
    return TrainConfig(
        epochs=ss("epochs"), lr=float(ss("lr")), reg=float(ss("reg")), seed=ss("seed"), method=ss("method")
    )


def run_key(corpus: Corpus) -> tuple:
    return (corpus.key, ss("context"), fit_part(), train_config())


def show_net(corpus: Corpus) -> None:
    k, part = ss("context"), fit_part()
    floor = split_nlls(corpus.key, corpus, k, part, ss("smoothing"))[part]
    run = st.session_state.get("run")
    if run and run["status"] == "running":  # a rerun (a widget changed) ended the loop mid-way
        run["status"] = "stopped"
    status = st.empty()
    chart = st.empty()
    if ss("train"):
        run = start_run(corpus, status, chart, floor)
    elif run is None:
        status.info("Press **Train** in the sidebar to train the net; the loss curve is drawn live.")
        with chart:
            plotly_view(plots.loss_curve([], ss("epochs"), floor, y_top=4.0), key="loss")
        return
    else:
        with chart:
            plotly_view(loss_spec(run, floor), key="loss")
    show_run_result(corpus, run, status, floor)


def loss_spec(run: dict, floor: float) -> dict:
    """The loss figure of a run; its layout is built once, each update only refills the curve."""
    nlls = [r.nll for r in run["records"]]
    base = run.get("_base")
    if base is None or not nlls or run.get("_floor") != floor:  # the floor moves with the smoothing
        base = spec(plots.loss_curve([], run["config"].epochs, floor, y_top=nlls[0] if nlls else None))
        if nlls:
            run["_base"], run["_floor"] = base, floor
    fig = {**base, "data": [dict(base["data"][0], x=list(range(1, len(nlls) + 1)), y=nlls), *base["data"][1:]]}
    fig["layout"] = {**base["layout"], "meta": f"{len(nlls)}/{run['config'].epochs}"}
    return fig


def start_run(corpus: Corpus, status, chart, floor: float) -> dict:
    """Train in this script run, streaming the curve; the run lives in session_state throughout,
    so a rerun that cuts the loop short (a widget changed) finds it and reports it as stopped."""
    config, k, part = train_config(), ss("context"), fit_part()
    run = {
        "id": uuid.uuid4().hex,  # names this run in the samples cache
        "key": run_key(corpus),
        "config": config,
        "records": [],
        "status": "running",
        "W": None,
        "message": "",
        "seconds": 0.0,
    }
    st.session_state["run"] = run
    N = corpus.counts(k, part)
    xs, ys = examples(corpus.parts[part], corpus.vocab, k) if config.method != "counts" else (None, None)
    bar = status.progress(0.0, text="training…")
    t0 = last_draw = time.perf_counter()
    other = 0.0  # seconds spent drawing and pacing, not training
    try:
        for record, W in train(N, config, xs, ys):
            t1 = time.perf_counter()
            run["records"].append(record)
            run["W"] = W
            if ss("animate"):  # pace a fast run so the curve can be watched
                lag = t0 + ANIMATE_SECONDS * record.epoch / config.epochs - t1
                time.sleep(max(0.0, lag))
            if time.perf_counter() - last_draw >= 1 / LIVE_FPS or record.epoch == config.epochs:
                last_draw = time.perf_counter()
                with chart:
                    plotly_view(loss_spec(run, floor), key="loss", again=True)
                bar.progress(
                    record.epoch / config.epochs, f"epoch {record.epoch}/{config.epochs}, NLL {record.nll:.4f}"
                )
            other += time.perf_counter() - t1
        run["W"] = run["W"].detach().clone()
        run["status"] = "done"
    except ValueError as e:  # TrainingDiverged, or nothing to train on
        run["status"], run["message"], run["W"] = "failed", str(e), None
    run["seconds"] = time.perf_counter() - t0 - other
    if run["status"] == "done":
        st.rerun()  # redraw the page so every tab sees the trained net
    with chart:
        plotly_view(loss_spec(run, floor), key="loss", again=True)
    return run


def net_table(corpus: Corpus) -> Table | None:
    run = st.session_state.get("run")
    if not run or run["status"] != "done" or run["key"][:3] != run_key(corpus)[:3]:
        return None
    return Table(corpus.vocab, ss("context"), torch.softmax(run["W"], dim=1))


def show_run_result(corpus: Corpus, run: dict, status, floor: float) -> None:
    cfg, n = run["config"], len(run["records"])
    if run["status"] == "failed":
        status.error(f"{run['message']}.")
        return
    if run["status"] == "stopped":
        status.warning(
            f"Training stopped at epoch {n} of {cfg.epochs} because a setting changed; press **Train** to run it again."
        )
        return
    last = run["records"][-1]
    if run["key"] != run_key(corpus):
        status.info("The settings changed since this run; press **Train** to train with the new ones.")
    else:
        status.success(
            f"Trained {cfg.epochs} epochs ({cfg.method}) in {run['seconds'] * 1000:.0f} ms: "
            f"data NLL {last.nll:.4f}, total {last.total:.4f}; the count model's NLL is {fmt_nll(floor)}."
        )
    table = net_table(corpus)
    if table is None:
        return
    k = ss("context")
    counts = count_model(corpus)
    first = ss("slice") if k == 2 else "."
    i = corpus.vocab.stoi.get(first, 0) * len(corpus.vocab) if k == 2 else 0
    rows = slice(i, i + len(corpus.vocab))
    c1, c2, c3 = st.columns(3)
    with c1:
        plotly_view(plots.matrix(table.P[rows], corpus.vocab, "neural net: softmax(W)"), key="net_P")
    with c2:
        plotly_view(plots.matrix(counts.P[rows], corpus.vocab, f"count model (s = {ss('smoothing'):g})"), key="count_P")
    with c3:
        plotly_view(
            plots.matrix(table.P[rows] - counts.P[rows], corpus.vocab, "difference (net − counts)", diverging=True),
            key="diff_P",
        )
    weights = functools.partial(weights_json, run["W"], table)
    st.download_button("Trained W (JSON)", weights, "W.json", "application/json", key="dl_W")


# ---------------------------------------------------------------- tab 3: compare


def show_compare(corpus: Corpus) -> None:
    counts, net = count_model(corpus), net_table(corpus)
    args = (ss("n_samples"), ss("seed"), ss("temperature"), corpus.known(fit_part()))
    st.subheader(f"Samples (seed {ss('seed')}, temperature {ss('temperature'):g})")
    c1, c2 = st.columns(2)
    count_samples = samples_of((corpus.key, ss("context"), fit_part(), ss("smoothing")), counts, *args)
    with c1:
        st.markdown("**Count model**")
        show_samples(count_samples)
    with c2:
        st.markdown("**Neural net**")
        if net is None:
            st.info("Train the net (sidebar) to sample from it.")
        else:
            net_samples = samples_of(("net", st.session_state["run"]["id"]), net, *args)
            show_samples(net_samples)
    st.download_button(
        "Samples (CSV)", functools.partial(samples_csv, count_samples), "samples.csv", "text/csv", key="dl_samples"
    )
    st.subheader("Average NLL")
    k, part = ss("context"), fit_part()
    table = {"count model": split_nlls(corpus.key, corpus, k, part, ss("smoothing"))}
    if net is not None:
        table["neural net"] = {p: nll_counts(net.P, corpus.counts(k, p)) for p in PARTS}
    show_table({m: [fmt_nll(v) for v in d.values()] for m, d in table.items()}, PARTS)
    st.caption(
        f"Both models are fit on **{part}** words."
        + (" Dev and test are not held out: choose *Fit on: train split* to hold them out." if part == "all" else "")
    )
    st.subheader("Smoothing sweep (E03): count model fit on train")
    plotly_view(plots.sweep_curve(sweep_rows(corpus.key, corpus, k), ss("smoothing") or None), key="sweep")


def show_samples(samples) -> None:
    names = [s.name + ("…" if s.cut else "") for s in samples]
    show_table({"name": names, "tag": [s.tag for s in samples]}, list(range(1, len(samples) + 1)), "#")


# ---------------------------------------------------------------- tab 4: score a name


def show_score(corpus: Corpus) -> None:
    word = st.text_input("Name", key="name", max_chars=64)
    tables = {"count model": count_model(corpus)}
    if (net := net_table(corpus)) is not None:
        tables["neural net"] = net
    try:
        scores = {m: score(t, word) for m, t in tables.items()}
    except ValueError as e:
        st.warning(str(e))
        return
    cols = st.columns(len(scores))
    for col, (m, sc) in zip(cols, scores.items(), strict=True):
        col.metric(
            f"{m}: average NLL of {sc.word!r}",
            fmt_nll(sc.nll),
            help=f"total {sc.total:.3f} over {len(sc.steps)} transitions",
        )
    plotly_view(plots.score_bars(scores), key="score_bars")
    if net is None:
        st.caption("Train the net to see its bars beside the count model's.")


# ---------------------------------------------------------------- tab 5: sample step by step


def show_steps(corpus: Corpus) -> None:
    table = count_model(corpus)
    key = (corpus.key, ss("context"), fit_part(), ss("smoothing"), ss("seed"))
    st.caption(
        "One `torch.multinomial` draw per press, from the same generator as the samples, so the names "
        "come out the same as in the Compare tab (temperature 1)."
    )
    c1, c2, _ = st.columns([1, 1, 4])
    restart = c2.button("Restart", key="step_reset")
    state = st.session_state.get("steps")
    if restart or state is None or state["key"] != key:
        g = torch.Generator().manual_seed(ss("seed"))
        state = {"key": key, "g": g.get_state(), "ctx": 0, "chars": [], "names": [], "drawn": None, "row": None}
        st.session_state["steps"] = state
    if c1.button("Next character", key="step", type="primary"):
        g = torch.Generator()
        g.set_state(state["g"])
        p = table.P[state["ctx"]]
        ix = draw(p, g)
        state.update(g=g.get_state(), drawn=ix, row=(p, table.context_name(state["ctx"])))
        if ix == 0:
            state["names"].append("".join(state["chars"]))
            state["chars"], state["ctx"] = [], 0
        else:
            state["chars"].append(corpus.vocab.itos[ix])
            state["ctx"] = table.advance(state["ctx"], ix)
    current = "".join(state["chars"])
    st.markdown(
        f"### `{current or '·'}`" + (" (name finished: next press starts a new one)" if state["drawn"] == 0 else "")
    )
    if state["names"]:
        st.write("Finished: " + ", ".join(state["names"]))
    if state["row"] is not None:
        p, ctx = state["row"]
        plotly_view(plots.row_bars(p, corpus.vocab, state["drawn"], ctx), key="step_row")
    else:
        st.info("Press **Next character** to draw the first character from the row of '.'.")


try:
    main()
except Exception as e:  # noqa: BLE001  (the last resort: one line on the page, never a traceback)
    st.error(f"Something went wrong: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
