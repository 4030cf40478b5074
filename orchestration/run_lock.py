"""One pipeline run per warehouse at a time, however the run starts (`modqa run`, the schedule, the
sensor, a run launched from the Dagster UI). Readers are never blocked.

The lock is an exclusive `flock` on <warehouse>/.modqa.lock, held by the process that executes the
run: the kernel releases it when that process ends, even on kill -9, so a dead run never blocks the
next one. Within one process the lock is re-entrant: `modqa run` takes it before it recovers the
runs a killed process left "in progress", and the run's own resources take it again.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from orchestration.errors import UsageError
from orchestration.project import layout

_held: dict[Path, int] = {}  # lock file -> how many holders in this process
_guard = threading.Lock()
_handles: dict[Path, object] = {}


def lock_path(warehouse: Path) -> Path:
    return layout(warehouse).root / ".modqa.lock"


def holder(warehouse: Path) -> str:
    """Who holds the lock, as the holder wrote it (for messages)."""
    try:
        return lock_path(warehouse).read_text().strip() or "another process"
    except OSError:
        return "another process"


@contextmanager
def warehouse_lock(warehouse: Path, run: str = "modqa run") -> Iterator[None]:
    """Hold the warehouse's run lock for the block, or raise UsageError naming who holds it."""
    path = lock_path(warehouse)
    with _guard:
        if _held.get(path):
            _held[path] += 1
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(path, "a+")  # noqa: SIM115 - held until the last holder leaves
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                raise UsageError(f"the warehouse {path.parent} is being built by {holder(warehouse)}; "
                                 "wait for that run to finish (nothing was changed)") from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"{run} (pid {os.getpid()})")
            handle.flush()
            _handles[path], _held[path] = handle, 1
    try:
        yield
    finally:
        with _guard:
            _held[path] -= 1
            if not _held[path]:
                handle = _handles.pop(path)
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
                del _held[path]


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """An exclusive `flock` on `path` for the block, waiting for any other holder: for work that
    processes share and one of them must do at a time (released by the kernel if the holder dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
