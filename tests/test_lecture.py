"""Lecture mode through AppTest: every step draws live on the data, navigation and settings are shared."""

import math

import pytest

from makemore.counts import fit_counts
from makemore.data import Vocab
from makemore.table import score
from tests.helpers.apptest import app, check, curve, figure, finish, text, widget
from ui.lecture import N_STEPS, STEPS
from ui.lecture.likelihood import impossible_name

pytestmark = pytest.mark.app


def heading(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("### "))


@pytest.mark.parametrize("step", range(1, N_STEPS + 1))
def test_every_step_draws_without_an_error(step):
    at = app({"mode": "lecture", "step": str(step)})
    assert heading(at) == f"### {step}. {STEPS[step - 1][0]}"
    assert at.query_params["mode"] == "lecture"
    assert at.query_params["step"] == str(step)
    assert not at.error, [text(e) for e in at.error]


def test_buttons_move_between_steps_and_back_to_the_explorer():
    at = app({"mode": "lecture", "step": "1", "smoothing": "10.0"})
    at.button(key="lecture_next").click().run()
    assert heading(check(at)).startswith("### 2.")
    assert at.query_params["step"] == "2"
    at.button(key="lecture_back").click().run()
    assert heading(check(at)).startswith("### 1.")
    at.button(key="lecture_exit").click().run()
    check(at)
    assert at.query_params["mode"] == "explorer"
    assert widget(at, "smoothing").value == 10.0, "the settings carry over between the modes"


def test_a_setting_changed_in_the_lecture_is_the_sidebars_setting():
    at = app({"mode": "lecture", "step": "7"})
    widget(at, "smoothing").set_value(100.0)
    at.run()
    assert "NLL" in " ".join(text(m) for m in check(at).markdown)
    at.button(key="lecture_exit").click().run()
    assert widget(check(at), "smoothing").value == 100.0
    assert at.query_params["smoothing"] == "100.0"


def test_the_steps_follow_an_uploaded_list():
    at = app({"mode": "lecture", "step": "1", "dataset": "upload"})
    at.file_uploader(key="upload").upload("pets.txt", b"rex\nfido\nbuddy\n", "text/plain").run()
    words = " ".join(text(m) for m in check(at).markdown)
    assert "uploaded list" in words
    assert "3 words" in words
    assert "shortest has 3 characters (rex)" in words


def test_the_impossible_name_has_probability_zero_without_smoothing(words, vocab):
    from ui.corpus import Corpus

    corpus = Corpus("names.txt", words, ("names",))
    name, why = impossible_name(corpus, 1)
    assert score(fit_counts(words, vocab, smoothing=0.0), name).nll == math.inf, name
    assert score(fit_counts(words, vocab, smoothing=1.0), name).nll < math.inf
    assert name.startswith("andrej"), "the lecture's name, or the closest one this data allows"
    assert ("jq" in "".join(words)) == (name != "andrejq"), why


def test_the_lectures_own_file_gives_andrejq(lecture_words):
    from ui.corpus import Corpus

    name, why = impossible_name(Corpus("lecture", lecture_words, ("lecture",)), 1)
    assert name == "andrejq"
    assert "lecture's own example" in why


def test_step_ten_trains_live_and_eleven_compares_the_tables():
    at = app({"mode": "lecture", "step": "10", "animate": "False", "epochs": "30"})
    at.button(key="lecture_train").click().run()
    finish(at)
    assert len(curve(at)) == 30
    at.button(key="lecture_next").click().run()
    net = figure(check(at), "lecture_net_P")["data"][0]["z"]
    counts = figure(at, "lecture_count_P")["data"][0]["z"]
    assert len(net) == 27
    import torch

    gap = (torch.tensor(net) - torch.tensor(counts)).abs().mean().item()
    W0 = torch.randn((27, 27), generator=torch.Generator().manual_seed(2147483647))
    start = (W0.softmax(1) - torch.tensor(counts)).abs().mean().item()
    assert gap < start / 3, f"after 30 epochs softmax(W) is {gap:.4f} from the counts, at the start {start:.4f}"
    widget(at, "lecture_punch").set_value("λ and smoothing")
    at.run()
    fig = figure(check(at), "lecture_reg")
    counted, learned = fig["data"][0]["y"], fig["data"][1]["y"]
    assert counted == sorted(counted), "more smoothing, a worse fit of the data"
    assert learned == sorted(learned), "more regularization, a worse fit of the data: the same trade"


def test_one_hot_rows_mark_the_inputs_of_the_name(vocab):
    at = app({"mode": "lecture", "step": "8", "name": "emma"})
    z = figure(at, "lecture_onehot")["data"][0]["z"]
    assert [row.index(1) for row in z] == [vocab.stoi[c] for c in ".emma"]
    assert all(sum(row) == 1 for row in z)


def test_the_forward_pass_is_the_lectures_arithmetic(vocab):
    import torch

    at = app({"mode": "lecture", "step": "9", "name": "emma"})
    bars = figure(at, "lecture_forward")["data"]
    g = torch.Generator().manual_seed(2147483647)
    W = torch.randn((27, 27), generator=g)  # the lecture's W
    logits = W[0]  # the input '.'
    probs = logits.exp() / logits.exp().sum()
    assert bars[0]["y"] == pytest.approx(logits.tolist(), rel=1e-5)
    assert bars[2]["y"] == pytest.approx(probs.tolist(), rel=1e-5)
    words = " ".join(text(m) for m in at.markdown)
    assert f"p = **{probs[vocab.stoi['e']]:.4f}**" in words


def test_vocab_of_the_lecture_is_ordered():
    assert Vocab.from_words(["ba"]).itos == (".", "a", "b")


def test_step_seven_on_a_trigram_upload_too_large_for_the_page_shows_the_servers_nlls():
    """63 symbols: the trigram table (63**2 x 63 counts) is too large to send for in-page
    smoothing (ui.models.nll_live is None); the step draws the server's figures instead."""
    symbols = [chr(c) for c in range(0x3B1, 0x3B1 + 25)] + [chr(c) for c in range(0x430, 0x430 + 32)]
    symbols += list("abcdef")
    assert len(symbols) == 63
    words = ["".join(symbols[(i + j) % 63] for j in range(5)) for i in range(300)]
    at = app({"mode": "lecture", "step": "7", "dataset": "upload", "context": "2"})
    at.file_uploader(key="upload").upload("wide.txt", "\n".join(words).encode(), "text/plain").run()
    check(at)
    shown = " ".join(text(m) for m in at.markdown)
    assert "has probability 0 without smoothing" in shown
    assert "| NLL |" in " ".join(m.value for m in at.markdown), "the server's NLL table"


def test_step_eleven_offers_the_run_that_reaches_the_punchline():
    """With the lecture's 100 epochs the tables differ by 0.384 ("not yet"); one click trains the
    longest run in step 10, and step 11 then says they are close."""
    from tests.helpers.apptest import finish

    at = app({"mode": "lecture", "step": "10", "epochs": "100"})
    at.button(key="lecture_train").click().run()
    finish(at)
    at.query_params["step"] = "11"
    at.session_state["_kept"]["step"] = 11
    at.run()
    words = " ".join(text(m) for m in check(at).markdown)
    assert "not yet the same table" in words, words[-400:]
    at.button(key="lecture_longer").click().run()
    assert at.session_state["_kept"]["step"] == 10 and at.session_state["_kept"]["epochs"] == 1000
    finish(at)
    at.session_state["_kept"]["step"] = 11
    at.run()
    words = " ".join(text(m) for m in check(at).markdown)
    assert "close: W is learning the log counts" in words, words[-400:]
