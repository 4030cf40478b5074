"""`modqa report`: the monthly business review page, rendered once from the session warehouse and
printed once to PDF; every assertion reads that one render. The page opens in headless Chromium with
no network and no console error, every chart is drawn, the KPI table shows what the mart holds
(formatted here, independently of the report's code), and the PDF has one page per section, in order.
A screenshot of each section is kept under the test's tmp dir (printed at the end of the session)."""

from __future__ import annotations

import base64
import json
import re
import time
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.errors import UsageError
from orchestration.project import layout
from orchestration.report import build_report
from orchestration.report.pdf import find_chromium
from tests.browser import open_page

pytestmark = pytest.mark.slow

MONTH = date(2026, 9, 1)  # tests/conftest.py SMALL: 14 days from 2026-09-01
SECTION_HEADINGS = ["KPI attainment", "Quality trends by week", "Control charts", "SLA: time to decision",
                    "Capacity and staffing", "Root causes and appeals", "Calibration", "Data quality"]
CHARTS_EXPECTED = 7  # every section but the KPI table and data quality draws (root causes: two)


@pytest.fixture(scope="module")
def report(built_warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "mbr.html"
    return build_report(built_warehouse, MONTH, out=out, pdf=find_chromium() is not None)


@pytest.fixture(scope="module")
def seen(report, tmp_path_factory):
    """What headless Chromium saw when it opened the page: requests, errors, charts, the KPI table, the
    render time; one screenshot per section saved beside the page."""
    artefacts = tmp_path_factory.mktemp("report-screenshots")
    started = time.perf_counter()
    with open_page(report.html.resolve().as_uri(), artefacts / "profile") as page:
        page.wait_for("document.readyState === 'complete'")
        loaded = time.perf_counter() - started
        page.call("Emulation.setDeviceMetricsOverride", width=760, height=1100, deviceScaleFactor=1, mobile=False)
        result = {
            "navigation_ms": page.evaluate("performance.getEntriesByType('navigation')[0].duration"),
            "sections": page.evaluate("[...document.querySelectorAll('section')].map(s => s.id)"),
            "headings": page.evaluate("[...document.querySelectorAll('section h2')].map(h => h.textContent)"),
            "charts": page.evaluate("""[...document.querySelectorAll('figure svg')].map(svg => {
                const box = svg.getBoundingClientRect();
                return {section: svg.closest('section').id, width: box.width, height: box.height,
                        marks: svg.querySelectorAll('path, line, rect, circle, text').length};
            })"""),
            "kpis": page.evaluate("""[...document.querySelectorAll('#kpi-table tbody tr')].map(tr => {
                const cell = field => tr.querySelector(`[data-field=${field}]`);
                return {metric: tr.dataset.metric, value: cell('value').textContent,
                        interval: cell('interval').textContent, target: cell('target').textContent,
                        stretch: cell('stretch').textContent, status: cell('status').dataset.status,
                        status_text: cell('status').textContent};
            })"""),
            "provisional_banner": page.evaluate("!!document.getElementById('provisional')"),
        }
        for key in result["sections"]:
            box = page.evaluate(f"""(() => {{ const b = document.getElementById('{key}').getBoundingClientRect();
                return {{x: b.x, y: b.y + window.scrollY, width: b.width, height: b.height}}; }})()""")
            shot = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                             clip={**box, "scale": 1})
            (artefacts / f"{key}.png").write_bytes(base64.b64decode(shot["data"]))
        page.drain(0.5)
        result |= {"console_errors": page.console_errors, "requests": page.requests,
                   "remote_requests": page.remote_requests, "wall_seconds_to_load": loaded}
    (artefacts / "render.json").write_text(json.dumps({k: result[k] for k in ("navigation_ms", "wall_seconds_to_load")}
                                                      | {"page_bytes": report.bytes}))
    print(f"\nreport screenshots and render.json in {artefacts}")
    return result


def test_the_page_is_one_self_contained_file(report):
    html = report.html.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!#)""", html), "the page links to something"
    assert "@import" not in html and "url(" not in html and "@font-face" not in html
    assert report.html.stat().st_size == report.bytes < 1_500_000
    assert report.sections == ["kpis", "trends", "control", "sla", "capacity", "root-causes", "calibration",
                               "data-quality"]


def test_the_page_opens_offline_without_an_error_or_a_request(report, seen):
    assert seen["console_errors"] == []
    assert seen["remote_requests"] == []
    assert seen["requests"] == [report.html.resolve().as_uri()]
    assert seen["headings"] == SECTION_HEADINGS


def test_every_chart_rendered(seen):
    charts = seen["charts"]
    assert len(charts) == CHARTS_EXPECTED
    assert {c["section"] for c in charts} == {"trends", "control", "sla", "capacity", "root-causes", "calibration"}
    for chart in charts:
        assert chart["width"] > 300 and chart["height"] > 80, chart
        assert chart["marks"] > 30, chart  # axes, labels and the data's marks, not an empty frame


def _formatted(metric: str, value) -> str:
    """How a manager reads each KPI (written here, apart from the report's formatting code)."""
    if value is None:
        return "—"
    if metric == "backlog_items":
        return f"{round(value):,}"
    if metric == "qa_turnaround_hours":
        return f"{value:.1f}"
    return f"{100 * value:.1f}%"


def test_the_kpi_table_shows_what_the_mart_holds(built_warehouse, seen):
    with duckdb.connect(str(layout(built_warehouse).published_database), read_only=True) as con:
        cursor = con.execute("""select metric, value, ci_lower, ci_upper, interval_method, target, stretch, status,
                                       is_complete_period
                                from marts.agg_kpi_attainment_monthly
                                where month_start_date = ? and scope_type = 'global'""", [MONTH])
        names = [d[0] for d in cursor.description]
        marts = {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    shown = {row["metric"]: row for row in seen["kpis"]}
    assert set(shown) == set(marts) and len(marts) >= 8
    for metric, mart in marts.items():
        row = shown[metric]
        assert row["value"] == _formatted(metric, mart["value"]), metric
        assert row["target"] == _formatted(metric, mart["target"]), metric
        assert row["stretch"] == _formatted(metric, mart["stretch"]), metric
        assert row["status"] == mart["status"], metric
        assert mart["status"].replace("_", " ") in row["status_text"]
        if mart["interval_method"] != "exact_count" and mart["ci_lower"] is not None:
            assert row["interval"] == f"{_formatted(metric, mart['ci_lower'])}–{_formatted(metric, mart['ci_upper'])}"
        assert ("provisional" in row["status_text"]) == (mart["is_complete_period"] is False), metric
    assert any(m["status"] == "inconclusive" for m in marts.values())  # the data has one: it must show as such
    assert seen["provisional_banner"] == any(m["is_complete_period"] is False for m in marts.values())


def test_the_pdf_has_a_page_per_section_in_order(report):
    if report.pdf is None:
        pytest.skip("no Chromium found: the PDF was not printed (apt-get install -y chromium)")
    from pypdf import PdfReader

    pages = [" ".join(page.extract_text().split()) for page in PdfReader(report.pdf).pages]
    assert len(pages) == len(SECTION_HEADINGS)
    assert pages[0].startswith(f"Monthly business review {MONTH:%Y-%m}")
    for heading, text in zip(SECTION_HEADINGS, pages, strict=True):
        assert heading in text
    assert "Accuracy" in pages[0] and "inconclusive" in pages[0]
    assert "Great Expectations gate" in pages[-1]


def test_bad_arguments_say_what_to_do(built_warehouse, tmp_path):
    with pytest.raises(UsageError, match=r"unknown vendor 'acm'\. Did you mean 'acme'\?"):
        build_report(built_warehouse, MONTH, "acm", out=tmp_path / "x.html")
    with pytest.raises(UsageError, match=r"no data for 2026-03 .*months available: 2026-09"):
        build_report(built_warehouse, date(2026, 3, 1), out=tmp_path / "x.html")
    assert not list(tmp_path.iterdir())


def test_the_monthly_asset_writes_the_report(built_warehouse, monkeypatch):
    """The Dagster asset downstream of the published warehouse, for one monthly partition (HTML only:
    the PDF path is the one tested above)."""
    import orchestration.report.pdf as pdf
    from orchestration.dagster_defs.reports import monthly_business_review
    from orchestration.dagster_defs.resources import PublishedWarehouseResource

    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    result = dg.materialize([monthly_business_review], partition_key="2026-09-01",
                            resources={"published": PublishedWarehouseResource(warehouse=str(built_warehouse))})
    assert result.success
    (materialization,) = result.asset_materializations_for_node("reports__monthly_business_review")
    page = Path(materialization.metadata["html"].value)
    assert page == layout(built_warehouse).root / "reports" / "mbr-2026-09-programme.html" and page.is_file()
    assert monthly_business_review.dependency_keys == {dg.AssetKey(["published", "warehouse"])}


def test_the_schedule_reports_the_month_before_on_the_third():
    from datetime import UTC, datetime

    from orchestration.dagster_defs.reports import monthly_business_review, monthly_report_job, monthly_report_schedule
    from orchestration.dagster_defs.resources import PublishedWarehouseResource

    defs = dg.Definitions(assets=[monthly_business_review], jobs=[monthly_report_job],
                          schedules=[monthly_report_schedule],
                          resources={"published": PublishedWarehouseResource(warehouse="unused")})
    schedule = defs.get_repository_def().get_schedule_def("modqa_monthly_report")
    tick = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 10, 3, 6, 0, tzinfo=UTC))
    (request,) = schedule.evaluate_tick(tick).run_requests
    assert request.partition_key == "2026-09-01"
    assert schedule.cron_schedule == "0 6 3 * *"
