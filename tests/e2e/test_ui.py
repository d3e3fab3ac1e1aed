"""The Dagster UI as `make dev` serves it, driven in headless Chromium: "Materialize all" builds
the warehouse, every asset check shows its result, and the marts and the published copy exist."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request

import duckdb
import pytest

from dagster_project.defs.publish import MART_KEYS
from dagster_project.lib import publish
from tests.e2e.browser import artifact, chromium_page, chromium_path
from tests.e2e.servers import free_port, server_process, wait_for
from tests.helpers import BIN, REPO_ROOT, pipeline_env

pytestmark = pytest.mark.e2e

LOCATION = "dagster_project.definitions"
ACTIVE = {"QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING"}
CHECK_LABELS = {"SUCCEEDED": "Succeeded", "FAILED": "Failed"}


class Dagster:
    """The GraphQL API of a running webserver, for what the test waits on."""

    def __init__(self, url: str):
        self.url = url

    def query(self, text: str, variables: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.url}/graphql",
            data=json.dumps({"query": text, "variables": variables or {}}).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = json.load(response)
        assert "errors" not in body, body["errors"]
        return body["data"]

    def runs(self) -> dict[str, str]:
        data = self.query("{ runsOrError { ... on Runs { results { runId status } } } }")
        return {r["runId"]: r["status"] for r in data["runsOrError"]["results"]}

    def location_error(self) -> str | None:
        """None once the code location has loaded; its error if it failed; "loading" before."""
        data = self.query(
            """{ workspaceOrError { ... on Workspace { locationEntries {
                 name locationOrLoadError { __typename ... on PythonError { message } } } } } }"""
        )
        for entry in data["workspaceOrError"]["locationEntries"]:
            if entry["name"] == LOCATION:
                loaded = entry["locationOrLoadError"]
                if loaded is None:
                    return "loading"
                return loaded.get("message") if loaded["__typename"] == "PythonError" else None
        return "loading"

    def stop_sensors(self) -> list[str]:
        data = self.query(
            """query($selector: RepositorySelector!) {
                 repositoryOrError(repositorySelector: $selector) {
                   ... on Repository { sensors { name sensorState { id } } } } }""",
            {"selector": {"repositoryLocationName": LOCATION, "repositoryName": "__repository__"}},
        )
        sensors = data["repositoryOrError"]["sensors"]
        for sensor in sensors:
            self.query(
                "mutation($id: String) { stopSensor(id: $id) { __typename } }",
                {"id": sensor["sensorState"]["id"]},
            )
        return [s["name"] for s in sensors]

    def checks(self, asset_path: list[str]) -> dict[str, str]:
        data = self.query(
            """query($key: AssetKeyInput!) { assetNodeOrError(assetKey: $key) { ... on AssetNode {
                 assetChecksOrError { ... on AssetChecks { checks {
                   name executionForLatestMaterialization { status } } } } } } }""",
            {"key": {"path": asset_path}},
        )
        checks = data["assetNodeOrError"]["assetChecksOrError"]["checks"]
        return {
            c["name"]: (c["executionForLatestMaterialization"] or {}).get("status") for c in checks
        }

    def all_checks(self) -> dict[str, str]:
        data = self.query("{ assetNodes { assetKey { path } } }")
        statuses = {}
        for node in data["assetNodes"]:
            path = node["assetKey"]["path"]
            for name, status in self.checks(path).items():
                statuses[f"{'/'.join(path)}:{name}"] = status
        return statuses


@pytest.fixture(scope="module")
def dagster_dev(tmp_path_factory, sample_raw_copy):
    chromium_path()
    root = tmp_path_factory.mktemp("ui")
    warehouse = root / "warehouse" / "news.duckdb"
    home = root / "dagster_home"
    # the shipped instance settings: one run at a time on the warehouse
    env = pipeline_env(sample_raw_copy, warehouse, home)
    # dagster-dbt's dev-mode `dbt parse` looks for dbt on PATH, as in an activated venv.
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = root / "dagster-dev.log"
    started = time.monotonic()
    command = [BIN / "dagster", "dev", "-m", LOCATION, "--host", "127.0.0.1", "--port", port]
    with server_process(command, REPO_ROOT, env, log_path) as process:
        api = Dagster(url)

        def ready():
            assert process.poll() is None, log_path.read_text()[-4000:]
            try:
                error = api.location_error()
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                return False
            assert error in (None, "loading"), error
            return error is None

        wait_for(ready, 240, "dagster dev to load the code location")
        yield {
            "url": url,
            "api": api,
            "warehouse": warehouse,
            "log": log_path,
            "startup_seconds": time.monotonic() - started,
        }


@pytest.fixture(scope="module")
def page(dagster_dev):
    # A fresh instance greets its first visitor with a newsletter dialog over the page; the UI
    # itself dismisses it for good with this mutation.
    dagster_dev["api"].query("mutation { setNuxSeen }")
    with chromium_page() as browser_page:
        yield browser_page


def test_materialize_all_in_the_ui_builds_the_warehouse(dagster_dev, page):
    url, api = dagster_dev["url"], dagster_dev["api"]
    # The sensors would start their own runs on a fresh instance; this test is about the
    # button. Runs they started before being stopped are let finish first.
    assert set(api.stop_sensors()) == {"raw_files_sensor", "downstream_automation"}
    wait_for(lambda: not ACTIVE & set(api.runs().values()), 600, "the sensors' runs to finish")
    before = set(api.runs())

    started = time.monotonic()
    page.goto(f"{url}/asset-groups")
    page.get_by_role("button", name="Materialize all").click()
    # the button spins while the webserver plans the run with the code server: on a busy
    # machine that alone can take a minute or more
    (run_id,) = wait_for(lambda: set(api.runs()) - before, 300, "the launched run", 0.5)
    status = wait_for(lambda: (s := api.runs()[run_id]) not in ACTIVE and s, 900, "the run to end")
    run_seconds = time.monotonic() - started
    assert status == "SUCCESS", dagster_dev["log"].read_text()[-4000:]

    page.goto(f"{url}/runs/{run_id}")
    page.get_by_text("RUN_SUCCESS", exact=True).first.wait_for(timeout=60_000)
    page.screenshot(path=artifact("ui-run.png"))

    # the checks of one asset, as the UI lists them: each with its latest result
    expected = api.checks(["nlp", "paragraphs"])
    assert expected and set(expected.values()) <= set(CHECK_LABELS)
    page.goto(f"{url}/assets/nlp/paragraphs?view=checks")
    page.get_by_text(f"Checks ({len(expected)})").wait_for(timeout=60_000)
    for name, status in expected.items():
        # the check's name sits beside its latest status in the list
        row = page.locator(f'[title="{name}"]').first.locator("xpath=..")
        row.wait_for(timeout=30_000)
        assert CHECK_LABELS[status] in row.inner_text()
    page.screenshot(path=artifact("ui-checks.png"))

    # every check of the graph ran in this run and has a result
    statuses = api.all_checks()
    assert len(statuses) > 20
    assert {k: s for k, s in statuses.items() if s not in CHECK_LABELS} == {}

    with duckdb.connect(str(dagster_dev["warehouse"]), read_only=True) as con:
        rows = {
            key.to_user_string(): con.execute(
                f"select count(*) from {'.'.join(key.path)}"
            ).fetchone()[0]
            for key in MART_KEYS
        }
    assert {"marts/dim_articles", "marts/fct_paragraphs"} <= set(rows)
    assert rows["marts/dim_articles"] > 0 and rows["marts/fct_paragraphs"] > 0
    assert publish.published_path(dagster_dev["warehouse"]).is_file()

    artifact("ui-timings.json").write_text(
        json.dumps(
            {
                "dagster_dev_startup_seconds": round(dagster_dev["startup_seconds"], 1),
                "materialize_all_seconds": round(run_seconds, 1),
            }
        ),
        encoding="utf-8",
    )


def test_the_asset_pages_show_descriptions_and_metadata(dagster_dev, page):
    from playwright.sync_api import expect

    page.goto(f"{dagster_dev['url']}/assets/publish/warehouse")
    expected = (
        "search.paragraphs(query)",
        "Row count",
        "paragraph_text",
        "indexed_paragraphs",
        "preview",
        "eager",
        str(publish.published_path(dagster_dev["warehouse"])),
    )
    body = page.locator("body")
    try:
        for text in expected:
            # the page's sections arrive by separate queries (automation after metadata, say)
            expect(body).to_contain_text(text, timeout=120_000)
    finally:
        page.screenshot(path=artifact("ui-published-asset.png"), full_page=True)
