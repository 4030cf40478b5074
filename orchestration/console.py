"""Tidy per-step progress lines: what ran, with counts and durations."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console


class StepReporter:
    def __init__(self, console: Console, total_steps: int):
        self.console = console
        self.total = total_steps
        self.number = 0

    @contextmanager
    def step(self, name: str) -> Iterator[dict]:
        """Times a step; the body fills `outcome['detail']` with a one-line result."""
        self.number += 1
        outcome: dict = {"detail": ""}
        started = time.perf_counter()
        self.console.print(f"[bold][{self.number}/{self.total}] {name}[/bold] …")
        yield outcome
        seconds = time.perf_counter() - started
        self.console.print(f"      {outcome['detail']}  [dim]({seconds:.1f} s)[/dim]")

    def detail(self, text: str) -> None:
        self.console.print(f"      {text}", highlight=False)
