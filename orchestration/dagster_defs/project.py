"""The dbt project as dagster-dbt sees it, and its manifest (prepared explicitly, never on import)."""

from __future__ import annotations

import os
import shutil
import subprocess

from dagster_dbt import DbtProject

from orchestration.dbt_child import PARTIAL_PARSE
from orchestration.dbt_runner import dbt_command
from orchestration.errors import BuildError
from orchestration.project import MANIFEST_DIR, PROJECT_DIR
from orchestration.run_lock import exclusive

# A target path of its own, so the manifest Dagster loads is not overwritten by a warehouse build.
dbt_project = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR,
                         target_path=MANIFEST_DIR.relative_to(PROJECT_DIR))

WATCHED = ("models", "macros", "seeds", "tests/dbt")


def manifest_is_current() -> bool:
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    sources = [PROJECT_DIR / "dbt_project.yml", PROJECT_DIR / "profiles.yml"]
    for folder in WATCHED:
        sources += [p for p in (PROJECT_DIR / folder).rglob("*") if p.is_file()]
    return all(p.stat().st_mtime <= built for p in sources)


def prepare_manifest(warehouse) -> None:
    """`dbt parse` into target/dagster when the project changed since the last parse (a parse takes seconds).
    Processes share this manifest (two runs on two warehouses, `modqa ui` beside a run): one parses at a
    time, the others wait for it, and the file is replaced whole, so no reader sees it half-written."""
    target = MANIFEST_DIR
    with exclusive(target.with_name(target.name + ".lock")):
        if manifest_is_current():
            return
        parsing = target.with_name(target.name + ".parsing")
        shutil.rmtree(parsing, ignore_errors=True)
        parsing.mkdir(parents=True)
        if (target / PARTIAL_PARSE).exists():  # keep dbt's partial parsing across the move
            shutil.copy2(target / PARTIAL_PARSE, parsing / PARTIAL_PARSE)
        # parsed for the target a build names, so that its parse state fits a warehouse's first build
        command = dbt_command(["parse", "--target-path", str(parsing), "--target", "duckdb", "--quiet"],
                              warehouse=warehouse)
        result = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True)
        if result.returncode != 0:
            raise BuildError(f"dbt parse failed:\n{(result.stdout + result.stderr).strip()[-2000:]}")
        target.mkdir(parents=True, exist_ok=True)
        # the manifest last: its time stamp is what says "current"
        for written in sorted(parsing.iterdir(), key=lambda path: path.name == "manifest.json"):
            if written.is_file():
                os.replace(written, target / written.name)
        shutil.rmtree(parsing, ignore_errors=True)
