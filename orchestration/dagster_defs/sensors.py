"""A sensor on the landing folder: a run for each data date with new files, once.

The cursor keeps the files already requested but not yet in the manifest (path → mtime), so a
restart does not request them again; once loaded they drop out of it, which keeps it small.
"""


import hashlib
import json
from collections import defaultdict

import dagster as dg

from orchestration.dagster_defs.jobs import pipeline_job
from orchestration.dagster_defs.partitions import daily_partitions
from orchestration.dagster_defs.resources import WarehouseResource
from orchestration.ingest.loader import data_date, pending_files


def partition_for(relative_path: str, context) -> str | None:
    """A file's partition; undated files go with the latest partition; dates without one yet wait."""
    existing = daily_partitions.get_partition_keys(dynamic_partitions_store=context.instance)
    day = data_date(relative_path)
    key = day.isoformat() if day else (existing[-1] if existing else None)
    return key if key in set(existing[-400:]) or (key and daily_partitions.has_partition_key(key)) else None


@dg.sensor(job=pipeline_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED)
def landing_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource) -> dg.SensorResult:
    requested: dict[str, int] = json.loads(context.cursor) if context.cursor else {}
    pending = pending_files(warehouse.landing_path, warehouse.warehouse_path)
    new_by_partition: dict[str, list[str]] = defaultdict(list)
    still_pending: dict[str, int] = {}
    for _table, landed in pending:
        still_pending[landed.relative] = landed.mtime_ns
        if requested.get(landed.relative) == landed.mtime_ns:
            continue  # requested before, not loaded yet: its run is queued or running
        key = partition_for(landed.relative, context)
        if key is None:
            still_pending.pop(landed.relative)  # no partition for that date yet: look again later
            continue
        new_by_partition[key].append(f"{landed.relative}@{landed.mtime_ns}")
    run_requests = [
        dg.RunRequest(partition_key=key,
                      run_key=f"{key}:{hashlib.sha256('|'.join(sorted(files)).encode()).hexdigest()[:16]}",
                      tags={"modqa/new_files": str(len(files))})
        for key, files in sorted(new_by_partition.items())
    ]
    return dg.SensorResult(run_requests=run_requests, cursor=json.dumps(still_pending, sort_keys=True))
