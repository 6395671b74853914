"""asyncio from code that may already run an event loop (pytest with Playwright's sync API does)."""

from __future__ import annotations

import asyncio
import threading


def run(coro):
    """asyncio.run(coro) in a thread of its own; returns its result or raises its exception."""
    out: dict = {}

    def main():
        try:
            out["value"] = asyncio.run(coro)
        except BaseException as e:  # noqa: BLE001  (re-raised in the caller's thread)
            out["error"] = e

    t = threading.Thread(target=main, name="aio")
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out["value"]
