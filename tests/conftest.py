"""Shared fixtures: the bundled word list and the lecture's reference file when present."""

from pathlib import Path

import pytest
import torch

from makemore.data import Vocab, load_words

ROOT = Path(__file__).resolve().parent.parent
LECTURE = ROOT.parent / "shared" / "reference" / "lecture_names.txt"

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def words() -> list[str]:
    return load_words(ROOT / "names.txt")


@pytest.fixture(scope="session")
def vocab(words) -> Vocab:
    return Vocab.from_words(words)


@pytest.fixture(scope="session")
def lecture_words() -> list[str]:
    if not LECTURE.is_file():
        pytest.skip(f"{LECTURE} is absent (it is only on the development machine)")
    return load_words(LECTURE)
