"""Daily partitions keyed by a landing file's data date (the YYYY-MM-DD in its path)."""

from __future__ import annotations

import os

import dagster as dg

# Early enough for any history a team lands; a day's partition exists once the day is over.
FIRST_DAY = os.environ.get("MODQA_FIRST_PARTITION", "2020-01-01")
daily_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_DAY)

# Run tag: ingest every pending landing file, whatever its date (what `modqa run` does by default).
INGEST_ALL_TAG = "modqa/ingest_all_pending"
