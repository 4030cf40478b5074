"""`modqa bench`: generate data once per size, history and landing format, then time each phase (ingest,
dbt build, GX gate, publish) with its peak memory, a daily incremental run on top, and the floor: one
hand-written DuckDB script computing fct_decisions and agg_quality_daily straight from the landing files.

The history axis: with several `days`, each size is the volume of the shortest history and a longer one
keeps the same decisions per day, so the daily run's cost can be compared across history lengths (a
daily run should cost the day, not the history). The data ends yesterday, so that no timestamp is in
the future (ingest would quarantine it).

Every phase runs in its own process so its peak RSS (the whole process tree, dbt included) is its
own; medians over `repeats` runs are reported. The daily run is also timed as people and the schedule run
it, `modqa run`: one process running the Dagster job, which adds what the phases alone do not pay
(Dagster's start, its event log, the KPI summary). The same phases run once more with nothing new
landed: what a daily run costs whatever the day holds (starting the tools, running every model and
check). Results go to <bench dir>/bench.{json,md}.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

import psutil

from orchestration.ingest.contracts import CONTRACTS

PHASES = ("ingest", "dbt", "gate", "publish")
# The data ends yesterday and is benched for hours: no run should warn that its latest decision is old.
NO_FRESHNESS_WARNING_HOURS = 1_000_000
FORMATS = ("parquet", "csv")


@dataclass
class Measurement:
    seconds: float
    peak_rss_bytes: int


@dataclass
class SizeResult:
    decisions: int
    days: int
    file_format: str = "parquet"
    generate: Measurement | None = None
    phases: dict[str, list[Measurement]] = field(default_factory=dict)
    incremental: list[Measurement] = field(default_factory=list)
    incremental_phases: dict[str, list[Measurement]] = field(default_factory=dict)
    incremental_modqa_run: list[Measurement] = field(default_factory=list)
    # The daily run's phases when nothing new has landed: what a run costs whatever the day holds.
    nothing_new: list[Measurement] = field(default_factory=list)
    nothing_new_phases: dict[str, list[Measurement]] = field(default_factory=dict)
    floor: list[Measurement] = field(default_factory=list)

    def median(self, runs: list[Measurement]) -> Measurement:
        return Measurement(statistics.median(m.seconds for m in runs), max(m.peak_rss_bytes for m in runs))

    def phase_rows(self, label: str, phases: dict[str, list[Measurement]]) -> list[tuple[str, Measurement]]:
        """("<label>: <phase>", median) per phase that ran."""
        return [(f"{label}: {p}", self.median(phases[p])) for p in PHASES if p in phases]

    @property
    def full_run(self) -> list[Measurement]:
        """Per repeat: the sum of the phases' times, the largest phase's memory."""
        repeats = len(next(iter(self.phases.values()), []))
        return [Measurement(sum(self.phases[p][i].seconds for p in PHASES if p in self.phases),
                            max(self.phases[p][i].peak_rss_bytes for p in PHASES if p in self.phases))
                for i in range(repeats)]


def measure(command: list[str], cwd: Path | None = None) -> Measurement:
    """Run a command, sampling the RSS of its whole process tree every 50 ms."""
    started = time.perf_counter()
    # Output goes to a file, not a pipe: a pipe nobody reads while the command runs would block it once full.
    with tempfile.TemporaryFile(mode="w+") as output:
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, text=True)
        peak = 0
        root = psutil.Process(process.pid)
        while process.poll() is None:
            try:
                tree = [root, *root.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.05)
        if process.returncode != 0:
            output.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed:\n{output.read()[-3000:]}")
    return Measurement(time.perf_counter() - started, peak)


def phase_command(phase: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "orchestration.bench", phase, *args]


def run_phase(phase: str, landing: Path, warehouse: Path) -> None:
    """Entry point of one measured phase, in its own process."""
    if phase == "ingest":
        from orchestration.ingest.loader import ingest

        ingest(landing, warehouse)
    elif phase == "dbt":
        from orchestration.dbt_runner import build

        build(warehouse)
    elif phase == "gate":
        from expectations.gate import validate
        from expectations.suites import GateSettings
        from orchestration.project import layout

        result = validate(layout(warehouse).build_database, layout(warehouse).gx_dir,
                          GateSettings(freshness_hours=NO_FRESHNESS_WARNING_HOURS))
        if not result.passed:
            raise RuntimeError("\n".join(o.line for o in result.blocking_failures))
    elif phase == "publish":
        from orchestration.publish import publish

        publish(warehouse)
    elif phase == "floor":
        from orchestration.bench_floor import run_floor

        run_floor(landing, warehouse / "floor_tmp")
    else:
        raise ValueError(phase)


def modqa_run_command(landing: Path, warehouse: Path) -> list[str]:
    """The daily run as the command line runs it."""
    return [sys.executable, "-m", "orchestration.cli", "run", "--landing", str(landing), "--warehouse", str(warehouse),
            "--freshness-hours", str(NO_FRESHNESS_WARNING_HOURS)]


def restore(snapshot: Path, warehouse: Path) -> None:
    shutil.rmtree(warehouse, ignore_errors=True)
    shutil.copytree(snapshot, warehouse, symlinks=True)


def hold_back_last_day(landing: Path, held: Path, last_day: date) -> None:
    """Move the last day's files aside; they arrive later as the daily incremental run."""
    for table in CONTRACTS:
        source = landing / table / last_day.isoformat()
        if source.exists():
            (held / table).mkdir(parents=True, exist_ok=True)
            shutil.move(str(source), held / table / last_day.isoformat())


def land_held_back(held: Path, landing: Path) -> None:
    for table_dir in held.iterdir():
        for day_dir in table_dir.iterdir():
            shutil.copytree(day_dir, landing / table_dir.name / day_dir.name)


def bench_size(decisions: int, days: int, repeats: int, root: Path, echo, file_format: str = "parquet") -> SizeResult:
    result = SizeResult(decisions, days, file_format)
    base = root / f"{file_format}-{decisions:.0e}-{days}d".replace("+", "")
    landing, held = base / "landing", base / "held_back"
    per_day = max(1, round(decisions / days))
    start = date.today() - timedelta(days=days + 1)  # the held-back last day is yesterday
    if not (base / "generated.ok").exists():
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        result.generate = measure([sys.executable, "-m", "orchestration.cli", "generate", "--out", str(landing),
                                   "--days", str(days + 1), "--decisions-per-day", str(per_day), "--seed", "1",
                                   "--start", start.isoformat(), "--format", file_format])
        hold_back_last_day(landing, held, start + timedelta(days=days))
        (base / "generated.ok").write_text(json.dumps(asdict(result.generate)))
        echo(f"  generate {decisions:,} decisions ({file_format}): {result.generate.seconds:.1f} s, "
             f"{result.generate.peak_rss_bytes / 1e9:.2f} GB")
    else:
        result.generate = Measurement(**json.loads((base / "generated.ok").read_text()))
    for repeat in range(repeats):
        warehouse = base / "warehouse"
        shutil.rmtree(warehouse, ignore_errors=True)
        for phase in PHASES:
            measurement = measure(phase_command(phase, str(landing), str(warehouse)))
            result.phases.setdefault(phase, []).append(measurement)
            echo(f"  run {repeat + 1}/{repeats} {phase:<8} {measurement.seconds:7.1f} s "
                 f"{measurement.peak_rss_bytes / 1e9:6.2f} GB")
        floor = measure(phase_command("floor", str(landing), str(warehouse)))
        result.floor.append(floor)
        echo(f"  run {repeat + 1}/{repeats} floor    {floor.seconds:7.1f} s {floor.peak_rss_bytes / 1e9:6.2f} GB")
    # The daily run: the held-back day lands on top of the last full build.
    daily_landing = base / "landing_daily"
    shutil.rmtree(daily_landing, ignore_errors=True)
    shutil.copytree(landing, daily_landing)
    land_held_back(held, daily_landing)
    warehouse, snapshot = base / "warehouse", base / "warehouse_before_daily"
    shutil.rmtree(snapshot, ignore_errors=True)
    shutil.copytree(warehouse, snapshot, symlinks=True)  # every daily run starts from the same full build
    for repeat in range(repeats):
        restore(snapshot, warehouse)
        result.incremental_modqa_run.append(measure(modqa_run_command(daily_landing, warehouse)))
        echo(f"  daily modqa run {repeat + 1}/{repeats}: {result.incremental_modqa_run[-1].seconds:.1f} s")
    for repeat in range(repeats):
        # Nothing new first (the full build's own landing again: every file is loaded already), so the
        # warehouse is left holding the daily run.
        for name, runs, phases, day_landing in (
                ("daily run, nothing new", result.nothing_new, result.nothing_new_phases, landing),
                ("daily run", result.incremental, result.incremental_phases, daily_landing)):
            restore(snapshot, warehouse)
            timed_phases(day_landing, warehouse, runs, phases)
            echo(f"  {name} {repeat + 1}/{repeats}: {runs[-1].seconds:.1f} s "
                 f"({', '.join(f'{p} {phases[p][-1].seconds:.1f}' for p in PHASES)})")
    return result


def timed_phases(landing: Path, warehouse: Path, totals: list[Measurement],
                 phases: dict[str, list[Measurement]]) -> None:
    """One run of every phase in turn: its total joins `totals`, each phase's time `phases`."""
    runs = [measure(phase_command(phase, str(landing), str(warehouse))) for phase in PHASES]
    totals.append(Measurement(sum(r.seconds for r in runs), max(r.peak_rss_bytes for r in runs)))
    for phase, run in zip(PHASES, runs, strict=True):
        phases.setdefault(phase, []).append(run)


def report(results: list[SizeResult]) -> tuple[str, dict]:
    lines = ["| decisions | days | format | phase | median wall (s) | peak RSS (GB) |", "|---:|---:|---|---|---:|---:|"]
    summary = []
    for r in results:
        rows = [("generate", r.generate)] + [(p, r.median(r.phases[p])) for p in PHASES]
        full, floor, daily = r.median(r.full_run), r.median(r.floor), r.median(r.incremental)
        rows += [("full run (sum)", full), ("floor (hand-written DuckDB)", floor), ("daily incremental run", daily)]
        rows += r.phase_rows("daily", r.incremental_phases)
        rows += [("daily modqa run (one process, the Dagster job)", r.median(r.incremental_modqa_run))]
        idle = r.median(r.nothing_new)
        rows += [("daily run, nothing new landed", idle)]
        rows += r.phase_rows("nothing new", r.nothing_new_phases)
        label = f"| {r.decisions:,} | {r.days} | {r.file_format}"
        for name, m in rows:
            lines.append(f"{label} | {name} | {m.seconds:.1f} | {m.peak_rss_bytes / 1e9:.2f} |")
        gate_share = r.median(r.phases["gate"]).seconds / (
            r.median(r.phases["ingest"]).seconds + r.median(r.phases["dbt"]).seconds)
        ratios = {"full_over_floor": full.seconds / floor.seconds, "daily_over_full": daily.seconds / full.seconds,
                  "gate_share_of_build": gate_share, "nothing_new_share_of_daily": idle.seconds / daily.seconds,
                  # What the day's data itself costs, the rest being what every run pays whatever landed.
                  "day_over_nothing_new_seconds": daily.seconds - idle.seconds}
        lines.append(f"{label} | ratios | full/floor {ratios['full_over_floor']:.1f}, daily/full "
                     f"{ratios['daily_over_full']:.0%}, gate/(ingest+dbt) {gate_share:.0%}, nothing new/daily "
                     f"{ratios['nothing_new_share_of_daily']:.0%}, daily − nothing new "
                     f"{ratios['day_over_nothing_new_seconds']:.1f} s | |")
        summary.append({"result": asdict(r), "ratios": ratios})
    history = history_ratios(results)
    lines += [f"| {h['decisions_per_day']:,}/day | {h['days']} | {h['format']} | daily run vs {h['base_days']} days | "
              f"{h['daily_over_base']:.2f}x (modqa run {h['modqa_run_over_base']:.2f}x) | |" for h in history]
    return "\n".join(lines), {"sizes": summary, "history": history}


def median_ratio(result: SizeResult, base: SizeResult, runs: str) -> float:
    """The median time of `result`'s runs of one kind (a SizeResult field) over `base`'s."""
    return result.median(getattr(result, runs)).seconds / base.median(getattr(base, runs)).seconds


def history_ratios(results: list[SizeResult]) -> list[dict]:
    """The history axis: per format and daily volume, each longer history's daily run over the shortest's."""
    ratios = []
    for r in results:
        base = min((b for b in results if b.file_format == r.file_format
                    and round(b.decisions / b.days) == round(r.decisions / r.days)), key=lambda b: b.days)
        if base is not r:
            ratios.append({"format": r.file_format, "decisions_per_day": round(r.decisions / r.days), "days": r.days,
                           "base_days": base.days, "daily_over_base": median_ratio(r, base, "incremental"),
                           "modqa_run_over_base": median_ratio(r, base, "incremental_modqa_run")})
    return ratios


def bench(sizes: list[int], days: int | list[int], repeats: int, root: Path, echo=print,
          formats: tuple[str, ...] = ("parquet",)) -> str:
    """Each size at each landing format and history length; a size is the volume of the shortest history,
    longer histories keep its decisions per day."""
    root.mkdir(parents=True, exist_ok=True)
    histories = sorted([days] if isinstance(days, int) else days)
    results = []
    for file_format in formats:
        for size in sizes:
            for history in histories:
                decisions = round(size * history / histories[0])
                echo(f"{decisions:,} decisions over {history} days (+1 day for the daily run), {file_format}, "
                     f"{repeats} repeats")
                results.append(bench_size(decisions, history, repeats, root, echo, file_format))
    table, data = report(results)
    (root / "bench.md").write_text(table + "\n")
    (root / "bench.json").write_text(json.dumps(data, indent=2))
    return table


if __name__ == "__main__":
    run_phase(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
