"""Command line: `makemore {eval,train,sample,score,sweep,crossover}` (or `python -m makemore ...`).

The engine (torch) is imported only once the arguments are read: `makemore --help` and a usage
error answer at once instead of after the 3-5 s it takes to load."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from types import SimpleNamespace

from makemore.data import SEXES, YEARS

SWEEP = [0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0]
# makemore.neural.METHODS, written out so that --help need not import torch (a test keeps them equal)
METHODS = ("counts", "onehot", "index", "cross_entropy")
DIVERGED = 1  # the exit status of a run whose loss stopped being finite; 2 is a bad argument or word list


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line, like every other error of the command."""

    def error(self, message: str):
        self.exit(2, f"makemore: error: {message} (see {self.prog} --help)\n")


class Help(argparse.ArgumentDefaultsHelpFormatter):
    """Each option's default after its help, except an option that has none (None, or a flag's False)."""

    def _get_help_string(self, action):
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="makemore", description="Character n-gram models of names.", formatter_class=Help)
    sub = p.add_subparsers(dest="command", required=True, metavar="{eval,train,sample,score,sweep,crossover}")
    p.commands = {}  # each subcommand's parser: an option it does not know is its error, with its help

    def command(name: str, text: str, *groups) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".", formatter_class=Help)
        p.commands[name] = c
        data(c)
        for group in groups:
            group(c)
        c.add_argument("--json", action="store_true", help="print one JSON object")
        return c

    def data(c):
        c.add_argument("--data", metavar="FILE", help="word list, one per line (default: the bundled names.txt)")
        c.add_argument(
            "--year", type=int, help=f"use the SSA names of this year ({YEARS.start}-{YEARS.stop - 1}) instead"
        )
        c.add_argument("--sex", choices=list(SEXES), default="both", help="with --year: girls, boys or both")
        c.add_argument("--context", type=int, choices=[1, 2], default=1, help="1 bigram, 2 trigram")

    def model(c):
        c.add_argument("--model", choices=["counts", "neural"], default="counts", help="the table to use")
        c.add_argument("--smoothing", type=float, default=1.0, help="add-s smoothing of the counts")

    def net(c):
        c.add_argument("--epochs", type=int, default=100, help="neural net: steps of gradient descent")
        c.add_argument("--lr", type=float, default=50.0, help="neural net: learning rate")
        c.add_argument("--reg", type=float, default=0.01, help="neural net: regularization, times mean(W²)")
        c.add_argument("--method", choices=METHODS, default="counts", help="neural net: how the loss is computed")

    def seed(c, text="seed of the net's initial W"):
        c.add_argument("--seed", type=int, default=2147483647, help=text)

    command("eval", "dataset figures and NLL (all words and per split)", model, net, seed)

    def mlp(c):
        c.add_argument("--model", choices=["neural", "mlp"], default="neural", help="the bigram net, or part 2's MLP")
        c.add_argument("--mlp-context", type=int, default=3, help="mlp: characters of context (1-8)")
        c.add_argument("--dim", type=int, default=10, help="mlp: embedding dimensions d (2-64)")
        c.add_argument("--hidden", type=int, default=200, help="mlp: tanh units h (10-1000)")
        c.add_argument("--steps", type=int, default=200_000, help="mlp: minibatch steps (lr 0.1, then 0.01 after half)")
        c.add_argument("--batch", type=int, default=32, help="mlp: minibatch size")
        c.add_argument("--init-fix", action="store_true", help="mlp: part 3's initialisation (first loss near ln 27)")

    command("train", "train the neural net (or the MLP), print the loss per step", net, mlp, seed)
    s = command("crossover", "count model against the MLP for every context length n")
    s.add_argument("--max-context", type=int, default=8, help="n = 1 .. this")
    s.add_argument("--counts-only", action="store_true", help="skip the MLP runs (about 2 s instead of minutes)")
    s = command(
        "sample", "sample names", model, net, lambda c: seed(c, "seed of the sampler (and of the net's initial W)")
    )
    s.add_argument("-n", type=int, default=10, help="number of names")
    s.add_argument("--temperature", type=float, default=1.0, help="below 1 sharper, above 1 flatter")
    s = command("score", "probability of each transition of a word", model, net, seed)
    s.add_argument("word", help="the word to score (lowercased when the list is lowercase)")
    s = command("sweep", "train/dev/test NLL for several smoothings (exercise E03)")
    s.add_argument("--values", type=float, nargs="+", default=SWEEP, metavar="S", help="the smoothings")
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args, extra = p.parse_known_args(argv)
    if extra:  # `train --smoothing 2`: the subcommand's own error, pointing at its own --help
        p.commands[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    import torch

    from makemore.trainer import TrainingDiverged

    torch.set_num_threads(1)  # tiny tensors: a second thread only adds overhead
    try:
        out = run(args)
    except TrainingDiverged as e:  # the run's own fault, not the input's: its own status
        said = str(e)
        print(
            f"makemore: {said if f'epoch {e.epoch}' in said else f'diverged at epoch {e.epoch}: {said}'}",
            file=sys.stderr,
        )
        return DIVERGED
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
    from makemore.counts import count_matrix, fit_counts, sweep
    from makemore.data import Vocab, babynames, load_words, split
    from makemore.table import nll, nll_counts, sample, score

    model = getattr(args, "model", "neural")  # train has no --model: it is the net's command
    words = babynames(args.year, args.sex) if args.year is not None else load_words(args.data)
    vocab = Vocab.from_words(words)
    k = args.context
    if args.command == "crossover":
        from makemore.crossover import crossover_rows

        mlp = None if args.counts_only else crossover_mlp()
        return {"rows": crossover_rows(words, range(1, args.max_context + 1), mlp)}
    if args.command == "train" and args.model == "mlp":
        return train_mlp_args(words, args)
    if args.command == "sweep":
        train_w, dev_w, test_w = split(words)
        rows = sweep({"train": train_w, "dev": dev_w, "test": test_w}, vocab, k, args.values)
        return {"rows": rows}
    if args.command == "train" or model == "neural":
        table, result = train_neural(words, vocab, args)
    else:
        table, result = fit_counts(words, vocab, k, args.smoothing), {}
    if args.command == "train":
        return result
    if args.command == "eval":
        train_w, dev_w, test_w = split(words)
        fitted = fit_counts(train_w, vocab, k, args.smoothing) if model == "counts" else None
        N = count_matrix(words, vocab, k)
        return {
            "words": len(words),
            "examples": int(N.sum()),
            "vocab_size": len(vocab),
            "model": model,
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


def crossover_mlp():
    from makemore.crossover import CROSSOVER_MLP

    return CROSSOVER_MLP


def train_mlp_args(words: list[str], args) -> dict:
    """Part 2's MLP on the 80/10/10 split; the outcome as the page says it (a diverged run raises)."""
    from makemore.mlp import MLPConfig, train_mlp
    from makemore.trainer import Record, outcome

    config = MLPConfig(
        context=args.mlp_context,
        d=args.dim,
        h=args.hidden,
        steps=args.steps,
        batch=args.batch,
        seed=args.seed,
        init_fix=args.init_fix,
        dev_every=max(1, args.steps // 10),
    )
    config.check()
    records = []
    t0 = time.perf_counter()
    trainer, state = train_mlp(words, config, records.append)
    seconds = time.perf_counter() - t0
    final, dev = trainer.nll(state, "train"), trainer.nll(state, "dev")
    # judged on the dev NLL it measured (a minibatch's loss is too noisy to say "it rose")
    measured = [Record(r.epoch, r.dev, r.dev) for r in records if r.dev is not None]
    said = outcome(measured, dev, config=SimpleNamespace(lr=config.lr1, reg=0.0))
    return {
        "model": "mlp",
        "losses": [r.nll for r in records],
        "dev": [[r.epoch, r.dev] for r in records if r.dev is not None],
        "nll": final,
        "dev_nll": dev,
        "outcome": said.kind,
        "said": said.words if said.kind != "trained" else f"Trained {config.steps:,} steps: dev NLL {dev:.4f}.",
        "train_seconds": seconds,
    }


def train_neural(words: list[str], vocab, args) -> tuple:
    from makemore.counts import count_matrix, examples
    from makemore.neural import TrainConfig, fit_neural
    from makemore.table import nll
    from makemore.trainer import TrainingDiverged, outcome

    config = TrainConfig(epochs=args.epochs, lr=args.lr, reg=args.reg, seed=args.seed, method=args.method)
    N = count_matrix(words, vocab, args.context)
    xs, ys = examples(words, vocab, args.context) if args.method != "counts" else (None, None)
    t0 = time.perf_counter()
    table, records = fit_neural(N, vocab, args.context, config, xs, ys, progress=sys.stderr.isatty() and not args.json)
    seconds = time.perf_counter() - t0
    final = nll(table, words)
    said = outcome(records, final, config=config)
    if said.kind == "diverged":  # a finite curve whose table gives the data probability 0 (lr 5000)
        raise TrainingDiverged(said.words, said.epoch or len(records))
    return table, {
        "losses": [r.nll for r in records],
        "totals": [r.total for r in records],
        "nll": final,
        "outcome": said.kind,
        "said": said.words,
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
        step = "step" if out.get("model") == "mlp" else "epoch"
        lines = [f"{step} {i + 1:6d}  nll {v:.4f}" for i, v in enumerate(out["losses"]) if i % every == 0]
        final = f"final nll {out['nll']:.4f}" + (f"  dev {out['dev_nll']:.4f}" if "dev_nll" in out else "")
        return "\n".join([*lines, f"{final}  ({out['train_seconds'] * 1000:.0f} ms)", out["said"]])
    if command == "crossover":
        from makemore.crossover import format_crossover

        return format_crossover(out["rows"])
    if command == "sample":
        return "\n".join(
            f"{s['name']}{'' if s['new'] else '  (in data)'}{'  (cut)' if s['cut'] else ''}" for s in out["samples"]
        )
    if command == "score":
        lines = [f"{t['context']}{t['next']}  p {t['p']:.4f}  -log p {t['nll']:.4f}" for t in out["transitions"]]
        return "\n".join(lines + [f"nll {out['nll']:.4f}  total {out['total']:.4f}"])
    from makemore.frames import sweep_frame  # pandas: only this command's text output needs it

    return sweep_frame(out["rows"]).to_string(float_format=lambda x: f"{x:.4f}")
