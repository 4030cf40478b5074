"""Run MetricFlow queries against a published warehouse, as `mf query` does, for the tests.

The dbt project is mirrored (symbolic links) into a temporary folder so that its `target/` (where
`mf` reads semantic_manifest.json) belongs to the test, not to the checkout. Many queries run in one
subprocess through the engine the `mf` command uses (dbt_metricflow's CLIConfiguration): setting it
up costs seconds, a query a fraction of one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from orchestration.project import PROJECT_DIR

PROJECT_ENTRIES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


@dataclass(frozen=True)
class SemanticProject:
    root: Path
    env: dict[str, str]

    @property
    def mf(self) -> str:
        return str(Path(sys.executable).parent / "mf")


def semantic_project(warehouse: Path, folder: Path) -> SemanticProject:
    """The project mirrored into `folder`, parsed for the read-only `published` target of `warehouse`."""
    for name in PROJECT_ENTRIES:
        (folder / name).symlink_to(PROJECT_DIR / name)
    env = {key: value for key, value in os.environ.items()
           if key not in ("DBT_TARGET_PATH", "DBT_LOG_PATH", "MODQA_PUBLISHED_DATABASE")}
    env.update(MODQA_WAREHOUSE=str(warehouse), MODQA_DBT_TARGET="published", DBT_PROFILES_DIR=str(folder),
               DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    dbt = str(Path(sys.executable).parent / "dbt")
    parsed = subprocess.run([dbt, "parse", "--quiet"], cwd=folder, env=env, capture_output=True, text=True)
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    return SemanticProject(folder, env)


QUERY_SCRIPT = """
import json, sys
from dbt_metricflow.cli.cli_configuration import CLIConfiguration
from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

queries, out = json.load(open(sys.argv[1])), sys.argv[2]
config = CLIConfiguration()
config.setup(configure_file_logging=False)
answers = []
for query in queries:
    table = config.mf.query(MetricFlowQueryRequest.create(
        metric_names=query["metrics"], group_by_names=query["group_by"])).result_df
    rows = [[value.isoformat() if hasattr(value, "isoformat") else value for value in row] for row in table.rows]
    answers.append({"columns": list(table.column_names), "rows": rows})
json.dump(answers, open(out, "w"))
"""


def query_many(project: SemanticProject, queries: list[dict]) -> list[pd.DataFrame]:
    """Answer each {"metrics": [...], "group_by": [...]} with a DataFrame; time columns become dates."""
    request, answer = project.root / "queries.json", project.root / "answers.json"
    request.write_text(json.dumps(queries))
    ran = subprocess.run([sys.executable, "-c", QUERY_SCRIPT, str(request), str(answer)], cwd=project.root,
                         env=project.env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    frames = []
    for result in json.loads(answer.read_text()):
        frame = pd.DataFrame(result["rows"], columns=result["columns"])
        for column in frame.columns:
            if column.startswith("metric_time__"):
                frame[column] = [as_date(value) for value in frame[column]]
        frames.append(frame)
    return frames


def as_date(value) -> date:
    return datetime.fromisoformat(value).date() if isinstance(value, str) else value
