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
from orchestration.project import PROJECT_DIR, layout

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


def generate_docs_site(warehouse: Path, database: Path, out: Path, previous: Path | None = None) -> Path:
    """Write the docs site of `database` (a published-to-be warehouse.duckdb) into the new folder `out`;
    return the page's path. When `previous` (the site of the last publication) was made of the same
    project and schema, it is copied instead: a daily run that changes only data does not pay for a dbt
    docs generation. dbt keeps its own target folder for this, so the build's partial-parse state is
    not thrown away by a different target every run."""
    fingerprint = site_fingerprint(database)
    if previous is not None and (previous / FINGERPRINT_FILE).is_file() \
            and (previous / FINGERPRINT_FILE).read_text() == fingerprint:
        shutil.copytree(previous, out)
        return out / "index.html"
    target_path = layout(warehouse).build_dir / "docs_target"
    arguments = ["docs", "generate", "--static", "--select", PUBLISHED_MODELS, "--exclude", "resource_type:test",
                 "--target-path", str(target_path)]
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
