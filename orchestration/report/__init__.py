"""`modqa report`: the monthly business review as one self-contained HTML page (and a PDF).

data      rows of the published marts for the month and scope (the only place that reads the warehouse)
charts    Altair charts rendered to inline SVG by vl-convert
sections  the page's sections, in order: charts and tables from the rows
page      the HTML template and its CSS
pdf       printing the page with headless Chromium
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orchestration.project import layout
from orchestration.report.data import read_report_data
from orchestration.report.page import render_page
from orchestration.report.sections import build_sections


@dataclass
class ReportResult:
    html: Path
    pdf: Path | None
    sections: list[str]
    bytes: int
    seconds: float


def default_report_path(warehouse: Path | str, month: date, vendor_id: str | None) -> Path:
    return layout(warehouse).root / "reports" / f"mbr-{month:%Y-%m}-{vendor_id or 'programme'}.html"


def build_report(warehouse: Path | str, month: date, vendor_id: str | None = None, out: Path | None = None,
                 pdf: bool = False) -> ReportResult:
    """Write the month's report (HTML; with `pdf`, also a PDF beside it) and say where."""
    started = time.perf_counter()
    data = read_report_data(warehouse, month, vendor_id)
    sections = build_sections(data)
    html = render_page(data, sections)
    path = Path(out) if out else default_report_path(warehouse, month, vendor_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(html, encoding="utf-8")
    partial.replace(path)
    printed = None
    if pdf:
        from orchestration.report.pdf import print_to_pdf

        printed = print_to_pdf(path, path.with_suffix(".pdf"))
    return ReportResult(path, printed, [s.key for s in sections], path.stat().st_size, time.perf_counter() - started)
