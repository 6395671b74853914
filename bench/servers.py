"""The servers the benchmarks measure: the app and the bare one-slider page (bench/bare_app.py)."""

from __future__ import annotations

from contextlib import contextmanager

from tools.servers import app_server


@contextmanager
def app_and_bare():
    """((app url, pid), (bare url, pid))."""
    with app_server() as (app, ap), app_server(script="bench/bare_app.py") as (bare, bp):
        yield (app, ap.pid), (bare, bp.pid)
