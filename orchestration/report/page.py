"""The report as one self-contained HTML page: inline CSS and inline SVG charts, no script, no font
file, no link to anything. Printed by Chromium, each section starts a new A4 page."""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from orchestration.report.data import ReportData
from orchestration.views import KPI_LABELS, KPI_ORDER, _kpi_interval, _kpi_value


@dataclass
class Section:
    key: str  # the element id, and the screenshot's name
    title: str
    note: str  # how to read it, in a sentence
    charts: list[Markup]
    tables: list[dict]  # {"caption", "headers", "rows"}


STYLE = """
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font: 12px/1.4 Helvetica, Arial, sans-serif; color: #222; margin: 0 auto; max-width: 720px; padding: 12px; }
header h1 { font-size: 20px; margin: 0 0 2px; }
header p { margin: 0; color: #555; }
.banner { margin: 8px 0; padding: 6px 10px; background: #fff4d6; border-left: 4px solid #e0a800; }
section { margin-top: 18px; }
section + section { break-before: page; }
h2 { font-size: 15px; border-bottom: 2px solid #2166ac; padding-bottom: 2px; margin: 0 0 4px; }
.note { color: #555; margin: 0 0 8px; }
figure { margin: 6px 0 10px; }
figure svg { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; font-size: 11px; break-inside: avoid; }
caption { text-align: left; font-weight: bold; padding: 2px 0; }
th, td { padding: 3px 6px; border-bottom: 1px solid #e3e3e3; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
td.text, th.text { text-align: left; white-space: normal; }
th { background: #f3f5f8; }
.status { padding: 1px 6px; border-radius: 8px; font-weight: bold; font-size: 10px; }
.status-met, .status-stretch_met { background: #d9f0d3; color: #1b7837; }
.status-missed { background: #fde0ef; color: #c51b7d; }
.status-inconclusive { background: #deebf7; color: #2166ac; }
.status-insufficient_sample { background: #fff4d6; color: #8a6d00; }
.status-no_target { background: #eee; color: #666; }
.provisional { color: #8a6d00; font-style: italic; }
.empty { color: #777; font-style: italic; }
"""

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>{{ style }}</style></head>
<body>
<header>
  <h1>{{ title }}</h1>
  <p>{{ data.scope.label }} · {{ data.month.strftime('%B %Y') }} · data loaded through {{ data.published_at }}
     · every figure read from the published marts</p>
  {% if data.is_provisional %}<p class="banner" id="provisional">Provisional: this month's audits are not all
     in yet, so its figures may still move.</p>{% endif %}
</header>
{% for s in sections %}
<section id="{{ s.key }}">
  <h2>{{ s.title }}</h2>
  <p class="note">{{ s.note }}</p>
  {% for chart in s.charts %}<figure>{{ chart }}</figure>{% endfor %}
  {% for t in s.tables %}
  <table{% if t.id %} id="{{ t.id }}"{% endif %}>
    <caption>{{ t.caption }}</caption>
    <thead><tr>{% for h in t.headers %}<th>{{ h }}</th>{% endfor %}</tr></thead>
    <tbody>
    {% for row in t.rows %}<tr{{ (row.attrs or {})|xmlattr }}>
      {% for cell in row.cells %}{% if cell is mapping %}<td{{ cell.attrs|xmlattr }}>{{ cell.text }}</td>
      {%- else %}<td>{{ cell }}</td>{% endif %}{% endfor %}</tr>
    {% else %}<tr><td class="empty" colspan="{{ t.headers|length }}">{{ t.empty or 'Nothing this period.' }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% endfor %}
</section>
{% endfor %}
</body></html>
"""


def status_cell(row: dict) -> Markup:
    text = row["status"].replace("_", " ")
    extra = ""
    if row.get("is_suppressed"):
        extra += " (n* below minimum: withheld)"
    if row.get("is_complete_period") is False:
        extra += ' <span class="provisional">provisional</span>'
    return Markup('<span class="status status-{0}">{1}</span>{2}').format(row["status"], text, Markup(extra))


def kpi_table(data: ReportData) -> dict:
    rows = sorted(data.kpis, key=lambda r: KPI_ORDER.index(r["metric"]) if r["metric"] in KPI_ORDER else 99)
    table_rows = []
    for r in rows:
        n_star = r["design_effective_sample_size"]
        table_rows.append({"attrs": {"data-metric": r["metric"]}, "cells": [
            KPI_LABELS.get(r["metric"], r["metric"]),
            {"text": _kpi_value(r["metric"], r["value"]), "attrs": {"data-field": "value"}},
            {"text": _kpi_interval(r), "attrs": {"data-field": "interval"}},
            {"text": _kpi_value(r["metric"], r["target"]), "attrs": {"data-field": "target"}},
            {"text": _kpi_value(r["metric"], r["stretch"]), "attrs": {"data-field": "stretch"}},
            {"text": "—" if n_star is None else f"{n_star:,.0f}", "attrs": {"data-field": "n_star"}},
            {"text": status_cell(r), "attrs": {"data-field": "status", "data-status": r["status"], "class": "text"}},
        ]})
    return {"id": "kpi-table", "caption": "KPIs with 95% intervals", "rows": table_rows,
            "headers": ["KPI", "Value", "95% interval", "Target", "Stretch", "n*", "Status"],
            "empty": "No KPI rows for this scope and month."}


def render_page(data: ReportData, sections: list[Section]) -> str:
    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    title = f"Monthly business review {data.month:%Y-%m}"
    return environment.from_string(TEMPLATE).render(title=title, style=Markup(STYLE), data=data, sections=sections)
