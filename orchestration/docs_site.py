"""The dbt docs site of a publication: one self-contained HTML page that opens offline.

`dbt docs generate --static` embeds the manifest and the catalog in the page (the default site fetches
them as JSON, which a browser refuses for a file:// page), and the page loads nothing else. It runs
against the database about to be published, through the read-only profile target `published`, so
the catalog lists exactly what BI sees, with the comments persist_docs wrote, and it needs neither
the build database nor the raw layer (only `dbt run`/`build` run the on-run-start hook that reads
it). Only the published models (models/marts), not their tests, are compiled and looked up in the
catalog: the page still documents every model and test, and compiling the rest only costs time
(`--indirect-selection empty` still compiles the models' tests under `docs generate`; `--no-compile`
would embed a stale manifest: dbt writes manifest.json only when it compiles). Anonymous usage stats
are off in dbt_project.yml, which keeps the page from loading a tracker.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from importlib.metadata import version
from pathlib import Path

import duckdb

from orchestration.dbt_child import share_parse_state
from orchestration.dbt_runner import run_dbt
from orchestration.errors import BuildError
from orchestration.ingest.sql import sql_string
from orchestration.project import PARSE_STATE_DIRS, PROJECT_DIR, layout
from orchestration.run_lock import exclusive

# dbt-docs' sidebar icons are `<use xlink:href="{{ getIcon(…) }}">`: the browser fetches the template text
# as a URL before Angular fills it in (about a thousand failed file:// loads, each a console error, on
# this project's page). Angular's ng-attr- prefix sets the attribute once it is interpolated (and SVG 2
# takes a plain href). Its favicon link is a webpack placeholder left unbuilt (`${require(…)}`), which
# the browser requests as a file; an empty data: URL stands in for it. The page then loads nothing.
OFFLINE_FIXES = (
    ('xlink:href="{{ getIcon(', 'ng-attr-href="{{ getIcon('),
    ("href=\"${require('./assets/favicons/favicon.ico')}\"", 'href="data:,"'),
)
# What the site folder holds: the page, and the two artefacts other tools (catalog crawlers) read.
SITE_FILES = {"static_index.html": "index.html", "manifest.json": "manifest.json", "catalog.json": "catalog.json"}
PUBLISHED_DATABASE_ENV = "MODQA_PUBLISHED_DATABASE"  # profiles.yml, target `published`
PUBLISHED_MODELS = "path:models/marts"  # schemas marts and monitoring
PUBLISHED_SCHEMAS = ("marts", "monitoring")
# What the site is made of: the project as dbt reads it, this module, dbt's version and the published
# schema (the catalog holds names, types and comments; no statistics, so data alone never changes it).
PROJECT_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/dbt")
FINGERPRINT_FILE = ".fingerprint"
# The sites this checkout generated, by fingerprint, beside the shared parse state of target `published`.
SHARED_SITES = PARSE_STATE_DIRS["published"] / "sites"
SHARED_SITES_KEPT = 5


def site_fingerprint(database: Path) -> str:
    digest = hashlib.sha256(f"dbt-core {version('dbt-core')}\n".encode())
    digest.update(Path(__file__).read_bytes())
    for entry in PROJECT_INPUTS:
        root = PROJECT_DIR / entry
        for path in sorted([root] if root.is_file() else (p for p in root.rglob("*") if p.is_file())):
            digest.update(str(path.relative_to(PROJECT_DIR)).encode() + b"\0" + path.read_bytes())
    schemas = ", ".join(sql_string(schema) for schema in PUBLISHED_SCHEMAS)
    with duckdb.connect(str(database), read_only=True) as con:
        for query in (f"select schema_name, table_name, comment from duckdb_tables() where schema_name in ({schemas})",
                      "select schema_name, table_name, column_index, column_name, data_type, comment "
                      f"from duckdb_columns() where schema_name in ({schemas})"):
            digest.update(repr(sorted(con.execute(query).fetchall(), key=repr)).encode())
    return digest.hexdigest()


def generate_docs_site(warehouse: Path, database: Path, out: Path, previous: Path | None = None,
                       shared: Path = SHARED_SITES) -> Path:
    """Write the docs site of `database` (a published-to-be warehouse.duckdb) into the new folder `out`;
    return the page's path. The site is a function of its fingerprint, so a site made of the same project
    and schema is copied instead of generated: `previous` (the last publication's), else the one kept in
    `shared` for every warehouse of this checkout (a new warehouse, a test's, pays no dbt docs generation
    for a project version this machine has documented before)."""
    fingerprint = site_fingerprint(database)
    if _made_of(previous, fingerprint):
        shutil.copytree(previous, out)
        return out / "index.html"
    # One process at a time: a site being generated or pruned is never read half-written.
    with exclusive(shared / ".lock"):
        site = shared / fingerprint / "site"
        if not _made_of(site, fingerprint):
            shutil.rmtree(shared / fingerprint, ignore_errors=True)  # left by a failed generation
            _generate(warehouse, database, shared / fingerprint / "target", site, fingerprint)
            _prune_sites(shared, keep=fingerprint)
        os.utime(site.parent)  # used now: the sites pruned first are the ones unused longest
        shutil.copytree(site, out)
    return out / "index.html"


def _made_of(site: Path | None, fingerprint: str) -> bool:
    return site is not None and (site / FINGERPRINT_FILE).is_file() \
        and (site / FINGERPRINT_FILE).read_text() == fingerprint


def _prune_sites(shared: Path, keep: str) -> None:
    """Keep the few sites used last: a checkout switched between branches finds its sites still there, and
    the sites a test suite makes of schemas it changed on purpose do not push out the one in use."""
    sites = sorted((p for p in shared.iterdir() if p.is_dir() and p.name != keep), key=lambda p: p.stat().st_mtime)
    for old in sites[:max(0, len(sites) - (SHARED_SITES_KEPT - 1))]:
        shutil.rmtree(old, ignore_errors=True)


def _generate(warehouse: Path, database: Path, target_path: Path, out: Path, fingerprint: str) -> Path:
    """dbt docs generate in its own target folder (the build's partial-parse state is not thrown away by a
    different target every run), then the site's files into `out`, the fingerprint written last. The
    target path is given relative to the project, which dbt resolves it against: the manifest's paths
    then name the shared folder alike for every warehouse."""
    arguments = ["docs", "generate", "--static", "--select", PUBLISHED_MODELS, "--exclude", "resource_type:test",
                 "--target-path", os.path.relpath(target_path, PROJECT_DIR)]
    # relative to the warehouse folder dbt works in: the profile then reads the same for every warehouse
    relative = os.path.relpath(database, layout(warehouse).root)
    result = run_dbt(arguments, warehouse, target="published", extra_env={PUBLISHED_DATABASE_ENV: relative})
    if result.returncode != 0:
        detail = "\n  ".join([*result.errors[:5], *result.other_output[-5:]]) or "see the dbt log"
        raise BuildError(f"dbt docs generate failed; the published warehouse was not changed.\n  {detail}\n"
                         f"Full dbt log: {layout(warehouse).dbt_log_dir / 'dbt.log'}")
    share_parse_state(target_path, "published")
    out.mkdir(parents=True)
    for source, name in SITE_FILES.items():
        shutil.copyfile(target_path / source, out / name)
    page = out / "index.html"
    page.write_text(fixed_for_offline(page.read_text(encoding="utf-8")), encoding="utf-8")
    (out / FINGERPRINT_FILE).write_text(fingerprint)
    return page


def fixed_for_offline(html: str) -> str:
    for old, new in OFFLINE_FIXES:
        html = html.replace(old, new)
    return html
