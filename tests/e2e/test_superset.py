"""Apache Superset over the published warehouse, started for real by `bi/serve.py` (what
`make bi` runs) from the BI environment, and driven in headless Chromium: log in, open the
provisioned dashboard, check that every chart rendered rows of the marts, run a query in SQL
Lab, republish the warehouse under Superset and see the next query read the new copy."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
import urllib.parse
from pathlib import Path

import duckdb
import pytest

from bi import dashboard
from dagster_project.lib import publish
from tests.e2e.browser import artifact, chromium_page, chromium_path
from tests.e2e.servers import free_port, server_process, wait_for
from tests.helpers import REPO_ROOT

BI_PYTHON = REPO_ROOT / ".bi" / "venv" / "bin" / "python"


@pytest.fixture(scope="module")
def warehouse(published_sample, tmp_path_factory) -> Path:
    """A build of the sample corpus of this module's own, published, so that republishing it
    here leaves the session's copy alone."""
    root = tmp_path_factory.mktemp("bi-warehouse")
    build = root / "news.duckdb"
    sample_build = published_sample.parent.parent / published_sample.name
    shutil.copyfile(sample_build, build)
    publish.publish(build, "superset-test-1")
    return build


@pytest.fixture(scope="module")
def superset(warehouse, tmp_path_factory):
    if not BI_PYTHON.exists():
        pytest.fail(f"{BI_PYTHON} is missing: `make bi-install` (run by `make test`) creates it")
    chromium_path()
    home = tmp_path_factory.mktemp("bi-home")
    port = free_port()
    password = secrets.token_urlsafe(12)
    env = {
        **os.environ,
        "NEWS_WAREHOUSE_PATH": str(warehouse),
        "NEWS_BI_HOME": str(home),
        "NEWS_BI_PORT": str(port),
        "NEWS_BI_ADMIN_PASSWORD": password,
    }
    log_path = home / "serve.log"
    command = [BI_PYTHON, REPO_ROOT / "bi" / "serve.py"]
    with server_process(command, REPO_ROOT, env, log_path) as process:

        def provisioned():
            assert process.poll() is None, log_path.read_text()[-4000:]
            return "Superset on http://127.0.0.1" in log_path.read_text()

        wait_for(provisioned, 900, "Superset to start and provision its dashboard", interval=2)
        yield {"url": f"http://127.0.0.1:{port}", "password": password, "log": log_path}


def _published_rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(publish.published_path(warehouse)), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def page(superset):
    with chromium_page(loopback_only=True) as browser_page:
        browser_page.set_default_timeout(120_000)
        _log_in(browser_page, superset)
        yield browser_page


def _log_in(page, superset, attempts: int = 3) -> None:
    """Log in through the form as a user would. The welcome page counts once its navigation
    is committed (its load event waits on every asset of the bundle); a login that did not
    navigate is tried again, and the last failure shows the page and the server's log."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(1, attempts + 1):
        page.goto(f"{superset['url']}/login/")
        page.fill("[data-test=username-input]", "admin")
        page.fill("[data-test=password-input]", superset["password"])
        page.click("[data-test=login-button]")
        try:
            page.wait_for_url(re.compile(r".*/superset/welcome/.*"), wait_until="commit")
            return
        except PlaywrightTimeout:
            page.screenshot(path=str(artifact(f"superset_login_{attempt}.png")))
            if attempt == attempts:
                logs = "\n".join(
                    path.read_text(errors="replace")[-3000:]
                    for path in (superset["log"], superset["log"].with_name("superset.log"))
                    if path.exists()
                )
                pytest.fail(
                    f"login did not reach the welcome page after {attempts} attempts; "
                    f"at {page.url}:\n{page.locator('body').inner_text()[:2000]}\n{logs}"
                )


def test_dashboard_charts_render_rows_of_the_marts(superset, warehouse, page):
    chart_data = []
    page.on(
        "response",
        lambda response: (
            chart_data.append(response)
            if "/api/v1/chart/data" in response.url and response.request.method == "POST"
            else None
        ),
    )
    page.goto(f"{superset['url']}/superset/dashboard/{dashboard.DASHBOARD_SLUG}/")
    # Playwright delivers responses while it waits itself, not during time.sleep
    deadline = time.monotonic() + 300
    while len(chart_data) < len(dashboard.CHARTS) and time.monotonic() < deadline:
        page.wait_for_timeout(500)
    page.screenshot(path=str(artifact("superset_dashboard.png")), full_page=True)
    assert len(chart_data) == len(dashboard.CHARTS)
    holders = page.locator("[data-test=dashboard-component-chart-holder]")
    holders.first.wait_for()
    assert holders.count() == len(dashboard.CHARTS)
    row_counts = []
    for response in chart_data:
        assert response.status == 200, response.text()[:2000]
        row_counts.extend(result["rowcount"] for result in response.json()["result"])
    assert len(row_counts) >= len(dashboard.CHARTS) and all(count > 0 for count in row_counts)

    # the table charts show the marts' own rows; the bar chart drew its canvas
    top_pair = _published_rows(
        warehouse,
        "select agency_name_a, agency_name_b from marts.agg_agency_cooperation "
        "order by shared_event_count desc, shared_article_count desc limit 1",
    )[0]
    checks = _published_rows(
        warehouse,
        "select distinct suite_name from quality.check_results where run_id = "
        "(select arg_max(run_id, checked_at) from quality.check_results)",
    )
    crime = _published_rows(
        warehouse,
        "select crime_type from marts.agg_agency_crime_types "
        "group by crime_type order by sum(article_count) desc limit 1",
    )[0][0]
    page.get_by_text(top_pair[0]).first.wait_for()
    text = page.locator("body").inner_text()
    assert top_pair[1] in text and crime in text
    assert all(suite in text for (suite,) in checks)
    events_chart = holders.filter(has_text="Events per month by type")
    assert events_chart.locator("canvas").count() >= 1
    assert page.locator("[data-test=chart-error], .ant-alert-error").count() == 0
    page.screenshot(path=str(artifact("superset_dashboard.png")), full_page=True)


def _sql_lab_query(page, url: str, sql: str, expected: str) -> str:
    """Open SQL Lab on the warehouse with `sql` in a new tab, run it, and return the page's
    text once `expected` shows in the results."""
    # through the page, as its own scripts call the API: the browser sends a request again
    # when the server has just closed the idle connection it reused
    databases = page.evaluate(
        "async (api) => (await (await fetch(api)).json()).result", f"{url}/api/v1/database/"
    )
    (database_id,) = [
        db["id"] for db in databases if db["database_name"] == dashboard.DATABASE_NAME
    ]
    query = urllib.parse.urlencode({"dbid": database_id, "sql": sql, "name": "e2e"})
    page.goto(f"{url}/sqllab/?{query}")
    page.locator("[data-test=run-query-action]").first.click()
    page.get_by_text(expected, exact=True).first.wait_for()
    return page.locator("body").inner_text()


def test_sql_lab_reads_the_republished_copy(superset, warehouse, page):
    articles = _published_rows(warehouse, "select count(*) from marts.dim_articles")[0][0]
    sql = (
        "select run_id, (select count(*) from marts.dim_articles) as article_total "
        "from publish.info"
    )
    first = _sql_lab_query(page, superset["url"], sql, "superset-test-1")
    assert str(articles) in first.split("superset-test-1", 1)[1]
    page.screenshot(path=str(artifact("superset_sql_lab.png")), full_page=True)

    # `make run` republishes by renaming a new file over the copy Superset reads
    publish.publish(warehouse, "superset-test-2")
    _sql_lab_query(page, superset["url"], sql, "superset-test-2")
