"""The command line: JSON keys, exit codes, one-line errors."""

import json
import math
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.system


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "makemore", *args], check=False, capture_output=True, text=True, cwd=ROOT
    )


def test_eval_json(words):
    r = cli("eval", "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 0
    assert out["words"] == len(words)
    assert out["examples"] == sum(len(w) + 1 for w in words)
    assert out["vocab_size"] == 27
    assert 2.3 < out["nll"] < 2.6
    assert set(out["splits"]) == {"train", "dev", "test"}


def test_train_json():
    out = json.loads(cli("train", "--json", "--epochs", "7").stdout)
    assert len(out["losses"]) == len(out["totals"]) == 7
    assert out["losses"][-1] < out["losses"][0]
    assert out["train_seconds"] > 0
    assert all(t > l for l, t in zip(out["losses"], out["totals"]))
    assert out["nll"] < out["losses"][-1]  # after the last update


def test_sample_and_score_json():
    out = json.loads(cli("sample", "--json", "-n", "5").stdout)
    assert len(out["samples"]) == 5
    assert {"name", "tag", "new", "cut"} <= set(out["samples"][0])
    assert out["samples"][0]["name"] == "cexze"  # torch 2.13, lecture seed
    assert out["samples"][0]["tag"] == "new"
    out = json.loads(cli("score", "emma", "--json").stdout)
    assert len(out["transitions"]) == 5
    assert out["nll"] > 0


def test_sweep_json_writes_inf_as_a_string():
    out = json.loads(cli("sweep", "--json", "--values", "0", "1").stdout)
    assert out["rows"][0]["dev"] == "inf"
    assert isinstance(out["rows"][1]["dev"], float)


@pytest.mark.parametrize(
    "args",
    [
        ("eval", "--data", "/no/such/file"),
        ("eval", "--smoothing", "-1"),
        ("train", "--epochs", "0"),
        ("score", "zoë"),
        ("sample", "--temperature", "0"),
        ("eval", "--context", "3"),
    ],
)
def test_bad_input_exit_2_one_line_no_traceback(args):
    r = cli(*args)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) <= 3
    assert r.stderr.strip()


def test_binary_file(tmp_path):
    f = tmp_path / "x.bin"
    f.write_bytes(bytes(range(256)) * 10)
    r = cli("eval", "--data", str(f))
    assert r.returncode == 2
    assert "binary" in r.stderr
    assert "Traceback" not in r.stderr


def test_tiny_temperature_is_greedy_not_a_traceback():
    r = cli("sample", "--json", "-n", "3", "--temperature", "1e-40")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr, r.stderr
    # T -> 0 takes the most likely next character each time: '.' -> 'a' -> '.' on names.txt
    assert [s["name"] for s in json.loads(r.stdout)["samples"]] == ["a", "a", "a"]


def test_huge_smoothing_is_uniform_not_nan():
    out = json.loads(cli("eval", "--json", "--smoothing", "1e39").stdout)
    assert out["nll"] == pytest.approx(math.log(27), abs=1e-4), out["nll"]


def test_dev_null_is_an_empty_list_not_a_missing_file():
    r = cli("eval", "--data", "/dev/null")
    assert r.returncode == 2, r.stderr
    assert "empty" in r.stderr, r.stderr
    assert "no such file" not in r.stderr, r.stderr


def test_a_deterministic_list_has_nll_zero(tmp_path):
    f = tmp_path / "one.txt"
    f.write_text("ab\n")
    r = cli("eval", "--data", str(f), "--smoothing", "0")
    assert "nll (all words) 0.0000" in r.stdout, r.stdout
    assert "-0.0000" not in r.stdout, r.stdout


@pytest.mark.parametrize("s", ["1e39", "1e300", "1e308", "1.7e308"])
def test_a_smoothing_that_overflows_a_sum_is_still_uniform(s):
    """27 x 1e308 overflows float64: the rows are scaled by s before they are summed."""
    out = json.loads(cli("eval", "--json", "--smoothing", s).stdout)
    for split in ("nll", "train", "dev", "test"):
        value = out[split] if split == "nll" else out["splits"][split]
        assert value == pytest.approx(math.log(27), abs=1e-4), (split, value)


def test_a_huge_regularization_is_blamed_not_the_learning_rate():
    r = cli("train", "--reg", "1e308", "--epochs", "3")
    assert r.returncode == 1 and "Traceback" not in r.stderr  # diverged at epoch 1: a run's status, not a usage error
    assert "regularization" in r.stderr and "learning rate" not in r.stderr, r.stderr
    r = cli("train", "--lr", "1e6", "--epochs", "30")  # a step too large still blames the step
    assert r.returncode == 1 and "smaller learning rate" in r.stderr, r.stderr  # diverged: its own status


def test_a_named_pipe_with_no_writer_is_one_line_not_a_hang(tmp_path):
    import os

    fifo = tmp_path / "words"
    os.mkfifo(fifo)
    r = subprocess.run(
        [sys.executable, "-m", "makemore", "eval", "--data", str(fifo)],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "no writer" in r.stderr, r.stderr


def test_a_named_pipe_with_a_writer_is_read(tmp_path):
    import os
    import threading

    fifo = tmp_path / "words"
    os.mkfifo(fifo)
    threading.Thread(target=lambda: fifo.write_bytes(b"emma\nolivia\nava\n"), daemon=True).start()
    r = cli("eval", "--json", "--data", str(fifo))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["words"] == 3


def test_score_blames_the_character_that_fails_not_the_capital():
    r = cli("score", "Zoë")
    assert r.returncode == 2
    assert r.stderr.startswith("makemore: error: 'ë' is not in the vocabulary"), r.stderr
    r = cli("score", "Andrej", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["word"] == "andrej"


def test_help_and_a_bad_argument_answer_before_torch_is_imported():
    code = (
        "import sys\nfrom makemore.cli import main\n"
        "for argv in (['--help'], ['train', '--smoothing', '2'], ['sweep', '--model', 'neural'], ['train', '--help']):\n"
        "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
        "print('torch' in sys.modules, 'plotly' in sys.modules, 'pandas' in sys.modules)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, cwd=ROOT)
    assert r.stdout.strip().splitlines()[-1] == "False False False", r.stdout[-500:] + r.stderr[-500:]
    assert "unrecognized arguments: --smoothing 2 (see makemore train --help)" in r.stderr
    assert "unrecognized arguments: --model neural (see makemore sweep --help)" in r.stderr


def test_help_names_the_command_and_each_subcommand_shows_only_its_options_with_defaults():
    top = cli("--help").stdout
    assert top.startswith("usage: makemore "), top[:80]
    train = cli("train", "--help").stdout
    assert "--smoothing" not in train and "{counts,neural}" not in train and "--temperature" not in train
    assert "--model {neural,mlp}" in train, "train: the net or the MLP"
    for default in ("(default: 100)", "(default: 50.0)", "(default: 0.01)", "(default: counts)"):
        assert default in " ".join(train.split()), default
    sweep = cli("sweep", "--help").stdout
    assert "--model" not in sweep and "--epochs" not in sweep and "--values" in sweep
    sample = " ".join(cli("sample", "--help").stdout.split())
    assert "--smoothing SMOOTHING add-s smoothing of the counts (default: 1.0)" in sample
    assert "(default: None)" not in sample


def test_the_methods_written_out_for_help_are_the_engines():
    from makemore.cli import METHODS
    from makemore.neural import METHODS as ENGINE

    assert METHODS == ENGINE


@pytest.mark.parametrize("lr", ["1e6", "1e7"])
def test_a_diverged_run_exits_non_zero_with_one_line_naming_the_epoch(lr):
    r = cli("train", "--lr", lr, "--epochs", "30")
    assert r.returncode == 1, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert lines[0].startswith("makemore: training diverged at epoch "), lines[0]


def test_a_finite_curve_whose_table_gives_the_data_p_0_is_diverged_exit_1():
    """lr 5000: every loss of the curve is finite, but the trained table gives some pairs of the
    data probability 0: the page and the CLI say diverged, and the CLI exits 1 (it printed
    "final nll inf" and exited 0)."""
    r = cli("train", "--lr", "5000")
    assert r.returncode == 1, r.stdout
    assert "diverged" in r.stderr and "smaller learning rate" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_a_run_that_barely_moved_says_so():
    r = cli("train", "--lr", "0.001")
    assert r.returncode == 0
    assert "barely moved" in r.stdout.splitlines()[-1]


def test_the_mlp_trains_from_the_command_line_and_scores_dev():
    from makemore.data import load_words
    from makemore.mlp import MLPConfig, train_mlp

    r = cli("train", "--model", "mlp", "--steps", "300", "--json")
    out = json.loads(r.stdout)
    config = MLPConfig(steps=300, dev_every=30)
    trainer, state = train_mlp(load_words(), config)
    assert out["dev_nll"] == pytest.approx(trainer.nll(state, "dev"), abs=1e-6), "the engine's own run"
    assert out["outcome"] in ("trained", "warned") and len(out["losses"]) == 300


def test_crossover_counts_are_the_engines():
    from makemore.crossover import crossover_rows
    from makemore.data import load_words

    out = json.loads(cli("crossover", "--counts-only", "--max-context", "3", "--json").stdout)
    assert out["rows"] == json.loads(json.dumps(crossover_rows(load_words(), range(1, 4), None)))
