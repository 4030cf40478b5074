"""When a publish may hard-link a fact's day from the previous publication and when it must write it
(orchestration/publication_parquet.py), on a hand-made build file: no dbt, so every case is set by the
test itself. The end-to-end case (real dbt builds, published day by day, equal to a full refresh) is in
tests/test_incremental.py."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.publication_parquet import export_parquet, read_record, write_record

DAYS = ("2026-09-01", "2026-09-02", "2026-09-03")


def make_build(path: Path, rows_per_day: dict[str, int], since: str | None, reopened: tuple[str, ...],
               kind: str = "decision", extra_column: bool = False) -> None:
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema intermediate")
        extra = ", 'x' as note" if extra_column else ""
        parts = [f"select '{day}-' || i as decision_id, date '{day}' as decision_date, i as value{extra} "
                 f"from range({count}) r(i)" for day, count in rows_per_day.items()]
        con.execute("create table marts.fct_decisions as " + " union all ".join(parts))
        con.execute("create table intermediate.int_build_scope as select ? as since_load_id, ? as is_incremental",
                    [since, since is not None])
        con.execute("create table intermediate.int_reopened_decisions (item_id varchar, decision_id varchar, "
                    "decision_date date)")
        con.execute("create table intermediate.int_reopened_days (decision_date date)")
        for day in reopened:
            con.execute("insert into intermediate.int_reopened_days values (?)", [day])
        con.execute("create table intermediate.int_rebuilt_rows as select 'fct_decisions' as model_name, "
                    "'marts.fct_decisions' as relation_name, ? as reopened_by, 'decision_id' as reopened_column",
                    [kind])


def export(build: Path, folder: Path, previous: Path | None, through: str):
    with duckdb.connect() as con:
        con.execute(f"attach '{build}' as build (read_only)")
        result = export_parquet(con, "build", [("marts", "fct_decisions")], {"fct_decisions": "decision_date"},
                                folder, previous)
    write_record(folder, through, result)
    return result


def inode(folder: Path, day: str) -> int:
    (file,) = (folder / "fct_decisions" / f"decision_date={day}").iterdir()
    return file.stat().st_ino


def published_rows(folder: Path) -> list[tuple]:
    with duckdb.connect() as con:
        files = folder / "fct_decisions" / "*" / "*.parquet"
        return con.execute(f"select * from read_parquet('{files}', hive_partitioning = false) order by all").fetchall()


def build_rows(build: Path) -> list[tuple]:
    with duckdb.connect(str(build), read_only=True) as con:
        return con.execute("select * from marts.fct_decisions order by all").fetchall()


@pytest.fixture
def first(tmp_path):
    build = tmp_path / "build.duckdb"
    make_build(build, dict.fromkeys(DAYS, 5), since=None, reopened=())
    result = export(build, tmp_path / "p1", None, through="L1")
    assert (result.days_written, result.days_linked) == (3, 0)
    assert read_record(tmp_path / "p1")["tables"]["fct_decisions"]["rows"] == dict.fromkeys(DAYS, 5)
    return tmp_path, build


def test_an_incremental_build_on_the_published_one_writes_its_reopened_days_and_links_the_rest(first):
    root, build = first
    make_build(build, {DAYS[0]: 5, DAYS[1]: 5, DAYS[2]: 7}, since="L1", reopened=(DAYS[2],))
    result = export(build, root / "p2", root / "p1", through="L2")
    assert (result.days_written, result.days_linked) == (1, 2)
    assert inode(root / "p2", DAYS[0]) == inode(root / "p1", DAYS[0])
    assert inode(root / "p2", DAYS[2]) != inode(root / "p1", DAYS[2])
    assert published_rows(root / "p2") == build_rows(build)


def test_a_day_whose_row_count_moved_is_written_even_if_not_reopened(first):
    root, build = first
    make_build(build, {DAYS[0]: 5, DAYS[1]: 6, DAYS[2]: 5}, since="L1", reopened=(DAYS[2],))
    result = export(build, root / "p2", root / "p1", through="L2")
    assert (result.days_written, result.days_linked) == (2, 1)
    assert inode(root / "p2", DAYS[1]) != inode(root / "p1", DAYS[1])
    assert published_rows(root / "p2") == build_rows(build)


@pytest.mark.parametrize("case", ["not based on the published build", "full build", "columns changed",
                                  "rows re-opened by delivery"])
def test_everything_is_written_when_reuse_is_not_provably_safe(first, case):
    root, build = first
    make_build(build, dict.fromkeys(DAYS, 5), since="L0" if case.startswith("not") else
               (None if case == "full build" else "L1"), reopened=(DAYS[2],),
               kind="delivery" if case.endswith("delivery") else "decision",
               extra_column=case == "columns changed")
    result = export(build, root / "p2", root / "p1", through="L2")
    assert (result.days_written, result.days_linked) == (3, 0), case
    assert published_rows(root / "p2") == build_rows(build)


def test_a_day_that_left_the_build_leaves_the_publication(first):
    root, build = first
    make_build(build, {DAYS[0]: 5, DAYS[2]: 5}, since="L1", reopened=(DAYS[1],))
    result = export(build, root / "p2", root / "p1", through="L2")
    assert (result.days_written, result.days_linked) == (0, 2)
    assert not (root / "p2" / "fct_decisions" / f"decision_date={DAYS[1]}").exists()
    assert published_rows(root / "p2") == build_rows(build)
