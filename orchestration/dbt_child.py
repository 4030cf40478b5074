"""`modqa-dbt`: dbt for one warehouse, started so that it dies with the process that started it.

    modqa-dbt [--warehouse DIR] [--env NAME=VALUE]... <dbt arguments>

Both ways the pipeline starts dbt go through here (dbt_runner, and dagster-dbt, which builds dbt's
environment from its own process environment and takes no other): the warehouse and the run's own
values arrive as arguments, so no caller writes os.environ.

- Dies with its parent. If a run is killed (kill -9, an OOM kill), nothing can clean up after it, and an
  orphaned dbt would go on writing the build database after the run's lock was released. Linux delivers
  a chosen signal to a process when its parent dies (prctl PR_SET_PDEATHSIG): this shim asks for
  SIGKILL, then replaces itself with the real dbt, which keeps that setting.
- Works in the warehouse folder, so the profile's DuckDB paths are relative and the same text for every
  warehouse. dbt re-parses the whole project when the profile's connection values change, so absolute
  paths would make a new or copied warehouse pay a full parse; relative, one parse state per profile
  target serves every warehouse's first run (PARSE_STATE_DIRS: the build starts from the project's own
  parse, the docs site from the last docs generation's). MODQA_WAREHOUSE still names the folder,
  absolute, for what dbt writes into views (macros/register_raw_sources.sql).
- Logs and writes its artifacts in the warehouse's folders, whoever started it.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import sys
from pathlib import Path

from orchestration.project import PARSE_STATE_DIRS, PROJECT_DIR, WAREHOUSE_ENV, layout

PR_SET_PDEATHSIG = 1
PARTIAL_PARSE = "partial_parse.msgpack"


def real_dbt() -> str:
    return str(Path(sys.executable).parent / "dbt")


def shim_options(warehouse: Path | str, env: dict[str, str] | None = None) -> list[str]:
    """The arguments that hand dbt a warehouse and the run's values, ahead of dbt's own."""
    options = ["--warehouse", str(layout(warehouse).root)]
    for name, value in (env or {}).items():
        options += ["--env", f"{name}={value}"]
    return options


def split_options(argv: list[str]) -> tuple[Path | None, dict[str, str], list[str]]:
    """The shim's leading options, and the dbt arguments after them."""
    warehouse, env, rest = None, {}, list(argv)
    while len(rest) >= 2 and rest[0] in ("--warehouse", "--env"):
        option, value = rest.pop(0), rest.pop(0)
        if option == "--warehouse":
            warehouse = Path(value).resolve()
        else:
            name, _, assigned = value.partition("=")
            env[name] = assigned
    return warehouse, env, rest


def option_value(dbt_args: list[str], option: str) -> str | None:
    for index, argument in enumerate(dbt_args[:-1]):
        if argument == option:
            return dbt_args[index + 1]
    return None


def copy_replacing(source: Path, destination: Path) -> None:
    """Readers of `destination` see the old file or the new one, never a half-copied one."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    copying = destination.with_name(f"{destination.name}.{os.getpid()}.copying")
    shutil.copyfile(source, copying)
    copying.replace(destination)


def reuse_parse_state(target_dir: Path, target_name: str | None) -> None:
    """Start a warehouse's first dbt run from the parse state shared for its profile target: dbt checks it
    against the project's files and re-parses only what changed (or everything, when it does not apply)."""
    shared = PARSE_STATE_DIRS.get(target_name or "duckdb")
    if shared is None or (target_dir / PARTIAL_PARSE).exists() or not (shared / PARTIAL_PARSE).exists():
        return
    copy_replacing(shared / PARTIAL_PARSE, target_dir / PARTIAL_PARSE)


def share_parse_state(target_dir: Path, target_name: str) -> None:
    """After a successful dbt run: its parse state becomes the one the next new warehouse starts from."""
    if (target_dir / PARTIAL_PARSE).exists():
        copy_replacing(target_dir / PARTIAL_PARSE, PARSE_STATE_DIRS[target_name] / PARTIAL_PARSE)


def warehouse_environment(env: dict[str, str], warehouse: Path) -> dict[str, str]:
    lay = layout(warehouse)
    env = dict(env)
    env[WAREHOUSE_ENV] = str(lay.root)
    env["DBT_TARGET_PATH"] = str(lay.dbt_target_dir)  # a --target-path argument still wins
    env["DBT_LOG_PATH"] = str(lay.dbt_log_dir)
    env.setdefault("DBT_PROJECT_DIR", str(PROJECT_DIR))
    env.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def die_with_parent() -> None:
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took effect
            sys.exit(1)


def main() -> None:
    die_with_parent()
    warehouse, values, dbt_args = split_options(sys.argv[1:])
    env = dict(os.environ)
    if warehouse is not None:
        lay = layout(warehouse)
        for folder in (lay.build_dir, lay.temp_dir, lay.dbt_log_dir):
            folder.mkdir(parents=True, exist_ok=True)
        env = warehouse_environment(env, warehouse)
        target_dir = option_value(dbt_args, "--target-path")
        # dbt reads a relative target path as relative to the project, as it does in dbt_project.yml
        reuse_parse_state(PROJECT_DIR / target_dir if target_dir else lay.dbt_target_dir,
                          option_value(dbt_args, "--target"))
        os.chdir(lay.root)
    env.update(values)
    os.execve(real_dbt(), [real_dbt(), *dbt_args], env)
