"""`modqa-dbt`: dbt, started so that it dies with the process that started it.

A pipeline run starts dbt as a child process (dagster-dbt does, and so does dbt_runner). If the run is
killed (kill -9, an OOM kill), nothing can clean up after it, and an orphaned dbt would go on writing
the build database after the run's lock was released, under the feet of the next run. Linux delivers
a chosen signal to a process when its parent dies (prctl PR_SET_PDEATHSIG): this shim asks for
SIGKILL, then replaces itself with the real dbt, which keeps that setting.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1


def real_dbt() -> str:
    return str(Path(sys.executable).parent / "dbt")


def main() -> None:
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took effect
            sys.exit(1)
    os.execv(real_dbt(), [real_dbt(), *sys.argv[1:]])
