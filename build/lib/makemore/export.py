"""Downloads: a table's matrices and samples as CSV, a trained W as JSON."""

from __future__ import annotations

import csv
import io
import json

import torch

from makemore.table import Sample, Table


def matrix_csv(table: Table, M: torch.Tensor, fmt: str = "{:.6g}") -> str:
    """M (V**k, V) with one row per context and one column per next symbol, labelled."""
    rows = [[table.context_name(i), *(fmt.format(v) for v in row)] for i, row in enumerate(M.tolist())]
    return _csv(["context", *table.vocab.itos], rows)


def samples_csv(models: dict[str, list[Sample]] | list[Sample]) -> str:
    """Samples of one model, or of several ({model name: samples}) with a column naming the model."""
    if not isinstance(models, dict):
        models = {"": models}
    rows = [
        [i, *([model] if model else []), s.name, s.tag, "cut" if s.cut else ""]
        for model, samples in models.items()
        for i, s in enumerate(samples, 1)
    ]
    return _csv(["#", *(["model"] if "" not in models else []), "name", "tag", "cut"], rows)


def weights_json(W: torch.Tensor, table: Table) -> str:
    return json.dumps({"vocab": list(table.vocab.itos), "context": table.k, "W": W.tolist()})


def _csv(header: list, rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
