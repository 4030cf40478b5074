"""Write-audit-publish as users meet it: a blocking defect publishes nothing and keeps the build, a
warning publishes and is listed, `kill -9` mid-dbt changes nothing, and readers (DuckDB read-only,
SQLAlchemy as a dashboard tool connects, Parquet) keep working through a run."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import sqlalchemy

pytestmark = pytest.mark.slow
MODQA = str(Path(sys.executable).parent / "modqa")


# What a dashboard tool does: a SQLAlchemy engine on the published file, read-only, a query every half
# second. NullPool: a new connection per query (a pooled one keeps the file it opened, i.e. old data).
DASHBOARD = """
import sys, time, pathlib, sqlalchemy
from sqlalchemy.pool import NullPool
engine = sqlalchemy.create_engine(f"duckdb:///{sys.argv[1]}?access_mode=read_only", poolclass=NullPool)
while not pathlib.Path(sys.argv[2]).exists():
    with engine.connect() as connection:
        print(connection.execute(sqlalchemy.text("select count(*) from marts.fct_decisions")).scalar(), flush=True)
    time.sleep(0.5)
with engine.connect() as connection:
    print(connection.execute(sqlalchemy.text("select count(*) from marts.fct_decisions")).scalar(), flush=True)
"""


def modqa_run(landing: Path, warehouse: Path, **popen) -> subprocess.Popen:
    return subprocess.Popen([MODQA, "run", "--landing", str(landing), "--warehouse", str(warehouse)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """`modqa generate` then `modqa run`, as a user types them."""
    root = tmp_path_factory.mktemp("wap")
    landing, warehouse = root / "landing", root / "warehouse"
    generated = subprocess.run([MODQA, "generate", "--out", str(landing), "--days", "3", "--decisions-per-day",
                                "300", "--seed", "21", "--start", "2026-07-06"], capture_output=True, text=True)
    assert generated.returncode == 0, generated.stderr
    process = modqa_run(landing, warehouse)
    out, err = process.communicate(timeout=900)
    assert process.returncode == 0, out + err
    return landing, warehouse, generated.stdout, out


@pytest.fixture(scope="module")
def published_once(first_run):
    return first_run[0], first_run[1]


def test_generate_then_run_prints_progress_and_the_kpi_summary(first_run):
    landing, warehouse, generated, ran = first_run
    assert "decisions" in generated and "files" in generated
    for expected in ("ingest landing files", "ingest decisions", "dbt build (duckdb)",
                     "validate build (Great Expectations)", "publish", "KPI summary 2026-07-06", "vendor acme",
                     "False-negative rate", f"Published {warehouse.resolve() / 'warehouse.duckdb'}"):
        assert expected in " ".join(ran.split()), expected
    shown = subprocess.run([MODQA, "summary", "--warehouse", str(warehouse)], capture_output=True, text=True)
    assert shown.returncode == 0 and "vendor globex" in shown.stdout


@pytest.fixture
def copy_of(published_once, tmp_path):
    landing, warehouse = published_once
    shutil.copytree(landing, tmp_path / "landing")
    shutil.copytree(warehouse, tmp_path / "warehouse", symlinks=True)
    return tmp_path / "landing", tmp_path / "warehouse"


def first_decision(landing: Path) -> dict:
    path = sorted((landing / "decisions").rglob("*.csv"))[0]
    with open(path, newline="") as handle:
        return next(csv.DictReader(handle))


def land_csv(landing: Path, table: str, name: str, header: str, row: str) -> None:
    folder = landing / table / "late"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"{header}\n{row}\n")


def test_blocking_failure_publishes_nothing_and_keeps_the_build(copy_of):
    landing, warehouse = copy_of
    published, parquet = warehouse / "warehouse.duckdb", (warehouse / "parquet").resolve()
    before = digest(published)
    decision = first_decision(landing)
    decided = datetime.fromisoformat(decision["decided_at"])
    # An appeal filed a day before the decision it appeals: ingest and dbt accept it, the gate must not.
    land_csv(landing, "appeals", "appeals_fix.csv", "appeal_id,decision_id,filed_at,resolved_at,appeal_outcome",
             f"apl-planted,{decision['decision_id']},{(decided - timedelta(days=1)).isoformat()}Z,,")
    process = modqa_run(landing, warehouse)
    out, err = process.communicate(timeout=900)
    assert process.returncode == 3, out + err
    message = " ".join(err.split())
    assert "validation failed: 1 blocking expectation(s); nothing was published" in message
    assert "marts.fct_appeals · appeal_filed_after_decision: 1 unexpected rows" in message
    assert "apl-planted" in message
    assert digest(published) == before and (warehouse / "parquet").resolve() == parquet
    build = duckdb.connect(str(warehouse / "build" / "build.duckdb"), read_only=True)
    assert build.execute("select count(*) from marts.fct_appeals where appeal_id = 'apl-planted'").fetchone() == (1,)
    build.close()


def test_warning_publishes_while_readers_keep_reading(copy_of):
    landing, warehouse = copy_of
    published = warehouse / "warehouse.duckdb"
    decision = first_decision(landing)
    decided = datetime.fromisoformat(decision["decided_at"])
    # A five-hour handling time: implausible (a warning), not impossible.
    land_csv(landing, "decisions", "rereview.csv",
             "decision_id,item_id,moderator_id,is_automated,verdict,policy_code,decided_at,handle_seconds",
             f"dec-planted,{decision['item_id']},{decision['moderator_id']},false,approve,,"
             f"{(decided + timedelta(hours=6)).isoformat()}Z,18000")
    count_sql = "select count(*) from marts.fct_decisions"
    held = duckdb.connect(str(published), read_only=True)  # a BI session open for the whole run
    old_count = held.execute(count_sql).fetchone()[0]
    # A dashboard tool is another process, connecting through SQLAlchemy with a read-only URL.
    stop_file = warehouse.parent / "stop-dashboard"
    dashboard = subprocess.Popen([sys.executable, "-c", DASHBOARD, str(published), str(stop_file)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    errors, reads = [], {"held": 0, "fresh": 0, "parquet": 0}
    stop = threading.Event()

    def keep_reading():
        while not stop.is_set():
            try:
                held.execute(count_sql).fetchone()
                reads["held"] += 1
                fresh = duckdb.connect(str(published), read_only=True)
                fresh.execute(count_sql).fetchone()
                fresh.close()
                reads["fresh"] += 1
                parquet = warehouse / "parquet" / "fct_decisions" / "*" / "*.parquet"  # day partitions
                duckdb.sql(f"select count(*) from read_parquet('{parquet}')").fetchall()
                reads["parquet"] += 1
            except Exception as error:  # noqa: BLE001 - any failure to read is what this test is about
                errors.append(repr(error))
            time.sleep(0.2)

    reader = threading.Thread(target=keep_reading)
    reader.start()
    try:
        process = modqa_run(landing, warehouse)
        out, err = process.communicate(timeout=900)
    finally:
        stop.set()
        reader.join()
        stop_file.touch()
    dashboard_out, dashboard_err = dashboard.communicate(timeout=120)
    assert process.returncode == 0, out + err
    assert errors == [] and min(reads.values()) > 5, (errors, reads)
    dashboard_reads = dashboard_out.split()
    assert dashboard.returncode == 0 and len(dashboard_reads) > 5, dashboard_err
    assert {int(n) for n in dashboard_reads} == {old_count, old_count + 1}  # old data, then the new
    assert "warning marts.fct_decisions.handle_seconds · handle_time_plausible: 1 unexpected rows, e.g. 18000" in out
    # The first run passed the gate, so this incremental build is validated by the rows it rebuilt.
    assert re.search(r"marts\.fct_decisions .*row checks on rebuilt rows only: [\d,]+ of [\d,]+", out), out
    assert held.execute(count_sql).fetchone()[0] == old_count  # the open session keeps its snapshot
    held.close()
    engine = sqlalchemy.create_engine(f"duckdb:///{published}?access_mode=read_only")
    with engine.connect() as connection:  # the next connection sees the new data
        assert connection.execute(sqlalchemy.text(count_sql)).fetchone()[0] == old_count + 1
    engine.dispose()


def test_kill_9_during_dbt_leaves_the_published_warehouse_intact(copy_of):
    """Also: the run after it reports nothing new to ingest (a re-run changes nothing)."""
    landing, warehouse = copy_of
    published = warehouse / "warehouse.duckdb"
    before = digest(published)
    process = modqa_run(landing, warehouse, start_new_session=True)
    deadline = time.monotonic() + 300
    assert process.stdout is not None
    for line in process.stdout:  # wait until dbt is running
        if "dbt build" in line or time.monotonic() > deadline:
            break
    time.sleep(4)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert digest(published) == before
    con = duckdb.connect(str(published), read_only=True)
    assert con.execute("select count(*) from marts.fct_decisions").fetchone()[0] > 0
    con.close()
    again = modqa_run(landing, warehouse)
    out, err = again.communicate(timeout=900)
    assert again.returncode == 0, out + err  # recovers without manual clean-up
    assert re.search(r"ingest decisions\s+0 new files\s+3 already loaded\s+0 rows loaded", out)


def test_a_failing_dbt_data_test_names_the_row_and_its_landing_file(copy_of):
    """A correction moves a decision after the audit of it: ingest cannot know (the audit came first),
    dbt's test on fct_qa_audits fails. One message, exit 3: the table, the rule, the row, the files."""
    landing, warehouse = copy_of
    published = warehouse / "warehouse.duckdb"
    before = digest(published)
    audits = sorted((landing / "audits").rglob("*.csv"))[0]
    with open(audits, newline="") as handle:
        audit = next(csv.DictReader(handle))
    decisions = {}
    for path in sorted((landing / "decisions").rglob("*.csv")):
        with open(path, newline="") as handle:
            decisions.update({row["decision_id"]: row for row in csv.DictReader(handle)})
    decision = decisions[audit["decision_id"]]
    later = datetime.fromisoformat(audit["audited_at"].replace("Z", "+00:00")) + timedelta(hours=1)
    decision["decided_at"] = later.strftime("%Y-%m-%dT%H:%M:%SZ")
    land_csv(landing, "decisions", "fix.csv", ",".join(decision), ",".join(decision.values()))
    process = modqa_run(landing, warehouse)
    out, err = process.communicate(timeout=900)
    assert process.returncode == 3, out + err
    message = " ".join(err.split())
    assert "dbt data tests failed on the build; nothing was published" in message
    assert "marts.fct_qa_audits" in message and "qa_turnaround_minutes >= 0" in message
    assert f"audit_id {audit['audit_id']} was delivered in landing file {audits.relative_to(landing)}" in message
    assert f"decision_id {decision['decision_id']} was delivered in landing file decisions/late/fix.csv line 2" \
        in message
    assert "Traceback" not in out + err and "KeyError" not in err and "dagster - " not in out + err
    logs = list((warehouse / "logs").glob("dagster-run-*.log"))
    assert logs and any("STEP_FAILURE" in log.read_text() or "failed" in log.read_text() for log in logs)
    assert digest(published) == before


def dbt_processes(pid: int) -> list:
    import psutil

    try:
        return [p for p in psutil.Process(pid).children(recursive=True)
                if any(part.endswith("/dbt") for part in p.cmdline()[:2])]
    except psutil.NoSuchProcess:
        return []


def test_kill_9_of_the_run_alone_takes_its_dbt_child_along(copy_of):
    import psutil

    landing, warehouse = copy_of
    process = subprocess.Popen([MODQA, "run", "--landing", str(landing), "--warehouse", str(warehouse),
                                "--full-refresh"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    children = []
    while not children and time.monotonic() < deadline and process.poll() is None:
        children = dbt_processes(process.pid)
        time.sleep(0.2)
    assert children, "dbt never started"
    os.kill(process.pid, signal.SIGKILL)  # the run only: nobody signals its process group
    process.communicate(timeout=60)
    gone, alive = psutil.wait_procs(children, timeout=15)
    assert not alive, f"dbt outlived the run that started it: {[p.pid for p in alive]}"
    # That the next run recovers from a killed one is test_kill_9_during_dbt_leaves_the_published_warehouse_intact's.


HOLD_LOCK = """
import sys, time
from pathlib import Path
from orchestration.run_lock import warehouse_lock
with warehouse_lock(Path(sys.argv[1]), "Dagster run 1234abcd"):
    print("held", flush=True)
    time.sleep(120)
"""


def test_a_run_started_elsewhere_holds_the_one_lock(copy_of):
    landing, warehouse = copy_of
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(warehouse)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        blocked = modqa_run(landing, warehouse)
        out, err = blocked.communicate(timeout=300)
    finally:
        holder.kill()
        holder.wait()
    assert blocked.returncode == 2, out + err
    assert "is being built by Dagster run 1234abcd" in " ".join(err.split())


@pytest.fixture
def small_disk(tmp_path, published_once):
    """A file system (tmpfs) with room for the published warehouse and little more: mounting one needs
    root, which CI has; skipped elsewhere."""
    mount = tmp_path / "small_disk"
    mount.mkdir()
    used = sum(p.stat().st_size for p in published_once[1].rglob("*") if p.is_file() and not p.is_symlink())
    size = f"size={used // 2**20 + 32}m"
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", size, "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_named_and_nothing_half_written_is_left(published_once, small_disk):
    landing, warehouse = published_once
    shutil.copytree(warehouse, small_disk / "warehouse", symlinks=True,
                    ignore=shutil.ignore_patterns("dagster-run-*.log"))
    copied = small_disk / "warehouse"
    free = shutil.disk_usage(small_disk).free
    (small_disk / "ballast").write_bytes(b"\0" * max(0, free - 3 * 2**20))  # leave 3 MB
    published = copied / "warehouse.duckdb"
    before = digest(published)
    process = subprocess.Popen([MODQA, "run", "--landing", str(landing), "--warehouse", str(copied),
                                "--full-refresh"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = process.communicate(timeout=900)
    assert process.returncode == 1, out + err
    assert f"no space left on {small_disk}" in " ".join(err.split())
    assert "Traceback" not in err
    assert digest(published) == before
    assert not list(copied.glob("publishing/*")) and not list((copied / "published").glob("*.partial"))
