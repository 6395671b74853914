"""Lecture steps 12-13 (beyond the bigram) and the class's MLP question through AppTest: the count
columns against a plain n-gram count written here, the MLP's figures labelled by whose they are,
and a student's own MLP run as the answer, its dev NLL recomputed here with part 2's forward pass."""

import math
import re
from collections import Counter, defaultdict

import pytest
import torch
import torch.nn.functional as F

from makemore.crossover import CROSSOVER_MLP
from makemore.data import split
from makemore.ngram import SMOOTHINGS
from service.live import board_csv
from service.rooms import Rejected, rooms
from service.runs import service
from tests.conftest import ROOT
from tests.helpers.apptest import app, check, figure, open_tab, plain, text
from tests.test_mlp import build_dataset
from ui.classroom.questions import KINDS
from ui.lecture import beyond

pytestmark = pytest.mark.app


def plain_ngrams(train: list[str], dev: list[str], n: int, V: int) -> dict:
    """The count model with n characters of context, counted with dicts as the lecture counts
    bigrams: contexts seen, the share of dev examples whose context was never seen, and the dev
    NLL at the smoothing of SMOOTHINGS that is lowest (an unseen context: uniform)."""
    N: dict[str, Counter] = defaultdict(Counter)
    for w in train:
        ctx = "." * n
        for ch in w + ".":
            N[ctx][ch] += 1
            ctx = ctx[1:] + ch
    pairs = []
    for w in dev:
        ctx = "." * n
        for ch in w + ".":
            pairs.append((ctx, ch))
            ctx = ctx[1:] + ch
    rows = {ctx: sum(c.values()) for ctx, c in N.items()}
    nll = {}
    for s in SMOOTHINGS:
        total = 0.0
        for ctx, ch in pairs:
            p = (N[ctx][ch] + s) / (rows[ctx] + V * s) if ctx in rows else 1 / V
            total -= math.log(p)
        nll[s] = total / len(pairs)
    best = min(nll, key=nll.get)
    unseen = sum(ctx not in rows for ctx, _ in pairs) / len(pairs)
    return {"seen": len(rows), "unseen": unseen, "smoothing": best, "dev": nll[best]}


def markdown_table(at) -> list[list[str]]:
    (md,) = [plain(m.value) for m in at.markdown if m.value.startswith("| n |")]
    return [[c.strip() for c in line.strip("|").split("|")] for line in md.splitlines()[2:]]


def test_step_twelve_is_a_plain_ngram_count_at_every_context_length(words):
    at = app({"mode": "lecture", "step": "12"})
    shown = markdown_table(at)
    train, dev, _ = split(words)
    assert [r[0] for r in shown] == [str(n) for n in range(1, 9)]
    for n, row in enumerate(shown, 1):
        mine = plain_ngrams(train, dev, n, 27)
        assert row[1] == f"{27**n:,}", f"n = {n}: the dense table's rows"
        assert row[2:] == [
            f"{mine['seen']:,}",
            f"{mine['unseen']:.1%}",
            f"{mine['smoothing']:g}",
            f"{mine['dev']:.4f}",
        ], f"n = {n}"
    rail = " ".join(text(m) for m in at.markdown)
    assert "282,429,536,481" in rail and "lowest at n = 3" in rail
    fig = figure(at, "lecture_context")
    assert [t["name"] for t in fig["data"]] == ["counts: dev", "counts: train"], "no MLP before its step"
    assert [f"{y:.4f}" for y in fig["data"][0]["y"]] == [r[-1] for r in shown]


def docs_table() -> dict[int, tuple[float, float]]:
    """The MLP's train and dev NLL per n, as docs/crossover.md's measured table prints them."""
    out = {}
    for line in (ROOT / "docs" / "crossover.md").read_text().splitlines():
        cells = line.split()
        if len(cells) == 9 and re.fullmatch(r"[1-8]", cells[0]) and "%" in cells[3]:
            out[int(cells[0])] = (float(cells[7]), float(cells[8]))
    return out


def test_step_thirteen_draws_the_measured_reference_labelled_as_such():
    assert beyond.MEASURED == docs_table(), "the step's reference figures are the docs' measured ones"
    at = app({"mode": "lecture", "step": "13"})
    fig = figure(at, "lecture_crossover")
    dev = next(t for t in fig["data"] if t.get("meta") == "mlp_dev")
    assert dev["name"] == "MLP, measured reference: dev"
    assert dev["x"] == list(range(1, 9)) and dev["y"] == [beyond.MEASURED[n][1] for n in range(1, 9)]
    rail = " ".join(text(m) for m in at.markdown)
    assert "measured beforehand on names.txt" in rail and "not trained here" in rail
    assert "best MLP **2.0331** (n = 8)" in " ".join(m.value for m in at.markdown)
    d, h = CROSSOVER_MLP.d, CROSSOVER_MLP.h
    params = 27 * d + (8 * d) * h + h + h * 27 + 27  # C, W1, b1, W2, b2 at context 8
    assert f"**{params:,}** parameters against 282,429,536,481 rows" in " ".join(m.value for m in at.markdown)


def test_step_thirteen_draws_this_pages_own_crossover_runs_where_it_has_them():
    at = app({"mode": "lecture", "step": "13"})
    config = CROSSOVER_MLP.__class__(**{**vars(CROSSOVER_MLP), "dev_every": CROSSOVER_MLP.steps // 10})
    at.session_state["_crossover"] = {(("names",), config): {2: {"mlp_train": 2.2, "mlp_dev": 2.25}}}
    at.run()
    dev = next(t for t in figure(check(at), "lecture_crossover")["data"] if t.get("meta") == "mlp_dev")
    assert (dev["name"], dev["x"], dev["y"]) == ("MLP, this page's runs: dev", [2], [2.25])
    assert "best MLP **2.2500** (n = 2)" in " ".join(m.value for m in at.markdown)


def test_step_thirteen_on_other_data_draws_no_reference():
    at = app({"mode": "lecture", "step": "13", "dataset": "SSA year", "year": "1990"})
    dev = next(t for t in figure(at, "lecture_crossover")["data"] if t.get("meta") == "mlp_dev")
    assert dev["y"] == [], "the reference was measured on names.txt only"
    assert "Train the MLP at every n in the Crossover tab" in " ".join(text(m) for m in at.markdown)


def test_the_embedding_view_draws_every_character_of_the_vocabulary(vocab):
    at = app({"mode": "lecture", "step": "13"})
    at.radio(key="lecture_mlp_view").set_value("the embedding C").run()
    points = figure(check(at), "lecture_embedding")["data"][0]
    assert points["text"] == list(vocab.itos) and len(points["x"]) == 27
    assert "a short run here: context 3, d 2" in " ".join(text(m) for m in at.markdown)


def part2_dev_nll(state, dev: list[str], vocab, k: int) -> float:
    """Part 2's evaluation cell on the dev words: build_dataset, emb = C[X], tanh, cross_entropy."""
    X, Y = build_dataset(dev, vocab.stoi, k)  # the lecture's cell (tests/test_mlp.py)
    emb = state.C[X]
    h = torch.tanh(emb.view(-1, k * state.C.shape[1]) @ state.W1 + state.b1)
    return F.cross_entropy(h @ state.W2 + state.b2, Y).item()


def test_the_mlp_question_sends_the_students_own_run_and_its_settings(words, vocab):
    lecturer = app({"mode": "lecture", "step": "13"})
    lecturer.button(key="class_open").click().run()
    k = lecturer.session_state["_classroom"].member
    qid = rooms().ask(k.code, k.secret, "mlp", KINDS["mlp"].prompt)
    student = app({"join": k.code})
    # one click in the question's form: exploring on their own, in the explorer's MLP tab
    student.button(key="class_to_tab").click().run()
    kept, member = student.session_state["_kept"], student.session_state["_classroom"].member
    assert (kept["mode"], kept["tab"], member.following) == ("explorer", "MLP", False)
    for key, value in {"mlp_steps": 200, "mlp_init_fix": True, "mlp_context": 2, "mlp_d": 4}.items():
        student.session_state["_kept"][key] = value
    open_tab(student, "MLP")
    assert "Train the MLP first" in " ".join(text(c) for c in student.caption)
    student.button(key="train_mlp").click().run()
    run = student.session_state["_runs"].lanes["mlp"]
    assert service().wait(run, 120), run.status
    student.run()
    mine = part2_dev_nll(run.final_state, split(words)[1], vocab, 2)
    student.text_input(key="class_nick").set_value("ada").run()
    student.button(key="class_send").click().run()
    check(student)
    (answer,) = rooms().answers(k.code, qid)
    value = answer["value"]
    assert value["dev"] == pytest.approx(mine, abs=1e-5), "the dev NLL the student's run reached"
    assert {f: value[f] for f in ("context", "d", "h", "steps", "batch", "lr1", "lr2", "init_fix")} == {
        "context": 2, "d": 4, "h": 200, "steps": 200, "batch": 32, "lr1": 0.1, "lr2": 0.01, "init_fix": 1
    }  # fmt: skip
    header = board_csv(rooms().get(k.code).question, [answer]).splitlines()[0].split(",")
    assert {"dev", "context", "d", "h", "steps", "batch", "lr1", "lr2", "init_fix", "seed"} <= set(header)


def test_the_mlp_question_checks_its_answer_and_ranks_the_lowest_dev_first():
    q = KINDS["mlp"]
    good = {"dev": 2.2, "context": 3, "d": 10, "h": 200, "steps": 1000, "batch": 32, "lr1": 0.1, "lr2": 0.01}
    good |= {"init_fix": 0, "seed": 1}
    assert q.check({**good, "extra": 5}) == good
    for bad in ({"dev": float("nan")}, {"context": 9}, {"h": 5}, {"lr1": -1.0}, {"init_fix": 2}, {"seed": None}):
        with pytest.raises(Rejected):
            q.check(good | bad)
    rows = q.rank([{"value": good | {"dev": d}} for d in (2.3, 2.05, 2.6)])
    assert [r["value"]["dev"] for r in rows] == [2.05, 2.3, 2.6]


def test_an_exploring_student_explores_again_after_the_server_restarts():
    """Its link says so (exploring=1 beside join=): a restarted server makes a new session, which
    joined as a follower before (the journey's laptop was pulled back to the lecturer's step)."""
    lecturer = app({"mode": "lecture", "step": "7"})
    lecturer.button(key="class_open").click().run()
    code = lecturer.session_state["_classroom"].member.code
    student = app({"join": code})
    assert student.session_state["_classroom"].member.following
    student.button(key="class_explore").click().run()
    url = dict(student.query_params)
    assert url["join"] == code and url["exploring"] == "1", url
    again = app(url)  # the same link, a new session
    assert again.session_state["_classroom"].member.following is False
    again.button(key="class_back").click().run()
    assert "exploring" not in again.query_params and again.session_state["_classroom"].member.following
