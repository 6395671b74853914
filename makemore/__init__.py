"""makemore part 1 as a package: one probability table P[context, next], filled two ways.

    import makemore as mm
    words = mm.load_words()                                  # the bundled names.txt (or a path)
    vocab = mm.Vocab.from_words(words)
    counts = mm.fit_counts(words, vocab, k=1, smoothing=1)   # the count model: a Table
    net, records = mm.fit_neural(mm.count_matrix(words, vocab), vocab, 1, mm.TrainConfig(epochs=100))
    mm.nll(counts, words), mm.nll(net, words)                # average negative log-likelihood
    mm.sample(counts, 5, seed=2147483647)                    # names, drawn as in the lecture
    mm.score(counts, "emma").to_frame()                      # each transition, as a DataFrame
    counts.to_frame()                                        # P with labelled rows and columns
    mm.plots.heatmap(mm.count_matrix(words, vocab), vocab)   # the lecture's figure (Plotly)

Part 2's MLP: `train_mlp(words, MLPConfig(context=3, d=10, h=200))` (makemore/mlp.py), and the
count model against the MLP for every context length: `crossover_rows(words)`.

`train(N, config)` yields one record per epoch (for a live curve or your own loop); `fit_neural`
runs it to the end with a progress bar when interactive. DataFrames come from makemore.frames,
which imports pandas only when called.
"""

import importlib
from typing import TYPE_CHECKING

# every name is imported when first used (PEP 562): `makemore --help` and a usage error answer
# before torch, plotly and pandas are loaded (3-5 s on a small machine)
_HOMES = {
    "frames": None,
    "plots": None,
    "count_matrix": "counts",
    "crossover_rows": "crossover",
    "format_crossover": "crossover",
    "examples": "counts",
    "fit_counts": "counts",
    "smooth": "counts",
    "sweep": "counts",
    "DataError": "data",
    "Vocab": "data",
    "babynames": "data",
    "load_words": "data",
    "parse_words": "data",
    "split": "data",
    "matrix_frame": "frames",
    "records_frame": "frames",
    "samples_frame": "frames",
    "sweep_frame": "frames",
    "MLPConfig": "mlp",
    "MLPTrainer": "mlp",
    "train_mlp": "mlp",
    "Record": "neural",
    "TrainConfig": "neural",
    "TrainingDiverged": "neural",
    "fit_neural": "neural",
    "train": "neural",
    "Sample": "table",
    "Score": "table",
    "Table": "table",
    "nll": "table",
    "sample": "table",
    "score": "table",
}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'makemore' has no attribute {name!r}")
    home = _HOMES[name]
    module = importlib.import_module(f"makemore.{home or name}")
    value = module if home is None else getattr(module, name)
    globals()[name] = value  # once: later uses are plain lookups
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:  # what a type checker and an editor see: the same names, imported eagerly
    from makemore import frames, plots
    from makemore.counts import count_matrix, examples, fit_counts, smooth, sweep
    from makemore.crossover import crossover_rows, format_crossover
    from makemore.data import DataError, Vocab, babynames, load_words, parse_words, split
    from makemore.frames import matrix_frame, records_frame, samples_frame, sweep_frame
    from makemore.mlp import MLPConfig, MLPTrainer, train_mlp
    from makemore.neural import Record, TrainConfig, TrainingDiverged, fit_neural, train
    from makemore.table import Sample, Score, Table, nll, sample, score

__all__ = [
    "DataError",
    "MLPConfig",
    "MLPTrainer",
    "Record",
    "Sample",
    "Score",
    "Table",
    "TrainConfig",
    "TrainingDiverged",
    "Vocab",
    "babynames",
    "count_matrix",
    "crossover_rows",
    "examples",
    "fit_counts",
    "fit_neural",
    "format_crossover",
    "frames",
    "load_words",
    "matrix_frame",
    "nll",
    "parse_words",
    "plots",
    "records_frame",
    "sample",
    "samples_frame",
    "score",
    "smooth",
    "split",
    "sweep",
    "sweep_frame",
    "train",
    "train_mlp",
]
