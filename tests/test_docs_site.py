"""The dbt docs site each run publishes beside the warehouse (`<warehouse>/docs/`): it opens from disk
in headless Chromium with no network and no console error, shows the marts with the catalog's column
types and the YAML's descriptions, and is generated from the published file alone."""

from __future__ import annotations

import json
import os
import shutil

import duckdb
import pytest

from orchestration.docs_site import FINGERPRINT_FILE, SHARED_SITES_KEPT, _prune_sites, generate_docs_site
from orchestration.project import layout
from orchestration.publish import publish, published_tables
from tests.browser import open_page, require_chromium

pytestmark = pytest.mark.slow

ALL_TEXT = "document.body.textContent.replace(/\\s+/g, '')"  # the sidebar breaks long names with spaces


@pytest.fixture(scope="module")
def tables(built_warehouse) -> list[tuple[str, str]]:
    with duckdb.connect(str(layout(built_warehouse).published_database), read_only=True) as con:
        return published_tables(con, "warehouse")


def test_docs_site_opens_offline_and_shows_the_marts(built_warehouse, tables, tmp_path):
    require_chromium()
    page_file = layout(built_warehouse).root / "docs" / "index.html"
    assert page_file.is_file()
    url = page_file.resolve().as_uri() + "#!/model/model.modqa.agg_quality_daily"
    with open_page(url, tmp_path / "profile") as page:
        # The model page: columns with their type from the catalog (DuckDB's) and their YAML description.
        page.wait_for("document.body.innerText.includes('weighted_false_negative_rate_ci_high')")
        text = page.evaluate("document.body.innerText")
        assert "decision_date\n\tDATE" in text and "in_sample\n\tBIGINT" in text
        manifest = json.loads((page_file.parent / "manifest.json").read_text())
        description = manifest["nodes"]["model.modqa.agg_quality_daily"]["description"]
        assert " ".join(description.split()[:8]) in " ".join(text.split())
        # The Database tab lists every published mart from the catalog.
        page.evaluate("[...document.querySelectorAll('a, li, span')].find(e => e.textContent.trim() === 'Database')"
                      ".click()")
        page.wait_for(f"{ALL_TEXT}.includes('agg_quality_daily') && {ALL_TEXT}.includes('dim_moderator')")
        listed = page.evaluate(ALL_TEXT)
        missing = [name for schema, name in tables if schema == "marts" and name not in listed]
        assert not missing, f"not in the Database tab: {missing}"
        page.evaluate("location.hash = '#!/model/model.modqa.dq_quarantined_rows'")
        page.wait_for("document.body.innerText.includes('source_line\\n\\tBIGINT')")
        page.drain(1.0)
        assert page.console_errors == []
        assert page.remote_requests == []
        assert all(url.startswith(("file:", "data:")) for url in page.requests)


def test_docs_site_is_generated_from_the_published_file_alone(built_warehouse, tables, tmp_path):
    """No raw layer, no build database: only warehouse.duckdb, opened read-only."""
    alone = tmp_path / "warehouse"
    alone.mkdir()
    database = alone / "warehouse.duckdb"
    shutil.copyfile(layout(built_warehouse).published_database, database)
    before = database.read_bytes()
    page = generate_docs_site(alone, database, alone / "docs", shared=tmp_path / "sites")  # none kept yet
    assert not (alone / "raw").exists()
    assert database.read_bytes() == before
    catalog = json.loads((alone / "docs" / "catalog.json").read_text())
    documented = {(node["metadata"]["schema"], node["metadata"]["name"]) for node in catalog["nodes"].values()}
    assert documented == set(tables)
    quality = catalog["nodes"]["model.modqa.agg_quality_daily"]
    assert quality["metadata"]["comment"]  # persist_docs: the table's description, read back from DuckDB
    assert all(column["comment"] for column in quality["columns"].values())
    html = page.read_text(encoding="utf-8")
    assert '"MANIFEST.JSON INLINE DATA"' not in html and '"CATALOG.JSON INLINE DATA"' not in html


def test_a_publication_that_changes_only_data_reuses_the_site(built_warehouse, tmp_path):
    """The site is a function of the project and the published schema: the same site is copied to a
    publication that changes neither; a changed column comment makes a new one."""
    warehouse = tmp_path / "warehouse"
    shutil.copytree(layout(built_warehouse).root, warehouse, symlinks=True,
                    ignore=shutil.ignore_patterns("dagster", "gx", "spark"))
    docs = warehouse / "docs"
    first = docs.resolve()
    page = (docs / "index.html").read_bytes()
    with duckdb.connect(str(layout(warehouse).build_database)) as build:
        build.execute("update marts.dim_queue set queue_name = queue_name || ' (renamed)'")  # data only
    publish(warehouse)
    assert docs.resolve() != first and (docs / "index.html").read_bytes() == page
    fingerprint = (docs / FINGERPRINT_FILE).read_text()
    with duckdb.connect(str(layout(warehouse).build_database)) as build:
        build.execute("comment on column marts.dim_queue.queue_name is 'Changed by the test.'")
    publish(warehouse)
    assert (docs / FINGERPRINT_FILE).read_text() != fingerprint
    catalog = json.loads((docs / "catalog.json").read_text())
    assert catalog["nodes"]["model.modqa.dim_queue"]["columns"]["queue_name"]["comment"] == "Changed by the test."


def test_a_new_warehouse_takes_the_site_this_checkout_made_of_the_same_project(built_warehouse, tmp_path):
    """A warehouse publishing for the first time copies the site another warehouse of this checkout made of
    the same project and schema, without running dbt; the site names no warehouse's folder."""
    shared = tmp_path / "sites"
    pages = []
    for name in ("first", "second"):
        warehouse = tmp_path / name
        warehouse.mkdir()
        database = warehouse / "warehouse.duckdb"
        shutil.copyfile(layout(built_warehouse).published_database, database)
        pages.append(generate_docs_site(warehouse, database, warehouse / "docs", shared=shared))
    assert (tmp_path / "first" / "build" / "dbt_logs").is_dir()  # the first generated it
    assert not (tmp_path / "second" / "build").exists()  # the second ran no dbt
    assert pages[0].read_bytes() == pages[1].read_bytes()
    text = pages[1].read_text(encoding="utf-8")
    assert str(tmp_path / "first") not in text and str(tmp_path / "second") not in text


def test_the_shared_sites_pruned_are_the_ones_unused_longest(tmp_path):
    names = [f"site{i}" for i in range(SHARED_SITES_KEPT + 3)]
    for age, name in enumerate(names):  # site0 the newest
        (tmp_path / name).mkdir()
        os.utime(tmp_path / name, (1_000_000 - age, 1_000_000 - age))
    oldest = names[-1]
    os.utime(tmp_path / oldest)  # used just now
    _prune_sites(tmp_path, keep="site0")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[:SHARED_SITES_KEPT - 1], oldest])
