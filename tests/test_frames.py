"""The notebook API: labelled DataFrames that hold exactly the engine's numbers, and the progress bar."""

import pytest
import torch

import makemore as mm

pytestmark = pytest.mark.unit


def test_table_to_frame_is_labelled_p(words, vocab):
    table = mm.fit_counts(words, vocab)
    df = table.to_frame()
    assert df.shape == (27, 27)
    assert list(df.columns) == list(vocab.itos)
    assert df.index[1] == "a"
    assert df.loc["a", "n"] == pytest.approx(table.P[1, 14].item())
    assert df.sum(axis=1).to_numpy() == pytest.approx([1.0] * 27, abs=1e-6)


def test_trigram_frame_rows_are_two_character_contexts(words, vocab):
    df = mm.fit_counts(words, vocab, k=2).to_frame()
    assert df.shape == (729, 27)
    assert df.index[0] == ".."
    assert df.index[27 * 5 + 13] == "em"


def test_counts_frame_holds_hand_counts():
    v = mm.Vocab.from_words(["emma", "ava"])
    df = mm.matrix_frame(mm.count_matrix(["emma", "ava"], v), v)
    assert df.loc["m", "m"] == 1  # e-m-m-a: one 'mm'
    assert df.loc[".", "a"] == 1
    assert df.loc["a", "."] == 2
    assert int(df.to_numpy().sum()) == 5 + 4  # len + 1 transitions per word


def test_records_sweep_score_and_samples_frames(words, vocab):
    N = mm.count_matrix(words, vocab)
    _, records = mm.fit_neural(N, vocab, 1, mm.TrainConfig(epochs=5), progress=False)
    df = mm.records_frame(records)
    assert list(df.index) == [1, 2, 3, 4, 5]
    assert df.loc[5, "nll"] == records[-1].nll
    rows = mm.sweep({"train": words[:100], "dev": words[100:200]}, vocab, 1, [1.0, 10.0])
    assert mm.sweep_frame(rows).loc[10.0, "dev"] == rows[1]["dev"]
    sc = mm.score(mm.fit_counts(words, vocab), "emma").to_frame()
    assert list(sc["context"] + sc["next"]) == [".e", "em", "mm", "ma", "a."]
    assert sc["-log p"].to_numpy() == pytest.approx((-torch.log(torch.tensor(list(sc["p"])))).tolist(), rel=1e-6)
    names = mm.samples_frame(mm.sample(mm.fit_counts(words, vocab), 3, seed=2147483647))
    assert list(names["name"]) == ["cexze", "momasurailezitynn", "konimittain"]  # the lecture's first three


def test_progress_bar_only_when_asked_or_interactive(capsys, vocab, words):
    N = mm.count_matrix(words, vocab)
    mm.fit_neural(N, vocab, 1, mm.TrainConfig(epochs=3))  # pytest: not a terminal, no kernel
    assert "training" not in capsys.readouterr().err, "no bar in tests"
    mm.fit_neural(N, vocab, 1, mm.TrainConfig(epochs=3), on_record=lambda r: None, progress=None)
    assert "training" not in capsys.readouterr().err, "no bar with a callback"
    mm.fit_neural(N, vocab, 1, mm.TrainConfig(epochs=3), progress=True)
    err = capsys.readouterr().err
    assert "training" in err
    assert "3/3" in err


def test_pandas_is_not_imported_by_the_engine():
    import subprocess
    import sys

    code = "import sys, makemore as mm; w = mm.load_words(); mm.fit_counts(w, mm.Vocab.from_words(w)); print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False", "import makemore must not load pandas (the server imports the engine)"
