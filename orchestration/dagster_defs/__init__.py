"""Dagster definitions: the production orchestration of the warehouse, one module per concern.

`modqa run` executes the same job in-process (execution.py); `modqa ui` serves these definitions.
Load the definitions through `orchestration.dagster_defs.definitions` after the dbt manifest exists
(project.prepare_manifest(); never parsed at import time).
"""
