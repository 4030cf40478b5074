"""Where Dagster's own log lines go: a file per run under <warehouse>/logs, and the console only when
asked (`modqa --debug run`). People read the tidy progress lines (orchestration/console.py) instead."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import dagster as dg

from orchestration.project import DEFAULT_WAREHOUSE, WAREHOUSE_ENV, layout


@dg.logger(
    config_schema={"warehouse": dg.Field(str, is_required=False), "log_level": dg.Field(str, default_value="DEBUG")},
    description="Every Dagster event of the run, to <warehouse>/logs/dagster-run-<run id>.log.",
)
def run_log_file(init_context: dg.InitLoggerContext) -> logging.Logger:
    warehouse = init_context.logger_config.get("warehouse") or os.environ.get(WAREHOUSE_ENV, str(DEFAULT_WAREHOUSE))
    path = layout(Path(warehouse)).run_log(init_context.run_id or "no-run")
    path.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(f"modqa.dagster.{init_context.run_id}")
    logger.setLevel(init_context.logger_config["log_level"])
    logger.propagate = False
    if not logger.handlers:
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    return logger


LOGGERS = {"console": dg.colored_console_logger, "run_log": run_log_file}
