"""The dbt docs site of a publication: one self-contained HTML page that opens offline.

`dbt docs generate --static` embeds the manifest and the catalog in the page (the default site fetches
them as JSON, which a browser refuses for a file:// page), and the page loads nothing else. It runs
against the database about to be published, through the read-only profile target `published`, so
the catalog lists exactly what BI sees, with the comments persist_docs wrote, and it needs neither
the build database nor the raw layer (only `dbt run`/`build` run the on-run-start hook that reads
it). Only the published models (models/marts) are compiled and looked up in the catalog: the page
still documents every model, and compiling the rest only costs time (`--no-compile` would embed a stale
manifest: dbt writes manifest.json only when it compiles). Anonymous usage stats are off in
dbt_project.yml, which keeps the page from loading a tracker.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from orchestration.dbt_runner import run_dbt
from orchestration.errors import BuildError
from orchestration.project import layout

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


def generate_docs_site(warehouse: Path, database: Path, out: Path) -> Path:
    """Write the docs site of `database` (a published-to-be warehouse.duckdb) into the new folder `out`;
    return the page's path. dbt keeps its own target folder for this, so the build's partial-parse
    state is not thrown away by a different target every run."""
    target_path = layout(warehouse).build_dir / "docs_target"
    arguments = ["docs", "generate", "--static", "--select", PUBLISHED_MODELS, "--indirect-selection", "empty",
                 "--target-path", str(target_path)]
    result = run_dbt(arguments, warehouse, target="published", extra_env={PUBLISHED_DATABASE_ENV: str(database)})
    if result.returncode != 0:
        detail = "\n  ".join([*result.errors[:5], *result.other_output[-5:]]) or "see the dbt log"
        raise BuildError(f"dbt docs generate failed; the published warehouse was not changed.\n  {detail}\n"
                         f"Full dbt log: {layout(warehouse).dbt_log_dir / 'dbt.log'}")
    out.mkdir(parents=True)
    for source, name in SITE_FILES.items():
        shutil.copyfile(target_path / source, out / name)
    page = out / "index.html"
    page.write_text(fixed_for_offline(page.read_text(encoding="utf-8")), encoding="utf-8")
    return page


def fixed_for_offline(html: str) -> str:
    for old, new in OFFLINE_FIXES:
        html = html.replace(old, new)
    return html
