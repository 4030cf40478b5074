"""Write the simulated tables as landing files: `<out>/<table>/<day>/<table>_<day>.<ext>`.

One file per table and delivery day, rows ordered by key, so the same seed gives byte-identical
files. CSV and JSON carry ISO-8601 text timestamps (items with a `Z`, decisions without an offset,
which the contract reads as UTC); Parquet carries typed columns.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from orchestration.ingest.contracts import CONTRACTS, TIMESTAMP

FORMATS = ("csv", "parquet", "jsonl", "mixed")
EXTENSIONS = {"csv": "csv", "parquet": "parquet", "jsonl": "jsonl"}
# `mixed` exercises every reader in one dataset.
MIXED = {"items": "parquet", "decisions": "csv", "audits": "jsonl", "appeals": "csv",
         "calibration_labels": "jsonl", "roster": "csv", "shifts": "parquet",
         "trainings": "csv"}

# Per table: the SELECT over simulation tables giving contract columns plus `delivery_day`.
DELIVERIES = {
    "items": """
        select item_id, item_type, queue_id, market, language, enqueued_at, day as delivery_day
        from sim_items""",
    "decisions": """
        select decision_id, item_id, moderator_id, is_automated, verdict, policy_code, decided_at,
               handle_seconds, decided_day as delivery_day
        from sim_decisions""",
    "audits": """
        with initial as (
            select audit_id, decision_id, auditor_id, audit_type, sampling_rate, audited_at, qa_verdict,
                   qa_policy_code, error_root_cause, error_severity,
                   case when is_disputed then 'pending' end as dispute_outcome,
                   cast(audited_at as date) as delivery_day
            from sim_audits
        ), settled as (  -- the QA tool re-exports a disputed audit once the dispute is settled
            select audit_id, decision_id, auditor_id, audit_type, sampling_rate, audited_at, qa_verdict,
                   qa_policy_code, error_root_cause, error_severity, dispute_final as dispute_outcome,
                   cast(dispute_resolved_at as date) as delivery_day
            from sim_audits
            where is_disputed and dispute_resolved_at < (select max(day) + 1 from sim_days)
        )
        select * from initial union all select * from settled""",
    "appeals": """
        select appeal_id, decision_id, filed_at, null::timestamp as resolved_at, null::varchar as appeal_outcome,
               cast(filed_at as date) as delivery_day
        from sim_appeals
        union all
        select appeal_id, decision_id, filed_at, resolution_at, final_outcome, cast(resolution_at as date)
        from sim_appeals
        where resolution_at < (select max(day) + 1 from sim_days)""",
    "calibration_labels": """
        select session_id, item_id, rater_id, is_expert, verdict, policy_code, labeled_at, delivery_day
        from sim_calibration""",
    "roster": """
        select d.day as snapshot_date, p.person_id,
               case when p.move_on <= d.day then p.new_vendor_id else p.vendor_id end as vendor_id,
               case when p.move_on <= d.day then p.new_site else p.site end as site,
               case when p.move_on <= d.day then p.new_team else p.team end as team,
               p.role, p.primary_language, p.hired_on,
               case when p.terminated_on <= d.day then 'terminated' else 'active' end as status,
               d.day as delivery_day
        from sim_days d join sim_people p on p.hired_on <= d.day
        where d.is_snapshot_day""",
    "shifts": """
        select person_id, day as shift_date,
               case when u('part_time', person_seq) < 0.1 then 360 else 480 end as scheduled_minutes,
               round((case when u('part_time', person_seq) < 0.1 then 360 else 480 end)
                     * (1 - (0.04 + 0.16 * u2('shrinkage', person_seq, day_index))))::bigint
                   as logged_in_minutes,
               case when datediff('day', hired_on, day) < 21 then 120
                    when u2('training', person_seq, day_index) < 0.1 then 30 else 0 end as training_minutes,
               day as delivery_day
        from sim_person_days where is_working""",
    # An enrolment is delivered when it starts and again, as a new version, when it is completed
    # (once, on the day, when both fall on one day).
    "trainings": """
        select training_id, person_id, course_id, started_at, null::timestamp as completed_at,
               null::double as assessment_score, null::boolean as passed, cast(started_at as date) as delivery_day
        from sim_trainings
        where completed_at is null or cast(completed_at as date) > cast(started_at as date)
        union all
        select training_id, person_id, course_id, started_at, completed_at, assessment_score, passed,
               cast(completed_at as date) as delivery_day
        from sim_trainings
        where completed_at is not null""",
}

TIMESTAMP_TEXT = {"items": "%Y-%m-%dT%H:%M:%SZ", "decisions": "%Y-%m-%dT%H:%M:%S"}
DEFAULT_TIMESTAMP_TEXT = "%Y-%m-%dT%H:%M:%SZ"


def table_format(table: str, file_format: str) -> str:
    return MIXED[table] if file_format == "mixed" else file_format


def _projection(table: str, fmt: str) -> str:
    """Contract columns, with timestamps as ISO text for the text formats."""
    contract = CONTRACTS[table]
    columns = []
    for column in contract.columns:
        if column.type == TIMESTAMP and fmt != "parquet":
            pattern = TIMESTAMP_TEXT.get(table, DEFAULT_TIMESTAMP_TEXT)
            columns.append(f"strftime({column.name}, '{pattern}') as {column.name}")
        else:
            columns.append(column.name)
    return ", ".join(columns)


# Tables that follow from items and are simulated one range of days at a time; the rest are
# whole-period tables written once at the end.
PER_RANGE = ("items", "decisions", "audits", "appeals")


class DeliveryWriter:
    """Collects delivery rows in a pending table per landing table and writes a day's file once no
    later range of days can add rows to it."""

    def __init__(self, con, out: Path, file_format: str):
        self.con, self.out, self.file_format = con, out, file_format
        self.rows: dict[str, int] = {}
        self.files: dict[str, int] = {}

    def stage(self, table: str) -> None:
        """Add the current simulation tables' delivery rows of `table` to its pending rows."""
        pending = f"pending_{table}"
        if table not in self.rows:
            self.con.execute(f"create or replace temp table {pending} as "
                             f"select * from ({DELIVERIES[table]}) limit 0")
            self.rows[table], self.files[table] = 0, 0
        self.con.execute(f"insert into {pending} select * from ({DELIVERIES[table]})")

    def flush(self, table: str, before: date | None = None) -> None:
        """Write the pending rows of every delivery day before `before` (all days if None).

        A range's rows are never delivered before the range's first day (a decision follows its
        item, an audit its decision), so once a range is simulated the days before the next range
        are complete.
        """
        pending = f"pending_{table}"
        cutoff = "true" if before is None else f"delivery_day < date '{before}'"
        days = self.con.execute(
            f"select delivery_day, count(*) from {pending} where {cutoff} group by 1 order by 1").fetchall()
        for day, rows in days:
            self._write_day(pending, table, day)
            self.rows[table] += rows
        self.files[table] += len(days)
        self.con.execute(f"delete from {pending} where {cutoff}")

    def write_all(self, table: str) -> None:
        """Stage and write a whole table at once."""
        self.stage(table)
        self.flush(table)

    def _write_day(self, pending: str, table: str, day: date) -> None:
        fmt = table_format(table, self.file_format)
        key = ", ".join(CONTRACTS[table].key)
        options = {"csv": "format csv, header true", "parquet": "format parquet, compression zstd",
                   "jsonl": "format json"}[fmt]
        folder = self.out / table / day.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{table}_{day.isoformat()}.{EXTENSIONS[fmt]}"
        self.con.execute(
            f"copy (select {_projection(table, fmt)} from {pending} where delivery_day = ? order by {key}) "
            f"to '{path}' ({options})",
            [day],
        )
