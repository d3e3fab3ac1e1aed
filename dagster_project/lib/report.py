"""The report: one static HTML page drawn from the published warehouse, for people who would
rather look than read. An event timeline, the agency co-operation network, who works on which
crimes, and the data-quality summary of the build.

The page is self-contained: plotly's JavaScript is inlined once and every figure is data in
the page, so it opens from disk, offline, and fetches nothing. Run it with `make report`, or
`python -m dagster_project.lib.report [--published PATH] [--out PATH]`.
"""

from __future__ import annotations

import argparse
import html
import math
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import networkx as nx
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from dagster_project.lib import publish, settings

EVENT_TYPES = [
    "training",
    "meeting",
    "conference",
    "agreement",
    "operation",
    "arrest",
    "seizure",
    "extradition",
    "deportation",
    "inspection",
    "office_opening",
    "ranking",
    "other",
]
PALETTE = [
    "#2563eb",
    "#db2777",
    "#059669",
    "#d97706",
    "#7c3aed",
    "#dc2626",
    "#0891b2",
    "#65a30d",
    "#c026d3",
    "#ea580c",
    "#4f46e5",
    "#0d9488",
    "#64748b",
]
COUNTRY_COLOURS = {"KH": "#0f766e", "US": "#2563eb", "INT": "#7c3aed"}
OTHER_COUNTRY = "#d97706"
FONT = "Inter, 'Segoe UI', system-ui, -apple-system, Roboto, Helvetica, Arial, sans-serif"
MAX_NODES = 45
PLOT_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d"]}

EVENTS_SQL = """
select
    e.event_id, e.event_type, e.event_status, e.date_text, e.event_date, e.event_date_precision,
    e.place_name, e.country_code, e.quantity_text, e.sentence_text, e.confidence,
    coalesce(e.event_date, a.published_date, cast(a.loaded_at as date)) as plotted_date,
    e.event_date is not null as is_dated,
    coalesce(a.title, a.source_path) as article,
    coalesce(string_agg(coalesce(g.acronym, g.canonical_name), ', '
        order by coalesce(g.acronym, g.canonical_name)), '') as agencies,
    count(g.agency_id) as agency_count
from marts.fct_events as e
join marts.dim_articles as a on e.article_id = a.article_id
left join marts.bridge_event_agencies as b on e.event_id = b.event_id
left join marts.dim_agencies as g on b.agency_id = g.agency_id
group by all
order by plotted_date, e.event_type
"""
PAIRS_SQL = """
select agency_id_a, agency_id_b, shared_event_count, shared_article_count, first_seen_date
from marts.agg_agency_cooperation
"""
AGENCIES_SQL = """
select agency_id, canonical_name, acronym, country_code, agency_type, article_count,
       mention_count
from marts.dim_agencies
"""
CRIMES_SQL = """
select coalesce(g.acronym, g.canonical_name) as agency, c.crime_type, c.article_count
from marts.agg_agency_crime_types as c
join marts.dim_agencies as g on c.agency_id = g.agency_id
"""
CHECKS_SQL = """
select suite_name, check_name, asset_key, severity, passed, unexpected_count, element_count,
       checked_at
from quality.check_results
qualify row_number() over (partition by suite_name, check_name order by checked_at desc) = 1
order by suite_name, check_name
"""
COUNTS_SQL = """
select
    (select count(*) from marts.dim_articles) as articles,
    (select count(*) from marts.fct_events) as events,
    (select count(*) from marts.dim_agencies where mention_count > 0) as agencies,
    (select count(*) from marts.dim_people) as people,
    (select count(*) from marts.dim_places) as places,
    (select count(distinct crime_type) from marts.bridge_article_crime_types) as crime_types
"""


@dataclass(frozen=True)
class ReportData:
    published_at: datetime | None
    counts: dict[str, int]
    events: pd.DataFrame
    pairs: pd.DataFrame
    agencies: pd.DataFrame
    crimes: pd.DataFrame
    checks: pd.DataFrame


@dataclass(frozen=True)
class QualitySummary:
    run: int
    passed: int
    warned: int
    failed: int


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """A query's rows with SQL nulls as None in text columns (pandas would make them NaN)."""
    frame = con.execute(sql).df()
    text = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c])]
    frame[text] = frame[text].astype(object).where(frame[text].notna(), None)
    return frame


def load(con: duckdb.DuckDBPyConnection) -> ReportData:
    published_at = con.execute("select max(published_at) from publish.info").fetchone()[0]
    counts = con.execute(COUNTS_SQL).df().iloc[0].to_dict()
    has_checks = con.execute(
        "select count(*) from duckdb_tables() "
        "where schema_name = 'quality' and table_name = 'check_results'"
    ).fetchone()[0]
    checks = _frame(con, CHECKS_SQL) if has_checks else pd.DataFrame()
    return ReportData(
        published_at=published_at,
        counts={k: int(v) for k, v in counts.items()},
        events=_frame(con, EVENTS_SQL),
        pairs=_frame(con, PAIRS_SQL),
        agencies=_frame(con, AGENCIES_SQL),
        crimes=_frame(con, CRIMES_SQL),
        checks=checks,
    )


def summarise_quality(checks: pd.DataFrame) -> QualitySummary:
    """Latest result of each check: passed, warned (a failed `warn` check, which leaves the
    build green) or failed (a failed `error` check, which blocks what depends on it)."""
    if checks.empty:
        return QualitySummary(0, 0, 0, 0)
    passed = checks["passed"].astype(bool)
    warn = checks["severity"].eq("warn")
    return QualitySummary(
        run=len(checks),
        passed=int(passed.sum()),
        warned=int((~passed & warn).sum()),
        failed=int((~passed & ~warn).sum()),
    )


def _wrap(text: str | None, width: int = 80) -> str:
    """Hover text wrapped into lines, since plotly does not wrap."""
    if not text:
        return ""
    words, lines, line = str(text).split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(html.escape(x) for x in lines)


def _layout(fig: go.Figure, height: int, **extra) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"family": FONT, "size": 13, "color": "#1e293b"},
        hoverlabel={"font": {"family": FONT, "size": 12}, "align": "left"},
        **extra,
    )
    return fig


def _empty(message: str, height: int = 220) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(
        text=message, showarrow=False, font={"size": 15, "color": "#64748b"}, x=0.5, y=0.5
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, height)


def timeline_figure(events: pd.DataFrame) -> go.Figure:
    """One marker per event on its date, one row per event type; hollow when the text gave no
    resolvable date (then it sits on its article's date)."""
    if events.empty:
        return _empty("No events extracted yet.")
    present = [t for t in EVENT_TYPES if t in set(events["event_type"])]
    present += sorted(set(events["event_type"]) - set(present))
    colour = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(present)}
    fig = go.Figure()
    for event_type in present:
        rows = events[events["event_type"] == event_type]
        hover = [
            "<b>{}</b> · {}<br>{}<br>{}{}<br><i>{}</i>".format(
                html.escape(r.event_type.replace("_", " ")),
                html.escape(r.event_status or ""),
                html.escape(
                    r.event_date.strftime("%d %b %Y")
                    if r.is_dated
                    else f"undated ('{r.date_text}')"
                    if r.date_text
                    else "undated"
                ),
                f"Agencies: {html.escape(r.agencies)}<br>" if r.agencies else "",
                f"Amount: {html.escape(r.quantity_text)}" if r.quantity_text else "",
                _wrap(r.sentence_text),
            )
            for r in rows.itertuples()
        ]
        fig.add_trace(
            go.Scatter(
                x=rows["plotted_date"],
                y=[event_type.replace("_", " ")] * len(rows),
                mode="markers",
                name=event_type.replace("_", " "),
                marker={
                    "size": [14 + 5 * min(int(n), 4) for n in rows["agency_count"]],
                    "color": [colour[event_type] if d else "white" for d in rows["is_dated"]],
                    "line": {"color": colour[event_type], "width": 2.5},
                    "opacity": 0.9,
                },
                hovertext=hover,
                hoverinfo="text",
            )
        )
    fig.update_xaxes(showgrid=True, gridcolor="#e2e8f0", type="date", title=None)
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=[t.replace("_", " ") for t in reversed(present)],
        showgrid=True,
        gridcolor="#f1f5f9",
    )
    return _layout(fig, 110 + 42 * len(present), showlegend=False)


def cooperation_graph(pairs: pd.DataFrame, agencies: pd.DataFrame) -> nx.Graph:
    """Agencies as nodes, co-appearances as weighted edges: an event shared counts three times
    an article shared, since it says the agencies acted together."""
    graph = nx.Graph()
    by_id = agencies.set_index("agency_id")
    for row in pairs.itertuples():
        weight = 3 * int(row.shared_event_count) + int(row.shared_article_count)
        graph.add_edge(
            row.agency_id_a,
            row.agency_id_b,
            weight=weight,
            events=int(row.shared_event_count),
            articles=int(row.shared_article_count),
        )
    for node in graph.nodes:
        known = by_id.loc[node] if node in by_id.index else None
        graph.nodes[node].update(
            name=known["canonical_name"] if known is not None else node,
            label=(known["acronym"] or known["canonical_name"]) if known is not None else node,
            country=(known["country_code"] if known is not None else None) or "?",
            kind=(known["agency_type"] if known is not None else None) or "",
            mentions=int(known["mention_count"]) if known is not None else 0,
        )
    return graph


def layout(graph: nx.Graph) -> dict:
    """Node positions, the same for the same graph on every run (seeded). ForceAtlas2 keeps
    the dense clique of one article's agencies from collapsing into a knot."""
    return nx.forceatlas2_layout(graph, seed=7, max_iter=300, scaling_ratio=4.0)


def _short(label: str, limit: int = 22) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def network_figure(pairs: pd.DataFrame, agencies: pd.DataFrame) -> go.Figure:
    if pairs.empty:
        return _empty("No two agencies appear together yet.", 300)
    graph = cooperation_graph(pairs, agencies)
    if graph.number_of_nodes() > MAX_NODES:
        # a readable picture of a large corpus: its most connected agencies
        strength = dict(graph.degree(weight="weight"))
        keep = sorted(graph.nodes, key=lambda n: (-strength[n], n))[:MAX_NODES]
        graph = graph.subgraph(keep).copy()
    positions = layout(graph)
    fig = go.Figure()
    # one trace per line width: plotly draws a trace's segments all alike
    widths: dict[float, list] = {}
    for a, b, data in graph.edges(data=True):
        width = 1.0 + 1.6 * data["events"] + 0.5 * min(data["articles"], 6)
        widths.setdefault(round(width, 1), []).append((a, b, data))
    for width, edges in sorted(widths.items()):
        xs, ys = [], []
        for a, b, _ in edges:
            xs += [positions[a][0], positions[b][0], None]
            ys += [positions[a][1], positions[b][1], None]
        shared_event = any(d["events"] for _, _, d in edges)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"width": width, "color": "#f97316" if shared_event else "#cbd5e1"},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    nodes = list(graph.nodes)
    partners = {
        n: sorted(
            graph[n].items(), key=lambda item: (-item[1]["weight"], graph.nodes[item[0]]["label"])
        )[:5]
        for n in nodes
    }
    hover = [
        "<b>{}</b><br>{} · {} · {} mentions<br>{} partners{}".format(
            html.escape(graph.nodes[n]["name"]),
            html.escape(graph.nodes[n]["country"]),
            html.escape(graph.nodes[n]["kind"].replace("_", " ")),
            graph.nodes[n]["mentions"],
            graph.degree(n),
            "".join(
                "<br>· {} ({} events, {} articles)".format(
                    html.escape(graph.nodes[p]["label"]), d["events"], d["articles"]
                )
                for p, d in partners[n]
            ),
        )
        for n in nodes
    ]
    fig.add_trace(
        go.Scatter(
            x=[positions[n][0] for n in nodes],
            y=[positions[n][1] for n in nodes],
            mode="markers+text",
            text=[_short(graph.nodes[n]["label"]) for n in nodes],
            textposition="top center",
            textfont={"size": 11, "color": "#334155"},
            marker={
                "size": [12 + 7 * math.sqrt(max(graph.nodes[n]["mentions"], 1)) for n in nodes],
                "color": [
                    COUNTRY_COLOURS.get(graph.nodes[n]["country"], OTHER_COUNTRY) for n in nodes
                ],
                "line": {"color": "white", "width": 2},
                "opacity": 0.95,
            },
            hovertext=hover,
            hoverinfo="text",
            showlegend=False,
        )
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, 640, dragmode="pan")


def crime_figure(crimes: pd.DataFrame, top: int = 14) -> go.Figure:
    if crimes.empty:
        return _empty("No agency appears in an article about a crime type yet.")
    matrix = crimes.pivot_table(
        index="agency", columns="crime_type", values="article_count", aggfunc="sum", fill_value=0
    )
    matrix = matrix.loc[matrix.sum(axis=1).sort_values(ascending=False).index[:top]]
    matrix = matrix[matrix.sum(axis=0).sort_values(ascending=False).index]
    fig = go.Figure(
        go.Heatmap(
            z=matrix.values,
            x=[c.replace("_", " ") for c in matrix.columns],
            y=[_short(a, 30) for a in matrix.index],
            colorscale=[[0, "#f8fafc"], [0.01, "#dbeafe"], [1, "#1d4ed8"]],
            xgap=3,
            ygap=3,
            hovertemplate="%{y} · %{x}: %{z} articles<extra></extra>",
            showscale=False,
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top", tickangle=-30)
    return _layout(fig, 120 + 30 * len(matrix))


def quality_figure(summary: QualitySummary) -> go.Figure:
    if not summary.run:
        return _empty("No check results in this build.", 200)
    slices = [
        (label, value, colour)
        for label, value, colour in [
            ("passed", summary.passed, "#16a34a"),
            ("warned", summary.warned, "#f59e0b"),
            ("failed", summary.failed, "#dc2626"),
        ]
        if value
    ]
    fig = go.Figure(
        go.Pie(
            labels=[label for label, _, _ in slices],
            values=[value for _, value, _ in slices],
            hole=0.62,
            sort=False,
            marker={"colors": [colour for _, _, colour in slices]},
            textinfo="value",
            hovertemplate="%{label}: %{value}<extra></extra>",
        )
    )
    fig.add_annotation(
        text=f"<b>{summary.run}</b><br>checks", showarrow=False, font={"size": 18}, x=0.5, y=0.5
    )
    return _layout(fig, 240, showlegend=False)


def _table(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for label in columns.values())
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape('' if pd.isna(row[c]) else str(row[c]))}</td>" for c in columns
        )
        + "</tr>"
        for _, row in frame.iterrows()
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(fig: go.Figure, element_id: str) -> str:
    return fig.to_html(
        full_html=False, include_plotlyjs=False, div_id=element_id, config=PLOT_CONFIG
    )


def _top_pairs(data: ReportData, limit: int = 8) -> str:
    if data.pairs.empty:
        return ""
    names = data.agencies.set_index("agency_id")["canonical_name"].to_dict()
    top = data.pairs.sort_values(
        ["shared_event_count", "shared_article_count"], ascending=False
    ).head(limit)
    top = top.assign(
        a=top["agency_id_a"].map(lambda x: names.get(x, x)),
        b=top["agency_id_b"].map(lambda x: names.get(x, x)),
    )
    return _table(
        top,
        {
            "a": "Agency",
            "b": "Works with",
            "shared_event_count": "Events",
            "shared_article_count": "Articles",
        },
    )


def _check_table(checks: pd.DataFrame) -> str:
    rows = []
    for row in checks.itertuples():
        state = "passed" if row.passed else ("warned" if row.severity == "warn" else "failed")
        rows.append(
            f'<tr><td><span class="badge {state}">{state}</span></td>'
            f"<td>{html.escape(row.check_name)}</td>"
            f"<td>{html.escape(str(row.asset_key))}</td>"
            f"<td class=num>{int(row.unexpected_count)}</td>"
            f"<td class=num>{int(row.element_count)}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Result</th><th>Check</th><th>Table</th>"
        "<th>Rows flagged</th><th>Rows checked</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _check_rows(checks: pd.DataFrame) -> str:
    """The checks that need a look, then every check behind a fold."""
    if checks.empty:
        return ""
    ordered = checks.assign(
        rank=checks["passed"].astype(int) * 2 + checks["severity"].eq("warn").astype(int)
    ).sort_values(["rank", "suite_name", "check_name"])
    attention = ordered[~ordered["passed"].astype(bool)]
    head = (
        _check_table(attention)
        if not attention.empty
        else '<p class="lede">Every check passed.</p>'
    )
    return (
        f"{head}<details><summary>All {len(ordered)} checks</summary>"
        f"{_check_table(ordered)}</details>"
    )


CSS = """
:root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --card: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0; background: #f1f5f9; color: var(--ink); font-family: FONT; }
header { background: linear-gradient(120deg, #0f172a 0%, #1e3a8a 60%, #0f766e 100%);
  color: white; padding: 40px 0 88px; }
.wrap { max-width: 1180px; margin: 0 auto; padding: 0 28px; }
header h1 { margin: 0 0 8px; font-size: 34px; letter-spacing: -0.02em; }
header p { margin: 0; color: #cbd5e1; font-size: 15px; }
.kpis { display: grid; grid-template-columns: repeat(6, 1fr); gap: 14px; margin-top: -58px; }
.kpi { background: var(--card); border-radius: 14px; padding: 16px 18px;
  box-shadow: 0 10px 30px -18px rgba(15, 23, 42, .45); }
.kpi b { display: block; font-size: 30px; letter-spacing: -0.02em; }
.kpi span { color: var(--muted); font-size: 13px; text-transform: uppercase;
  letter-spacing: .06em; }
section { background: var(--card); border-radius: 16px; padding: 26px 28px; margin: 22px 0;
  box-shadow: 0 10px 30px -22px rgba(15, 23, 42, .5); }
section h2 { margin: 0 0 4px; font-size: 21px; letter-spacing: -0.01em; }
section .lede { margin: 0 0 14px; color: var(--muted); font-size: 14px; line-height: 1.5; }
.legend { display: flex; gap: 18px; flex-wrap: wrap; font-size: 13px; color: var(--muted);
  margin-bottom: 6px; }
.legend i { display: inline-block; width: 11px; height: 11px; border-radius: 50%;
  margin-right: 6px; vertical-align: -1px; }
.grid2 { display: grid; grid-template-columns: 300px 1fr; gap: 28px; align-items: start; }
table { width: 100%; border-collapse: collapse; font-size: 13.5px; }
th { text-align: left; color: var(--muted); font-weight: 600; font-size: 12px;
  text-transform: uppercase; letter-spacing: .05em; border-bottom: 1px solid var(--line);
  padding: 8px 10px; }
td { padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; border-radius: 999px; padding: 2px 10px; font-size: 12px;
  font-weight: 600; }
.badge.passed { background: #dcfce7; color: #166534; }
.badge.warned { background: #fef3c7; color: #92400e; }
.badge.failed { background: #fee2e2; color: #991b1b; }
.tiles { display: grid; grid-template-columns: repeat(3, 1fr); gap: 10px; margin-top: 8px; }
.tile { border-radius: 12px; padding: 10px 12px; text-align: center; }
.tile b { display: block; font-size: 24px; }
.tile.passed { background: #f0fdf4; color: #166534; }
.tile.warned { background: #fffbeb; color: #92400e; }
.tile.failed { background: #fef2f2; color: #991b1b; }
details summary { cursor: pointer; color: #1d4ed8; font-size: 14px; margin: 10px 0; }
footer { color: var(--muted); font-size: 13px; padding: 10px 0 40px; }
@media (max-width: 900px) { .kpis { grid-template-columns: repeat(3, 1fr); }
  .grid2 { grid-template-columns: 1fr; } }
""".replace("FONT", FONT)


def render(data: ReportData) -> str:
    summary = summarise_quality(data.checks)
    built = data.published_at.strftime("%d %B %Y, %H:%M UTC") if data.published_at else "unknown"
    kpis = "".join(
        f'<div class="kpi"><b>{data.counts[key]:,}</b><span>{label}</span></div>'
        for key, label in [
            ("articles", "articles"),
            ("events", "events"),
            ("agencies", "agencies"),
            ("people", "people"),
            ("places", "places"),
            ("crime_types", "crime types"),
        ]
    )
    undated = int((~data.events["is_dated"].astype(bool)).sum()) if not data.events.empty else 0
    country_legend = "".join(
        f'<span><i style="background:{colour}"></i>{label}</span>'
        for label, colour in [
            ("Cambodia", COUNTRY_COLOURS["KH"]),
            ("United States", COUNTRY_COLOURS["US"]),
            ("International body", COUNTRY_COLOURS["INT"]),
            ("Other country", OTHER_COUNTRY),
            ("acted together in an event", "#f97316"),
        ]
    )
    tiles = "".join(
        f'<div class="tile {state}"><b>{value}</b>{state}</div>'
        for state, value in [
            ("passed", summary.passed),
            ("warned", summary.warned),
            ("failed", summary.failed),
        ]
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Law-enforcement co-operation in the news</title>
<style>{CSS}</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<header><div class="wrap">
<h1>Law-enforcement co-operation in the news</h1>
<p>Who works with whom, on what, and when: drawn from the published warehouse built {built}.</p>
</div></header>
<main class="wrap">
<div class="kpis">{kpis}</div>

<section id="timeline">
<h2>Event timeline</h2>
<p class="lede">Every event the articles state, by date and type. A larger marker means more
agencies took part; a hollow one is an event whose date the text does not give ({undated} of
{len(data.events)}), placed on its article's date. Hover for the sentence that states it.</p>
{_figure(timeline_figure(data.events), "timeline-plot")}
</section>

<section id="network">
<h2>Agency co-operation network</h2>
<p class="lede">Agencies that appear in the same event or article. The thicker the line, the
more often; orange lines are agencies that acted together in an event. Node size follows how
often the agency is mentioned. Drag to pan, scroll to zoom, hover for its closest partners.</p>
<div class="legend">{country_legend}</div>
{_figure(network_figure(data.pairs, data.agencies), "network-plot")}
<details><summary>Closest partnerships</summary>{_top_pairs(data)}</details>
</section>

<section id="crimes">
<h2>Who works on which crimes</h2>
<p class="lede">Articles in which an agency appears while the article discusses a crime type
(the most present agencies).</p>
{_figure(crime_figure(data.crimes), "crimes-plot")}
</section>

<section id="quality">
<h2>Data quality</h2>
<div class="grid2">
<div>
{_figure(quality_figure(summary), "quality-plot")}
<div class="tiles">{tiles}</div>
</div>
<div>
<p class="lede">The latest result of each Great Expectations check of the build: {summary.run}
checks run, {summary.passed} passed, {summary.warned} warned (content worth a look, the build
stays green) and {summary.failed} failed (blocking).</p>
{_check_rows(data.checks)}
</div>
</div>
</section>
<footer>Generated by <code>make report</code> from the published copy of the warehouse.</footer>
</main>
</body>
</html>
"""


def build_report(published: Path, out: Path) -> Path:
    if not published.is_file():
        raise FileNotFoundError(
            f"no published warehouse at {published}: build one with `make run` first"
        )
    with publish.connect_published(published) as con:
        data = load(con)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_suffix(".tmp")
    staging.write_text(render(data), encoding="utf-8")
    staging.replace(out)
    return out


def default_paths() -> tuple[Path, Path]:
    """The published copy of NEWS_WAREHOUSE_PATH and `<warehouse folder>/report/index.html`."""
    warehouse = settings.WAREHOUSE_PATH.path()
    return publish.published_path(warehouse), warehouse.parent / "report" / "index.html"


def main(argv: list[str] | None = None) -> int:
    published, out = default_paths()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--published", type=Path, default=published)
    parser.add_argument("--out", type=Path, default=out)
    args = parser.parse_args(argv)
    print(build_report(args.published, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
