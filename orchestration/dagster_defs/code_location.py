"""The code location `dagster dev` and `dagster definitions validate` load from the project root
([tool.dagster] in pyproject.toml), as `modqa ui` and `modqa run` do: the warehouse and landing folders
come from MODQA_WAREHOUSE / MODQA_LANDING (default data/warehouse, data/landing), and the dbt
manifest is parsed first if the project changed since the last parse (what dagster-dbt's
`prepare_if_dev` does under `dagster dev` only; `definitions validate` needs it too)."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.dagster_defs.loading import load_definitions
from orchestration.project import DEFAULT_WAREHOUSE

defs = load_definitions(Path(os.environ.get("MODQA_WAREHOUSE", DEFAULT_WAREHOUSE)))
