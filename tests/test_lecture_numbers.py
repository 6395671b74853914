"""Every number the lecture shows, on the step that tells it, with the lecture's own file uploaded.

Each expected figure is computed here the way the lecture's notebook computes it (a plain loop over
the words, float32 where the lecture's tensors are float32), and also checked against the figure the
lecture prints; the test skips only where the lecture's file is absent."""

import itertools
import math
from html import unescape

import numpy as np
import pytest
import torch

from tests.helpers.apptest import app, check, figure, finish, open_tab, text, widget
from ui.lecture.counting import lecture_name
from ui.lecture.network import verdict

from .conftest import LECTURE

pytestmark = pytest.mark.app


def lecture_app(step: int, **query):
    if not LECTURE.is_file():
        pytest.skip(f"{LECTURE} is absent (it is only on the development machine)")
    at = app({"mode": "lecture", "step": str(step), "dataset": "upload", **query})
    at.file_uploader(key="upload").upload("names.txt", LECTURE.read_bytes(), "text/plain").run()
    return check(at)


def words_on_screen(at) -> str:
    return " ".join([text(m) for m in at.markdown] + [text(c) for c in at.caption]).replace("**", "")


def lecture_tables(words):
    """The lecture's N and P (float32), built with its own loops."""
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)} | {".": 0}
    N = torch.zeros((27, 27), dtype=torch.int32)
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in itertools.pairwise(chs):
            N[stoi[ch1], stoi[ch2]] += 1
    P = N.float()
    P /= P.sum(1, keepdims=True)
    return stoi, N, P


def test_step_four_shows_the_first_row_of_the_raw_counts(lecture_words):
    _, _, P = lecture_tables(lecture_words)
    at = lecture_app(4)
    words = words_on_screen(at)
    assert f"p('a') = {float(P[0, 1]):.4f}" in words, words
    assert "p('a') = 0.1377" in words, "the lecture's figure"
    assert "p('.') = 0.0000" in words, "the raw counts, unsmoothed: no name is empty"


def test_step_six_shows_the_log_likelihood_float32_and_exact_and_n(lecture_words):
    stoi, N, P = lecture_tables(lecture_words)
    log_likelihood, exact, n = np.float32(0.0), 0.0, 0
    for w in lecture_words:  # the lecture's loop, in float32 as its tensors are
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in itertools.pairwise(chs):
            log_likelihood = np.float32(log_likelihood + np.float32(math.log(float(P[stoi[ch1], stoi[ch2]]))))
            exact += math.log(int(N[stoi[ch1], stoi[ch2]]) / int(N[stoi[ch1]].sum()))
            n += 1
    assert n == 228146 and f"{log_likelihood:.2f}" == "-559891.75", "the lecture's own figures"
    words = words_on_screen(lecture_app(6))
    assert f"n = {n:,}" in words, words
    assert f"{float(log_likelihood):,.2f} (the lecture's float32 sum" in words, words
    assert f"exactly {exact:,.2f}" in words and "-559,873.59" in words, words
    assert f"{-exact / n:.4f}" in words, "the average NLL beside them"


def test_step_eight_shows_xs_and_ys_as_numbers_and_plain_row_labels():
    at = lecture_app(8)
    words = words_on_screen(at)
    assert "xs = [0, 5, 13, 13, 1]" in words and "ys = [5, 13, 13, 1, 0]" in words, words
    rows = figure(at, "lecture_onehot")["data"][0]["y"]
    assert rows == ["1: .", "2: e", "3: m", "4: m", "5: a"], rows


def test_step_nine_shows_the_average_loss_of_the_names_examples(lecture_words):
    stoi, _, _ = lecture_tables(lecture_words)
    W = torch.randn((27, 27), generator=torch.Generator().manual_seed(2147483647))
    xs = torch.tensor([stoi[c] for c in ".emma"])
    ys = torch.tensor([stoi[c] for c in "emma."])
    probs = (torch.nn.functional.one_hot(xs, 27).float() @ W).exp()
    probs /= probs.sum(1, keepdims=True)
    loss = -probs[torch.arange(5), ys].log().mean().item()
    words = words_on_screen(lecture_app(9))
    assert f"all 5 examples of emma: {loss:.4f}" in words, words
    assert "3.7693" in words, "the lecture's figure"


def test_step_ten_shows_the_first_loss_and_the_data_nll_and_has_its_regularization(lecture_words):
    stoi, _, _ = lecture_tables(lecture_words)
    xs, ys = [], []
    for w in lecture_words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in itertools.pairwise(chs):
            xs.append(stoi[ch1])
            ys.append(stoi[ch2])
    xs, ys = torch.tensor(xs), torch.tensor(ys)
    W = torch.randn((27, 27), generator=torch.Generator().manual_seed(2147483647))
    probs = (torch.nn.functional.one_hot(xs, 27).float() @ W).softmax(1)
    data = -probs[torch.arange(len(xs)), ys].log().mean().item()
    loss = data + 0.01 * (W**2).mean().item()
    at = lecture_app(10)
    words = words_on_screen(at)
    assert f"the loss is {loss:.4f}" in words and "3.7686" in words, words
    assert f"data NLL {data:.4f}" in words, words
    widget(at, "reg").set_value(1.0)
    at.run()
    assert f"the loss is {data + (W**2).mean().item():.4f}" in words_on_screen(check(at)), "the control moves it"


def test_a_name_follows_the_score_tabs_rule_and_says_what_it_did(words, vocab):
    from ui.corpus import Corpus

    corpus = Corpus("names.txt", words, ("names",))
    assert lecture_name(corpus, "Andrej") == ("andrej", "“Andrej” is read as “andrej”: the list is lowercase.")
    name, note = lecture_name(corpus, "zoë")
    assert name == words[0] and "'ë' is not one of this list's symbols" in note
    at = app({"mode": "lecture", "step": "2", "name": "zoë"})
    assert "'ë' is not one of this list's symbols" in " ".join(text(c) for c in at.caption)
    chips = " ".join(h.value for h in at.get("html"))
    big = [c.split("<")[0] for c in chips.split('mm-chip mm-big">')[1:]]
    assert big == [".", *words[0], "."], f"the step shows the name it says it shows: {big}"


def test_a_link_to_an_upload_says_so_in_the_main_area():
    at = app({"mode": "lecture", "step": "1", "dataset": "upload"})
    notice = [text(w) for w in at.warning if "link cannot carry" in text(w)]
    assert notice and "231,718 examples" in notice[0], [text(w) for w in at.warning]


def test_step_eleven_uses_one_colour_scale_and_its_sentence_follows_the_numbers():
    at = app({"mode": "lecture", "step": "11"})
    net, counts = figure(at, "lecture_net_P")["data"][0], figure(at, "lecture_count_P")["data"][0]
    assert net["zmax"] == counts["zmax"] and net["zmin"] == counts["zmin"] == 0
    top = max(max(map(max, net["z"])), max(map(max, counts["z"])))
    assert net["zmax"] == pytest.approx(top)
    gap = max(abs(a - b) for ra, rb in zip(net["z"], counts["z"], strict=True) for a, b in zip(ra, rb, strict=True))
    words = words_on_screen(at)
    assert f"at most {gap:.3f}" in words
    assert verdict(gap) in words
    assert "has learned the log counts" in verdict(0.01) and "not yet" in verdict(0.337), "0.337 is not the same table"


def test_a_runs_nll_is_one_number_in_the_status_and_in_compare():
    at = app({"tab": "Neural net", "epochs": "20", "animate": "False"})
    at.button(key="train").click().run()
    finish(at)
    run = at.session_state["_runs"].latest
    assert run.final_nll is not None and run.final_nll != run.records[-1].nll, "W after the last update"
    status = " ".join(text(s) for s in at.success)
    assert f"{run.final_nll:.4f}" in status, status
    open_tab(at, "Compare")
    tables = unescape(" ".join(m.value for m in check(at).markdown))
    assert f"{run.final_nll:.4f}" in tables, "Compare's table holds the same figure"
