"""Run dbt Labs' dbt-project-evaluator over a scratch copy of this project and print its findings.

The evaluator is a dbt package that reads the project's graph (models, sources, tests, docs) and lists
what departs from dbt's best practices, one `fct_*` model per rule. It is not a dependency of the
project: this copies the project to a scratch folder, installs the evaluator and dbt-utils there as
local packages (from checkouts you name; dbt hub needs the internet), builds the evaluator's models on
an empty DuckDB file, and counts the rows of each rule. The project's side of the conversation lives in
the project: the evaluator's vars in dbt_project.yml and its exceptions, each with a reason, in
`evaluator/dbt_project_evaluator_exceptions.csv`.

    python -m orchestration.project_evaluator --packages DIR   # DIR holds dbt_project_evaluator/, dbt_utils/
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import yaml

from orchestration.project import PROJECT_DIR

EXCEPTIONS_SEED = PROJECT_DIR / "evaluator" / "dbt_project_evaluator_exceptions.csv"
COPIED = ("dbt_project.yml", "models", "macros", "seeds", "tests/dbt")
PROFILE = """modqa:
  target: evaluator
  outputs:
    evaluator:
      type: duckdb
      path: {path}
      threads: 2
"""


def scratch_project(scratch: Path, packages: Path) -> Path:
    """A copy of the project with the evaluator installed, without the hooks that read the raw layer
    (the evaluator reads only the graph), and with the exceptions seed among its seeds."""
    project = scratch / "project"
    for name in COPIED:
        source = PROJECT_DIR / name
        target = project / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    settings = yaml.safe_load((project / "dbt_project.yml").read_text())
    settings.pop("on-run-start", None)
    settings.pop("on-run-end", None)
    settings["seed-paths"] = [*settings.get("seed-paths", ["seeds"]), "evaluator_seeds"]
    # Ours replaces the package's empty exceptions seed (one seed per name).
    settings.setdefault("seeds", {})["dbt_project_evaluator"] = {
        "dbt_project_evaluator_exceptions": {"+enabled": False}}
    (project / "dbt_project.yml").write_text(yaml.safe_dump(settings, sort_keys=False))
    (project / "evaluator_seeds").mkdir()
    shutil.copy2(EXCEPTIONS_SEED, project / "evaluator_seeds" / EXCEPTIONS_SEED.name)
    local = []
    for name in ("dbt_project_evaluator", "dbt_utils"):
        copy = scratch / "packages" / name
        shutil.copytree(packages / name, copy, ignore=shutil.ignore_patterns(".git", "integration_tests*"))
        # A checkout names its own dependencies on dbt hub (the evaluator: dbt_utils), which `dbt deps`
        # cannot reach offline; the local dbt_utils installed beside it is that dependency.
        for manifest in ("packages.yml", "dependencies.yml"):
            (copy / manifest).unlink(missing_ok=True)
        local.append({"local": str(copy.resolve())})
    (project / "packages.yml").write_text(yaml.safe_dump({"packages": local}))
    (project / "profiles.yml").write_text(PROFILE.format(path=scratch / "evaluator.duckdb"))
    return project


def dbt(project: Path, *args: str) -> None:
    command = [str(Path(sys.executable).parent / "dbt"), *args, "--project-dir", str(project),
               "--profiles-dir", str(project)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"dbt {' '.join(args)} failed:\n{result.stdout[-4000:]}{result.stderr[-2000:]}")


# The coverage rules report one row of percentages; they fail only below the project's target.
COVERAGE = {"fct_documentation_coverage": ("documentation_coverage_pct", "documentation_coverage_target"),
            "fct_test_coverage": ("test_coverage_pct", "test_coverage_target")}


def findings(database: Path, targets: dict[str, float]) -> dict[str, int]:
    """Findings per evaluator rule: each `fct_*` model lists one rule's findings (coverage: see COVERAGE)."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables "
                             "where table_name like 'fct\\_%' escape '\\' order by table_name").fetchall()
        counts = {}
        for schema, name in tables:
            if name in COVERAGE:
                column, target = COVERAGE[name]
                query = f'select count(*) from "{schema}"."{name}" where {column} < {targets.get(target, 100)}'
            else:
                query = f'select count(*) from "{schema}"."{name}"'
            counts[name] = con.execute(query).fetchone()[0]
        return counts


def evaluate(packages: Path, keep: Path | None = None) -> dict[str, int]:
    """Findings per rule; with `keep`, the scratch project and its DuckDB file stay there to be read."""
    with tempfile.TemporaryDirectory(prefix="modqa-evaluator-") as folder:
        scratch = Path(keep or folder)
        if keep:
            shutil.rmtree(scratch, ignore_errors=True)
            scratch.mkdir(parents=True)
        project = scratch_project(scratch, packages)
        dbt(project, "deps")
        # The evaluator's own tests fail when a rule has findings; the counts below are the report.
        dbt(project, "seed", "--select", "dbt_project_evaluator_exceptions")
        dbt(project, "run", "--select", "package:dbt_project_evaluator")
        settings = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
        targets = settings.get("vars", {}).get("dbt_project_evaluator", {})
        return findings(scratch / "evaluator.duckdb", targets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=Path, required=True,
                        help="folder holding checkouts dbt_project_evaluator/ and dbt_utils/")
    parser.add_argument("--keep", type=Path, help="keep the scratch project and evaluator.duckdb in this folder")
    arguments = parser.parse_args()
    counts = evaluate(arguments.packages, arguments.keep)
    for rule, count in counts.items():
        print(f"{count:>5}  {rule}")
    total = sum(counts.values())
    print(f"{total:>5}  findings in {sum(1 for c in counts.values() if c)} rules")
    raise SystemExit(1 if total else 0)


if __name__ == "__main__":
    main()
