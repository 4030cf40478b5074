"""Tidy progress lines for people: what ran, with counts and durations.

The pipeline's steps run as Dagster assets; when `modqa` runs the job in-process it points
`show_progress` at its console and the assets print here (they also log to Dagster as usual).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console

_console: Console | None = None


def show_progress(console: Console | None) -> None:
    global _console
    _console = console


def progress(text: str) -> None:
    if _console is not None:
        _console.print(f"      {text}", highlight=False)


@contextmanager
def step(name: str) -> Iterator[dict]:
    """Announces a step and times it; the body fills outcome['detail'] with a one-line result."""
    outcome: dict = {"detail": ""}
    started = time.perf_counter()
    if _console is not None:
        _console.print(f"[bold]{name}[/bold] …", highlight=False)
    yield outcome
    if _console is not None:
        _console.print(f"      {outcome['detail']}  [dim]({time.perf_counter() - started:.1f} s)[/dim]",
                       highlight=False)


@contextmanager
def chatter_to(log_file: Path) -> Iterator[None]:
    """While progress lines are shown, send a tool's own stdout chatter (dbt's event stream, which
    dagster-dbt echoes) to a log file instead of the terminal."""
    if _console is None:
        yield
        return
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "a") as handle, contextlib.redirect_stdout(handle):
        yield
