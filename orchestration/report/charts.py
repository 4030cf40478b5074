"""The report's charts: Vega-Lite specifications built with Altair, rendered to inline SVG by
vl-convert (its own embedded Vega engine: no browser, no network, no JavaScript in the page).

Each builder takes rows exactly as the marts published them and returns the chart's SVG, or None
when there is nothing to draw. Charts only place values: every bound, threshold and flag is a column.
"""

from __future__ import annotations

from datetime import date

import altair as alt
import vl_convert

WIDTH = 660  # px: the printable width of an A4 page at 96 dpi, less margins
GOOD, BAD, NEUTRAL, MUTED = "#1b7837", "#c51b7d", "#2166ac", "#9e9e9e"
QUALITY_METRICS = (("weighted_accuracy", "accuracy", "Accuracy"),
                   ("weighted_false_positive_rate", "false_positive_rate", "False-positive rate"),
                   ("weighted_false_negative_rate", "false_negative_rate", "False-negative rate"))
CONTROL_METRICS = {"error_rate": "Error rate", "false_positive_rate": "FPR", "false_negative_rate": "FNR"}
AXIS_DAY = alt.Axis(format="%d %b", labelAngle=0, tickCount=4, title=None, grid=False)


def _vega_lite_version() -> str:
    """vl-convert's Vega-Lite version matching Altair's schema (major.minor), else its default."""
    wanted = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
    return wanted if wanted in vl_convert.get_vegalite_versions() else vl_convert.get_vegalite_versions()[-1]


def to_svg(chart: alt.TopLevelMixin) -> str:
    svg = vl_convert.vegalite_to_svg(chart.to_dict(), vl_version=_vega_lite_version())
    # vl-convert writes a fixed-size <svg>; a viewBox-only root lets the page and the printer scale it.
    return svg.replace('class="marks"', 'class="marks" role="img"', 1)


def _day(value: date) -> str:
    return value.isoformat()


def _theme(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (chart.configure(font="Helvetica, Arial, sans-serif")
            .configure_view(stroke="#ddd")
            .configure_axis(labelFontSize=10, titleFontSize=10, labelColor="#333", titleColor="#333")
            .configure_header(labelFontSize=11, titleFontSize=11, labelFontWeight="bold")
            .configure_legend(labelFontSize=10, titleFontSize=10, orient="top"))


def quality_trends(weeks: list[dict], targets: dict[tuple[str, str], float], scope_order: list[str]) -> str | None:
    """Weekly weighted accuracy, FPR and FNR with their 95% bands and the target as a dashed rule; one
    column per scope (the programme, then each vendor)."""
    rows = []
    for week in weeks:
        for column, metric, label in QUALITY_METRICS:
            rows.append({"scope": week["scope_label"], "week": _day(week["week_start_date"]), "metric": label,
                         "value": week[column], "low": week[f"{column}_ci_low"], "high": week[f"{column}_ci_high"],
                         "target": targets.get((week["scope_key"], metric)),
                         "provisional": "provisional" if week["is_provisional"] else "complete"})
    if not any(r["value"] is not None for r in rows):
        return None
    columns = len(scope_order)
    panels = []
    for _, _, label in QUALITY_METRICS:
        base = alt.Chart()
        x = alt.X("utcyearmonthdate(week):T", axis=AXIS_DAY)
        # accuracy lives near 1: a zero-based axis would flatten its trend; error rates keep their zero
        y = alt.Y("low:Q", title=None, axis=alt.Axis(format=".0%", tickCount=4),
                  scale=alt.Scale(zero=label != "Accuracy"))
        band = base.mark_area(opacity=0.25, color=NEUTRAL).encode(x=x, y=y, y2="high:Q")
        line = base.mark_line(color=NEUTRAL).encode(x=x, y="value:Q")
        points = base.mark_point(filled=True, size=30, color=NEUTRAL).encode(
            x=x, y="value:Q",
            shape=alt.Shape("provisional:N", legend=alt.Legend(title=None) if label == "Accuracy" else None,
                            scale=alt.Scale(domain=["complete", "provisional"], range=["circle", "triangle-up"])))
        target = base.mark_rule(color=BAD, strokeDash=[4, 3]).encode(y="mean(target):Q")
        panels.append(
            alt.layer(band, line, points, target, data=alt.Data(values=[r for r in rows if r["metric"] == label]))
            .properties(width=max(60, (WIDTH - 40) // columns - 18), height=90)
            .facet(column=alt.Column("scope:N", sort=scope_order, title=None,
                                     header=alt.Header(labels=label == "Accuracy")))
            .properties(title=alt.TitleParams(label, anchor="start", fontSize=11))
        )
    return to_svg(_theme(alt.vconcat(*panels, spacing=8)))


def control_charts(points: list[dict], vendor_order: list[str]) -> str | None:
    """Bernoulli CUSUM statistic per day against its decision threshold, signals in red; one row per
    metric and one column per vendor."""
    if not points:
        return None
    rows = [{"vendor": p["scope_value"], "metric": CONTROL_METRICS.get(p["metric"], p["metric"]),
             "day": _day(p["decision_date"]), "cusum": p["cusum_statistic"], "threshold": p["threshold"],
             "signal": "out of control" if p["is_out_of_control"] else "in control"} for p in points]
    columns = len({r["vendor"] for r in rows})
    base = alt.Chart()
    x = alt.X("utcyearmonthdate(day):T", axis=AXIS_DAY)
    line = base.mark_line(color=NEUTRAL, strokeWidth=1.2).encode(x=x, y=alt.Y("cusum:Q", title="CUSUM S"))
    dots = base.mark_point(filled=True, size=28).encode(
        x=x, y="cusum:Q",
        color=alt.Color("signal:N", scale=alt.Scale(domain=["in control", "out of control"], range=[NEUTRAL, BAD]),
                        legend=alt.Legend(title=None)))
    threshold = base.mark_line(color=BAD, strokeDash=[4, 3]).encode(x=x, y="threshold:Q")
    chart = (alt.layer(line, dots, threshold, data=alt.Data(values=rows))
             .properties(width=max(60, (WIDTH - 60) // columns - 18), height=70)
             .facet(row=alt.Row("metric:N", title=None, sort=list(CONTROL_METRICS.values())),
                    column=alt.Column("vendor:N", title=None, sort=vendor_order))
             .resolve_scale(y="independent"))
    return to_svg(_theme(chart))


def sla_panels(weeks: list[dict]) -> str | None:
    """Per queue: weekly p50 and p90 time to first decision against the SLA (dashed), and the weekly
    SLA attainment with its 95% band."""
    if not weeks:
        return None
    times, attainment = [], []
    for w in weeks:
        day = _day(w["week_start_date"])
        for label, column in (("p50", "p50_time_to_decision_minutes"), ("p90", "p90_time_to_decision_minutes")):
            times.append({"queue": w["queue_id"], "week": day, "statistic": label, "minutes": w[column],
                          "sla": w["sla_minutes"]})
        attainment.append({"queue": w["queue_id"], "week": day, "value": w["sla_attainment"],
                           "low": w["sla_attainment_ci_low"], "high": w["sla_attainment_ci_high"]})
    queues = sorted({w["queue_id"] for w in weeks})
    width = max(60, (WIDTH - 60) // len(queues) - 18)
    x = alt.X("utcyearmonthdate(week):T", axis=AXIS_DAY)
    base = alt.Chart()
    time_lines = base.mark_line(point=True).encode(
        x=x, y=alt.Y("minutes:Q", title="minutes", scale=alt.Scale(type="symlog")),
        color=alt.Color("statistic:N", scale=alt.Scale(domain=["p50", "p90"], range=[NEUTRAL, "#f4a582"]),
                        legend=alt.Legend(title="time to decision")))
    sla_rule = base.mark_rule(color=BAD, strokeDash=[4, 3]).encode(y="mean(sla):Q")
    top = (alt.layer(time_lines, sla_rule, data=alt.Data(values=times)).properties(width=width, height=90)
           .facet(column=alt.Column("queue:N", title=None, sort=queues)))
    band = base.mark_area(opacity=0.25, color=GOOD).encode(
        x=x, y=alt.Y("low:Q", title="within SLA", axis=alt.Axis(format=".0%")), y2="high:Q")
    line = base.mark_line(color=GOOD, point=True).encode(x=x, y="value:Q")
    bottom = (alt.layer(band, line, data=alt.Data(values=attainment)).properties(width=width, height=80)
              .facet(column=alt.Column("queue:N", title=None, sort=queues, header=alt.Header(labels=False))))
    return to_svg(_theme(alt.vconcat(top, bottom, spacing=6)))


def capacity_panels(days: list[dict], forecast: list[dict]) -> str | None:
    """Daily inflow and end-of-day backlog; required against rostered FTE, then the forecast horizon
    (dashed) with its projected backlog."""
    if not days:
        return None
    volume = [{"day": _day(d["date_day"]), "series": "inflow", "items": d["inflow"]} for d in days]
    volume += [{"day": _day(d["date_day"]), "series": "backlog (end of day)", "items": d["backlog_end_of_day"]}
               for d in days]
    volume += [{"day": _day(f["forecast_date"]), "series": "forecast inflow", "items": f["forecast_inflow"]}
               for f in forecast]
    volume += [{"day": _day(f["forecast_date"]), "series": "projected backlog", "items": f["projected_backlog"]}
               for f in forecast]
    staffing = [{"day": _day(d["date_day"]), "series": s, "fte": d[c]}
                for d in days for s, c in (("required", "required_fte"), ("rostered", "rostered_fte"))]
    staffing += [{"day": _day(f["forecast_date"]), "series": f"forecast {s}", "fte": f[c]}
                 for f in forecast for s, c in (("required", "required_fte"), ("rostered", "rostered_fte"))]
    series = ["inflow", "backlog (end of day)", "forecast inflow", "projected backlog"]
    x = alt.X("utcyearmonthdate(day):T", axis=AXIS_DAY)
    top = alt.Chart(alt.Data(values=volume)).mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=x, y=alt.Y("items:Q", title="items"),
        color=alt.Color("series:N", sort=series, title=None,
                        scale=alt.Scale(domain=series, range=[NEUTRAL, BAD, NEUTRAL, BAD])),
        strokeDash=alt.StrokeDash("series:N", sort=series, legend=None,
                                  scale=alt.Scale(domain=series, range=[[1, 0], [1, 0], [4, 3], [4, 3]])),
    ).properties(width=WIDTH - 160, height=120, title=alt.TitleParams("Volume", anchor="start", fontSize=11))
    names = ["required", "rostered", "forecast required", "forecast rostered"]
    bottom = alt.Chart(alt.Data(values=staffing)).mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=x, y=alt.Y("fte:Q", title="FTE"),
        color=alt.Color("series:N", sort=names, title=None,
                        scale=alt.Scale(domain=names, range=[BAD, GOOD, BAD, GOOD])),
        strokeDash=alt.StrokeDash("series:N", sort=names, legend=None,
                                  scale=alt.Scale(domain=names, range=[[1, 0], [1, 0], [4, 3], [4, 3]])),
    ).properties(width=WIDTH - 160, height=120, title=alt.TitleParams("Staffing", anchor="start", fontSize=11))
    return to_svg(_theme(alt.vconcat(top, bottom, spacing=10).resolve_scale(color="independent")))


def root_cause_pareto(causes: list[dict]) -> str | None:
    """Estimated errors in the population per root cause with their 95% interval, and the cumulative share."""
    if not causes:
        return None
    rows = [{"cause": c["root_cause_code"], "rank": c["pareto_rank"], "estimate": c["estimated_errors"],
             "low": c["estimated_errors_lower"], "high": c["estimated_errors_upper"],
             "cumulative": c["cumulative_error_share"],
             "group": "vital few" if c["is_vital_few"] else "others"} for c in causes]
    order = [r["cause"] for r in sorted(rows, key=lambda r: r["rank"])]
    base = alt.Chart(alt.Data(values=rows))
    x = alt.X("cause:N", sort=order, title=None, axis=alt.Axis(labelAngle=-30, labelLimit=140))
    bars = base.mark_bar().encode(
        x=x, y=alt.Y("estimate:Q", title="estimated errors (population)"),
        color=alt.Color("group:N", scale=alt.Scale(domain=["vital few", "others"], range=[BAD, MUTED]),
                        legend=alt.Legend(title=None)))
    whiskers = base.mark_rule(color="#333").encode(x=x, y="low:Q", y2="high:Q")
    cumulative = base.mark_line(color="#333", point=True).encode(
        x=x, y=alt.Y("cumulative:Q", title="cumulative share", axis=alt.Axis(format=".0%"),
                     scale=alt.Scale(domain=[0, 1])))
    chart = (alt.layer(alt.layer(bars, whiskers), cumulative).resolve_scale(y="independent")
             .properties(width=WIDTH - 140, height=170))
    return to_svg(_theme(chart))


def appeals_against_audits(appeals: list[dict], scope_label: dict[str, str]) -> str | None:
    """Per scope: the appeal overturn rate beside the audited share of wrong rejections (false
    discovery rate) and the audited FPR, each with its 95% interval."""
    rows = []
    for a in appeals:
        scope = scope_label.get(a["scope_value"], a["scope_value"])
        for label, column in (("appeals overturned", "appeal_overturn_rate"),
                              ("audited wrong rejections (FDR)", "false_discovery_rate"),
                              ("audited FPR", "false_positive_rate")):
            if a[column] is not None:
                rows.append({"scope": scope, "measure": label, "value": a[column],
                             "low": a[f"{column}_ci_low"], "high": a[f"{column}_ci_high"]})
    if not rows:
        return None
    measures = ["appeals overturned", "audited wrong rejections (FDR)", "audited FPR"]
    base = alt.Chart(alt.Data(values=rows))
    y = alt.Y("measure:N", sort=measures, title=None, axis=alt.Axis(labels=False, ticks=False))
    color = alt.Color("measure:N", sort=measures, title=None,
                      scale=alt.Scale(domain=measures, range=[BAD, NEUTRAL, MUTED]))
    chart = (alt.layer(base.mark_rule(strokeWidth=2).encode(x=alt.X("low:Q", axis=alt.Axis(format=".0%"),
                                                                    title="rate (95% interval)"),
                                                             x2="high:Q", y=y, color=color),
                       base.mark_point(filled=True, size=40).encode(x="value:Q", y=y, color=color))
             .properties(width=WIDTH - 200, height=36)
             .facet(row=alt.Row("scope:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left"),
                                sort=list(dict.fromkeys(r["scope"] for r in rows))), spacing=2))
    return to_svg(_theme(chart))


def calibration_agreement(sessions: list[dict]) -> str | None:
    """Per calibration session: Fleiss' κ with its bootstrap 95% interval, PABAK and Gwet's AC1."""
    rows = []
    for s in sessions:
        rows.append({"session": s["session_id"], "statistic": "Fleiss κ", "value": s["fleiss_kappa"],
                     "low": s["fleiss_kappa_ci_lower"], "high": s["fleiss_kappa_ci_upper"]})
        rows.append({"session": s["session_id"], "statistic": "PABAK", "value": s["prevalence_adjusted_kappa"]})
        rows.append({"session": s["session_id"], "statistic": "Gwet AC1", "value": s["gwet_ac1"]})
    if not any(r["value"] is not None for r in rows):
        return None
    statistics = ["Fleiss κ", "PABAK", "Gwet AC1"]
    base = alt.Chart(alt.Data(values=rows))
    y = alt.Y("session:N", title=None, axis=alt.Axis(labelLimit=200))
    color = alt.Color("statistic:N", sort=statistics, title=None,
                      scale=alt.Scale(domain=statistics, range=[NEUTRAL, GOOD, BAD]))
    yoffset = alt.YOffset("statistic:N", sort=statistics)
    chart = alt.layer(
        base.mark_rule(strokeWidth=2).encode(x=alt.X("low:Q", scale=alt.Scale(domain=[-0.2, 1]), title="agreement"),
                                             x2="high:Q", y=y, yOffset=yoffset, color=color),
        base.mark_point(filled=True, size=45).encode(x="value:Q", y=y, yOffset=yoffset, color=color),
    ).properties(width=WIDTH - 240, height=alt.Step(10))
    return to_svg(_theme(chart))
