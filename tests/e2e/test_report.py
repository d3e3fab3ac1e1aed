"""The report rendered from the published sample warehouse and looked at in headless Chromium:
every figure draws, the numbers are the warehouse's, and the page fetches nothing."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.lib import report
from tests.e2e.browser import artifact, chromium_page

pytestmark = pytest.mark.e2e

FIGURES = ["timeline-plot", "network-plot", "crimes-plot", "quality-plot"]


@pytest.fixture(scope="module")
def rendered(published_sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "index.html"
    return report.build_report(published_sample, out)


@pytest.fixture(scope="module")
def expected(published_sample):
    with duckdb.connect(str(published_sample), read_only=True) as con:
        latest = """
            select * from quality.check_results
            qualify checked_at = max(checked_at) over (partition by suite_name, check_name)
        """
        return {
            "events": con.execute("select count(*) from marts.fct_events").fetchone()[0],
            "articles": con.execute("select count(*) from marts.dim_articles").fetchone()[0],
            "agencies_paired": con.execute(
                "select count(distinct a) from (select agency_id_a as a from "
                "marts.agg_agency_cooperation union all select agency_id_b "
                "from marts.agg_agency_cooperation)"
            ).fetchone()[0],
            "checks": con.execute(
                f"select count(*), count(*) filter (where passed), "
                f"count(*) filter (where not passed and severity = 'warn') from ({latest})"
            ).fetchone(),
        }


def test_the_report_draws_every_figure_offline_with_the_warehouse_numbers(rendered, expected):
    outside = []
    with chromium_page(width=1400, height=1000) as page:
        # nothing may be fetched at view time: record and refuse anything that is not the file
        def refuse(route):
            if not route.request.url.startswith(("file:", "data:", "about:", "blob:")):
                outside.append(route.request.url)
                return route.abort()
            return route.continue_()

        page.route("**/*", refuse)
        page.goto(rendered.as_uri())
        page.wait_for_function(
            "ids => ids.every(id => document.querySelector(`#${id} .main-svg`))", arg=FIGURES
        )
        page.screenshot(path=artifact("report.png"), full_page=True)
        markers = page.evaluate(
            "id => document.getElementById(id).data.reduce((n, t) => "
            "n + (t.mode === 'markers' ? t.x.length : 0), 0)",
            "timeline-plot",
        )
        nodes = page.evaluate(
            "id => document.getElementById(id).data.at(-1).x.length", "network-plot"
        )
        text = page.locator("body").inner_text()

    assert outside == []
    assert markers == expected["events"] > 0
    assert nodes == min(expected["agencies_paired"], report.MAX_NODES) > 0
    run, passed, warned = expected["checks"]
    assert f"{run} checks run, {passed} passed, {warned} warned" in text
    assert f"{expected['articles']}\nARTICLES" in text.upper()


def test_the_report_says_where_to_build_from_when_nothing_is_published(tmp_path):
    with pytest.raises(FileNotFoundError, match="make run"):
        report.build_report(tmp_path / "published" / "news.duckdb", tmp_path / "index.html")
