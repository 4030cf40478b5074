"""Errors a user can act on. The CLI prints their message (no traceback unless --debug)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


class ModqaError(Exception):
    """Base class: the message says what was wrong, where, and what to do."""

    exit_code = 1


class UsageError(ModqaError):
    """Wrong arguments or a folder in the wrong state."""

    exit_code = 2


class LandingFileError(ModqaError):
    """A landing file that cannot be loaded at all (it is recorded as rejected in the manifest)."""


class BuildError(ModqaError):
    """dbt failed: the published warehouse was not touched."""


class GateError(ModqaError):
    """Blocking expectations failed: nothing was published; the build is kept for inspection."""

    exit_code = 3


# Below this much free space a failure is reported as a full disk: whatever step tripped over it.
LOW_SPACE_BYTES = 64 * 2**20
NO_SPACE_WORDS = ("no space left", "disk is full", "disk i/o error", "could not write", "errno 28")


def out_of_space(path: Path, error_text: str = "") -> ModqaError | None:
    """The error to report when a run failed for want of disk space (SQLite says "disk I/O error",
    DuckDB "could not write", Python "[Errno 28]"), else None."""
    existing = next((p for p in [path, *path.parents] if p.exists()), Path("/"))
    free = shutil.disk_usage(existing).free
    says_so = any(word in error_text.lower() for word in NO_SPACE_WORDS)
    # The failed step may have freed what it wrote before the error got here: trust its words up to 1 GB.
    if not (free < LOW_SPACE_BYTES or (says_so and free < 16 * LOW_SPACE_BYTES)):
        return None
    mount = existing
    while not os.path.ismount(mount):
        mount = mount.parent
    return ModqaError(f"no space left on {mount} ({free / 2**20:,.0f} MB free), where the warehouse {path} "
                      "is written: free some space and run again; the published warehouse was not changed")
