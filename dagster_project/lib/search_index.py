"""The BM25 index of the published copy, carried over from the previous copy where it can be.

DuckDB's fts extension keeps its index as plain tables in schema `fts_marts_fct_paragraphs`
(docs, terms, dict, stats, stopwords, fields) plus two macros (`tokenize`, `match_bm25`).
A score depends only on a term's count in a paragraph, its document frequency, the
paragraph's length, the number of paragraphs and their mean length, never on how docs and
terms are numbered. So a new copy can take the previous copy's index, drop the paragraphs
that are gone or whose text changed, tokenize and stem only the new ones with the
extension's own macro and function, and recount df and the stats: the same scores as
`create_fts_index` over every paragraph, at the cost of what changed.

The macros and the stopword and field tables always come from the extension itself (it
indexes an empty table of the same name), and the previous index is used only when the
previous copy was written by this duckdb and fts version and its macros, stopwords and
fields equal the ones the extension makes now; otherwise, or when most paragraphs changed,
the index is built from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.lib.warehouse import quote_literal

SEARCH_TABLE = "marts.fct_paragraphs"
SEARCH_KEY = "paragraph_id"
SEARCH_COLUMN = "paragraph_text"
# The fts extension names the index schema after the indexed table.
FTS_SCHEMA = "fts_marts_fct_paragraphs"
STEMMER = "porter"
CREATE_INDEX = (
    f"pragma create_fts_index('{SEARCH_TABLE}', '{SEARCH_KEY}', '{SEARCH_COLUMN}', "
    f"stemmer = '{STEMMER}', stopwords = 'english', strip_accents = 1, lower = 1, "
    "overwrite = 1)"
)
# Above this share of new or changed paragraphs a full build costs no more than an update.
MAX_CHANGED_SHARE = 0.5
PREVIOUS = "previous_copy"
_F = FTS_SCHEMA
_P = f"{PREVIOUS}.{FTS_SCHEMA}"


@dataclass(frozen=True)
class IndexBuild:
    """How the index of a copy was made: 'full' (with the reason) or 'incremental'."""

    mode: str
    reason: str
    added: int = 0
    removed: int = 0

    @property
    def summary(self) -> str:
        if self.mode == "incremental":
            return f"incremental: +{self.added} -{self.removed} paragraphs"
        return f"full: {self.reason}"


def fts_version(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute(
        "select extension_version from duckdb_extensions() where extension_name = 'fts'"
    ).fetchone()
    return row[0] if row else ""


def build(con: duckdb.DuckDBPyConnection, previous: Path | None) -> IndexBuild:
    """Index SEARCH_TABLE of `con` (fts loaded), from `previous` (a published copy) if usable."""
    if previous is None or not previous.is_file():
        return _full(con, "no previous copy")
    try:
        con.execute(f"attach {quote_literal(str(previous))} as {PREVIOUS} (read_only)")
    except duckdb.Error as exc:
        return _full(con, f"previous copy unreadable ({type(exc).__name__})")
    try:
        return _update(con)
    finally:
        con.execute(f"detach {PREVIOUS}")


def _full(con: duckdb.DuckDBPyConnection, reason: str) -> IndexBuild:
    con.execute(CREATE_INDEX)
    return IndexBuild("full", reason)


def _scaffold(con: duckdb.DuckDBPyConnection) -> None:
    """The extension's own schema, macros, stopwords and fields, with empty docs and terms:
    it indexes an empty stand-in of the table, the real one set aside for that moment."""
    schema, table = SEARCH_TABLE.split(".")
    aside = f"{table}__fts_aside"
    con.execute("begin transaction")
    try:
        con.execute(f"alter table {SEARCH_TABLE} rename to {aside}")
        con.execute(
            f"create table {SEARCH_TABLE} as select {SEARCH_KEY}, {SEARCH_COLUMN} "
            f"from {schema}.{aside} limit 0"
        )
        con.execute(CREATE_INDEX)
        con.execute(f"drop table {SEARCH_TABLE}")
        con.execute(f"alter table {schema}.{aside} rename to {table}")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list:
    return con.execute(sql, params or []).fetchall()


def _macros(con: duckdb.DuckDBPyConnection, database: str) -> list:
    return _rows(
        con,
        "select function_name, parameters::varchar, macro_definition from duckdb_functions() "
        "where database_name = ? and schema_name = ? order by all",
        [database, FTS_SCHEMA],
    )


def _unusable(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why the previous copy's index cannot be carried over (None: it can)."""
    tables = {
        name
        for (name,) in _rows(
            con,
            "select schema_name || '.' || table_name from duckdb_tables() where database_name = ?",
            [PREVIOUS],
        )
    }
    needed = {f"{FTS_SCHEMA}.{t}" for t in ("docs", "terms", "dict", "stopwords", "fields")}
    if not needed | {"publish.info", SEARCH_TABLE} <= tables:
        return "previous copy has no index"
    try:
        versions = _rows(con, f"select duckdb_version, fts_version from {PREVIOUS}.publish.info")
    except duckdb.BinderException:
        return "previous copy does not say which fts version indexed it"
    if versions != [(duckdb.__version__, fts_version(con))]:
        return "previous index from another duckdb or fts version"
    here = _scalar(con, "select current_database()")
    if _macros(con, PREVIOUS) != _macros(con, here):
        return "previous index made with other options"
    for table in ("stopwords", "fields"):
        differ = _scalar(
            con,
            f"select count(*) from ((from {_P}.{table} except all from {_F}.{table}) "
            f"union all (from {_F}.{table} except all from {_P}.{table}))",
        )
        if differ:
            return f"previous index has other {table}"
    if _scalar(con, f"select count(*) from {_P}.docs") != _scalar(
        con, f"select count(*) from {PREVIOUS}.{SEARCH_TABLE}"
    ):
        return "previous index does not match its paragraphs"
    # docs are found by name: a key held twice would make one name two documents
    for source in (f"{PREVIOUS}.{SEARCH_TABLE}", SEARCH_TABLE):
        if _scalar(con, f"select count(*) - count(distinct {SEARCH_KEY}) from {source}"):
            return "paragraph keys are not unique"
    return None


def _update(con: duckdb.DuckDBPyConnection) -> IndexBuild:
    _scaffold(con)
    reason = _unusable(con)
    if reason is not None:
        return _full(con, reason)
    con.execute(
        f"""
        create temp table fts_kept as
        select d.docid, d.name
        from {_P}.docs as d
        inner join {PREVIOUS}.{SEARCH_TABLE} as o on o.{SEARCH_KEY} = d.name
        inner join {SEARCH_TABLE} as n
            on n.{SEARCH_KEY} = o.{SEARCH_KEY}
            and n.{SEARCH_COLUMN} is not distinct from o.{SEARCH_COLUMN}
        """
    )
    con.execute(
        f"create temp table fts_gone as select docid from {_P}.docs "
        "anti join fts_kept using (docid)"
    )
    con.execute(
        f"""
        create temp table fts_new_docs as
        select
            (select coalesce(max(docid), -1) from {_P}.docs)
                + row_number() over (order by n.{SEARCH_KEY}) as docid,
            n.{SEARCH_KEY} as name,
            n.{SEARCH_COLUMN} as text
        from {SEARCH_TABLE} as n
        anti join fts_kept as k on k.name = n.{SEARCH_KEY}
        """
    )
    added = _scalar(con, "select count(*) from fts_new_docs")
    removed = _scalar(con, "select count(*) from fts_gone")
    total = _scalar(con, f"select count(*) from {SEARCH_TABLE}")
    if added > MAX_CHANGED_SHARE * total:
        _drop_temp(con)
        return _full(con, f"{added} of {total} paragraphs new or changed")
    _carry_over(con)
    _drop_temp(con)
    return IndexBuild("incremental", "", added=added, removed=removed)


def _carry_over(con: duckdb.DuckDBPyConnection) -> None:
    """Fill the scaffold: the previous docs and terms that stay, the new ones tokenized and
    stemmed as `create_fts_index` does, dict with recounted df, and the stats."""
    con.execute(
        f"insert into {_F}.docs by name select d.* from {_P}.docs as d "
        "semi join fts_kept using (docid)"
    )
    con.execute(
        f"insert into {_F}.terms by name select t.* from {_P}.terms as t "
        "anti join fts_gone using (docid)"
    )
    con.execute(
        f"""
        create temp table fts_new_terms as
        with tokenized as (
            select
                unnest({_F}.tokenize(d.text)) as w,
                d.docid,
                (select fieldid from {_F}.fields where field = '{SEARCH_COLUMN}') as fieldid
            from fts_new_docs as d
        )
        select stem(t.w, '{STEMMER}') as term, t.docid, t.fieldid
        from tokenized as t
        where t.w not null
            and len(t.w) > 0
            and t.w not in (select sw from {_F}.stopwords)
        """
    )
    con.execute(
        f"""
        insert into {_F}.docs by name
        select d.docid, d.name, count(t.term) as len
        from fts_new_docs as d
        left join fts_new_terms as t on t.docid = d.docid
        group by d.docid, d.name
        """
    )
    con.execute(
        f"""
        insert into {_F}.dict by name
        with
        removed as (
            select t.termid, count(distinct t.docid) as n
            from {_P}.terms as t
            semi join fts_gone as g on g.docid = t.docid
            group by t.termid
        ),
        added as (
            select term, count(distinct docid) as n from fts_new_terms group by term
        ),
        fresh as (
            select
                (select coalesce(max(termid), -1) from {_P}.dict)
                    + row_number() over (order by a.term) as termid,
                a.term,
                a.n as df
            from added as a
            anti join {_P}.dict as d on d.term = a.term
        ),
        counted as (
            select d.termid, d.term, d.df - coalesce(r.n, 0) + coalesce(a.n, 0) as df
            from {_P}.dict as d
            left join removed as r on r.termid = d.termid
            left join added as a on a.term = d.term
            union all
            select termid, term, df from fresh
        )
        select termid, term, df from counted where df > 0
        """
    )
    con.execute(
        f"""
        insert into {_F}.terms by name
        select t.docid, t.fieldid, d.termid
        from fts_new_terms as t
        inner join {_F}.dict as d on d.term = t.term
        """
    )
    # the extension's own expression: the same avgdl to the last bit
    con.execute(f"delete from {_F}.stats")
    con.execute(
        f"""
        insert into {_F}.stats
        select count(docs.docid) as num_docs, sum(docs.len) / count(docs.len) as avgdl
        from {_F}.docs as docs
        """
    )


def _drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    for table in ("fts_kept", "fts_gone", "fts_new_docs", "fts_new_terms"):
        con.execute(f"drop table if exists temp.{table}")
