"""Shared fixtures (the bundled word list, the lecture's reference file when present) and the tiers.

Every test is in exactly one tier, by its file's `pytestmark` (every file under tests/browser/ is
`browser`): `unit` (the engine and pure helpers), `app` (the page through AppTest), `system`
(servers, nginx, Redis, the supervisor, a wheel, a notebook kernel), `browser` (Chromium).
`make check` runs unit + app; `make test` runs everything.
"""

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


TIERS = ("unit", "app", "system", "browser")


def pytest_collection_modifyitems(items):
    """Tests under tests/browser/ are browser tests; every other test names its tier, exactly one."""
    untiered = []
    for item in items:
        if "/tests/browser/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
        tiers = {m.name for m in item.iter_markers() if m.name in TIERS}
        if len(tiers) != 1:
            untiered.append(f"{item.nodeid}: {sorted(tiers) or 'no tier'}")
    if untiered:
        raise pytest.UsageError(
            "each test needs exactly one tier marker (unit, app, system, browser):\n" + "\n".join(untiered)
        )


# a test rerun after a failure (make test: --reruns 1): its first try's failure is kept and shown
# at the end, so a flake is fixed rather than retried (the -rR line names it, without its trace)
_first_tries: list = []


def pytest_runtest_logreport(report):
    if report.outcome == "rerun":
        _first_tries.append((report.nodeid, report.longreprtext))


def pytest_terminal_summary(terminalreporter):
    if not _first_tries:
        return
    terminalreporter.section("first tries of the tests that were rerun")
    for nodeid, text in _first_tries:
        terminalreporter.write_line(f"--- {nodeid}")
        terminalreporter.write_line("\n".join(text.splitlines()[-40:]))
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "reruns.txt").write_text("".join(f"--- {n}\n{t}\n" for n, t in _first_tries))
