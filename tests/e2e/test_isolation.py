"""Inputs that used to take the whole build down, through the real pipeline: a 2.6 MB page on
one line, a page of 100,000 short lines, an article whose processing raises, and a second run
on a warehouse another run holds. Each is contained: the rest is built and published, and the
DuckDB temp folder and the Dagster instance stay small."""

from __future__ import annotations

import contextlib
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from dagster_project.lib import driver, publish
from tests.helpers import REPO_ROOT, SAMPLE_RAW, pipeline_env, run_pipeline

pytestmark = pytest.mark.e2e

MARKER = "QUARANTINE-ME-7f3a"
WORDS = (
    "police",
    "officers",
    "met",
    "on",
    "monday",
    "to",
    "discuss",
    "training",
    "and",
    "border",
    "cooperation",
    "with",
    "the",
    "ministry",
    "in",
    "the",
    "capital",
    "after",
    "a",
    "joint",
    "operation",
    "against",
    "smuggling",
    "networks",
)
# the temp folder and the instance may hold this much; the bad queries took tens of GB
MAX_TEMP_BYTES = 64 * 2**20
MAX_INSTANCE_BYTES = 32 * 2**20


def _one_line_page(size: int) -> str:
    rng = random.Random(7)
    parts, n = [], 0
    while n < size:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30)))
        parts.append(sentence.capitalize() + ". ")
        n += len(parts[-1])
    return "".join(parts).strip() + "\n"


def _many_lines_page(lines: int) -> str:
    # a page of repeated short menu lines and numbered rows
    return "".join(f"Row {i % 5000:04d}\n" for i in range(lines))


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


class _PeakTemp(threading.Thread):
    """Samples the size of DuckDB's temp folders beside the warehouse while a run goes on."""

    def __init__(self, folder: Path):
        super().__init__(daemon=True)
        self.folder, self.peak, self.stop = folder, 0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            for tmp in self.folder.glob("*.tmp"):
                with contextlib.suppress(OSError):
                    self.peak = max(self.peak, _folder_bytes(tmp))
            time.sleep(0.2)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("isolation")
    raw = root / "raw"
    raw.mkdir()
    for path in SAMPLE_RAW.glob("*.txt"):
        shutil.copy2(path, raw / path.name)
    (raw / "one_line.txt").write_text(_one_line_page(2_600_000), encoding="utf-8")
    (raw / "many_lines.txt").write_text(_many_lines_page(100_000), encoding="utf-8")
    (raw / "faulty.txt").write_text(
        "Police meet Interpol\n\nCambodian police met Interpol officers on Monday, the "
        f"ministry said. {MARKER}\n",
        encoding="utf-8",
    )
    warehouse = root / "warehouse" / "news.duckdb"
    warehouse.parent.mkdir()
    dagster_home = root / "dagster_home"
    env = pipeline_env(raw, warehouse, dagster_home)
    env[driver.FAULT_SETTING] = f"nlp:{MARKER}"
    watcher = _PeakTemp(warehouse.parent)
    watcher.start()
    try:
        result = run_pipeline(env)
    finally:
        watcher.stop.set()
        watcher.join()
    return {
        "warehouse": warehouse,
        "published": publish.published_path(warehouse),
        "output": result.stdout + result.stderr,
        "temp_peak": watcher.peak,
        "instance_bytes": _folder_bytes(dagster_home),
        "raw": raw,
        "env": env,
    }


def _query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_one_line_page_is_built_in_pieces_with_exact_offsets(built):
    rows = _query(
        built["warehouse"],
        """
        select count(*), min(s.char_end - s.char_start), bool_and(
            s.sentence_text = substring(a.text, s.char_start + 1, s.char_end - s.char_start))
        from nlp.sentences as s join raw.articles as a using (article_id)
        where a.source_path = 'one_line.txt' and a.is_current
        """,
    )
    count, shortest, sliced = rows[0]
    assert count > 1000 and shortest > 0 and sliced
    assert _query(
        built["published"],
        "select paragraph_count from marts.dim_articles where source_path = 'one_line.txt'",
    ) == [(1,)]


def test_the_page_of_many_lines_is_built_with_small_temp_and_instance(built):
    assert _query(
        built["published"],
        "select paragraph_count from marts.dim_articles where source_path = 'many_lines.txt'",
    ) == [(100_000,)]
    assert built["temp_peak"] <= MAX_TEMP_BYTES, built["temp_peak"]
    assert built["instance_bytes"] <= MAX_INSTANCE_BYTES, built["instance_bytes"]


def test_no_blocking_check_failed(built):
    failed = _query(
        built["warehouse"],
        "select check_name from quality.check_results where severity = 'error' and not passed",
    )
    assert failed == []


def test_the_raising_article_is_quarantined_and_the_others_are_published(built):
    quarantined = _query(built["published"], "select source_path, stage, error from nlp.quarantine")
    assert [(p, s) for p, s, _ in quarantined] == [("faulty.txt", "nlp")]
    assert driver.FAULT_SETTING in quarantined[0][2]
    published = {
        r[0] for r in _query(built["published"], "select source_path from marts.dim_articles")
    }
    assert published == {p.name for p in built["raw"].iterdir()}
    with_sentences = {
        r[0]
        for r in _query(
            built["published"],
            "select distinct a.source_path from nlp.sentences join raw.articles as a "
            "using (article_id)",
        )
    }
    assert "faulty.txt" not in with_sentences
    assert {p.name for p in SAMPLE_RAW.glob("*.txt")} <= with_sentences
    assert "no_quarantined_articles" in built["output"]
    assert (
        "Asset check 'no_quarantined_articles' on 'nlp/sentences' did not pass" in (built["output"])
    )


def test_a_second_run_on_a_held_warehouse_stops_at_once_saying_why(built):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from dagster_project.lib import warehouse\n"
            f"lock = warehouse.hold({str(built['warehouse'])!r})\n"
            "print('held', flush=True)\n"
            "time.sleep(120)\n",
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        before = built["warehouse"].stat().st_mtime_ns
        started = time.monotonic()
        result = run_pipeline(built["env"], check=False)
        elapsed = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode != 0
    assert "another run holds the warehouse" in result.stdout + result.stderr
    assert built["warehouse"].stat().st_mtime_ns == before
    # it stopped before doing any work (start-up of the CLI aside)
    assert elapsed < 300
