"""The incremental driver of the paragraph and NLP stages: work in proportion to what changed.

Every result row carries the article version it was computed from and the *extractor
version*: a hash of the extraction code (the modules below and what they import from
`dagster_project/lib`), of every file under `dbt/seeds/` and of the spaCy model's name and
version. `nlp.article_state` remembers, per current article version, under which extractor
version its paragraphs and its NLP rows were made and from which input, so a run redoes only:

- new and changed article versions (a superseded or deleted version's rows are deleted);
- articles whose corpus-wide recurrence marks changed (a new article can turn a short line
  of an older article of the same publisher into recurring furniture, or back);
- everything, after a change of the code, of the rules or of the model;
- after a change of the reference tables only (`dbt/seeds/*.csv`), the articles whose text
  contains a name, alias, acronym or demonym of a row that was added, removed or changed;
  the other rows are re-stamped with the new extractor version.

One article that raises is quarantined (`nlp.quarantine`: the article version, the stage, the
error, the extractor version) and left without results of that stage; every other article
goes on. A quarantined article is retried when the extractor version changes.

Recurrence across articles is computed from per-article keys stored in `nlp.recurrence_keys`
(hashes of short non-news paragraphs and of long news paragraphs), never from the texts of
the other articles, so a new article costs its own text plus a scan of the stored keys.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import importlib.metadata
import io
import json
import multiprocessing
import multiprocessing.forkserver
import os
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.lib import nlp_tables, settings, warehouse
from dagster_project.lib import paragraphs as paragraph_lib

LIB_DIR = Path(__file__).resolve().parent
SEEDS_DIR = nlp_tables.SEEDS_DIR
# the modules whose code decides the rows of the nlp tables; what they import from lib too
EXTRACTION_MODULES = ("paragraphs", "entities", "events", "nlp", "driver")
# columns of a reference table whose values an article must contain to be affected by a row
TERM_COLUMN_WORDS = ("name", "acronym", "alias", "demonym")
FAULT_SETTING = settings.FAULT_INJECTION.name
# articles read from DuckDB at a time by the paragraph stage
PARAGRAPH_CHUNK = 200
# on workers, a chunk is cut into this many slices per worker, so that they end together
PARAGRAPH_PARTS = 2
# characters of article text whose drafts the paragraph stage keeps between its two passes
DRAFT_CACHE_CHARS = 50_000_000
# below this many characters of text the paragraph stage classifies in its own process:
# starting worker processes (each imports pandas) costs more than the work
PARAGRAPH_POOL_MIN_CHARS = 2_000_000
# one work unit of the NLP stage: about this many characters read by spaCy (a few seconds of
# one core; an article is never split, so a unit may hold one longer article)
UNIT_CHARS = 100_000
# units whose results are written in one transaction
COMMIT_UNITS = 4
# the last units of a stage on workers are this many times smaller: while the last unit is
# parsed the other workers idle, so it should be short
TAIL_SPLIT = 4
# below this many characters to read, starting worker processes costs more than it saves;
# above it the stage runs on workers even with one process, so that this one can log
POOL_MIN_CHARS = 300_000
# a long stage logs its progress at least this often
PROGRESS_SECONDS = 30.0
# a run in which more than half of at least this many articles fail the NLP stage with the
# same error has a broken deployment (a missing spaCy factory, say), not bad articles
SYSTEMATIC_MIN_ARTICLES = 10

NLP_TABLES = {
    "sentences": nlp_tables.SENTENCE_COLUMNS,
    "mentions": nlp_tables.MENTION_COLUMNS,
    "crime_types": nlp_tables.CRIME_TYPE_COLUMNS,
    "events": nlp_tables.EVENT_COLUMNS,
    "event_agencies": nlp_tables.EVENT_AGENCY_COLUMNS,
    "event_countries": nlp_tables.EVENT_COUNTRY_COLUMNS,
}
VERSION_COLUMNS = {
    "article_id": "string",
    "article_version": "Int64",
    "extractor_version": "string",
}

STATE_DDL = """
create table if not exists nlp.article_state (
    article_id varchar not null,
    article_version integer,
    content_hash varchar,
    paragraphs_version varchar,
    paragraphs_code varchar,
    recurring varchar,
    paragraphs_hash varchar,
    nlp_version varchar,
    nlp_code varchar,
    nlp_input_hash varchar,
    updated_at timestamp
)
"""
KEYS_DDL = """
create table if not exists nlp.recurrence_keys (
    article_id varchar, content_hash varchar, kind varchar, paragraph_index integer,
    scope varchar, key_hash varchar, needed integer, also_corpus boolean
)
"""
QUARANTINE_DDL = """
create table if not exists nlp.quarantine (
    article_id varchar, article_version integer, content_hash varchar, source_path varchar,
    stage varchar, error varchar, extractor_version varchar, quarantined_at timestamp
)
"""
VERSIONS_DDL = """
create table if not exists nlp.extractor_versions (
    extractor_version varchar not null, code_hash varchar, reference varchar,
    created_at timestamp
)
"""
ARTICLE_COLUMNS = (
    "article_id, version as article_version, content_hash, text, publisher, source_path, "
    "title, published_at"
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# Extractor version


# `from dagster_project.lib import a, b` (or a parenthesised list), `from dagster_project.lib.a
# import ...`, `import dagster_project.lib.a`. A scan of the text rather than of its syntax
# tree: every run computes the extractor version, and parsing the extraction modules cost a
# few tenths of a second of it (a docstring quoting an import only adds a file to the hash).
_LIB_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+dagster_project\.lib(?:\.(\w+))?[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)"
    r"|import[ \t]+dagster_project\.lib\.(\w+))",
    re.MULTILINE,
)
_COMMENT = re.compile(r"#[^\n]*")


def _lib_imports(source: str) -> set[str]:
    """The lib modules a module's source imports."""
    names = set()
    for match in _LIB_IMPORT.finditer(source):
        module, listed, imported = match.groups()
        if imported or module:
            names.add(imported or module)
            continue
        for alias in _COMMENT.sub("", listed).strip("() ").split(","):
            if alias.strip():
                names.add(alias.split()[0])
    return names


def extraction_sources() -> list[Path]:
    """The lib modules of the extraction and everything they import from lib."""
    seen: set[str] = set()
    todo = list(EXTRACTION_MODULES)
    while todo:
        name = todo.pop()
        path = LIB_DIR / f"{name}.py"
        if name in seen or not path.is_file():
            continue
        seen.add(name)
        todo.extend(_lib_imports(path.read_text(encoding="utf-8")))
    return [LIB_DIR / f"{name}.py" for name in sorted(seen)]


@dataclass(frozen=True)
class ExtractorVersion:
    """`code` hashes the code, the rule files and the model; `reference` holds the reference
    tables (file name -> content), whose row changes are traced to the articles they affect."""

    code: str
    reference: dict[str, str] = field(hash=False)

    # every row and state line of a run is stamped with it: hash the reference tables once
    @cached_property
    def version(self) -> str:
        parts = [self.code] + [f"{k}:{_digest(v)}" for k, v in sorted(self.reference.items())]
        return _digest(*parts)[:16]


def _model_version(model_name: str) -> str:
    # the installed package's version, as spaCy reads it, without importing spaCy
    try:
        return importlib.metadata.version(model_name)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def extractor_version(model_name: str, seeds_dir: Path = SEEDS_DIR) -> ExtractorVersion:
    parts = [f"model:{model_name}:{_model_version(model_name)}"]
    for path in extraction_sources():
        parts.append(f"{path.name}:{_digest(path.read_bytes())}")
    reference = {}
    for path in sorted(p for p in Path(seeds_dir).rglob("*") if p.is_file()):
        relative = path.relative_to(seeds_dir).as_posix()
        if path.parent == Path(seeds_dir) and path.suffix == ".csv":
            reference[relative] = path.read_text(encoding="utf-8")
        else:
            parts.append(f"seeds/{relative}:{_digest(path.read_bytes())}")
    return ExtractorVersion(code=_digest(*parts)[:16], reference=reference)


def _term_columns(header: Sequence[str]) -> list[int]:
    return [i for i, name in enumerate(header) if any(w in name.lower() for w in TERM_COLUMN_WORDS)]


_NON_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Lower case, every run of non-word characters one space, padded: a term is in a text
    when ` term ` is in it."""
    return " " + _NON_WORD.sub(" ", text.casefold()).strip() + " "


def changed_terms(old: dict[str, str], new: dict[str, str]) -> set[str] | None:
    """Names of the reference rows added, removed or changed between two versions of the
    reference tables, normalised; None when a table's columns changed or a table came or went
    (then every article is affected)."""
    terms: set[str] = set()
    for name in old.keys() | new.keys():
        if name not in old or name not in new:
            return None
        old_rows, new_rows = (list(csv.reader(io.StringIO(t))) for t in (old[name], new[name]))
        if not old_rows or not new_rows or old_rows[0] != new_rows[0]:
            return None
        columns = _term_columns(new_rows[0])
        for row in set(map(tuple, old_rows[1:])) ^ set(map(tuple, new_rows[1:])):
            for i in columns:
                if i < len(row):
                    terms.update(
                        normalise(v).strip() for v in row[i].split("|") if normalise(v).strip()
                    )
    return terms


def register_version(con: duckdb.DuckDBPyConnection, version: ExtractorVersion) -> None:
    # no constraints (DuckLake has none): insert when missing
    con.execute(
        "insert into nlp.extractor_versions select ?, ?, ?, ? where not exists "
        "(select 1 from nlp.extractor_versions where extractor_version = ?)",
        [version.version, version.code, json.dumps(version.reference), _now(), version.version],
    )


def _stored_reference(con: duckdb.DuckDBPyConnection, extractor: str) -> dict[str, str] | None:
    row = con.execute(
        "select reference from nlp.extractor_versions where extractor_version = ?", [extractor]
    ).fetchone()
    return json.loads(row[0]) if row else None


# ---------------------------------------------------------------------------------------------
# Tables


def _typed(columns: dict[str, str]) -> pd.DataFrame:
    return nlp_tables.frame([], columns)


@lru_cache(maxsize=1)
def _schemas() -> dict[str, list[tuple[str, str]]]:
    """The DuckDB columns of every table the driver writes, from their typed empty frames."""
    frames = {"nlp.paragraphs": paragraph_schema()}
    frames.update({f"nlp.{t}": nlp_schema(t) for t in NLP_TABLES})
    out = {}
    with duckdb.connect() as con:
        for name, frame in frames.items():
            con.register("f", frame)
            out[name] = [(r[0], r[1]) for r in con.execute("describe select * from f").fetchall()]
            con.unregister("f")
    return out


def _ensure_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Create `name` in its current shape; a table of another shape (an older warehouse, a
    changed extractor) is dropped and made anew. True when (re)created."""
    wanted = _schemas()[name]
    if warehouse.table_columns(con, name) == wanted:
        return False
    con.execute(f"drop table if exists {name}")
    con.execute(f"create table {name} ({', '.join(f'{c} {t}' for c, t in wanted)})")
    return True


def paragraph_schema() -> pd.DataFrame:
    return paragraph_lib.to_frame([]).assign(
        article_version=pd.Series(dtype="Int64"), extractor_version=pd.Series(dtype="string")
    )


def nlp_schema(table: str) -> pd.DataFrame:
    frame = _typed(NLP_TABLES[table])
    for column, dtype in VERSION_COLUMNS.items():
        if column not in frame.columns:
            frame[column] = pd.Series(dtype=dtype)
    return frame[[*NLP_TABLES[table], *(c for c in VERSION_COLUMNS if c not in NLP_TABLES[table])]]


def ensure_tables(con: duckdb.DuckDBPyConnection, annotations: bool = False) -> None:
    """The state tables and nlp.paragraphs in their current shape, and with `annotations` the
    tables of the NLP stage (each stage creates what it writes). A reshaped table is emptied
    and every article's results of that stage are marked missing."""
    con.execute("create schema if not exists nlp")
    for ddl in (STATE_DDL, KEYS_DDL, QUARANTINE_DDL, VERSIONS_DDL):
        con.execute(ddl)
    if _ensure_table(con, "nlp.paragraphs"):
        con.execute("delete from nlp.article_state")
        con.execute("delete from nlp.recurrence_keys")
    if annotations and any([_ensure_table(con, f"nlp.{t}") for t in NLP_TABLES]):
        for table in NLP_TABLES:
            con.execute(f"delete from nlp.{table}")
        con.execute("update nlp.article_state set nlp_version = null, nlp_input_hash = null")


def _present(con: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> list[str]:
    """Those of the nlp tables that exist (the NLP stage's appear on its first run)."""
    return [t for t in tables if warehouse.table_exists(con, f"nlp.{t}")]


RESULT_TABLES = ("paragraphs", *NLP_TABLES, "recurrence_keys", "article_state")


def drop_stale(con: duckdb.DuckDBPyConnection) -> int:
    """Delete every row of article versions that are no longer current (superseded or
    deleted); returns how many articles were dropped."""
    stale = con.execute(
        """
        select s.article_id from nlp.article_state as s
        left join raw.articles as a
            on a.article_id = s.article_id and a.is_current
            and a.version = s.article_version and a.content_hash = s.content_hash
        where a.article_id is null
        """
    ).fetchall()
    con.execute("begin transaction")
    for table in _present(con, RESULT_TABLES):
        con.execute(
            f"""
            delete from nlp.{table} as t where not exists (
                select 1 from raw.articles as a where a.is_current
                and a.article_id = t.article_id and a.content_hash = t.content_hash
            )
            """
            if table in ("paragraphs", "recurrence_keys", "article_state")
            else f"""
            delete from nlp.{table} as t where not exists (
                select 1 from raw.articles as a where a.is_current
                and a.article_id = t.article_id and a.version = t.article_version
            )
            """
        )
    con.execute(
        """
        delete from nlp.quarantine as q where not exists (
            select 1 from raw.articles as a where a.is_current
            and a.article_id = q.article_id and a.content_hash = q.content_hash
        )
        """
    )
    con.execute("commit")
    return len(stale)


# ---------------------------------------------------------------------------------------------
# Fault isolation


def _inject_fault(stage: str, article_id: str, text: object) -> None:
    """A documented test hook: NEWS_FAULT_INJECTION=`<stage>:<marker>` makes every article
    whose text contains the marker raise in that stage (paragraphs or nlp), as real faulty
    input would; unset, it does nothing."""
    wanted, _, marker = settings.FAULT_INJECTION.value().partition(":")
    if marker and wanted == stage and isinstance(text, str) and marker in text:
        raise RuntimeError(f"fault injected by {FAULT_SETTING} into {article_id}")


def _error_text(exc: BaseException, limit: int = 500) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _quarantine(
    con: duckdb.DuckDBPyConnection,
    failures: Sequence[tuple[str, str]],
    articles: pd.DataFrame,
    stage: str,
    version: ExtractorVersion,
) -> None:
    if not failures:
        return
    by_id = articles.drop_duplicates("article_id").set_index("article_id")
    rows = [
        (
            article_id,
            int(by_id.at[article_id, "article_version"]),
            by_id.at[article_id, "content_hash"],
            by_id.at[article_id, "source_path"],
            stage,
            error,
            version.version,
            _now(),
        )
        for article_id, error in failures
    ]
    ids = [r[0] for r in rows]
    con.execute("delete from nlp.quarantine where article_id in (select unnest(?))", [ids])
    con.executemany("insert into nlp.quarantine values (?, ?, ?, ?, ?, ?, ?, ?)", rows)


class SystematicFailure(RuntimeError):
    """Most articles of a stage failed the same way: the extractor, not the input, is broken."""


def systematic_error(processed: int, failures: dict[str, str]) -> str | None:
    """The message a stage fails with when more than half of its `processed` articles (at
    least SYSTEMATIC_MIN_ARTICLES) failed with one error (`failures`: article id -> error,
    the same error up to the article's own id); None when the failures are the articles'."""
    if processed < SYSTEMATIC_MIN_ARTICLES or not failures:
        return None
    errors = Counter(
        error.replace(article_id, "<article>") for article_id, error in failures.items()
    )
    error, count = errors.most_common(1)[0]
    if 2 * count <= processed:
        return None
    return (
        f"{count} of {processed} articles failed with the same error, so the extraction itself "
        f"is broken (not quarantined, retried by the next run): {error}"
    )


def _release(con: duckdb.DuckDBPyConnection, ids: Sequence[str], stage: str) -> None:
    con.execute(
        "delete from nlp.quarantine where stage = ? and article_id in (select unnest(?))",
        [stage, list(ids)],
    )


def _quarantined(con: duckdb.DuckDBPyConnection, stage: str, version: ExtractorVersion) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "select article_id from nlp.quarantine where stage = ? and extractor_version = ?",
            [stage, version.version],
        ).fetchall()
    }


# ---------------------------------------------------------------------------------------------
# Paragraph stage


@dataclass
class StageStats:
    articles_current: int = 0
    articles_new: int = 0
    articles_reprocessed: int = 0
    articles_restamped: int = 0
    articles_skipped: int = 0
    articles_quarantined: int = 0
    articles_dropped: int = 0
    paragraphs_read: int = 0
    workers: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    quarantined: list[str] = field(default_factory=list)

    def metadata(self) -> dict:
        rate = (self.articles_new + self.articles_reprocessed) / self.seconds if self.seconds else 0
        return {
            "articles_current": self.articles_current,
            "articles_new": self.articles_new,
            "articles_reprocessed": self.articles_reprocessed,
            "articles_restamped": self.articles_restamped,
            "articles_skipped": self.articles_skipped,
            "articles_quarantined": self.articles_quarantined,
            "articles_dropped": self.articles_dropped,
            "paragraphs_read": self.paragraphs_read,
            "worker_processes": self.workers,
            "stage_seconds": round(self.seconds, 3),
            "articles_per_second": round(rate, 2),
            # on every worker together: against the stage's seconds, how busy its cores were
            "annotation_cpu_seconds": round(self.cpu_seconds, 3),
        }


def _article_texts(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> pd.DataFrame:
    return con.execute(
        f"select {ARTICLE_COLUMNS} from raw.articles where is_current "
        "and article_id in (select unnest(?)) order by article_id",
        [list(ids)],
    ).df()


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _article_text(row) -> paragraph_lib.ArticleText:
    return paragraph_lib.ArticleText(
        article_id=row.article_id,
        content_hash=row.content_hash,
        text=row.text,
        publisher=row.publisher,
        source_path=row.source_path,
    )


def _key_hash(key: str) -> str:
    return hashlib.blake2b(key.encode(), digest_size=10).hexdigest()


def _key_rows(article_id: str, content_hash: str, keys: paragraph_lib.RecurrenceKeys) -> list:
    rows = [
        (article_id, content_hash, "sibling", None, None, _key_hash(k), None, None)
        for k in sorted(keys.siblings)
    ]
    rows += [
        (article_id, content_hash, "candidate", index, scope, _key_hash(key), needed, also)
        for index, scope, key, needed, also in keys.candidates
    ]
    return rows


def _stored_keys(con: duckdb.DuckDBPyConnection) -> dict[str, paragraph_lib.RecurrenceKeys]:
    siblings: dict[str, set[str]] = {}
    candidates: dict[str, list] = {}
    for article_id, kind, index, scope, key, needed, also in con.execute(
        "select article_id, kind, paragraph_index, scope, key_hash, needed, also_corpus "
        "from nlp.recurrence_keys order by article_id, kind, paragraph_index, key_hash"
    ).fetchall():
        siblings.setdefault(article_id, set())
        candidates.setdefault(article_id, [])
        if kind == "sibling":
            siblings[article_id].add(key)
        else:
            candidates[article_id].append((index, scope, key, needed, also))
    return {
        a: paragraph_lib.RecurrenceKeys(frozenset(siblings[a]), tuple(candidates[a]))
        for a in siblings
    }


def _write_rows(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if len(frame):
        con.register("_rows", frame)
        try:
            con.execute(f"insert into {table} by name select * from _rows")
        finally:
            con.unregister("_rows")


def _delete_articles(con: duckdb.DuckDBPyConnection, table: str, ids: Sequence[str]) -> None:
    con.execute(f"delete from {table} where article_id in (select unnest(?))", [list(ids)])


KEY_COLUMNS = (
    "article_id",
    "content_hash",
    "kind",
    "paragraph_index",
    "scope",
    "key_hash",
    "needed",
    "also_corpus",
)
STATE_COLUMNS = (
    "article_id",
    "article_version",
    "content_hash",
    "paragraphs_version",
    "paragraphs_code",
    "recurring",
    "paragraphs_hash",
    "updated_at",
)


def _upsert_state(con: duckdb.DuckDBPyConnection, rows: list) -> None:
    """Replace the paragraph half of the articles' state, keeping the NLP half of an article
    whose content is unchanged (delete, then insert: DuckLake has no upsert)."""
    if not rows:
        return
    with warehouse.registered(con, "_state", pd.DataFrame(rows, columns=list(STATE_COLUMNS))):
        con.execute(
            """
            create or replace temp table _state_kept as
            select r.*, s.nlp_version, s.nlp_code, s.nlp_input_hash
            from _state as r left join nlp.article_state as s
                on s.article_id = r.article_id and s.content_hash = r.content_hash
            """
        )
        con.execute(
            "delete from nlp.article_state where article_id in (select article_id from _state)"
        )
        con.execute("insert into nlp.article_state by name select * from _state_kept")
        con.execute("drop table _state_kept")


def _paragraphs_hash(rows: Sequence[paragraph_lib.Paragraph]) -> str:
    return _digest("\n".join(map(repr, rows)))


def _drop_results(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> None:
    # a quarantined article keeps no result of an earlier version either
    if not ids:
        return
    for table in _present(con, ("recurrence_keys", "article_state", "paragraphs", *NLP_TABLES)):
        _delete_articles(con, f"nlp.{table}", ids)


def _draft_chunk(articles: Sequence[paragraph_lib.ArticleText]) -> tuple[list, list, dict]:
    """Step 1 of the paragraph stage for a few articles, from their own texts alone: the rows
    of their recurrence keys, the articles that raised (with their error) and the drafts
    step 3 finishes. Pure: reads and writes nothing, so it runs on any worker."""
    rows, failures, drafts = [], [], {}
    for article in articles:
        try:
            paras = paragraph_lib.draft_article(article)
            keys = paragraph_lib.recurrence_keys(article, paras)
        except Exception as exc:  # noqa: BLE001 (one article never stops the stage)
            failures.append((article.article_id, _error_text(exc)))
            continue
        rows += _key_rows(article.article_id, article.content_hash, keys)
        drafts[article.article_id] = paras
    return rows, failures, drafts


def _finish_chunk(
    items: Sequence[tuple[paragraph_lib.ArticleText, list | None, set[int]]],
) -> tuple[list, list]:
    """Step 3 for a few articles, each with its draft (None: drafted again here) and the
    indices of its paragraphs that recur across the corpus: per article its paragraph rows
    and their hash, and the articles that raised. Pure, like `_draft_chunk`."""
    done, failures = [], []
    for article, paras, recurring in items:
        try:
            paras = paras or paragraph_lib.draft_article(article)
            rows = paragraph_lib.finish_article(article, paras, recurring)
        except Exception as exc:  # noqa: BLE001 (one article never stops the stage)
            failures.append((article.article_id, _error_text(exc)))
            continue
        done.append((article.article_id, rows, _paragraphs_hash(rows)))
    return done, failures


def _in_order(
    pool: ProcessPoolExecutor | None,
    fn: Callable[[list], tuple],
    calls: Iterator[tuple[object, list]],
    parts: int,
) -> Iterator[tuple[object, tuple]]:
    """(context, fn(items)) for each (context, items) of `calls`, in their order. On `pool`,
    the items of a call are cut into `parts` slices computed apart and their results joined
    (`fn` returns a tuple of lists or dicts), and the next call's inputs are read while the
    workers compute this one's; without a pool, here."""
    if pool is None:
        for context, items in calls:
            yield context, fn(items)
        return
    pending: deque = deque()
    for context, items in calls:
        step = -(-len(items) // parts) or 1
        pending.append(
            (context, [pool.submit(fn, items[i : i + step]) for i in range(0, len(items), step)])
        )
        if len(pending) > 1:
            yield _joined(*pending.popleft())
    while pending:
        yield _joined(*pending.popleft())


def _joined(context: object, futures: list) -> tuple[object, tuple]:
    results = [f.result() for f in futures]
    joined = []
    for values in zip(*results, strict=True):
        if isinstance(values[0], dict):
            joined.append({k: v for part in values for k, v in part.items()})
        else:
            joined.append([v for part in values for v in part])
    return context, tuple(joined)


def _paragraph_inputs(
    con: duckdb.DuckDBPyConnection, ids: Sequence[str], size: int
) -> Iterator[tuple[Sequence[str], pd.DataFrame, list[paragraph_lib.ArticleText], list]]:
    """The current texts of `ids`, `size` articles at a time: the ids, their frame, the articles to
    process and the failures of those that the fault hook makes raise (in this process, which
    reads the setting as it is now)."""
    for chunk in _chunks(ids, size):
        frame = _article_texts(con, chunk)
        articles, failures = [], []
        for row in frame.itertuples():
            try:
                _inject_fault("paragraphs", row.article_id, row.text)
            except RuntimeError as exc:
                failures.append((row.article_id, _error_text(exc)))
                continue
            articles.append(_article_text(row))
        yield chunk, frame, articles, failures


def _worker_context() -> multiprocessing.context.BaseContext:
    """Worker processes are forked from a server process started once (not from this one,
    whose threads a fork would copy mid-flight); the server imports this module first, so
    that no worker of either stage imports pandas and DuckDB again."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def start_worker_server() -> None:
    """Start the server that `_worker_context` forks workers from, without waiting for it:
    it imports this module (seconds) on the idle core while the landing's checks run, where
    the first worker of the paragraph or NLP stage would otherwise wait for it."""
    _worker_context()
    multiprocessing.forkserver.ensure_running()


def _paragraph_workers(chars: int, articles: int, processes: int, pool_min_chars: int) -> int:
    """Worker processes for the paragraph stage: one per core for `pool_min_chars` characters
    of text or more, else none (starting them costs more than the work); none on one core,
    where a worker would only add its start to this process's reads and writes."""
    if chars < pool_min_chars or processes < 2:
        return 0
    return min(processes, articles)


def classify_paragraphs(
    con: duckdb.DuckDBPyConnection,
    version: ExtractorVersion,
    log: Callable[[str], None] = lambda _m: None,
    processes: int | None = None,
    pool_min_chars: int = PARAGRAPH_POOL_MIN_CHARS,
) -> StageStats:
    """Bring nlp.paragraphs up to date with the current articles, touching only what changed:
    the texts are read and the rows written here, the articles classified on worker
    processes, one per core, when their texts hold `pool_min_chars` characters or more (else
    here). Both ways give the same rows."""
    started = time.monotonic()
    stats = StageStats()
    ensure_tables(con)
    register_version(con, version)
    # an article whose new version replaces a known one is re-processed, not new
    seen = {r[0] for r in con.execute("select article_id from nlp.article_state").fetchall()}
    stats.articles_dropped = drop_stale(con)
    current = con.execute(
        """
        select a.article_id, s.article_id is not null as known, s.paragraphs_code, s.recurring,
               length(a.text)
        from raw.articles as a left join nlp.article_state as s using (article_id)
        where a.is_current order by a.article_id
        """
    ).fetchall()
    stats.articles_current = len(current)
    quarantined = _quarantined(con, "paragraphs", version)
    known = {r[0]: r[0] in seen for r in current}
    chars = {r[0]: r[4] or 0 for r in current}
    todo = [r[0] for r in current if r[0] not in quarantined and (not r[1] or r[2] != version.code)]
    workers = _paragraph_workers(
        sum(chars[a] for a in todo), len(todo), processes or default_processes(), pool_min_chars
    )
    failed: dict[str, str] = {}
    with contextlib.ExitStack() as stack:
        pool = None
        if workers:
            pool = stack.enter_context(
                ProcessPoolExecutor(max_workers=workers, mp_context=_worker_context())
            )
        # drafts of step 1 kept for step 3, up to a bound: memory stays flat on a code change
        drafted: dict[str, list] = {}
        drafted_chars = 0
        # 1. the recurrence keys of new and re-coded articles, from their own text only
        progress = Progress("paragraphs, recurrence keys", len(todo), len(todo), log)
        calls = (
            ((ids, frame, faults), articles)
            for ids, frame, articles, faults in _paragraph_inputs(con, todo, PARAGRAPH_CHUNK)
        )
        for (ids, frame, faults), (rows, failures, drafts) in _in_order(
            pool, _draft_chunk, calls, PARAGRAPH_PARTS * workers
        ):
            failures = faults + failures
            for article_id, paras in drafts.items():
                if drafted_chars + chars[article_id] <= DRAFT_CACHE_CHARS:
                    drafted[article_id] = paras
                    drafted_chars += chars[article_id]
            con.execute("begin transaction")
            _delete_articles(con, "nlp.recurrence_keys", ids)
            warehouse.insert_rows(con, "nlp.recurrence_keys", KEY_COLUMNS, rows)
            _drop_results(con, [a for a, _ in failures])
            _quarantine(con, failures, frame, "paragraphs", version)
            con.execute("commit")
            failed.update(failures)
            progress.add(len(ids), len(ids))
        # 2. recurrence across the corpus, from the stored keys of every article
        keys = _stored_keys(con)
        ids = sorted(keys)
        marks = dict(
            zip(ids, paragraph_lib.recurring_paragraphs([keys[a] for a in ids]), strict=True)
        )
        previous = {r[0]: r[3] for r in current}
        retold = set(todo) - failed.keys()
        # an article none of whose paragraphs could recur (one short line, say) stores no key
        marks.update({a: set() for a in retold - marks.keys()})
        redo = sorted(
            a for a in marks if a in retold or previous.get(a) != json.dumps(sorted(marks[a]))
        )
        # 3. the paragraphs of every article whose text or recurrence marks changed
        progress = Progress("paragraphs", len(redo), len(redo), log)
        calls = (
            (
                (chunk, frame, faults),
                [(a, drafted.pop(a.article_id, None), marks[a.article_id]) for a in articles],
            )
            for chunk, frame, articles, faults in _paragraph_inputs(con, redo, PARAGRAPH_CHUNK)
        )
        for (chunk, frame, faults), (done, failures) in _in_order(
            pool, _finish_chunk, calls, PARAGRAPH_PARTS * workers
        ):
            failures = faults + failures
            versions = dict(zip(frame["article_id"], frame["article_version"], strict=True))
            hashes = dict(zip(frame["article_id"], frame["content_hash"], strict=True))
            state = [
                (
                    article_id,
                    versions[article_id],
                    hashes[article_id],
                    version.version,
                    version.code,
                    json.dumps(sorted(marks[article_id])),
                    rows_hash,
                    _now(),
                )
                for article_id, _, rows_hash in done
            ]
            table = paragraph_lib.to_frame([p for _, rows, _ in done for p in rows])
            table["article_version"] = pd.Series(
                [versions[a] for a, rows, _ in done for _ in rows], index=table.index, dtype="Int64"
            )
            table["extractor_version"] = pd.Series(
                version.version, index=table.index, dtype="string"
            )
            stats.paragraphs_read += len(table)
            con.execute("begin transaction")
            _delete_articles(con, "nlp.paragraphs", chunk)
            _write_rows(con, "nlp.paragraphs", table)
            _upsert_state(con, state)
            _drop_results(con, [a for a, _ in failures])
            _quarantine(con, failures, frame, "paragraphs", version)
            con.execute("commit")
            failed.update(failures)
            progress.add(len(chunk), len(chunk))
    if failed:
        log(f"paragraphs: quarantined {', '.join(sorted(failed))}")
    # 4. paragraphs unchanged under a new reference version: re-stamp them
    stats.articles_restamped = con.execute(
        """
        update nlp.article_state set paragraphs_version = ?
        where paragraphs_version != ? and paragraphs_code = ?
        """,
        [version.version, version.version, version.code],
    ).fetchone()[0]
    con.execute(
        "update nlp.paragraphs set extractor_version = ? where extractor_version != ?",
        [version.version, version.version],
    )
    stats.articles_new = sum(1 for a in redo if not known.get(a) and a not in failed)
    stats.articles_reprocessed = sum(1 for a in redo if known.get(a) and a not in failed)
    stats.articles_quarantined = len(failed)
    stats.quarantined = sorted(failed)
    stats.articles_skipped = len(current) - len(set(redo) | set(failed))
    stats.workers = workers
    stats.seconds = time.monotonic() - started
    return stats


# ---------------------------------------------------------------------------------------------
# NLP stage


@dataclass(frozen=True)
class UnitResult:
    """What annotating one unit produced: the rows of every nlp table (version columns
    included), the articles that raised, with their error, and the CPU seconds its process
    spent on it (parse and rules, not the model's load)."""

    frames: dict[str, pd.DataFrame]
    failures: list[tuple[str, str]]
    articles: int
    paragraphs: int
    chars: int
    cpu_seconds: float


def _with_versions(
    frames: dict[str, pd.DataFrame], articles: pd.DataFrame, version: str
) -> dict[str, pd.DataFrame]:
    versions = articles.drop_duplicates("article_id").set_index("article_id")["article_version"]
    event_articles = (
        frames["events"].drop_duplicates("event_id").set_index("event_id")["article_id"]
    )
    out = {}
    for table, frame in frames.items():
        frame = frame.copy()
        if "article_id" not in frame.columns:
            frame["article_id"] = frame["event_id"].map(event_articles).astype("string")
        frame["article_version"] = frame["article_id"].map(versions).astype("Int64")
        frame["extractor_version"] = pd.Series(version, index=frame.index, dtype="string")
        out[table] = frame[list(nlp_schema(table).columns)]
    return out


def _annotate(paragraphs: pd.DataFrame, articles: pd.DataFrame, model_name: str) -> dict:
    # lib/nlp imports spaCy, seconds of start-up: only parsing pays it, not a run that finds
    # nothing to do nor the import of the Dagster definitions
    from dagster_project.lib import nlp as nlp_lib

    for row in articles.itertuples():
        _inject_fault("nlp", row.article_id, row.text)
    return nlp_lib.annotate(
        paragraphs, articles, model_name, nlp_lib.REFERENCE_AGENCIES, nlp_lib.REFERENCE_PLACES
    )


def annotate_unit(
    paragraphs: pd.DataFrame, articles: pd.DataFrame, model_name: str, version: str
) -> UnitResult:
    """Annotate one unit of articles; an article that raises is set aside (with its error)
    and the others of the unit are annotated without it. Pure: reads and writes nothing."""
    started = time.process_time()
    ids = list(dict.fromkeys(articles["article_id"]))
    try:
        frames = _annotate(paragraphs, articles, model_name)
        failures: list[tuple[str, str]] = []
    except Exception:  # noqa: BLE001 (find the article that raised, keep the others)
        parts, failures = [], []
        for article_id in ids:
            one = articles[articles.article_id == article_id]
            try:
                parts.append(
                    _annotate(paragraphs[paragraphs.article_id == article_id], one, model_name)
                )
            except Exception as exc:  # noqa: BLE001
                failures.append((article_id, _error_text(exc)))
        frames = {
            table: pd.concat([p[table] for p in parts], ignore_index=True)
            if parts
            else _typed(NLP_TABLES[table])
            for table in NLP_TABLES
        }
    content = paragraphs["paragraph_text"][paragraphs["is_content"].fillna(False).astype(bool)]
    frames = _with_versions(frames, articles, version)
    return UnitResult(
        frames,
        failures,
        len(ids),
        len(paragraphs),
        int(content.str.len().sum()),
        time.process_time() - started,
    )


def _unit_inputs(
    con: duckdb.DuckDBPyConnection, ids: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    paragraphs = con.execute(
        "select * exclude (article_version, extractor_version) from nlp.paragraphs "
        "where article_id in (select unnest(?)) order by article_id, paragraph_index",
        [list(ids)],
    ).df()
    articles = _article_texts(con, ids)
    hashes = dict(
        con.execute(
            "select article_id, paragraphs_hash from nlp.article_state "
            "where article_id in (select unnest(?))",
            [list(ids)],
        ).fetchall()
    )
    return paragraphs, articles, hashes


def commit_unit(
    con: duckdb.DuckDBPyConnection,
    results: Sequence[tuple[UnitResult, pd.DataFrame, dict[str, str]]],
    version: ExtractorVersion,
) -> None:
    """Write the results of one or more units in one transaction: for every article of the
    units, its previous rows are deleted and the new ones inserted, and its state records the
    input it was annotated from. Idempotent: committing a unit twice leaves the same rows."""
    con.execute("begin transaction")
    try:
        for result, articles, hashes in results:
            ids = list(dict.fromkeys(articles["article_id"]))
            for table in NLP_TABLES:
                _delete_articles(con, f"nlp.{table}", ids)
                _write_rows(con, f"nlp.{table}", result.frames[table])
            failed = {a for a, _ in result.failures}
            done = [a for a in ids if a not in failed]
            if done:
                con.register(
                    "_done",
                    pd.DataFrame({"article_id": done, "input_hash": [hashes.get(a) for a in done]}),
                )
                con.execute(
                    "update nlp.article_state as s set nlp_version = ?, nlp_code = ?, "
                    "nlp_input_hash = d.input_hash, updated_at = ? from _done as d "
                    "where s.article_id = d.article_id",
                    [version.version, version.code, _now()],
                )
                con.unregister("_done")
            con.execute(
                "delete from nlp.quarantine where stage = 'nlp' "
                "and article_id in (select unnest(?))",
                [done],
            )
            _quarantine(con, result.failures, articles, "nlp", version)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def process_unit(
    con: duckdb.DuckDBPyConnection,
    article_ids: Sequence[str],
    model_name: str,
    version: ExtractorVersion,
) -> UnitResult:
    """One NLP work unit end to end on one connection: read the unit's current article
    versions and paragraphs, annotate them in this process, commit the rows (delete, then
    insert, per article, in one transaction). Safe to retry: a retried unit never duplicates
    rows. Articles that raise are quarantined."""
    paragraphs, articles, hashes = _unit_inputs(con, article_ids)
    result = annotate_unit(paragraphs, articles, model_name, version.version)
    commit_unit(con, [(result, articles, hashes)], version)
    return result


def _affected(
    con: duckdb.DuckDBPyConnection, ids: Sequence[str], old: str, version: ExtractorVersion
) -> list[str]:
    """Of `ids`, annotated under extractor version `old` (same code), the articles a change of
    the reference tables since then can change: those whose text holds a changed name."""
    reference = _stored_reference(con, old)
    terms = None if reference is None else changed_terms(reference, version.reference)
    if terms is None:
        return list(ids)
    if not terms:
        return []
    con.execute("create or replace temp table _terms (term varchar)")
    con.executemany("insert into _terms values (?)", [(" " + t + " ",) for t in sorted(terms)])
    con.create_function("news_normalise", normalise, ["VARCHAR"], "VARCHAR", side_effects=False)
    try:
        return [
            r[0]
            for r in con.execute(
                """
                with texts as (
                    select article_id, news_normalise(text) as norm from raw.articles
                    where is_current and article_id in (select unnest(?))
                )
                select article_id from texts
                where exists (select 1 from _terms where contains(texts.norm, _terms.term))
                """,
                [list(ids)],
            ).fetchall()
        ]
    finally:
        con.remove_function("news_normalise")
        con.execute("drop table if exists _terms")


def _units(
    todo: Sequence[tuple[str, int]], unit_chars: int = UNIT_CHARS, tail_chars: int = 0
) -> list[list[str]]:
    """Consecutive articles in units of about `unit_chars` characters, those of the last
    `tail_chars` characters in units TAIL_SPLIT times smaller; an article is never split, so
    a longer one makes a unit of its own."""
    units, unit, size = [], [], 0
    left = sum(chars for _, chars in todo)
    for article_id, chars in todo:
        limit = unit_chars if left > tail_chars else max(1, unit_chars // TAIL_SPLIT)
        left -= chars
        if unit and size + chars > limit:
            units.append(unit)
            unit, size = [], 0
        unit.append(article_id)
        size += chars
    if unit:
        units.append(unit)
    return units


def default_processes() -> int:
    setting = settings.NLP_PROCESSES.value()
    if setting:
        return max(1, int(setting))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _worker_init(model_name: str) -> None:
    from dagster_project.lib import nlp as nlp_lib

    # the pipeline the worker parses with, built before its first batch (no bare model too)
    nlp_lib.load_pipeline(model_name)


def _started() -> None:
    """A call that makes a pool start a worker (each loads the model first)."""


# NLP workers started by the paragraph stage, loading the model while the checks of
# nlp.paragraphs run: model name -> (pool, worker processes)
_WARM: dict[str, tuple[ProcessPoolExecutor, int]] = {}


def _nlp_pool(model_name: str, processes: int) -> ProcessPoolExecutor:
    # each worker imports lib/nlp itself, in parallel: a forkserver that imported it first
    # would hold a third copy of spaCy for the whole stage
    return ProcessPoolExecutor(
        max_workers=processes,
        mp_context=_worker_context(),
        initializer=_worker_init,
        initargs=(model_name,),
    )


def pending_nlp_chars(con: duckdb.DuckDBPyConnection, version: ExtractorVersion) -> int:
    """Characters of content the NLP stage has to read after the paragraph stage: those of
    the articles without annotations of this extractor version and these paragraphs (an
    upper bound: a change of the reference tables alone re-stamps most of them instead)."""
    return con.execute(
        """
        select coalesce(sum(length(p.paragraph_text)), 0)
        from nlp.article_state as s join nlp.paragraphs as p using (article_id)
        where p.is_content
          and (s.nlp_version is distinct from ?
               or s.nlp_input_hash is distinct from s.paragraphs_hash)
          and s.article_id not in (
              select article_id from nlp.quarantine where stage = 'nlp' and extractor_version = ?
          )
        """,
        [version.version, version.version],
    ).fetchone()[0]


def warm_nlp_workers(
    con: duckdb.DuckDBPyConnection,
    model_name: str,
    version: ExtractorVersion,
    processes: int | None = None,
    pool_min_chars: int = POOL_MIN_CHARS,
    chars: int | None = None,
) -> int:
    """Start the NLP stage's worker processes now, so that they load the model (seconds)
    while the stages and checks before the NLP stage run: one per core, or one for less than
    `pool_min_chars` characters (this process then never loads spaCy). `chars` is what there
    is to parse when the caller knows a bound of it (the landing, from the raw texts), else
    the content of nlp.paragraphs still to parse. Workers already started are kept, unless
    they are fewer than the work now needs. The next `annotate_articles` of the model parses
    on them; returns how many there are (0: nothing to parse)."""
    chars = pending_nlp_chars(con, version) if chars is None else chars
    workers = (processes or default_processes()) if chars >= pool_min_chars else 1
    warm = _WARM.get(model_name)
    if warm is not None:
        if warm[1] >= workers or not chars:
            return warm[1]
        _WARM.pop(model_name)[0].shutdown(wait=False, cancel_futures=True)
    if not chars:
        return 0
    pool = _nlp_pool(model_name, workers)
    # started from a thread: a start waits for the workers' server to have imported the driver
    # (about a second after the landing started it), which the caller need not wait for
    threading.Thread(target=_start_workers, args=(pool, workers), daemon=True).start()
    _WARM[model_name] = (pool, workers)
    return workers


def _start_workers(pool: ProcessPoolExecutor, workers: int) -> None:
    # a pool starts a worker per call it is given while none is idle
    with contextlib.suppress(RuntimeError):  # the pool was shut down meanwhile: nothing to do
        for _ in range(workers):
            pool.submit(_started)


class Progress:
    """Logs `<stage>: done/total articles, articles per second, time left` when `PROGRESS_SECONDS`
    passed since the last line, and once at the end. Time left is estimated from the
    characters done, articles being of very different lengths."""

    def __init__(self, stage: str, total: int, chars: int, log: Callable[[str], None]):
        self.stage, self.total, self.chars, self.log = stage, total, max(chars, 1), log
        self.done = self.chars_done = 0
        self.started = self.last = time.monotonic()

    def add(self, articles: int, chars: int) -> None:
        self.done += articles
        self.chars_done += chars
        self.tick(final=self.done >= self.total)

    def due(self) -> float:
        """Seconds until the next line is due."""
        return max(0.0, self.last + PROGRESS_SECONDS - time.monotonic())

    def tick(self, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < PROGRESS_SECONDS:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-9)
        share = min(self.chars_done / self.chars, 1.0)
        left = f"about {elapsed * (1 - share) / share:.0f} s left" if share else "time left unknown"
        self.log(
            f"{self.stage}: {self.done}/{self.total} articles, "
            f"{self.done / elapsed:.1f} articles/s, {left}"
        )


def _annotated(
    con: duckdb.DuckDBPyConnection,
    units: Sequence[list[str]],
    model_name: str,
    version: ExtractorVersion,
    processes: int,
    progress: Progress,
    pool: ProcessPoolExecutor | None = None,
) -> Iterator[tuple[UnitResult, pd.DataFrame, dict[str, str]]]:
    """Annotated units, in this process (`processes` 0) or on that many worker processes that
    each load the model once (those of `pool` when given, shut down at the end); inputs are
    read from DuckDB a few units ahead, never all at once. While workers parse, this process
    logs the progress on time."""
    if not units:
        return
    if not processes:
        _worker_init(model_name)
        for ids in units:
            paragraphs, articles, hashes = _unit_inputs(con, ids)
            yield annotate_unit(paragraphs, articles, model_name, version.version), articles, hashes
        return
    with pool or _nlp_pool(model_name, processes) as pool:
        pending: dict = {}
        queue = iter(units)
        # one unit parsing and one waiting per worker: none idles while this process writes
        ahead = 2 * processes
        while True:
            while len(pending) < ahead:
                ids = next(queue, None)
                if ids is None:
                    break
                paragraphs, articles, hashes = _unit_inputs(con, ids)
                future = pool.submit(
                    annotate_unit, paragraphs, articles, model_name, version.version
                )
                pending[future] = (articles, hashes)
            if not pending:
                return
            done, _ = wait(pending, timeout=progress.due(), return_when=FIRST_COMPLETED)
            if not done:
                progress.tick()
            for future in done:
                articles, hashes = pending.pop(future)
                yield future.result(), articles, hashes


@dataclass
class Plan:
    """What the NLP stage has to do: units of article ids to annotate (re-stamping is done by
    planning), how many paragraphs and characters spaCy reads for them, and the stats so far."""

    units: list[list[str]]
    paragraphs: int
    chars: int
    new: set[str]
    stats: StageStats


def plan_units(
    con: duckdb.DuckDBPyConnection,
    version: ExtractorVersion,
    log: Callable[[str], None] = lambda _m: None,
    unit_chars: int = UNIT_CHARS,
    tail_chars: int = 0,
) -> Plan:
    """Plan the NLP stage: the articles whose paragraphs changed or that were annotated under
    another extractor version, in units of about `unit_chars` characters of content (smaller
    ones for the last `tail_chars`, see `_units`); after a reference-only change, only those
    it can affect, the others being re-stamped here with the new version."""
    stats = StageStats()
    ensure_tables(con, annotations=True)
    register_version(con, version)
    quarantined = _quarantined(con, "nlp", version)
    rows = con.execute(
        """
        select s.article_id, s.nlp_version, s.nlp_code, s.nlp_input_hash, s.paragraphs_hash,
               coalesce(p.paragraphs, 0), coalesce(p.chars, 0)
        from nlp.article_state as s
        left join (
            select article_id, count(*) filter (where is_content) as paragraphs,
                   sum(length(paragraph_text)) filter (where is_content) as chars
            from nlp.paragraphs group by article_id
        ) as p using (article_id)
        order by s.article_id
        """
    ).fetchall()
    stats.articles_current = len(rows)
    todo, restamp, by_old = [], [], {}
    for article_id, nlp_version, nlp_code, input_hash, paragraphs_hash, _, _ in rows:
        if article_id in quarantined:
            continue
        if nlp_version == version.version and input_hash == paragraphs_hash:
            continue
        if nlp_version is not None and nlp_code == version.code and input_hash == paragraphs_hash:
            by_old.setdefault(nlp_version, []).append(article_id)
        else:
            todo.append(article_id)
    for old, ids in by_old.items():
        affected = set(_affected(con, ids, old, version))
        todo += [a for a in ids if a in affected]
        restamp += [a for a in ids if a not in affected]
    if restamp:
        con.execute("begin transaction")
        for table in NLP_TABLES:
            con.execute(
                f"update nlp.{table} set extractor_version = ? "
                "where article_id in (select unnest(?))",
                [version.version, restamp],
            )
        con.execute(
            "update nlp.article_state set nlp_version = ? where article_id in (select unnest(?))",
            [version.version, restamp],
        )
        con.execute("commit")
    stats.articles_restamped = len(restamp)
    stats.articles_skipped = len(rows) - len(todo) - len(restamp)
    todo.sort()
    sizes = {r[0]: (int(r[5]), int(r[6])) for r in rows}
    plan = Plan(
        units=_units([(a, sizes[a][1]) for a in todo], unit_chars, tail_chars),
        paragraphs=sum(sizes[a][0] for a in todo),
        chars=sum(sizes[a][1] for a in todo),
        new={r[0] for r in rows if r[1] is None},
        stats=stats,
    )
    log(
        f"nlp: {len(todo)} articles to annotate ({plan.paragraphs} content paragraphs, "
        f"{plan.chars} characters, {len(plan.units)} units); {len(restamp)} re-stamped"
    )
    return plan


def annotate_articles(
    con: duckdb.DuckDBPyConnection,
    model_name: str,
    version: ExtractorVersion,
    processes: int | None = None,
    log: Callable[[str], None] = lambda _m: None,
    pool_min_chars: int = POOL_MIN_CHARS,
) -> StageStats:
    """Bring the nlp tables up to date with nlp.paragraphs (see plan_units): annotate the
    planned units on worker processes, one per core, or in this process with one model load
    when they hold fewer than `pool_min_chars` characters, and write their rows a few units
    at a time, logging the progress. Both ways give the same rows."""
    started = time.monotonic()
    processes = processes or default_processes()
    # about one unit per worker at the end: the last ones finish close together
    plan = plan_units(con, version, log, tail_chars=processes * UNIT_CHARS)
    stats = plan.stats
    warm, workers = _WARM.pop(model_name, (None, 0))
    if warm is not None and not plan.units:
        warm.shutdown(wait=False, cancel_futures=True)
        warm = None
    if warm is None:
        workers = 0 if plan.chars < pool_min_chars else min(processes, len(plan.units))
    todo = [a for unit in plan.units for a in unit]
    progress = Progress("nlp", len(todo), plan.chars, log)
    batch: list = []
    errors: dict[str, str] = {}
    for result in _annotated(con, plan.units, model_name, version, workers, progress, warm):
        batch.append(result)
        errors.update(result[0].failures)
        stats.paragraphs_read += result[0].paragraphs
        stats.cpu_seconds += result[0].cpu_seconds
        if len(batch) >= COMMIT_UNITS:
            commit_unit(con, batch, version)
            batch = []
        progress.add(result[0].articles, result[0].chars)
    if batch:
        commit_unit(con, batch, version)
    failed = list(errors)
    message = systematic_error(len(todo), errors)
    if message:
        # the articles are not at fault: out of quarantine, so the next run tries them again
        _release(con, failed, "nlp")
        raise SystematicFailure(message)
    if failed:
        log(f"nlp: quarantined {', '.join(failed)}")
    done = [a for a in todo if a not in set(failed)]
    stats.articles_new = sum(1 for a in done if a in plan.new)
    stats.articles_reprocessed = len(done) - stats.articles_new
    stats.articles_quarantined = len(failed)
    stats.quarantined = sorted(failed)
    stats.workers = workers
    stats.seconds = time.monotonic() - started
    return stats


def pending_articles(con: duckdb.DuckDBPyConnection, version: ExtractorVersion) -> int:
    """Current article versions whose paragraphs or annotations are missing or were made under
    another extractor version (quarantined ones wait for the next version): 0 means the
    paragraph and NLP stages have nothing to do."""
    return _pending(con, version, "count(*)")


def pending_article_chars(con: duckdb.DuckDBPyConnection, version: ExtractorVersion) -> int:
    """Characters of the texts of the `pending_articles`: a bound of what the NLP stage will
    parse of them (their content paragraphs), known before the paragraph stage runs."""
    return _pending(con, version, "coalesce(sum(length(a.text)), 0)")


def _pending(con: duckdb.DuckDBPyConnection, version: ExtractorVersion, aggregate: str) -> int:
    if not warehouse.table_exists(con, "nlp.article_state") or not _has_quarantine(con):
        return con.execute(
            f"select {aggregate} from raw.articles as a where a.is_current"
        ).fetchone()[0]
    return con.execute(
        f"""
        select {aggregate} from raw.articles as a
        left join nlp.article_state as s
            on s.article_id = a.article_id and s.content_hash = a.content_hash
        where a.is_current
          and (s.article_id is null or s.paragraphs_version != ?
               or s.nlp_version is distinct from ?
               or s.nlp_input_hash is distinct from s.paragraphs_hash)
          and not exists (
              select 1 from nlp.quarantine as q
              where q.article_id = a.article_id and q.content_hash = a.content_hash
                and q.extractor_version = ?
          )
        """,
        [version.version, version.version, version.version],
    ).fetchone()[0]


def quarantine_count(con: duckdb.DuckDBPyConnection) -> int:
    if not _has_quarantine(con):
        return 0
    return con.execute("select count(*) from nlp.quarantine").fetchone()[0]


def _has_quarantine(con: duckdb.DuckDBPyConnection) -> bool:
    return warehouse.table_exists(con, "nlp.quarantine")


def quarantine_relation(con: duckdb.DuckDBPyConnection) -> str:
    """nlp.quarantine, or an empty relation of its key columns in a warehouse without it, for
    the quality queries that leave quarantined articles to the quarantine check."""
    if _has_quarantine(con):
        return "nlp.quarantine"
    return (
        "(select null::varchar as article_id, null::varchar as content_hash, "
        "null::varchar as stage where false)"
    )


def quarantine_report(con: duckdb.DuckDBPyConnection, limit: int = 50) -> pd.DataFrame:
    """The quarantined current article versions (most recent first), errors shortened."""
    if not _has_quarantine(con):
        return pd.DataFrame(columns=["article_id", "source_path", "stage", "error"])
    return con.execute(
        """
        select article_id, article_version, source_path, stage, left(error, 200) as error,
               extractor_version, quarantined_at
        from nlp.quarantine order by quarantined_at desc, article_id limit ?
        """,
        [limit],
    ).df()
