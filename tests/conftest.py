"""Shared fixtures (the bundled word list, the lecture's reference file when present) and the tiers.

Every test is in exactly one tier, by its file's `pytestmark` (every file under tests/browser/ is
`browser`): `unit` (the engine and pure helpers), `app` (the page through AppTest), `system`
(servers, nginx, Redis, the supervisor, a wheel, a notebook kernel), `browser` (Chromium).
`make check` runs unit + app; `make test` runs everything.
"""

import time
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


# when each test's phases ended and on which worker: artifacts/timeline.txt says how busy each
# worker was and how long one stood idle at the end (the suite's time is the busier worker's)
_timeline: list = []


def pytest_runtest_logreport(report):
    if report.outcome == "rerun":
        _first_tries.append((report.nodeid, report.longreprtext))
    gateway = getattr(getattr(report, "node", None), "gateway", None)
    _timeline.append((time.time(), getattr(gateway, "id", "main"), report.when, report.duration, report.nodeid))


def write_timeline() -> None:
    if not _timeline:
        return
    start = min(t - d for t, _, _, d, _ in _timeline)
    end = max(t for t, *_ in _timeline)
    lines = []
    for worker in sorted({w for _, w, *_ in _timeline}):
        mine = [(t, d, n) for t, w, _, d, n in _timeline if w == worker]
        last = max(t for t, _, _ in mine)
        lines.append(f"{worker}: busy {sum(d for _, d, _ in mine):.0f} s, done at {last - start:.0f} s of {end - start:.0f} s, "
                     f"idle at the end {end - last:.0f} s; last test {max(mine)[2]}")  # fmt: skip
    lines += [f"{t - start:7.1f} {w} {when:8} {d:6.2f} {n}" for t, w, when, d, n in sorted(_timeline)]
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "timeline.txt").write_text("\n".join(lines) + "\n")


def pytest_terminal_summary(terminalreporter):
    write_timeline()
    if not _first_tries:
        return
    terminalreporter.section("first tries of the tests that were rerun")
    for nodeid, text in _first_tries:
        terminalreporter.write_line(f"--- {nodeid}")
        terminalreporter.write_line("\n".join(text.splitlines()[-40:]))
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "reruns.txt").write_text("".join(f"--- {n}\n{t}\n" for n, t in _first_tries))
