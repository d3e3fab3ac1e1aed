"""The incremental driver on a real DuckDB file with the real spaCy model: only what changed
is processed, and the result equals a clean build of the same raw folder."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.defs import ingest
from dagster_project.defs import nlp as nlp_defs
from dagster_project.defs.resources import NlpModelResource, RawFolderResource, WarehouseResource
from dagster_project.lib import articles, driver, nlp, warehouse
from dagster_project.lib.settings import SPACY_MODEL
from tests.helpers import SAMPLE_RAW

MODEL = SPACY_MODEL.default
# versions and load history differ between an incremental and a clean build by design
IGNORED = {"updated_at", "article_version", "quarantined_at"}
ADDED = (
    "Interpol trains Cambodian police\n\n"
    "Interpol officers trained thirty Cambodian National Police investigators in Phnom Penh "
    "on Monday, the ministry said.\n"
)


def _build(con: duckdb.DuckDBPyConnection, raw: Path, version: driver.ExtractorVersion):
    articles.land(con, raw, load_id=str(uuid.uuid4()))
    paragraphs = driver.classify_paragraphs(con, version)
    annotations = driver.annotate_articles(con, MODEL, version, processes=1)
    return paragraphs, annotations


def _contents(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    out = {}
    for table in ("paragraphs", *driver.NLP_TABLES, "article_state", "quarantine"):
        columns = [
            r[0] for r in con.execute(f"describe nlp.{table}").fetchall() if r[0] not in IGNORED
        ]
        out[table] = con.execute(
            f"select {', '.join(columns)} from nlp.{table} order by all"
        ).fetchall()
    return out


@pytest.fixture(scope="module")
def version() -> driver.ExtractorVersion:
    return driver.extractor_version(MODEL)


@pytest.fixture()
def raw(tmp_path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    for path in SAMPLE_RAW.glob("*.txt"):
        shutil.copy2(path, folder / path.name)
    return folder


def test_adding_one_article_processes_only_that_article(tmp_path, raw, version):
    with warehouse.connect(tmp_path / "a.duckdb") as con:
        _build(con, raw, version)
        before = con.execute("select count(*) from nlp.article_state").fetchone()[0]
        (raw / "added.txt").write_text(ADDED, encoding="utf-8")
        paragraphs, annotations = _build(con, raw, version)
        incremental = _contents(con)
    assert (paragraphs.articles_new, paragraphs.articles_reprocessed) == (1, 0)
    assert paragraphs.articles_skipped == before
    assert (annotations.articles_new, annotations.articles_reprocessed) == (1, 0)
    assert annotations.articles_skipped == before
    with warehouse.connect(tmp_path / "b.duckdb") as con:
        _build(con, raw, version)
        assert _contents(con) == incremental


def test_small_work_parses_in_process_with_the_rows_of_the_worker_pool(tmp_path, raw, version):
    built = {}
    for name, pool_min_chars in (("in_process", driver.POOL_MIN_CHARS), ("pool", 0)):
        with warehouse.connect(tmp_path / f"{name}.duckdb") as con:
            articles.land(con, raw, load_id=str(uuid.uuid4()))
            driver.classify_paragraphs(con, version)
            stats = driver.annotate_articles(
                con, MODEL, version, processes=2, pool_min_chars=pool_min_chars
            )
            built[name] = (stats, _contents(con))
    (small, in_process), (big, pooled) = built["in_process"], built["pool"]
    assert small.workers == 0 and big.workers >= 1
    # the annotation's CPU is counted where it ran, in this process or on the workers
    assert small.cpu_seconds > 0 and big.cpu_seconds > 0
    assert small.articles_new == big.articles_new == len(list(raw.glob("*.txt")))
    assert in_process["mentions"] and in_process == pooled


# a line a publisher prints under its stories: recurring furniture, judged across articles
FURNITURE = "Distributed by the Mekong desk"
PUBLISHED = {
    "daily/raid.txt": (
        "Police raid warehouse near the border\n\n"
        "Cambodian police seized 40 kilograms of methamphetamine in a raid on a warehouse in "
        "Battambang province on Tuesday, the National Police said.\n\n"
        f"{FURNITURE}\n"
    ),
    "daily/customs.txt": (
        "Customs officers intercept heroin\n\n"
        "Customs officers intercepted two kilograms of heroin at Phnom Penh International "
        "Airport on Sunday.\n\n"
        "Customs officers intercepted two kilograms of heroin at Phnom Penh International "
        "Airport on Sunday.\n\n"
        f"{FURNITURE}\n"
    ),
    "daily/faulty.txt": "Ministry statement\n\nThe ministry said nothing. MARKER-P\n",
}


def test_the_paragraph_stage_gives_the_same_rows_on_one_and_on_two_processes(
    tmp_path, raw, version, monkeypatch
):
    for name, text in PUBLISHED.items():
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv(driver.FAULT_SETTING, "paragraphs:MARKER-P")
    # chunks of three articles: several reads and writes, each cut between the workers
    monkeypatch.setattr(driver, "PARAGRAPH_CHUNK", 3)
    built = {}
    for processes in (1, 2):
        with warehouse.connect(tmp_path / f"p{processes}.duckdb") as con:
            articles.land(con, raw, load_id=str(uuid.uuid4()))
            stats = driver.classify_paragraphs(con, version, processes=processes, pool_min_chars=0)
            rows = {
                table: con.execute(
                    f"select * exclude ({stamp}) from nlp.{table} order by all"
                ).fetchall()
                for table, stamp in (
                    ("paragraphs", "extractor_version"),
                    ("recurrence_keys", "content_hash"),
                    ("article_state", "updated_at"),
                    ("quarantine", "quarantined_at"),
                )
            }
            furniture = con.execute(
                "select a.source_path, p.boilerplate_rule, p.is_duplicate "
                "from nlp.paragraphs as p join raw.articles as a using (article_id) "
                "where p.paragraph_text = ? or p.paragraph_text like ? order by all",
                [FURNITURE, "Customs officers intercepted%"],
            ).fetchall()
            built[processes] = (stats, rows, furniture)
    (one, alone, furniture), (two, pooled, _) = built[1], built[2]
    assert (one.workers, two.workers) == (0, 2)
    assert one.articles_quarantined == two.articles_quarantined == 1
    assert [r[0] for r in alone["quarantine"]] == [r[0] for r in pooled["quarantine"]]
    assert alone["paragraphs"] and alone == pooled
    # the publisher's line is furniture in both its articles, the repeated paragraph a copy
    assert furniture == [
        ("daily/customs.txt", "recurring_across_articles", False),
        ("daily/customs.txt", None, False),
        ("daily/customs.txt", None, True),
        ("daily/raid.txt", "recurring_across_articles", False),
    ]


def test_nlp_workers_started_by_the_paragraph_stage_parse_with_the_rows_of_this_process(
    tmp_path, raw, version
):
    built = {}
    for name in ("here", "ahead"):
        with warehouse.connect(tmp_path / f"{name}.duckdb") as con:
            articles.land(con, raw, load_id=str(uuid.uuid4()))
            if name == "ahead":
                # as the landing does when it finds work: the workers' server starts early
                driver.start_worker_server()
            driver.classify_paragraphs(con, version)
            started = driver.warm_nlp_workers(con, MODEL, version) if name == "ahead" else 0
            stats = driver.annotate_articles(con, MODEL, version, processes=2)
            # nothing left to parse: no worker is started
            again = driver.warm_nlp_workers(con, MODEL, version)
            built[name] = (started, stats, again, _contents(con))
    (_, here, _, alone), (started, ahead, again, pooled) = built["here"], built["ahead"]
    # little work: parsed here, or on the one worker started ahead, which loaded the model
    assert (here.workers, started, ahead.workers, again) == (0, 1, 1, 0)
    assert ahead.articles_new == here.articles_new == len(list(raw.glob("*.txt")))
    assert alone["mentions"] and alone == pooled
    assert not driver._WARM


def test_a_small_change_has_its_nlp_worker_started_by_the_landing_and_a_larger_one_more(
    tmp_path, raw, version
):
    files = sorted(raw.glob("*.txt"))
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        articles.land(con, raw, load_id=str(uuid.uuid4()))
        # as the landing does: before the paragraph stage, the raw texts bound what to parse
        chars = driver.pending_article_chars(con, version)
        assert 0 < chars <= sum(len(f.read_text(encoding="utf-8")) for f in files)
        driver.start_worker_server()
        assert driver.warm_nlp_workers(con, MODEL, version, chars=chars) == 1
        driver.classify_paragraphs(con, version)
        # the paragraph stage keeps the worker for a parse as small...
        assert driver.warm_nlp_workers(con, MODEL, version) == 1
        # ...and starts one per core instead when the content needs more
        assert driver.warm_nlp_workers(con, MODEL, version, processes=2, pool_min_chars=1) == 2
        stats = driver.annotate_articles(con, MODEL, version, processes=2)
        assert (stats.workers, stats.articles_new) == (2, len(files))
        assert driver.pending_article_chars(con, version) == 0
    assert not driver._WARM


def test_the_landing_starts_a_small_changes_nlp_worker_only_in_a_run_that_parses(tmp_path, raw):
    def run(assets):
        result = dg.materialize(
            assets,
            resources={
                "warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb")),
                "raw_folder": RawFolderResource(path=str(raw)),
                "nlp_model": NlpModelResource(model=MODEL),
            },
            instance=dg.DagsterInstance.ephemeral(),
        )
        return {
            event.materialization.asset_key.to_user_string(): event.materialization.metadata
            for event in result.get_asset_materialization_events()
        }

    # the raw files sensor's run stops after the landing: no worker loads the model for it
    landed = run([ingest.raw_landing])
    assert landed["raw/articles"]["nlp_workers_started"].value == 0
    assert not driver._WARM
    built = run([ingest.raw_landing, nlp_defs.paragraphs, nlp_defs.nlp_annotations])
    assert built["raw/articles"]["nlp_workers_started"].value == 1
    assert built["nlp/sentences"]["worker_processes"].value == 1
    assert built["nlp/sentences"]["articles_new"].value == len(list(raw.glob("*.txt")))
    assert not driver._WARM


def test_an_article_of_one_short_line_gets_its_paragraph_and_state(tmp_path, raw, version):
    # a line this short, with no word a recurring line could share, stores no recurrence key
    (raw / "brief.txt").write_text("Added st 1796400424088998588.\n", encoding="utf-8")
    with warehouse.connect(tmp_path / "a.duckdb") as con:
        paragraphs, annotations = _build(con, raw, version)
        brief = con.execute(
            "select a.article_id, count(p.paragraph_id), count(distinct s.article_id) "
            "from raw.articles as a left join nlp.paragraphs as p using (article_id) "
            "left join nlp.article_state as s using (article_id) "
            "where a.source_path = 'brief.txt' group by a.article_id"
        ).fetchall()
        keys = con.execute(
            "select count(*) from nlp.recurrence_keys where article_id = ?", [brief[0][0]]
        ).fetchone()[0]
        again, _ = _build(con, raw, version)
    assert keys == 0
    assert [row[1:] for row in brief] == [(1, 1)]
    assert paragraphs.articles_new == annotations.articles_new == len(list(raw.glob("*.txt")))
    assert (again.articles_new, again.articles_skipped) == (0, paragraphs.articles_current)


def test_a_changed_and_a_deleted_article_leave_no_rows_of_their_old_versions(
    tmp_path, raw, version
):
    files = sorted(raw.glob("*.txt"))
    with warehouse.connect(tmp_path / "a.duckdb") as con:
        _build(con, raw, version)
        files[0].write_text(files[0].read_text(encoding="utf-8") + "\nPolice said more.\n")
        files[1].unlink()
        _, annotations = _build(con, raw, version)
        incremental = _contents(con)
        stale = con.execute(
            """
            select count(*) from nlp.sentences as s
            anti join raw.articles as a
                on a.article_id = s.article_id and a.version = s.article_version and a.is_current
            """
        ).fetchone()[0]
    assert stale == 0
    assert annotations.articles_new + annotations.articles_reprocessed == 1
    with warehouse.connect(tmp_path / "b.duckdb") as con:
        _build(con, raw, version)
        assert _contents(con) == incremental


def test_a_reference_change_reprocesses_the_articles_naming_it_and_restamps_the_rest(
    tmp_path, raw, version
):
    with warehouse.connect(tmp_path / "a.duckdb") as con:
        _build(con, raw, version)
        texts = dict(con.execute("select article_id, text from raw.articles").fetchall())
        # an alias added to the row of an agency some sample articles name
        seeds = tmp_path / "seeds"
        shutil.copytree(nlp.SEEDS_DIR, seeds)
        agencies = (seeds / "ref_agencies.csv").read_text(encoding="utf-8").splitlines()
        row = next(i for i, line in enumerate(agencies) if line.startswith("int-interpol,"))
        fields = agencies[row].split(",")
        fields[3] = (fields[3] + "|" if fields[3] else "") + "World Police Body"
        agencies[row] = ",".join(fields)
        (seeds / "ref_agencies.csv").write_text("\n".join(agencies) + "\n", encoding="utf-8")
        changed = driver.extractor_version(MODEL, seeds)
        assert changed.code == version.code and changed.version != version.version
        paragraphs = driver.classify_paragraphs(con, changed)
        annotations = driver.annotate_articles(con, MODEL, changed, processes=1)
        stamps = {
            table: con.execute(f"select distinct extractor_version from nlp.{table}").fetchall()
            for table in ("paragraphs", *driver.NLP_TABLES)
        }
    naming = {a for a, text in texts.items() if re.search(r"\binterpol\b", text, re.I)}
    assert naming and naming != set(texts)
    assert paragraphs.articles_new + paragraphs.articles_reprocessed == 0
    assert annotations.articles_reprocessed == len(naming)
    assert annotations.articles_restamped == len(texts) - len(naming)
    assert all(rows in ([(changed.version,)], []) for rows in stamps.values())


def test_an_article_that_raises_is_quarantined_and_retried_under_a_new_version(
    tmp_path, raw, version, monkeypatch
):
    (raw / "added.txt").write_text(ADDED + "\nMARKER-Q\n", encoding="utf-8")
    monkeypatch.setenv(driver.FAULT_SETTING, "nlp:MARKER-Q")
    with warehouse.connect(tmp_path / "a.duckdb") as con:
        _, annotations = _build(con, raw, version)
        quarantined = con.execute(
            "select source_path, stage, extractor_version, error from nlp.quarantine"
        ).fetchall()
        sentences = dict(
            con.execute(
                "select a.source_path, count(s.article_id) from raw.articles as a "
                "left join nlp.sentences as s using (article_id) group by all"
            ).fetchall()
        )
        again = driver.annotate_articles(con, MODEL, version, processes=1)
        monkeypatch.delenv(driver.FAULT_SETTING)
        retried = driver.annotate_articles(
            con, MODEL, driver.ExtractorVersion("another-code", version.reference), processes=1
        )
        left = con.execute("select count(*) from nlp.quarantine").fetchone()[0]
    assert [(p, s, v) for p, s, v, _ in quarantined] == [("added.txt", "nlp", version.version)]
    assert "MARKER" not in quarantined[0][3] and driver.FAULT_SETTING in quarantined[0][3]
    assert annotations.articles_quarantined == 1
    assert sentences["added.txt"] == 0
    assert all(n > 0 for path, n in sentences.items() if path != "added.txt")
    # not retried under the same version, retried under another
    assert again.articles_new + again.articles_reprocessed == 0
    assert retried.articles_quarantined == 0 and left == 0


def test_most_articles_failing_the_same_way_fail_the_stage_and_stay_out_of_quarantine(
    tmp_path, raw, version, monkeypatch
):
    for i in range(5):
        marker = "\nMARKER-S\n" if i < 4 else ""
        text = ADDED.replace("thirty", f"{30 + i}") + marker
        (raw / f"added_{i}.txt").write_text(text, encoding="utf-8")
    for path in sorted(raw.glob("*.txt"))[:2]:
        path.write_text(path.read_text(encoding="utf-8") + "\nMARKER-S\n", encoding="utf-8")
    monkeypatch.setenv(driver.FAULT_SETTING, "nlp:MARKER-S")
    with warehouse.connect(tmp_path / "a.duckdb") as con:
        articles.land(con, raw, load_id=str(uuid.uuid4()))
        driver.classify_paragraphs(con, version)
        with pytest.raises(driver.SystematicFailure, match="6 of 10 articles") as failure:
            driver.annotate_articles(con, MODEL, version, processes=1)
        quarantined = con.execute("select count(*) from nlp.quarantine").fetchone()[0]
        annotated = con.execute(
            "select count(*) from nlp.article_state where nlp_version = ?", [version.version]
        ).fetchone()[0]
        monkeypatch.delenv(driver.FAULT_SETTING)
        fixed = driver.annotate_articles(con, MODEL, version, processes=1)
    assert driver.FAULT_SETTING in str(failure.value)
    assert (quarantined, annotated) == (0, 4)
    # the same extractor version: the articles were not set aside, the next run does them
    assert (fixed.articles_new, fixed.articles_quarantined) == (6, 0)


def test_a_retried_unit_never_duplicates_rows(tmp_path, raw, version):
    with warehouse.connect(tmp_path / "a.duckdb") as con:
        _build(con, raw, version)
        first = _contents(con)
        ids = [r[0] for r in con.execute("select article_id from nlp.article_state").fetchall()]
        driver.process_unit(con, ids[:2], MODEL, version)
        driver.process_unit(con, ids[:2], MODEL, version)
        assert _contents(con) == first


def test_a_second_holder_of_the_warehouse_is_refused_at_once(tmp_path):
    path = tmp_path / "news.duckdb"
    lock = warehouse.hold(path)
    try:
        with pytest.raises(warehouse.WarehouseBusy, match="another run holds the warehouse"):
            warehouse.hold(path)
    finally:
        lock.release()
    warehouse.hold(path).release()
