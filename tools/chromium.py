"""Debian's Chromium for the browser tests, the benchmarks and the load generator."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# without the networking flags Chromium keeps calling out to Google hosts, refused on a closed network
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = "no Chromium found: `sudo apt-get install chromium` (Debian) or set CHROMIUM=/path/to/chromium"


def find_chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None
