"""Several NLP writers on one DuckLake: `nlp_units_job` run by the Dagster CLI on the
multiprocess executor, two worker processes annotating and committing units at once, one
unit failing right after its commit and retried. Nothing is lost or doubled: the nlp tables
equal those one process writes with the driver on another lake of the same articles."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import pytest
import yaml
from dagster import DagsterEventType

from dagster_project.defs import lake_units
from dagster_project.lib import articles, driver, settings, warehouse
from tests.helpers import BIN, REPO_ROOT, SAMPLE_RAW, dagster_instance, pipeline_env

MODEL = settings.SPACY_MODEL.value()
# small units, so that the sample corpus makes several and two run at once
UNIT_CHARS = 4000
KEYS = {
    "sentences": ("article_id", "sentence_index"),
    "mentions": ("mention_id",),
    "crime_types": ("article_id", "crime_type"),
    "events": ("event_id",),
    "event_agencies": ("event_id", "agency_id", "role"),
    "event_countries": ("event_id", "country_code"),
}


def _landed(lake: warehouse.DuckLake) -> None:
    """The sample corpus landed and split into paragraphs, as the first two assets do."""
    with warehouse.connect(lake) as con:
        articles.land(con, SAMPLE_RAW, load_id="units-test")
        driver.classify_paragraphs(con, driver.extractor_version(MODEL))


def _rows(lake: warehouse.DuckLake) -> dict[str, list[tuple]]:
    with warehouse.connect(lake, read_only=True) as con:
        return {
            table: sorted(
                con.execute(f"select * exclude (extractor_version) from nlp.{table}").fetchall(),
                key=repr,
            )
            for table in KEYS
        }


@pytest.fixture(scope="module")
def reference(postgres_server, tmp_path_factory):
    """The nlp tables written by one process (the driver's own loop) from the same articles."""
    lake = postgres_server.new_lake(tmp_path_factory.mktemp("reference-lake"))
    _landed(lake)
    with warehouse.connect(lake) as con:
        driver.annotate_articles(con, MODEL, driver.extractor_version(MODEL), processes=1)
    return _rows(lake)


@pytest.fixture(scope="module")
def units_run(postgres_server, tmp_path_factory):
    root = tmp_path_factory.mktemp("units")
    lake = postgres_server.new_lake(root / "lake-data")
    _landed(lake)
    with warehouse.connect(lake, read_only=True) as con:
        faulty = con.execute(
            "select article_id from raw.articles where is_current order by article_id limit 1"
        ).fetchone()[0]
    config = root / "run.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "execution": {"config": lake_units.EXECUTION_CONFIG},
                "ops": {"plan_nlp_units": {"config": {"unit_chars": UNIT_CHARS}}},
            }
        )
    )
    env = pipeline_env(SAMPLE_RAW, root / "warehouse" / "news.duckdb", root / "home", lake)
    env[settings.FAULT_INJECTION.name] = f"unit-commit:{faulty}"
    result = subprocess.run(
        [
            str(BIN / "dagster"),
            "job",
            "execute",
            "-m",
            "dagster_project.definitions",
            "-j",
            "nlp_units_job",
            "-c",
            str(config),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    with dagster_instance(Path(env["DAGSTER_HOME"])) as instance:
        (run,) = instance.get_runs()
        events = [
            (e.timestamp, e.dagster_event) for e in instance.all_logs(run.run_id) if e.dagster_event
        ]
    return {"lake": lake, "events": events, "faulty": faulty}


def test_every_unit_ran_in_its_own_process_and_two_ran_at_once(units_run):
    spans: dict[str, list] = {}
    pids = set()
    for at, event in units_run["events"]:
        if not (event.step_key or "").startswith("annotate_nlp_unit["):
            continue
        if event.event_type == DagsterEventType.STEP_START:
            spans.setdefault(event.step_key, [at, None])
            pids.add(event.pid)
        elif event.event_type == DagsterEventType.STEP_SUCCESS:
            spans[event.step_key][1] = at
    assert len(spans) >= 3
    assert all(end is not None for _, end in spans.values())
    # the multiprocess executor runs every step in a process of its own ...
    assert len(pids) >= len(spans)
    # ... and two at a time: some unit started before another had committed
    ordered = sorted(spans.values())
    assert any(later[0] < earlier[1] for earlier, later in itertools.pairwise(ordered))


def test_the_failed_unit_was_retried_and_succeeded(units_run):
    retried = {
        e.step_key
        for _, e in units_run["events"]
        if e.event_type == DagsterEventType.STEP_UP_FOR_RETRY
    }
    succeeded = {
        e.step_key for _, e in units_run["events"] if e.event_type == DagsterEventType.STEP_SUCCESS
    }
    # units are planned in article-id order: the faulty (first) article is in the first unit;
    # any other retry is a commit that lost a DuckLake conflict to the other worker
    assert "annotate_nlp_unit[unit_00000]" in retried
    assert retried <= succeeded


def test_nothing_is_lost_or_doubled(units_run, reference):
    written = _rows(units_run["lake"])
    for table, key in KEYS.items():
        with warehouse.connect(units_run["lake"], read_only=True) as con:
            total, distinct = con.execute(
                f"select count(*), count(distinct ({', '.join(key)})) from nlp.{table}"
            ).fetchone()
        assert total == distinct, f"nlp.{table} has doubled rows"
        assert written[table] == reference[table], f"nlp.{table} differs from one writer's"
    assert sum(len(rows) for rows in written.values()) > 0
    with warehouse.connect(units_run["lake"], read_only=True) as con:
        pending = con.execute(
            "select count(*) from nlp.article_state where nlp_version is null"
        ).fetchone()[0]
    assert pending == 0
