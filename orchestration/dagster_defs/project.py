"""The dbt project as dagster-dbt sees it, and its manifest (prepared explicitly, never on import)."""

from __future__ import annotations

import subprocess

from dagster_dbt import DbtProject

from orchestration.dbt_runner import dbt_command
from orchestration.errors import BuildError
from orchestration.project import PROJECT_DIR, dbt_environment

# A target path of its own, so the manifest Dagster loads is not overwritten by a warehouse build.
dbt_project = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR, target_path="target/dagster")

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
    """`dbt parse` into target/dagster when the project changed since the last parse (a parse takes seconds)."""
    if manifest_is_current():
        return
    env = dbt_environment(warehouse)
    env.pop("DBT_TARGET_PATH", None)
    command = dbt_command(["parse", "--target-path", str(dbt_project.target_path), "--quiet"])
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"dbt parse failed:\n{(result.stdout + result.stderr).strip()[-2000:]}")
