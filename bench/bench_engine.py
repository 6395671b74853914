"""Engine speed on names.txt, each figure beside the lecture's plain loop measured in the same run.

python bench/bench_engine.py            (or: make bench)
"""

import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from makemore.counts import count_matrix, examples, fit_counts
from makemore.data import Vocab, load_words
from makemore.neural import TrainConfig, train
from makemore.table import sample

torch.set_num_threads(1)


def timed(fn, repeat: int) -> float:
    """Median seconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def lecture_counts(words, stoi):
    N = torch.zeros((27, 27), dtype=torch.int32)
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):  # noqa: RUF007 (the lecture, verbatim)
            N[stoi[ch1], stoi[ch2]] += 1
    return N


def run_training(N, method, xs=None, ys=None):
    for _ in train(N, TrainConfig(epochs=100, method=method), xs, ys):
        pass


def main() -> None:
    words = load_words()
    vocab = Vocab.from_words(words)
    N = count_matrix(words, vocab)
    xs, ys = examples(words, vocab)
    table = fit_counts(words, vocab)
    print(f"names.txt: {len(words):,} words, {len(xs):,} examples; torch {torch.__version__}, 1 thread\n")
    rows = []

    ours = timed(lambda: count_matrix(words, vocab), 20)
    loop = timed(lambda: lecture_counts(words, vocab.stoi), 1)
    rows.append(("count matrix", ours, "lecture loop", loop, "<= 30 ms, >= 50x"))

    ours = timed(lambda: run_training(N, "counts"), 5)
    onehot = timed(lambda: run_training(N, "onehot", xs, ys), 1)
    rows.append(("100 epochs, counts", ours, "onehot", onehot, "<= 50 ms, >= 100x"))
    for method in ("index", "cross_entropy"):
        t = timed(lambda m=method: run_training(N, m, xs, ys), 1)
        rows.append((f"100 epochs, {method}", t, "onehot", onehot, ""))

    ours = timed(lambda: sample(table, 1000, known=set(words)), 3)
    rows.append(("1,000 samples", ours, "", None, "<= 0.5 s"))

    print(f"{'what':24} {'ours':>10} {'baseline':>24} {'ratio':>8}  target")
    for what, t, base_name, base, target in rows:
        base_txt = f"{base_name} {base * 1000:,.0f} ms" if base else ""
        ratio = f"{base / t:,.0f}x" if base else ""
        print(f"{what:24} {t * 1000:8.1f} ms {base_txt:>24} {ratio:>8}  {target}")


if __name__ == "__main__":
    main()
