"""pandas views of the engine's results, for notebooks: labelled tables instead of bare tensors.

pandas is imported inside each function, never at import time: the app's server imports the
engine too, and pandas would cost it ~100 MB it does not need.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from makemore.data import Vocab


def matrix_frame(M: torch.Tensor, vocab: Vocab, k: int = 1):
    """A (V**k, V) matrix as a DataFrame: rows are contexts, columns the next symbol."""
    import pandas as pd

    index = [vocab.context_name(i, k) for i in range(M.shape[0])]
    df = pd.DataFrame(M.detach().cpu().numpy(), index=index, columns=list(vocab.itos))
    df.index.name, df.columns.name = "context", "next"
    return df


def records_frame(records: Iterable):
    """Training records (makemore.neural.Record) as a DataFrame indexed by epoch."""
    import pandas as pd

    rows = [{"epoch": r.epoch, "nll": r.nll, "total": r.total} for r in records]
    return pd.DataFrame(rows, columns=["epoch", "nll", "total"]).set_index("epoch")


def sweep_frame(rows: list[dict]):
    """makemore.counts.sweep(...) rows as a DataFrame indexed by the smoothing."""
    import pandas as pd

    return pd.DataFrame(rows).set_index("smoothing")


def score_frame(score):
    """Each transition of a scored word: context, next symbol, p and -log p."""
    import pandas as pd

    rows = [{"context": s.context, "next": s.next, "p": s.p, "-log p": s.nll} for s in score.steps]
    df = pd.DataFrame(rows)
    df.index = pd.RangeIndex(1, len(rows) + 1, name="step")
    return df


def samples_frame(samples: Iterable):
    """Sampled names with their tag ('new' or 'in data') and whether they were cut."""
    import pandas as pd

    return pd.DataFrame([{"name": s.name, "tag": s.tag, "cut": s.cut} for s in samples])
