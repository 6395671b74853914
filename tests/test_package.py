"""`pip install .` gives an importable makemore with its names.txt and a `makemore` command."""

import json
import shutil
import subprocess
import sys
import zipfile

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.system


def source_copy(dest):
    """The files a build reads, copied: setuptools writes build/ and *.egg-info beside its source,
    and the checkout must stay clean."""
    for name in ("pyproject.toml", "README.md", "names.txt"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "makemore", dest / "makemore", symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def test_the_wheel_carries_the_data_and_the_command_and_runs_outside_the_checkout(tmp_path, words):
    (tmp_path / "src").mkdir()
    src = source_copy(tmp_path / "src")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", tmp_path, src],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(tmp_path.glob("makemore_explorer-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        entry = next(n for n in names if n.endswith("entry_points.txt"))
        assert "makemore = makemore.cli:main" in z.read(entry).decode(), "the console command"
        assert "makemore/names.txt" in names, "the bundled word list"
        assert z.read("makemore/names.txt").decode().split() == words
    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, wheel],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    code = "import sys; from makemore.cli import main; sys.exit(main(['eval', '--json']))"
    run = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {code}"],
        cwd=tmp_path,  # not the checkout: the word list must come from the installed package
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout)
    assert out["words"] == len(words), out
    assert (
        "site"
        in subprocess.run(
            [
                sys.executable,
                "-I",
                "-c",
                f"import sys; sys.path.insert(0, {str(site)!r}); import makemore; print(makemore.__file__)",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    ), "the installed copy was imported, not the checkout"
