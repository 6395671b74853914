"""The crossover: as the context grows, the count model runs out of data and the MLP does not.

For each context length n = 1..8: the count model at its best smoothing on dev (a sweep per n,
lecture exercise E03), its table's size and the share of dev examples whose context it never
saw; and the MLP trained with the same context. `crossover_rows` gives one dict per n,
`format_crossover` the text table (for `makemore crossover`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace

from makemore.data import Vocab, split
from makemore.mlp import MLPConfig, MLPTrainer, n_params
from makemore.ngram import MAX_CONTEXT, SMOOTHINGS, check_n, count_ngrams, lookup

CONTEXTS = tuple(range(1, MAX_CONTEXT + 1))
# the MLP of the crossover: bigger than part 2's and trained for less than 3 minutes here at
# n = 8 (bench/bench_mlp.py), with part 3's initialisation so no step is spent on the hockey stick
CROSSOVER_MLP = MLPConfig(d=16, h=300, steps=50_000, batch=64, init_fix=True, dev_every=0)


def count_row(train: list[str], dev: list[str], vocab: Vocab, n: int, smoothings=SMOOTHINGS) -> dict:
    """The count model with n characters of context, at the smoothing with the lowest dev NLL."""
    V = len(vocab)
    counts = count_ngrams(train, vocab, n)
    on_train, on_dev = lookup(counts, train, vocab), lookup(counts, dev, vocab)
    dev_nll = {s: on_dev.nll(s, V) for s in smoothings}
    best = min(dev_nll, key=dev_nll.get)
    return {
        "n": n,
        "rows": V**n,  # the dense table's
        "seen": len(counts.contexts),  # contexts that occur in train: the rows actually stored
        "unseen": float((on_dev.context == 0).double().mean()),  # share of dev examples
        "smoothing": best,
        "count_train": on_train.nll(best, V),
        "count_dev": dev_nll[best],
    }


def mlp_row(train: list[str], dev: list[str], vocab: Vocab, n: int, config: MLPConfig = CROSSOVER_MLP) -> dict:
    """The MLP with n characters of context, trained to the end; NLL on the whole train and dev sets."""
    config = replace(config, context=n)
    t = time.perf_counter()
    trainer = MLPTrainer(train, dev, vocab, config)
    for _ in trainer.steps():
        pass
    state = trainer.final()
    seconds = time.perf_counter() - t
    return {
        "n": n,
        "mlp_train": trainer.nll(state, "train"),
        "mlp_dev": trainer.nll(state, "dev"),
        "mlp_params": n_params(len(vocab), config),
        "mlp_seconds": seconds,
    }


def crossover_rows(
    words: list[str],
    ns: Iterable[int] = CONTEXTS,
    mlp: MLPConfig | None = CROSSOVER_MLP,
    smoothings: Iterable[float] = SMOOTHINGS,
    on_row: Callable[[dict], None] | None = None,
) -> list[dict]:
    """One dict per context length n: the count model's columns, and the MLP's unless mlp is None.

    The words are split 80/10/10 as everywhere in the app (makemore.data.split); on_row(row) is
    called as each n finishes (the MLP's runs take minutes).
    """
    ns, smoothings = list(ns), list(smoothings)
    for n in ns:
        check_n(n)
    if mlp is not None:
        mlp.check()
    vocab = Vocab.from_words(words)
    train, dev, _ = split(words)
    rows = []
    for n in ns:
        row = count_row(train, dev, vocab, n, smoothings)
        if mlp is not None:
            row |= mlp_row(train, dev, vocab, n, mlp)
        rows.append(row)
        if on_row is not None:
            on_row(row)
    return rows


def best_counts(rows: list[dict]) -> dict:
    """The row whose count model has the lowest dev NLL (over n, each at its best smoothing)."""
    return min(rows, key=lambda r: r["count_dev"])


def format_crossover(rows: list[dict]) -> str:
    """The rows as a text table, and the best count model against the MLP at the longest context."""
    has_mlp = any("mlp_dev" in r for r in rows)
    head = f"{'n':>2} {'table rows':>16} {'seen':>8} {'unseen dev':>10} {'smoothing':>9} {'counts train':>12}"
    head += f" {'counts dev':>10}" + (f" {'MLP train':>9} {'MLP dev':>8} {'params':>8} {'time':>7}" if has_mlp else "")
    lines = [head]
    for r in rows:
        line = f"{r['n']:>2} {r['rows']:>16,} {r['seen']:>8,} {r['unseen']:>10.1%} {r['smoothing']:>9g}"
        line += f" {r['count_train']:>12.4f} {r['count_dev']:>10.4f}"
        if "mlp_dev" in r:
            line += f" {r['mlp_train']:>9.4f} {r['mlp_dev']:>8.4f} {r['mlp_params']:>8,} {r['mlp_seconds']:>6.0f}s"
        lines.append(line)
    best = best_counts(rows)
    lines.append(f"best count model: n = {best['n']}, smoothing {best['smoothing']:g}, dev {best['count_dev']:.4f}")
    if has_mlp:
        last = max((r for r in rows if "mlp_dev" in r), key=lambda r: r["n"])
        ahead = best["count_dev"] - last["mlp_dev"]
        lines.append(f"MLP at n = {last['n']}: dev {last['mlp_dev']:.4f}, {ahead:+.4f} nats ahead of the best counts")
    return "\n".join(lines)
