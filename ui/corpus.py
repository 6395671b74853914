"""The word list a session works on (names.txt, an SSA year or an upload), with its derived tables."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field

import streamlit as st
import torch

from makemore.counts import count_matrix
from makemore.data import SEXES, YEARS, DataError, Vocab, babynames, load_words, parse_words, split
from ui.params import DATASETS
from ui.state import kept
from ui.text import literal, sentence

# raw bytes of the uploaded lists kept parsed, shared by all sessions: one list at the 20 MB limit
# takes ~150 MB parsed, so the server stays under 600 MB however many large lists come in
UPLOAD_CACHE_BYTES = 25_000_000
PARSE_BYTES = 25_000_000  # bytes of uploads parsed at once: a 20 MB list takes ~150 MB while parsed
PARSE_WAIT = 60.0  # s an upload may wait for the others to be parsed


@dataclass
class Corpus:
    """A word list with its vocabulary, split and count matrices (computed once per k)."""

    label: str
    words: list[str]
    key: tuple  # identifies the data in caches
    vocab: Vocab = field(init=False)
    parts: dict[str, list[str]] = field(init=False)
    _derived: dict = field(default_factory=dict, repr=False)  # computed once: count matrices, word sets
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)  # sessions share a corpus

    def __post_init__(self):
        self.vocab = Vocab.from_words(self.words)
        train_w, dev_w, test_w = split(self.words)
        self.parts = {"all": self.words, "train": train_w, "dev": dev_w, "test": test_w}

    def counts(self, k: int, part: str = "all") -> torch.Tensor:
        with self._lock:
            if (k, part) not in self._derived:
                self._derived[k, part] = count_matrix(self.parts[part], self.vocab, k)
            return self._derived[k, part]

    def n_examples(self, k: int, part: str = "all") -> int:
        return int(self.counts(k, part).sum())

    def known(self, part: str) -> frozenset[str]:
        """The words a sample is checked against ("new" or "in data")."""
        with self._lock:
            if ("known", part) not in self._derived:
                self._derived["known", part] = frozenset(self.parts[part])
            return self._derived["known", part]


@st.cache_resource(max_entries=8, show_spinner=False)
def builtin_corpus(kind: str, year: int = 2017, sex: str = "both") -> Corpus:
    if kind == "SSA year":
        return Corpus(f"SSA {year}, {sex}", babynames(year, sex), ("ssa", year, sex))
    return Corpus("names.txt", load_words(), ("names",))


class Uploads:
    """Parsed uploads shared by all sessions, bounded by the bytes of the files they came from."""

    def __init__(self, max_bytes: int = UPLOAD_CACHE_BYTES, parse_bytes: int = PARSE_BYTES):
        self.max_bytes, self.lock = max_bytes, threading.Lock()
        self.entries: OrderedDict[str, tuple[int, Corpus]] = OrderedDict()
        self.parse_bytes, self.parsing, self.turn = parse_bytes, 0, threading.Condition()

    def get(self, file_id: str, data: bytes) -> Corpus:
        with self.lock:
            if file_id in self.entries:
                self.entries.move_to_end(file_id)
                return self.entries[file_id][1]
            self._make_room(len(data))  # before parsing: the new list and the old ones never all fit at once
        with self._admitted(len(data)):  # and never more than parse_bytes of files parsed at once
            corpus = Corpus("uploaded list", parse_words(data), ("upload", file_id))
        with self.lock:
            self._make_room(len(data))
            self.entries[file_id] = (len(data), corpus)
        return corpus

    @contextmanager
    def _admitted(self, size: int):
        """Wait until `size` bytes fit beside the uploads being parsed (one always may, alone)."""
        deadline = time.monotonic() + PARSE_WAIT
        with self.turn:
            while self.parsing and self.parsing + size > self.parse_bytes:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DataError("the server is busy reading other large uploads; try again in a minute")
                self.turn.wait(left)
            self.parsing += size
        try:
            yield
        finally:
            with self.turn:
                self.parsing -= size
                self.turn.notify_all()

    def _make_room(self, size: int) -> None:
        while self.entries and sum(n for n, _ in self.entries.values()) + size > self.max_bytes:
            self.entries.popitem(last=False)


@st.cache_resource(show_spinner=False)
def uploads() -> Uploads:
    return Uploads()


def dataset_ui() -> Corpus:
    """The sidebar's data controls; returns the corpus they choose (names.txt when an upload fails)."""
    sb = st.sidebar
    sb.header("Data")
    kind = sb.radio("Dataset", DATASETS, **kept("dataset", DATASETS), horizontal=True)
    if kind == "SSA year":
        c1, c2 = sb.columns(2)
        year = c1.number_input("Year", YEARS.start, YEARS.stop - 1, step=1, **kept("year"))
        sex = c2.selectbox("Sex", list(SEXES), **kept("sex"))
        return builtin_corpus(kind, year, sex)
    if kind == "upload":
        up = sb.file_uploader("Word list (.txt, one word per line)", type=["txt"], key="upload")
        if up is None:
            sb.info("Upload a file; until then the page uses names.txt.")
            return builtin_corpus("names.txt")
        # a rejected file is remembered by its upload id: it is not parsed again on every rerun
        rejected = st.session_state.setdefault("_rejected", {})
        if up.file_id not in rejected:
            try:
                return uploads().get(up.file_id, up.getvalue())
            except DataError as e:
                rejected.clear()  # one rejected upload per session is enough to remember
                rejected[up.file_id] = str(e)
        sb.error(f"{literal(up.name, 60)}: {literal(sentence(rejected[up.file_id]))} Showing names.txt instead.")
        return builtin_corpus("names.txt")
    return builtin_corpus("names.txt")
