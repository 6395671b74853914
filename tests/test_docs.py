"""The README and docs/ name only paths that exist, and the README stays a front door."""

import re

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.unit

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# a path the text names: in backticks or a Markdown link, with a folder or a known suffix
PATH = re.compile(r"(?:`|\]\()((?:[\w.-]+/)+[\w.-]*|[\w-]+\.(?:py|js|css|md|txt|toml|ipynb|png|json|template))[`)#]")
NOT_FILES = ("http", "/api/", "/_stcore", "artifacts/", ".venv/", "data/", "localhost")


def named_paths(doc) -> list[str]:
    return [p for p in PATH.findall(doc.read_text()) if not p.startswith(NOT_FILES)]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_path_a_doc_names_exists(doc):
    names = named_paths(doc)
    missing = []
    for name in names:
        candidates = [ROOT / name, doc.parent / name, *ROOT.glob(f"*/{name}"), *ROOT.glob(f"*/*/{name}")]
        if not any(c.exists() for c in candidates):
            missing.append(name)
    assert not missing, f"{doc.name} names paths that do not exist: {missing}"


def test_the_path_check_can_fail(tmp_path):
    doc = tmp_path / "x.md"
    doc.write_text("see `makemore/nothing_here.py` and [a](docs/missing.png)")
    assert named_paths(doc) == ["makemore/nothing_here.py", "docs/missing.png"]


def test_the_readme_is_a_front_door():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 160
    assert "make app" in text and "make test" in text
    assert text.index("![") < text.index("## Two commands") < text.index("## Where to start")
