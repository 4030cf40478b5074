"""Audit sampling: allocate a day's audit budget across strata and draw the QA worklist.

The plan per stratum (vendor × queue × market) comes from the published mart `agg_sampling_plan`
(`<warehouse>/warehouse.duckdb`, read-only): N, the stratum's decisions that day, and p, the planning
error rate (the Wilson upper bound of the stratum's recent weighted error rate, capped at 0.5; 0.5
without recent audits). Here, for any budget B and half-width e:

    n0 = z² p (1 − p) / e²                 Cochran's sample size for a proportion
    n  = n0 / (1 + (n0 − 1) / N)           finite-population correction (n ≤ N)
    planned = n × min(1, B / Σ n)          the budget caps the day; every stratum is scaled alike
    rate = planned / N                     each decision's inclusion probability

which is the mart's own rule (with its budget and half-width vars it reproduces the mart's rates).

The sample is drawn by hash-based Poisson sampling: decision d of day D is in the worklist iff
u(d) < rate of its stratum, where u(d) = the first 8 bytes of SHA-256("<salt>|<D>|<decision_id>") read
as a big-endian integer / 2⁶⁴. u is a fixed, reproducible pseudo-uniform draw in [0, 1), so every
decision's inclusion probability is known exactly (its stratum's rate) and anyone can re-draw the same
worklist from the same inputs; the QA tool stores the rate as audits.sampling_rate, which sets the
Horvitz–Thompson weight 1 / rate.

The plan is as of the published data: p uses every audit published so far for the lookback window, so
re-drawing a past day after more audits have landed can change its rates (and its worklist). That
does not bias anything: the rate actually used travels with each audit as audits.sampling_rate.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from orchestration.errors import UsageError
from orchestration.project import layout

Z_95 = 1.959963984540054  # Φ⁻¹(0.975), the project's confidence_z
DEFAULT_SALT = "modqa"
WORKLIST_COLUMNS = ("decision_id", "stratum", "sampling_rate")


@dataclass(frozen=True)
class Stratum:
    stratum_id: str  # <vendor_id>|<queue_id>|<market>
    vendor_id: str
    queue_id: str
    market: str
    population: int  # N: the stratum's decisions on the plan day
    planning_error_rate: float  # p


@dataclass(frozen=True)
class Allocation:
    stratum: Stratum
    cochran_sample_size: float  # n0
    required_audits: float  # n after the finite-population correction
    planned_audits: float  # n × the day's budget scale

    @property
    def sampling_rate(self) -> float:
        return self.planned_audits / self.stratum.population


@dataclass(frozen=True)
class WorklistRow:
    decision_id: str
    stratum_id: str
    sampling_rate: float


@dataclass(frozen=True)
class Worklist:
    day: date
    budget: float
    half_width: float
    salt: str
    allocations: tuple[Allocation, ...]
    rows: tuple[WorklistRow, ...]

    @property
    def planned_audits(self) -> float:
        return sum(a.planned_audits for a in self.allocations)

    def drawn_per_stratum(self) -> Counter:
        return Counter(row.stratum_id for row in self.rows)


def cochran_sample_size(p: float, half_width: float, z: float = Z_95) -> float:
    """n0 = z² p (1 − p) / e²: sample size for estimating a proportion p to ± e."""
    return z * z * p * (1 - p) / (half_width * half_width)


def finite_population_correction(n0: float, population: int) -> float:
    """n = n0 / (1 + (n0 − 1) / N)."""
    if population <= 0:
        raise ValueError(f"population must be positive, got {population}")
    return n0 / (1 + (n0 - 1) / population)


def allocate(strata: Sequence[Stratum], budget: float, half_width: float, z: float = Z_95) -> list[Allocation]:
    """Cochran + finite-population correction per stratum, scaled down alike when the budget binds."""
    if budget <= 0:
        raise ValueError(f"the audit budget must be positive, got {budget}")
    if not 0 < half_width < 1:
        raise ValueError(f"the half-width must be in (0, 1), got {half_width}")
    needs = []
    for stratum in strata:
        n0 = cochran_sample_size(stratum.planning_error_rate, half_width, z)
        needs.append((stratum, n0, finite_population_correction(n0, stratum.population)))
    total = sum(required for _, _, required in needs)
    scale = min(1.0, budget / total) if total > 0 else 1.0
    return [Allocation(stratum, n0, required, required * scale) for stratum, n0, required in needs]


def inclusion_draw(decision_id: str, day: date, salt: str = DEFAULT_SALT) -> float:
    """The decision's fixed pseudo-uniform draw u in [0, 1): SHA-256 of salt, day and id, first 64 bits / 2⁶⁴."""
    digest = hashlib.sha256(f"{salt}|{day.isoformat()}|{decision_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_sampled(decision_id: str, day: date, rate: float, salt: str = DEFAULT_SALT) -> bool:
    """Poisson sampling: in the sample iff u < rate, so P(in sample) = rate."""
    return inclusion_draw(decision_id, day, salt) < rate


def poisson_sample(decisions: Iterable[tuple[str, str]], rates: dict[str, float], day: date,
                   salt: str = DEFAULT_SALT) -> list[WorklistRow]:
    """The (decision_id, stratum_id) pairs whose draw falls below their stratum's rate, by decision_id."""
    rows = [WorklistRow(decision_id, stratum_id, rates[stratum_id])
            for decision_id, stratum_id in decisions
            if is_sampled(decision_id, day, rates[stratum_id], salt)]
    return sorted(rows, key=lambda row: row.decision_id)


def published_database(warehouse: Path | str) -> Path:
    database = layout(warehouse).published_database
    if not database.exists():
        raise UsageError(f"nothing published at {database} yet; run `modqa run --warehouse {warehouse}` first")
    return database


def missing_mart(database: Path, error: duckdb.CatalogException) -> UsageError:
    return UsageError(f"{database} lacks a mart this command reads ({str(error).splitlines()[0]}); it was "
                      "published by an older version: run `modqa run` to rebuild it")


def query_published(database: Path, sql: str, parameters: Sequence | None = None) -> list[tuple]:
    """Rows of a read-only query on the published warehouse; a missing mart is a usage error."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql, list(parameters or [])).fetchall()
    except duckdb.CatalogException as error:
        raise missing_mart(database, error) from None
    finally:
        con.close()


def read_plan(database: Path, day: date) -> tuple[list[Stratum], float]:
    """The day's strata and the mart's target half-width, from the published agg_sampling_plan."""
    rows = query_published(
        database,
        "select stratum_id, vendor_id, queue_id, market, population_decisions, planning_error_rate, "
        "target_half_width from marts.agg_sampling_plan where plan_date = ? order by stratum_id",
        [day],
    )
    if not rows:
        ((first, last),) = query_published(database,
                                           "select min(plan_date), max(plan_date) from marts.agg_sampling_plan")
        span = f"it covers {first} to {last}" if first else "it holds no decisions yet"
        raise UsageError(f"no decisions on {day} in {database} ({span}); pick a --date in that range")
    strata = [Stratum(r[0], r[1], r[2], r[3], int(r[4]), float(r[5])) for r in rows]
    return strata, float(rows[0][6])


def read_decisions(database: Path, day: date) -> list[tuple[str, str]]:
    """(decision_id, stratum_id) of every decision made on the day."""
    return query_published(
        database,
        "select decision_id, vendor_id || '|' || queue_id || '|' || market from marts.fct_decisions "
        "where decision_date = ? order by decision_id",
        [day],
    )


def draw_worklist(warehouse: Path | str, day: date, budget: float, salt: str = DEFAULT_SALT,
                  half_width: float | None = None) -> Worklist:
    """Plan the day from the published warehouse and draw its audit worklist (pure: reads only)."""
    if budget <= 0:
        raise UsageError(f"--budget must be a positive number of audits, got {budget:g}")
    if half_width is not None and not 0 < half_width < 1:
        raise UsageError(f"--half-width must be in (0, 1), got {half_width:g}")
    database = published_database(warehouse)
    strata, plan_half_width = read_plan(database, day)
    chosen_half_width = plan_half_width if half_width is None else half_width
    allocations = allocate(strata, budget, chosen_half_width)
    rates = {a.stratum.stratum_id: a.sampling_rate for a in allocations}
    rows = poisson_sample(read_decisions(database, day), rates, day, salt)
    return Worklist(day, float(budget), chosen_half_width, salt, tuple(allocations), tuple(rows))


def write_worklist(worklist: Worklist, path: Path | str) -> Path:
    """CSV the QA tool imports: decision_id, stratum, sampling_rate (shortest exact decimal of the rate)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(WORKLIST_COLUMNS)
        for row in worklist.rows:
            writer.writerow((row.decision_id, row.stratum_id, repr(row.sampling_rate)))
    return path
