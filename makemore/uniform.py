"""The uniform model: every next symbol equally likely, whatever the context (the lecture's baseline).

Its NLL on any data is ln V (ln 27 = 3.2958 for names): what a model must beat to have learned anything.
"""

from __future__ import annotations

import torch

from makemore.data import Vocab
from makemore.table import Table


def fit_uniform(vocab: Vocab, k: int = 1) -> Table:
    V = len(vocab)
    return Table(vocab, k, torch.full((V**k, V), 1.0 / V))
