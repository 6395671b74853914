"""Write notebooks/bigram.ipynb from the cells below, without outputs: `python scripts/make_notebook.py`.

The notebook is part 1 of the lecture, then part 2's MLP, on the package; tests/test_notebook.py runs it.
Edit the cells here (or in Jupyter, then strip outputs with `make notebook-strip`).
"""

from pathlib import Path

import nbformat

CELLS = [
    (
        "md",
        "# makemore part 1: the bigram model, two ways\n\nThe lecture's notebook on the `makemore` package: "
        "count every pair of characters, then train a one-layer net to the same table; then part 2's MLP.",
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
    ("md", "The same training written out as the lecture writes it: one-hot inputs, exp, normalize, backward."),
    (
        "code",
        "import torch.nn.functional as F\n\n"
        "xs, ys = mm.examples(words, vocab)  # every (previous character, next character) pair\n"
        "g = torch.Generator().manual_seed(2147483647)\n"
        "W = torch.randn((27, 27), generator=g, requires_grad=True)\n"
        "for k in range(100):\n"
        "    xenc = F.one_hot(xs, num_classes=27).float()  # (num, 27)\n"
        "    logits = xenc @ W  # log-counts\n"
        "    counts_ = logits.exp()  # equivalent to N\n"
        "    probs = counts_ / counts_.sum(1, keepdims=True)\n"
        "    loss = -probs[torch.arange(len(ys)), ys].log().mean() + 0.01 * (W**2).mean()\n"
        "    W.grad = None\n"
        "    loss.backward()\n"
        "    W.data += -50 * W.grad\n"
        'print(f"lecture loop: loss at step 100 {loss.item():.4f}; the package: {records[-1].total:.4f}")',
    ),
    ("md", "## 11. The punchline: both ways fill the same table"),
    (
        "code",
        "gap = (net.P - counts.P).abs().max().item()\n"
        'print(f"NLL counts {mm.nll(counts, words):.4f}, net {mm.nll(net, words):.4f}; largest |P difference| {gap:.4f}")\n'
        'mm.plots.matrix(net.P - counts.P, vocab, "softmax(W) - counts P", diverging=True)',
    ),
    ("code", "mm.samples_frame(mm.sample(net, 8, seed=2147483647, known=set(words)))"),
    (
        "md",
        "# makemore part 2: an MLP\n\n## 12. More context, and the table explodes\n\n"
        "A count model with n characters of context has 27**n rows; most are never seen, and the dev "
        "NLL turns back up after n = 3.",
    ),
    (
        "code",
        "from makemore.crossover import crossover_rows, format_crossover\n\n"
        "print(format_crossover(crossover_rows(words, mlp=None)))  # counts only: the MLP's runs take minutes",
    ),
    ("md", "## 13. The dataset: three characters of context, padded with '.'"),
    (
        "code",
        "block_size = 3  # context length: how many characters do we take to predict the next one?\n"
        "stoi = vocab.stoi\n\n\n"
        "def build_dataset(words):\n"
        "    X, Y = [], []\n"
        "    for w in words:\n"
        "        context = [0] * block_size\n"
        '        for ch in w + ".":\n'
        "            ix = stoi[ch]\n"
        "            X.append(context)\n"
        "            Y.append(ix)\n"
        "            context = context[1:] + [ix]  # crop and append\n"
        "    return torch.tensor(X), torch.tensor(Y)\n\n\n"
        "Xtr, Ytr = build_dataset(train_w)  # the split of section 7: 80/10/10\n"
        "Xdev, Ydev = build_dataset(dev_w)\n"
        "Xtr.shape, Xdev.shape",
    ),
    ("md", "## 14. The net: embed each character in C, one tanh layer, logits"),
    (
        "code",
        "g = torch.Generator().manual_seed(2147483647)\n"
        "C = torch.randn((27, 10), generator=g)\n"
        "W1 = torch.randn((30, 200), generator=g)\n"
        "b1 = torch.randn(200, generator=g)\n"
        "W2 = torch.randn((200, 27), generator=g)\n"
        "b2 = torch.randn(27, generator=g)\n"
        "parameters = [C, W1, b1, W2, b2]\n"
        "for p in parameters:\n"
        "    p.requires_grad = True\n"
        'print(f"{sum(p.nelement() for p in parameters):,} parameters")',
    ),
    (
        "md",
        "## 15. Minibatch SGD\n\nThe lecture runs 200,000 steps (about 2 minutes here, dev ~2.17); "
        "a few thousand show the shape.",
    ),
    (
        "code",
        "steps = 4000\n"
        "lossi = []\n"
        "for i in range(steps):\n"
        "    ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)  # minibatch\n"
        "    emb = C[Xtr[ix]]  # (32, 3, 10)\n"
        "    h = torch.tanh(emb.view(-1, 30) @ W1 + b1)  # (32, 200)\n"
        "    logits = h @ W2 + b2  # (32, 27)\n"
        "    loss = F.cross_entropy(logits, Ytr[ix])\n"
        "    for p in parameters:\n"
        "        p.grad = None\n"
        "    loss.backward()\n"
        "    lr = 0.1 if i < steps // 2 else 0.01\n"
        "    for p in parameters:\n"
        "        p.data += -lr * p.grad\n"
        "    lossi.append(loss.item())\n"
        "emb = C[Xdev]\n"
        "h = torch.tanh(emb.view(-1, 30) @ W1 + b1)\n"
        'print(f"dev loss after {steps:,} steps: {F.cross_entropy(h @ W2 + b2, Ydev).item():.4f}")\n'
        "mm.plots.loss_curve(lossi, steps, None)",
    ),
    (
        "md",
        "## 16. The same run in the package\n\n`MLPTrainer` takes the same steps with the backward pass "
        "written out (no autograd), so its losses are the loop's exactly; its table serves every view.",
    ),
    (
        "code",
        "from makemore.mlp import MLPConfig, MLPTrainer\n\n"
        "trainer = MLPTrainer(train_w, dev_w, vocab, MLPConfig(steps=steps, dev_every=0))\n"
        "gap = max(abs(r.nll - l) for r, l in zip(trainer.steps(), lossi))\n"
        "mlp = trainer.table(trainer.final())  # P for all 27**3 contexts\n"
        'print(f"largest |loss difference| over {steps:,} steps: {gap:.2g}; MLP dev NLL {mm.nll(mlp, dev_w):.4f}")\n'
        "mm.samples_frame(mm.sample(mlp, 8, seed=2147483647 + 10, known=set(words)))",
    ),
    ("md", "## 17. What the embedding learned: the first two of C's ten dimensions"),
    (
        "code",
        "import plotly.graph_objects as go\n\n"
        "go.Figure(\n"
        '    go.Scatter(x=C[:, 0].tolist(), y=C[:, 1].tolist(), mode="markers+text", text=list(vocab.itos)),\n'
        '    layout={"width": 480, "height": 480, "xaxis_title": "C[:, 0]", "yaxis_title": "C[:, 1]"},\n'
        ")",
    ),
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
