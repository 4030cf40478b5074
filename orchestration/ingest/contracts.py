"""The landing contract (DESIGN §3) as data: one place that ingest, the generator and the tests read.

Each table lists its columns in file order with a logical type, whether a value is required, the
allowed values, lower bounds, and which seed a value must exist in. Row rules that involve more than
one column are SQL predicates over the *typed* columns; a row that breaks one is quarantined with the
rule's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from orchestration.project import project_vars

VARCHAR, BOOLEAN, INTEGER, DOUBLE, DATE, TIMESTAMP = (
    "varchar",
    "boolean",
    "bigint",
    "double",
    "date",
    "timestamp",
)


# Plausibility (DESIGN §3): no instant or date before the programme started (a dbt var, shared with
# the models), no sampling rate so small that one audit would stand for an implausible population.
PROGRAMME_START = date.fromisoformat(str(project_vars()["programme_start"]))
MIN_SAMPLING_RATE = float(project_vars()["min_sampling_rate"])
SECONDS_PER_DAY = 86_400
MINUTES_PER_DAY = 1_440


@dataclass(frozen=True)
class Column:
    name: str
    type: str = VARCHAR
    required: bool = True
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    # Dates and instants: not after the load time + 1 day; and, unless False, not before PROGRAMME_START.
    since_programme_start: bool = True
    # (seed file stem, seed column): the value must be one of the seed's values.
    reference: tuple[str, str] | None = None
    # A regular expression the text must match (ISO codes).
    pattern: str | None = None
    hint: str = ""


@dataclass(frozen=True)
class RowRule:
    """A cross-column rule: `violation` is a SQL predicate over typed columns that is TRUE when broken."""

    column: str
    violation: str
    message: str


@dataclass(frozen=True)
class CrossTableRule:
    """A rule against rows already loaded into another table; the row that arrives second breaks it.

    `other_value` aggregates the other table's rows sharing `join_column` (it may use the lineage
    columns), or with `of_latest_delivery` is a column expression taken from the latest delivery of
    that key (then `join_column` must be the other table's key); `violation` is a predicate over the
    typed row and `{other}`; `message` a SQL text expression that may use both.
    """

    column: str
    other_table: str
    join_column: str
    other_value: str
    violation: str
    message: str
    of_latest_delivery: bool = False


@dataclass(frozen=True)
class ParentLink:
    """A child row whose parent has not arrived is kept and reported, never quarantined."""

    column: str
    parent_table: str
    parent_column: str


@dataclass(frozen=True)
class TableContract:
    name: str
    grain: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    rules: tuple[RowRule, ...] = ()
    parents: tuple[ParentLink, ...] = ()
    cross_rules: tuple[CrossTableRule, ...] = ()
    # Column whose date names the file's data date (used by partitions and the generator layout).
    date_column: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


VERDICTS = ("approve", "reject")

ITEMS = TableContract(
    name="items",
    grain="item entering a review queue",
    key=("item_id",),
    date_column="enqueued_at",
    columns=(
        Column("item_id"),
        Column("item_type", allowed=("ad", "creative", "account", "landing_page")),
        Column("queue_id", reference=("queues", "queue_id")),
        Column("market", pattern="^[A-Z]{2}$", reference=("markets", "market"),
               hint="an ISO-3166 alpha-2 code listed in seeds/markets.csv"),
        Column("language", pattern="^[a-z]{2}$", hint="an ISO-639-1 code such as 'en'"),
        Column("enqueued_at", TIMESTAMP),
    ),
    cross_rules=(
        CrossTableRule(
            "enqueued_at", "decisions", "item_id", "min(decided_at)", "enqueued_at > {other}",
            "'enqueued_at ' || strftime(enqueued_at, '%Y-%m-%dT%H:%M:%SZ') || ' is after decision(s) on this "
            "item were made (first at ' || strftime({other}, '%Y-%m-%dT%H:%M:%SZ') || '); fix the timestamp'",
        ),
    ),
)

DECISIONS = TableContract(
    name="decisions",
    grain="moderation decision on an item",
    key=("decision_id",),
    date_column="decided_at",
    columns=(
        Column("decision_id"),
        Column("item_id"),
        Column("moderator_id"),
        Column("is_automated", BOOLEAN),
        Column("verdict", allowed=VERDICTS),
        Column("policy_code", required=False, reference=("policies", "policy_code")),
        Column("decided_at", TIMESTAMP),
        Column("handle_seconds", INTEGER, minimum=0, maximum=SECONDS_PER_DAY),
    ),
    rules=(
        RowRule("policy_code", "verdict = 'reject' and policy_code is null",
                "policy_code is required when verdict is 'reject'"),
        RowRule("policy_code", "verdict = 'approve' and policy_code is not null",
                "policy_code must be empty when verdict is 'approve'"),
    ),
    parents=(ParentLink("item_id", "items", "item_id"),),
    cross_rules=(
        CrossTableRule(
            "decided_at", "items", "item_id",
            "enqueued_at", "decided_at < {other}",
            "'decided_at ' || strftime(decided_at, '%Y-%m-%dT%H:%M:%SZ') || ' is before item ' || item_id "
            "|| ' was enqueued (' || strftime({other}, '%Y-%m-%dT%H:%M:%SZ') || '); fix the timestamp'",
            of_latest_delivery=True,
        ),
    ),
)

AUDITS = TableContract(
    name="audits",
    grain="QA review of one decision",
    key=("audit_id",),
    date_column="audited_at",
    columns=(
        Column("audit_id"),
        Column("decision_id"),
        Column("auditor_id"),
        Column("audit_type", allowed=("random", "targeted", "appeal", "escalation")),
        Column("sampling_rate", DOUBLE, required=False, minimum=MIN_SAMPLING_RATE),
        Column("audited_at", TIMESTAMP),
        Column("qa_verdict", allowed=VERDICTS),
        Column("qa_policy_code", required=False, reference=("policies", "policy_code")),
        Column("error_root_cause", required=False, reference=("root_causes", "root_cause_code")),
        Column("error_severity", required=False, allowed=("minor", "major", "critical")),
        Column("dispute_outcome", required=False, allowed=("pending", "upheld", "rejected")),
    ),
    rules=(
        RowRule("sampling_rate", "audit_type = 'random' and sampling_rate is null",
                "sampling_rate is required for random audits"),
        RowRule("sampling_rate", "sampling_rate is not null and (sampling_rate <= 0 or sampling_rate > 1)",
                "sampling_rate must be an inclusion probability in (0, 1]"),
        RowRule("qa_policy_code", "qa_verdict = 'reject' and qa_policy_code is null",
                "qa_policy_code is required when qa_verdict is 'reject'"),
        RowRule("qa_policy_code", "qa_verdict = 'approve' and qa_policy_code is not null",
                "qa_policy_code must be empty when qa_verdict is 'approve'"),
    ),
    parents=(ParentLink("decision_id", "decisions", "decision_id"),),
)

APPEALS = TableContract(
    name="appeals",
    grain="advertiser appeal of a decision",
    key=("appeal_id",),
    date_column="filed_at",
    columns=(
        Column("appeal_id"),
        Column("decision_id"),
        Column("filed_at", TIMESTAMP),
        Column("resolved_at", TIMESTAMP, required=False),
        Column("appeal_outcome", required=False, allowed=("overturned", "upheld")),
    ),
    rules=(
        RowRule("appeal_outcome", "(resolved_at is null) <> (appeal_outcome is null)",
                "resolved_at and appeal_outcome are both set (resolved) or both empty (open)"),
        RowRule("resolved_at", "resolved_at < filed_at", "resolved_at is before filed_at"),
    ),
    parents=(ParentLink("decision_id", "decisions", "decision_id"),),
)

CALIBRATION_LABELS = TableContract(
    name="calibration_labels",
    grain="one rater's label in a calibration session",
    key=("session_id", "item_id", "rater_id"),
    date_column="labeled_at",
    columns=(
        Column("session_id"),
        Column("item_id"),
        Column("rater_id"),
        Column("is_expert", BOOLEAN),
        Column("verdict", allowed=VERDICTS),
        Column("policy_code", required=False, reference=("policies", "policy_code")),
        Column("labeled_at", TIMESTAMP),
    ),
    rules=(
        RowRule("policy_code", "verdict = 'reject' and policy_code is null",
                "policy_code is required when verdict is 'reject'"),
        RowRule("policy_code", "verdict = 'approve' and policy_code is not null",
                "policy_code must be empty when verdict is 'approve'"),
    ),
)

ROSTER = TableContract(
    name="roster",
    grain="moderator/QA staff record, as exported on a date",
    key=("snapshot_date", "person_id"),
    date_column="snapshot_date",
    columns=(
        Column("snapshot_date", DATE),
        Column("person_id"),
        Column("vendor_id", reference=("vendors", "vendor_id")),
        Column("site"),
        Column("team"),
        Column("role", allowed=("moderator", "qa", "lead")),
        Column("primary_language", pattern="^[a-z]{2}$", hint="an ISO-639-1 code such as 'en'"),
        Column("hired_on", DATE, since_programme_start=False),
        Column("status", allowed=("active", "terminated")),
    ),
)

SHIFTS = TableContract(
    name="shifts",
    grain="one person's working day",
    key=("person_id", "shift_date"),
    date_column="shift_date",
    columns=(
        Column("person_id"),
        Column("shift_date", DATE),
        Column("scheduled_minutes", INTEGER, minimum=0, maximum=MINUTES_PER_DAY),
        Column("logged_in_minutes", INTEGER, minimum=0, maximum=MINUTES_PER_DAY),
        Column("training_minutes", INTEGER, minimum=0, maximum=MINUTES_PER_DAY),
    ),
    parents=(ParentLink("person_id", "roster", "person_id"),),
)

TRAININGS = TableContract(
    name="trainings",
    grain="one person's enrolment in one training course",
    key=("training_id",),
    date_column="started_at",
    columns=(
        Column("training_id"),
        Column("person_id"),
        Column("course_id", reference=("courses", "course_id")),
        Column("started_at", TIMESTAMP),
        Column("completed_at", TIMESTAMP, required=False),
        Column("assessment_score", DOUBLE, required=False, minimum=0, maximum=1),
        Column("passed", BOOLEAN, required=False),
    ),
    rules=(
        RowRule("completed_at", "completed_at < started_at", "completed_at is before started_at"),
        RowRule("assessment_score", "completed_at is null and (assessment_score is not null or passed is not null)",
                "assessment_score and passed stay empty until the training is completed (completed_at)"),
    ),
    parents=(ParentLink("person_id", "roster", "person_id"),),
)

# Load order matters: parents first, so cross-table checks see the rows of the same run.
CONTRACTS: dict[str, TableContract] = {
    c.name: c for c in (ROSTER, ITEMS, DECISIONS, AUDITS, APPEALS, CALIBRATION_LABELS, SHIFTS, TRAININGS)
}
TABLES: tuple[str, ...] = tuple(CONTRACTS)
