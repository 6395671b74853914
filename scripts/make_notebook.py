"""Write notebooks/bigram.ipynb from the cells below, without outputs: `python scripts/make_notebook.py`.

The notebook is the lecture in about twenty cells, on the package; tests/test_notebook.py runs it.
Edit the cells here (or in Jupyter, then strip outputs with `make notebook-strip`).
"""

from pathlib import Path

import nbformat

CELLS = [
    (
        "md",
        "# makemore part 1: the bigram model, two ways\n\nThe lecture's notebook on the `makemore` package: "
        "count every pair of characters, then train a one-layer net to the same table.",
    ),
    (
        "code",
        "import torch\nimport plotly.io as pio\nimport makemore as mm\n\n"
        'pio.renderers.default = "plotly_mimetype+notebook"  # inline in Jupyter(Lab) and in HTML exports, offline\n'
        "torch.set_num_threads(1)",
    ),
    ("md", "## 1. The data"),
    (
        "code",
        "words = mm.load_words()  # the bundled names.txt: SSA 2017, girls then boys by count\n"
        'print(f"{len(words):,} words, shortest {min(map(len, words))}, longest {max(map(len, words))}")\n'
        "words[:8]",
    ),
    ("md", "## 2. The bigrams of one name\n\n'.' marks the start and the end of every word."),
    ("code", 'chs = ["."] + list(words[0]) + ["."]\nlist(zip(chs, chs[1:]))'),
    ("md", "## 3. Counting every pair: the 27x27 table"),
    (
        "code",
        "vocab = mm.Vocab.from_words(words)\nN = mm.count_matrix(words, vocab)  # (27, 27) int64\n"
        "mm.matrix_frame(N, vocab).iloc[:6, :10]",
    ),
    ("code", "mm.plots.heatmap(N, vocab)"),
    ("md", "## 4. One row into probabilities, and one draw from it"),
    (
        "code",
        "p = N[0].float()\np = p / p.sum()\ng = torch.Generator().manual_seed(2147483647)\n"
        "ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()\n"
        "print(f\"p('a' | '.') = {p[vocab.stoi['a']]:.4f}; drew {vocab.itos[ix]!r}\")",
    ),
    ("md", "## 5. Sampling names from the count model"),
    (
        "code",
        "counts = mm.fit_counts(words, vocab, k=1, smoothing=1.0)  # P = (N + 1) / rowsum\n"
        "mm.samples_frame(mm.sample(counts, 8, seed=2147483647, known=set(words)))",
    ),
    ("md", "## 6. Likelihood: one name step by step, then the whole data set"),
    ("code", 'mm.score(counts, "andrej").to_frame()'),
    ("code", 'print(f"average NLL over {len(words):,} words: {mm.nll(counts, words):.4f}")'),
    (
        "md",
        "## 7. Smoothing\n\nWithout it, one unseen pair makes a name impossible (NLL = inf). "
        "The sweep is lecture exercise E03.",
    ),
    (
        "code",
        "train_w, dev_w, test_w = mm.split(words)\n"
        'rows = mm.sweep({"train": train_w, "dev": dev_w}, vocab, 1, [0.01, 0.1, 1, 10, 100, 1000])\n'
        "mm.sweep_frame(rows)",
    ),
    ("md", "## 8-10. The neural net: one-hot inputs, one linear layer, softmax, gradient descent"),
    (
        "code",
        "config = mm.TrainConfig(epochs=100, lr=50, reg=0.01)  # the lecture's defaults\n"
        "net, records = mm.fit_neural(N, vocab, 1, config)  # a progress bar while it trains\n"
        "mm.records_frame(records).iloc[[0, 9, 49, 99]]",
    ),
    ("code", "mm.plots.loss_curve([r.nll for r in records], config.epochs, mm.nll(counts, words))"),
    ("md", "## 11. The punchline: both ways fill the same table"),
    (
        "code",
        "gap = (net.P - counts.P).abs().max().item()\n"
        'print(f"NLL counts {mm.nll(counts, words):.4f}, net {mm.nll(net, words):.4f}; largest |P difference| {gap:.4f}")\n'
        'mm.plots.matrix(net.P - counts.P, vocab, "softmax(W) - counts P", diverging=True)',
    ),
    ("code", "mm.samples_frame(mm.sample(net, 8, seed=2147483647, known=set(words)))"),
]


def notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(t) if kind == "md" else nbformat.v4.new_code_cell(t) for kind, t in CELLS]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: the file does not change when rebuilt
    return nb


if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "notebooks" / "bigram.ipynb"
    nbformat.write(notebook(), out)
    print(f"wrote {out} ({len(CELLS)} cells)")
