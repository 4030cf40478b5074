"""Dagster definitions: the production orchestration of the warehouse, one module per concern.

`modqa run` executes the same job in-process (orchestration/pipeline.py, above this package: nothing
here imports it); `modqa ui` serves these definitions. The step functions the assets call live below,
in orchestration/steps.py.
Load the definitions through `orchestration.dagster_defs.definitions` after the dbt manifest exists
(project.prepare_manifest(); never parsed at import time).
"""
