"""Run dbt as a subprocess on a warehouse folder, reading its JSON log stream for progress.

dbt runs out of process (as dagster-dbt runs it too): a crash or kill of dbt never takes the
caller down, and the caller can still report what failed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from expectations.contracts import gate_owned_test_selectors
from orchestration.dbt_child import shim_options
from orchestration.dbt_failures import explain_failed_tests
from orchestration.errors import BuildError, GateError, ModqaError, UsageError
from orchestration.incremental import incremental_env, newest_load_id, record_build
from orchestration.project import PROJECT_DIR, layout

FAILED = {"error", "fail", "runtime error"}


@dataclass
class NodeResult:
    name: str
    resource_type: str
    status: str
    seconds: float
    message: str = ""
    rows: int | None = None


@dataclass
class DbtResult:
    args: list[str]
    returncode: int
    seconds: float
    nodes: list[NodeResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # dbt-level errors outside any node
    other_output: list[str] = field(default_factory=list)  # non-JSON lines (e.g. the JVM's), last ones

    @property
    def failures(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status in FAILED]

    @property
    def warnings(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status == "warn"]

    def counts(self) -> Counter:
        return Counter((n.resource_type, n.status) for n in self.nodes)


def dbt_executable() -> str:
    """dbt as the pipeline starts it: through `modqa-dbt` (orchestration/dbt_child.py), which runs dbt
    in a warehouse and makes it die with the run that started it."""
    beside_python = Path(sys.executable).parent / "modqa-dbt"
    found = str(beside_python) if beside_python.exists() else shutil.which("modqa-dbt")
    if not found:
        raise UsageError("modqa-dbt was not found; install the project with `make install`")
    return found


def require_engine(target: str) -> None:
    """The dbt adapter of a target is installed, or a UsageError says how to install it."""
    from importlib.util import find_spec

    if target == "spark" and (find_spec("pyspark") is None or find_spec("dbt.adapters.spark") is None):
        raise UsageError("the spark target needs the project's spark extra (dbt-spark and pyspark): "
                         "pip install -e '.[spark]' (make install-dev installs it); Spark also needs Java 17")


def dbt_command(args: list[str], dbt_vars: dict | None = None, warehouse: Path | None = None,
                env: dict[str, str] | None = None) -> list[str]:
    """The command line of dbt on `warehouse` (None: no warehouse), with the run's own environment
    values `env` (dbt_child.py)."""
    shim = shim_options(warehouse, env) if warehouse is not None else []
    command = [dbt_executable(), *shim, *args, "--project-dir", str(PROJECT_DIR)]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    return command


def run_dbt(
    args: list[str],
    warehouse: Path,
    target: str = "duckdb",
    dbt_vars: dict | None = None,
    on_node: Callable[[NodeResult], None] | None = None,
    extra_env: dict[str, str] | None = None,
) -> DbtResult:
    command = dbt_command([*args, "--log-format", "json", "--target", target], dbt_vars, warehouse, extra_env)
    started = time.perf_counter()
    result = DbtResult(args=args, returncode=-1, seconds=0.0)
    with subprocess.Popen(command, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, bufsize=1) as process:
        assert process.stdout is not None
        for line in process.stdout:
            _read_event(line, result, on_node)
        result.returncode = process.wait()
    result.seconds = time.perf_counter() - started
    return result


def _read_event(line: str, result: DbtResult, on_node) -> None:
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        if line.strip():
            result.other_output = [*result.other_output[-19:], line.rstrip()]
        return
    info, data = event.get("info", {}), event.get("data", {})
    name = info.get("name", "")
    node = data.get("node_info")
    # Info-level per-node results (LogModelResult, LogTestResult, LogSeedResult, ...); NodeFinished
    # carries the same but only at debug level.
    if node and name.startswith("Log") and name.endswith("Result"):
        outcome = NodeResult(
            name=node.get("node_name", "?"),
            resource_type=node.get("resource_type", "?"),
            status=str(data.get("status") or node.get("node_status") or "?").lower(),
            seconds=float(data.get("execution_time") or 0.0),
            message=str(data.get("num_failures") or ""),
        )
        if outcome.status.startswith(("ok", "success", "insert", "create", "select")):
            outcome.status = "success"
        result.nodes.append(outcome)
        if on_node:
            on_node(outcome)
    elif info.get("level") == "error":
        message = info.get("msg", "").strip()
        if message:
            result.errors.append(message)


def build_arguments(warehouse: Path, full_refresh: bool = False, rebuild_from: date | None = None,
                    dbt_vars: dict | None = None,
                    target: str = "duckdb") -> tuple[list[str], dict[str, str], str | None]:
    """`dbt build` arguments and environment for an incremental (or full-refresh) build of the warehouse
    as it is now, and the newest load that build includes (to record once it has succeeded).

    Unit tests check model logic on fixed inputs, not the data, so a production build skips them, as
    dbt recommends; the test suite runs them (tests/test_dbt_unit_tests.py). The marts' tests whose
    rules the publish gate checks on the same build are the gate's (expectations/contracts.py)."""
    through = newest_load_id(warehouse)
    args = ["build", "--exclude-resource-type", "unit_test"]
    if target == "duckdb":  # the target the gate runs on
        # one space-separated value: the form dbt and dagster-dbt's selection parsing both read
        args += ["--exclude", " ".join(gate_owned_test_selectors())]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    if full_refresh:
        args.append("--full-refresh")
    return args, incremental_env(warehouse, full_refresh, rebuild_from, target), through


def build(warehouse: Path, target: str = "duckdb", dbt_vars: dict | None = None, select: str | None = None,
          on_node=None, full_refresh: bool = False, rebuild_from: date | None = None,
          tests: bool = True) -> DbtResult:
    """`dbt build` (seeds, models and data tests in DAG order) in one invocation; incremental
    models rebuild only the days re-opened since the last successful build."""
    args, env, through = build_arguments(warehouse, full_refresh, rebuild_from, dbt_vars, target)
    if select:
        args += ["--select", select]
    if not tests:
        args += ["--exclude-resource-type", "test"]
    result = run_dbt(args, warehouse, target=target, on_node=on_node, extra_env=env)
    if result.returncode != 0 or result.failures:
        raise build_failure(warehouse, [f"{n.resource_type} {n.name}: {n.status}" for n in result.failures],
                            describe_failure(result, layout(warehouse).dbt_log_dir))
    record_build(warehouse, through, target)
    return result


def build_failure(warehouse: Path, failed_nodes: list[str], details: str) -> ModqaError:
    """The error a failed `dbt build` ends in. Failed data tests block the build like the gate does
    (exit 3), each told with its table, rule, an offending row and the landing file and line it came
    from; any other failure (a model that does not build) is a BuildError with dbt's own words."""
    lay = layout(warehouse)
    explained = explain_failed_tests(lay.dbt_target_dir, lay.build_database) if lay.build_database.exists() else []
    if explained:
        lines = ["dbt data tests failed on the build; nothing was published.", *[f"  {line}" for line in explained]]
        others = [node for node in failed_nodes if not node.startswith("test")]
        lines += [f"  also failed: {node}" for node in others[:5]]
        lines.append(f"The build is kept for inspection at {lay.build_database}; "
                     f"dbt log: {lay.dbt_log_dir / 'dbt.log'}")
        return GateError("\n".join(lines))
    return BuildError(details)


def describe_failure(result: DbtResult, log_dir: Path) -> str:
    lines = ["dbt build failed; the published warehouse was not changed."]
    for node in result.failures[:10]:
        detail = f" ({node.message} failing rows)" if node.message and node.status == "fail" else ""
        lines.append(f"  {node.resource_type} {node.name}: {node.status}{detail}")
    if len(result.failures) > 10:
        lines.append(f"  … and {len(result.failures) - 10} more")
    for message in result.errors[:8]:
        lines.append("  " + "\n  ".join(message.splitlines()[:6]))
    if result.returncode != 0 and not result.failures and not result.errors:
        lines += ["  " + line for line in result.other_output[-10:]]
    lines.append(f"Full dbt log: {log_dir / 'dbt.log'}")
    return "\n".join(lines)
