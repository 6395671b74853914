"""Peak memory of one job, measured in a fresh process: `python -m tests.helpers.peak_rss JOB ARGS...`.

Prints one JSON object: the RSS before the job (after imports and data), the peak during it, in bytes.
"""

from __future__ import annotations

import json
import sys


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        return int(f.read().split(f"{field}:")[1].split()[0]) * 1024


def rss() -> int:
    return _status("VmRSS")


def peak() -> int:
    """The process's own high-water mark (getrusage's ru_maxrss survives exec: it would include
    the parent's size when it forked, a pytest process of several hundred MB)."""
    return _status("VmHWM")


def train_one(method: str, k: str, copies: str = "3") -> dict:
    """Two epochs of training on names.txt repeated `copies` times (so the per-example memory, not
    the allocator's fixed ~100 MB, dominates); the data is built before `before` is read."""
    import torch

    from makemore.counts import count_matrix, examples
    from makemore.data import Vocab, load_words
    from makemore.neural import TrainConfig, cost, train

    torch.set_num_threads(1)
    words = load_words() * int(copies)
    vocab = Vocab.from_words(words)
    N = count_matrix(words, vocab, int(k))
    xs, ys = examples(words, vocab, int(k))
    before = max(rss(), peak())
    for _ in train(N, TrainConfig(epochs=2, method=method), xs, ys):
        pass
    return {"before": before, "peak": peak(), "estimate": cost(method, len(xs), *N.shape).bytes}


def word_list(seed: int, n: int = 500_000, length: int = 39) -> bytes:
    """A list at the limits: 500,000 words of 39 random letters (distinct: 26**39 to draw from),
    just under 20 MB; drawn as one array (letter by letter in Python took seconds a list)."""
    import numpy as np

    flat = np.random.default_rng(seed).integers(ord("a"), ord("z") + 1, size=n * (length + 1) - 1, dtype=np.uint8)
    flat[length :: length + 1] = ord("\n")
    return flat.tobytes()


def uploads(count: str) -> dict:
    """The page through AppTest, uploading `count` different lists at the limits one after another."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../../streamlit_app.py", default_timeout=300)
    at.query_params["dataset"] = "upload"
    at.run()
    before = max(rss(), peak())
    sizes = []
    for i in range(int(count)):
        data = word_list(i)
        sizes.append(len(data))
        at.file_uploader(key="upload").upload(f"list{i}.txt", data, "text/plain").run()
        del data
        errors = [e.value for e in at.error] + [e.value for e in at.exception]
        if errors:
            return {"error": errors}
        if not at.caption or "500,000 words" not in at.caption[0].value:
            return {"error": [f"upload {i} was not used: {at.caption[0].value if at.caption else ''}"]}
    return {"before": before, "peak": peak(), "sizes": sizes}


def parallel_uploads(count: str) -> dict:
    """`count` different lists at the limits handed to the server's upload cache at once, from as
    many threads (the sessions of a hall uploading together); the raw bytes exist before `before`."""
    import threading

    from ui.corpus import Uploads

    lists = [word_list(i) for i in range(int(count))]
    cache = Uploads()
    before = max(rss(), peak())
    done, errors = [], []

    def upload(i: int) -> None:
        try:
            done.append(len(cache.get(f"file{i}", lists[i]).words))
        except Exception as e:  # noqa: BLE001
            errors.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(len(lists))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"before": before, "peak": peak(), "done": done, "errors": errors}


if __name__ == "__main__":
    job, *args = sys.argv[1:]
    print(json.dumps({"train": train_one, "uploads": uploads, "parallel_uploads": parallel_uploads}[job](*args)))
