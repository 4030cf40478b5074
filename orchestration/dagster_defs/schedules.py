"""Every day at 02:00 UTC, run yesterday's partition."""

from __future__ import annotations

import dagster as dg

from orchestration.dagster_defs.jobs import pipeline_job

daily_schedule = dg.build_schedule_from_partitioned_job(pipeline_job, hour_of_day=2, minute_of_hour=0,
                                                        name="modqa_daily")
