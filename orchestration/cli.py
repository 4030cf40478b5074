"""`modqa`: the command line, a thin layer over functions the tests call directly."""

from __future__ import annotations

import contextlib
import sys
import time
import traceback
import warnings
from datetime import date
from pathlib import Path

import click
from rich.console import Console

from orchestration import views
from orchestration.coach import coach
from orchestration.errors import ModqaError
from orchestration.project import DEFAULT_LANDING, DEFAULT_WAREHOUSE, layout

# Wide enough for the summary table when output goes to a file or CI log (rich defaults to 80).
console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
error_console = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 160)

DEMO_DAYS = 30
DEMO_DECISIONS_PER_DAY = 2000
DEMO_SEED = 42


class ModqaGroup(click.Group):
    """Turns errors into one readable message; tracebacks only with --debug."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ModqaError as error:
            self._fail(ctx, str(error), error.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            self._fail(ctx, "interrupted; the published warehouse was not changed", 130)
        except Exception as error:  # noqa: BLE001 - last line of defence for a readable message
            self._fail(ctx, f"unexpected {type(error).__name__}: {error}\n"
                            "Run again with --debug for the traceback.", 1)

    @staticmethod
    def _fail(ctx: click.Context, message: str, code: int) -> None:
        if ctx.obj and ctx.obj.get("debug"):
            traceback.print_exc()
        error_console.print(f"[bold red]error:[/bold red] {message}")
        sys.exit(code)


@click.group(cls=ModqaGroup)
@click.option("--debug", is_flag=True, help="Show tracebacks on errors, and library warnings.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Moderation QA warehouse: ingest, build, validate and publish QA metrics."""
    ctx.obj = {"debug": debug}
    if not debug:
        # Libraries' beta/deprecation notices (Dagster prints several per run) are for developers.
        warnings.simplefilter("ignore")


def _print_simulated_range(done) -> None:
    days = f"day {done.first_day}" if done.first_day == done.last_day else f"days {done.first_day}–{done.last_day}"
    console.print(f"  simulated and wrote {days} of {done.days}  [dim]({done.seconds:.1f} s)[/dim]")


@main.command()
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_LANDING, show_default=True,
              help="Landing folder to write (must hold no landing files yet).")
@click.option("--days", type=click.IntRange(min=1), default=DEMO_DAYS, show_default=True)
@click.option("--decisions-per-day", type=click.IntRange(min=1), default=DEMO_DECISIONS_PER_DAY, show_default=True)
@click.option("--seed", type=int, default=DEMO_SEED, show_default=True)
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="First day (default: so that the data ends yesterday). Fix it for reproducible files.")
@click.option("--format", "file_format", type=click.Choice(["csv", "parquet", "jsonl", "mixed"]), default="csv",
              show_default=True, help="Landing file format; mixed uses a different format per table.")
def generate(out: Path, days: int, decisions_per_day: int, seed: int, start, file_format: str) -> None:
    """Write a realistic sample QA programme as landing files for all eight tables."""
    from orchestration.generator import default_start
    from orchestration.generator import generate as generate_files

    first_day: date = start.date() if start else default_start(days)
    console.print(f"Generating {days} days × ~{decisions_per_day:,} decisions/day from {first_day} "
                  f"(seed {seed}, {file_format}) into {out}")
    started = time.perf_counter()
    results = generate_files(out, days, decisions_per_day, seed, first_day, file_format,
                             on_range=_print_simulated_range)
    for result in results:
        console.print(f"  {result.table:<19} {result.rows:>11,} rows in {result.files:>3} files")
    total = sum(r.rows for r in results)
    console.print(f"Done: {total:,} rows in {sum(r.files for r in results)} files "
                  f"[dim]({time.perf_counter() - started:.1f} s)[/dim]")


@main.command()
@click.option("--landing", type=click.Path(path_type=Path), default=DEFAULT_LANDING, show_default=True)
@click.option("--warehouse", type=click.Path(path_type=Path), default=DEFAULT_WAREHOUSE, show_default=True)
@click.option("--target", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True,
              help="dbt target (engine): embedded DuckDB, or Spark through dbt-spark (pip install '.[spark]').")
@click.option("--freshness-hours", type=click.FloatRange(min=0), default=48, show_default=True,
              help="Warn when the latest decision is older than this.")
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Backfill: first data date to (re)load; with --end, one run over the range.")
@click.option("--end", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Backfill: last data date.")
@click.option("--full-refresh", is_flag=True,
              help="Rebuild every incremental model from scratch instead of re-opening only the touched days.")
@click.pass_context
def run(ctx: click.Context, landing: Path, warehouse: Path, target: str, freshness_hours: float, start, end,
        full_refresh: bool) -> None:
    """Ingest new landing files, build, validate (Great Expectations), publish, print the KPI summary.

    Runs the Dagster job in-process: the same graph as the schedule and the sensor."""
    _run_and_summarise(landing, warehouse, target, freshness_hours, start and start.date(), end and end.date(),
                       full_refresh, debug=ctx.obj["debug"])


def _run_and_summarise(landing: Path, warehouse: Path, target: str, freshness_hours: float = 48,
                       start: date | None = None, end: date | None = None, full_refresh: bool = False,
                       debug: bool = False) -> None:
    from expectations.suites import GateSettings
    from orchestration.pipeline import run_pipeline
    from orchestration.summary import read_summary, render_summary

    started = time.perf_counter()
    settings = GateSettings(freshness_hours=freshness_hours)
    report = run_pipeline(landing, warehouse, console, target=target, settings=settings, start=start, end=end,
                          full_refresh=full_refresh, debug=debug)
    console.print()
    render_summary(read_summary(report.summary_source), console)
    elapsed = time.perf_counter() - started
    if report.published:
        console.print(f"Published {report.published} in {elapsed:.1f} s. "
                      f"Query it read-only: duckdb -readonly {report.published}")
    else:
        console.print(f"Built on {target} in {elapsed:.1f} s; marts are Parquet tables under {report.marts_location}")


@main.command()
@click.option("--landing", type=click.Path(path_type=Path), default=DEFAULT_LANDING, show_default=True)
@click.option("--warehouse", type=click.Path(path_type=Path), default=DEFAULT_WAREHOUSE, show_default=True)
@click.pass_context
def demo(ctx: click.Context, landing: Path, warehouse: Path) -> None:
    """Generate a sample month if the landing folder is empty, then run the pipeline."""
    has_files = landing.exists() and any(p.is_file() for p in landing.rglob("*"))
    if not has_files:
        ctx.invoke(generate, out=landing, days=DEMO_DAYS, decisions_per_day=DEMO_DECISIONS_PER_DAY,
                   seed=DEMO_SEED, start=None, file_format="csv")
    else:
        console.print(f"Using the landing files already in {landing}")
    _run_and_summarise(landing, warehouse, "duckdb", debug=ctx.obj["debug"])


@main.command()
@click.option("--warehouse", type=click.Path(path_type=Path), default=DEFAULT_WAREHOUSE, show_default=True)
def summary(warehouse: Path) -> None:
    """Print the KPI summary of the published warehouse."""
    from orchestration.errors import UsageError
    from orchestration.summary import read_summary, render_summary

    database = layout(warehouse).published_database
    if not database.exists():
        raise UsageError(f"nothing published at {database} yet; run `modqa run` first")
    render_summary(read_summary(database), console)


@main.command()
@click.option("--landing", type=click.Path(path_type=Path), default=DEFAULT_LANDING, show_default=True)
@click.option("--warehouse", type=click.Path(path_type=Path), default=DEFAULT_WAREHOUSE, show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=3000, show_default=True)
def ui(landing: Path, warehouse: Path, port: int) -> None:
    """Start the Dagster UI on localhost with the project's definitions (Ctrl-C stops it)."""
    import subprocess

    from orchestration.dagster_defs.loading import dagster_environment
    from orchestration.dagster_defs.project import prepare_manifest

    prepare_manifest(warehouse)  # before the UI starts, so that it does not wait on a parse
    dagster = Path(sys.executable).parent / "dagster"
    console.print(f"Dagster UI on http://127.0.0.1:{port} (DAGSTER_HOME {layout(warehouse).root / 'dagster'})")
    command = [str(dagster), "dev", "-m", "orchestration.dagster_defs.definitions", "-h", "127.0.0.1", "-p", str(port)]
    with contextlib.suppress(KeyboardInterrupt):
        subprocess.run(command, check=False, env=dagster_environment(landing, warehouse))


@main.command()
@click.option("--month", required=True, help="Month as YYYY-MM.")
@click.option("--vendor", "vendor_id", default=None, help="One vendor's report (default: the whole programme).")
@click.option("--warehouse", type=click.Path(path_type=Path), default=DEFAULT_WAREHOUSE, show_default=True)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="HTML file to write (default: <warehouse>/reports/mbr-<month>-<vendor or programme>.html).")
@click.option("--pdf", is_flag=True, help="Also print it to PDF (beside the HTML) with headless Chromium.")
def report(month: str, vendor_id: str | None, warehouse: Path, out: Path | None, pdf: bool) -> None:
    """Write the monthly business review: one self-contained HTML page (and a PDF) from the published marts."""
    from orchestration.report import build_report

    result = build_report(warehouse, views.parse_month(month), vendor_id, out, pdf)
    console.print(f"Wrote {result.html} ({result.bytes / 1024:,.0f} KiB, {len(result.sections)} sections)"
                  + (f" and {result.pdf}" if result.pdf else "") + f" in {result.seconds:.1f} s")


@main.command()
@click.option("--decisions", default="1e6,1e7", show_default=True,
              help="Comma-separated dataset sizes in decisions at the shortest history (e.g. 1e6,1e7,1e8).")
@click.option("--days", default="90", show_default=True,
              help="History lengths in days, comma-separated (e.g. 90,900): a longer history keeps the "
                   "shortest one's decisions per day, so daily runs compare across history lengths.")
@click.option("--format", "formats", default="parquet", show_default=True,
              help="Landing formats, comma-separated: parquet, csv.")
@click.option("--repeats", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=Path("data/bench"), show_default=True,
              help="Where generated data, warehouses and bench.json / bench.md go.")
def bench(decisions: str, days: str, formats: str, repeats: int, out: Path) -> None:
    """Time each phase (ingest, dbt, GX, publish) with peak memory, a daily run and the DuckDB floor."""
    from orchestration.bench import FORMATS
    from orchestration.bench import bench as run_bench
    from orchestration.errors import UsageError

    try:
        sizes = [int(float(size)) for size in decisions.split(",") if size.strip()]
        histories = [int(day) for day in days.split(",") if day.strip()]
    except ValueError:
        raise UsageError(f"--decisions takes numbers like 1e6,1e7 and --days like 90,900, not {decisions!r} / "
                         f"{days!r}") from None
    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    if not chosen or set(chosen) - set(FORMATS) or min(histories, default=0) < 2:
        raise UsageError(f"--format takes {', '.join(FORMATS)} and --days whole numbers of at least 2; "
                         f"got {formats!r} and {days!r}")
    table = run_bench(sizes, histories, repeats, out.resolve(),
                      echo=lambda line: console.print(line, highlight=False), formats=chosen)
    console.print(table)
    console.print(f"Written to {out.resolve() / 'bench.md'} and bench.json")


views.register(main)
main.add_command(coach)

if __name__ == "__main__":
    main()
