"""The word list a session works on (names.txt, an SSA year or an upload), with its derived tables."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field

import streamlit as st
import torch

from makemore.counts import count_matrix
from makemore.data import (
    SEXES,
    YEARS,
    DataError,
    Vocab,
    babynames,
    check_words,
    fold_words,
    load_words,
    parse_words,
    read_words,
    split,
)
from ui.params import DATASETS
from ui.state import keep, kept
from ui.text import literal, sentence

# raw bytes of the uploaded lists kept parsed, shared by all sessions: one list at the 20 MB limit
# takes ~150 MB parsed, so the server stays under 600 MB however many large lists come in
UPLOAD_CACHE_BYTES = 25_000_000
PARSE_BYTES = 25_000_000  # bytes of uploads parsed at once: a 20 MB list takes ~150 MB while parsed
PARSE_WAIT = 60.0  # s an upload may wait for the others to be parsed
YEAR_LABEL = f"Year ({YEARS.start}-{YEARS.stop - 1})"
YEAR_HELP = f"The SSA lists run from {YEARS.start} to {YEARS.stop - 1}."


@dataclass
class Corpus:
    """A word list with its vocabulary, split and count matrices (computed once per k)."""

    label: str
    words: list[str]
    key: tuple  # identifies the data in caches
    folded: int = field(default=0, kw_only=True)  # an upload's words that lowercasing / stripping accents changed
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

    def get(self, file_id: str, data: bytes, folding: bool = False) -> Corpus:
        """The corpus of an upload; `folding` lowercases it and strips its accents (see `fold_words`)."""
        key = f"{file_id}:fold" if folding else file_id
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key][1]
            self._make_room(len(data))  # before parsing: the new list and the old ones never all fit at once
        with self._admitted(len(data)):  # and never more than parse_bytes of files parsed at once
            if folding:  # folded before the list's checks: "Zoë" and "zoe" are then one symbol set
                words, changed = fold_words(read_words(data))
                check_words(words)
                label = f"uploaded list, lowercased without accents ({changed:,} words changed)"
            else:
                words, changed, label = parse_words(data), 0, "uploaded list"
            corpus = Corpus(label, words, ("upload", key), folded=changed)
        with self.lock:
            self._make_room(len(data))
            self.entries[key] = (len(data), corpus)
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
    """The sidebar's data controls; returns the corpus they choose (names.txt until an upload works).

    What an upload needs said (choose a file, why a file was refused, that a link cannot carry
    one) is one line at the top of the main area, where the reader looks; the sidebar may be
    closed (a phone)."""
    ss = st.session_state
    # whether this session came from a link to an upload: on its first run the address is still
    # the link's (the page rewrites it after); an upload or another data set ends it
    linked = ss.setdefault("_upload_linked", st.query_params.get("dataset") == "upload")
    sb = st.sidebar
    sb.header("Data")
    kind = sb.radio("Dataset", DATASETS, **kept("dataset", DATASETS), horizontal=True)
    if kind != "upload":
        ss["_upload_linked"] = False
    if kind == "SSA year":
        # no bounds in the browser: out of range, its field only turned red and kept the old year, in
        # silence; the server takes any whole number, and says the range when it is left. A row of
        # its own: the range in its label fits on one line
        sb.number_input(YEAR_LABEL, step=1, **{**kept("year"), "on_change": year_changed, "args": ()}, help=YEAR_HELP)
        sex = sb.selectbox("Sex", list(SEXES), **kept("sex"))
        note = ss.get("_year_note")
        if note:
            with sb.container(key="year_note"):
                st.warning(note, icon="📅")
        return builtin_corpus(kind, ss["_kept"]["year"], sex)
    if kind == "upload":
        return upload_ui(sb, linked)
    return builtin_corpus("names.txt")


def year_changed() -> None:
    """The year field's new value: kept when the SSA has that year; else the nearest year it has,
    with a note saying the range (the browser may send any number: the field has no bounds)."""
    ss = st.session_state
    ss.pop("_year_note", None)
    raw, first, last = ss.get("year"), YEARS.start, YEARS.stop - 1
    if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw) and raw == int(raw):
        year = int(raw)
        if year not in YEARS:
            nearest = min(max(year, first), last)
            side = "before the first" if year < first else "after the last"
            ss["_year_note"] = (
                f"{year} is {side} year of the SSA lists, which run from {first} to {last}: showing {nearest}."
            )
            keep("year", nearest)
            return
    keep("year")  # parsed as a link's value; anything else is dropped and the field shows the kept year


def upload_ui(sb, linked: bool) -> Corpus:
    """The uploader and its option; the uploaded corpus, or names.txt with one line saying why."""
    ss = st.session_state
    # any file is accepted and read on the server: a filter by extension let the browser refuse a
    # file in Streamlit's words ("application/octet-stream files are not allowed") and keep a list of them
    up = sb.file_uploader("Word list: a text file, one word per line", key="upload")
    folding = sb.checkbox(
        "Lowercase and strip accents",
        key="upload_fold",
        help="Zoë → zoe, José → jose: one symbol per letter, as in names.txt",
    )
    fallback = builtin_corpus("names.txt")
    if up is None:
        if linked:  # a shared link to an upload brings the settings, not the file
            message = (
                f"This link's data set is an uploaded file, which a link cannot carry: showing {fallback.label} "
                f"({fallback.n_examples(1):,} examples) until the file is uploaded in the sidebar (» at the top left)."
            )
        else:
            message = (
                "Choose a word list in the sidebar's uploader (» at the top left): a text file, one word per "
                f"line. Until then the page shows {fallback.label}."
            )
        with st.container(key="upload_notice"):
            (st.warning if linked else st.info)(message, icon="📄")
        return fallback
    ss["_upload_linked"] = False
    # a rejected file is remembered by its upload id: it is not parsed again on every rerun
    rejected = ss.setdefault("_rejected", {})
    key = (up.file_id, folding)
    if key not in rejected:
        try:
            corpus = uploads().get(up.file_id, up.getvalue(), folding)
        except DataError as e:
            rejected.clear()  # one rejected upload per session is enough to remember
            rejected[key] = str(e)
        else:
            if folding:
                sb.caption(f"{corpus.folded:,} of {len(corpus.words):,} words changed.")
            return corpus
    with st.container(key="upload_notice"):
        st.error(
            f"{literal(up.name, 60)}: {literal(sentence(rejected[key]))} Showing {fallback.label} instead.",
            icon="📄",
        )
    return fallback
