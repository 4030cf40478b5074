"""The Python code stays ruff-clean (configuration in pyproject.toml)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), "check", "orchestration", "expectations", "tests"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_imports_go_one_way():
    """steps (no Dagster) ← dagster_defs ← pipeline (the runner) ← cli: a layer never imports one above it."""
    layers = {"orchestration/steps.py": ("dagster", "orchestration.dagster_defs", "orchestration.pipeline",
                                         "orchestration.cli"),
              "orchestration/dagster_defs": ("orchestration.pipeline", "orchestration.cli")}
    offenders = []
    for where, above in layers.items():
        for path in sorted((ROOT / where).rglob("*.py")) if (ROOT / where).is_dir() else [ROOT / where]:
            for number, line in enumerate(path.read_text().splitlines(), 1):
                words = line.split()
                if len(words) >= 2 and words[0] in ("import", "from") and words[1].startswith(above):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


# GX reads this one at import to decide on network analytics calls; a setdefault leaves the user's choice.
ENVIRON_WRITES_ALLOWED = {("expectations/gx_duckdb.py", 'os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")')}


def test_library_code_never_writes_the_process_environment():
    """The warehouse and a run's values are passed as arguments (modqa-dbt's for dbt, the run config for
    Dagster), never through os.environ: a write would leak into every later run in the process."""
    import ast

    offenders = []
    for path in sorted([*(ROOT / "orchestration").rglob("*.py"), *(ROOT / "expectations").rglob("*.py")]):
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            target = None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("update", "setdefault", "pop", "clear") or \
                        (node.func.attr == "putenv" and ast.unparse(node.func.value) == "os"):
                    target = node.func.value if node.func.attr != "putenv" else node.func
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                target = next((t.value for t in targets if isinstance(t, ast.Subscript)), None)
            if target is not None and ast.unparse(target) in ("os.environ", "os.putenv"):
                where, text = str(path.relative_to(ROOT)), ast.get_source_segment(source, node)
                if (where, text) not in ENVIRON_WRITES_ALLOWED:
                    offenders.append(f"{where}:{node.lineno}: {text}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("MODQA_LINT_SQL"),
                    reason="SQL lint compiles every model through dbt (minutes): `make lint` runs it, "
                           "or set MODQA_LINT_SQL=1")
def test_sql_follows_the_conventions(tmp_path):
    """sqlfluff with the dbt templater (.sqlfluff): lowercase, trailing commas, explicit aliases, qualified
    references where a select reads several relations. dbt compiles each model against an empty build."""
    sqlfluff = Path(sys.executable).parent / "sqlfluff"
    # sqlfluff runs dbt in its own process, not through modqa-dbt: the profile reads the warehouse folder here
    env = {**os.environ, "MODQA_WAREHOUSE": str(tmp_path / "warehouse"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    (tmp_path / "warehouse" / "build").mkdir(parents=True)
    result = subprocess.run([str(sqlfluff), "lint", "models", "tests/dbt", "--processes", "2", "--nocolor"],
                            cwd=ROOT, capture_output=True, text=True, env=env)
    findings = [line for line in result.stdout.splitlines() if line.startswith(("L:", "== "))]
    assert result.returncode == 0, "\n".join(findings[-60:]) or result.stderr[-3000:]
