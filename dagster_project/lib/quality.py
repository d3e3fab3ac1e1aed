"""Great Expectations, run over warehouse tables, with every result kept in the warehouse.

A suite (defined as code in `expectations/`) names a SQL query that produces the frame to
validate and a list of checks; each check is one GX expectation with a severity: `error`
when downstream results would be wrong (a blocking asset check), `warn` for content issues
that analysts should see but that must not stop the pipeline.

GX validates a pandas frame here (GX's SQL datasource fails on DuckDB through duckdb-engine,
see the README): the suite's query does the heavy lifting in DuckDB and hands GX only the
columns its checks need, which bounds memory by the largest guarded table's checked columns.

Validation follows what changed. A row-level expectation's verdict on a row depends on that
row's values only, so each suite remembers (quality.validated_rows) a hash of every frame row
it validated and which of its row-level checks the row failed. DuckDB computes the frame and
the hash of each of its rows, and hands GX only what its verdicts need: the rows not validated
under the suite's current definition, the rows whose earlier failures are carried into the
result (their flagged rows stay in quality.failing_rows from the run that found them), and,
for a uniqueness check, every row whose key is repeated anywhere in the table (which gives
the verdict the whole column would). Columns computed in Python (offsets that slice back,
mojibake) are computed for those rows alone. An expectation over an aggregate of the whole
column (a mean) makes GX see the whole frame.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import importlib.util
import json
import logging
import operator
import os
import sys
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import reduce
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from dagster_project.lib import warehouse

Severity = Literal["error", "warn"]
# expectations whose verdict on a row depends on the other rows: validated over the whole frame
WHOLE_FRAME_KINDS = frozenset({"ExpectColumnValuesToBeUnique", "ExpectColumnMeanToBeBetween"})
# whole-frame expectations whose verdict is the same over the rows whose value is repeated
KEY_KINDS = frozenset({"ExpectColumnValuesToBeUnique"})
# the frame column saying whether GX has to look at a row (not validated before)
UNSEEN = "_unseen"
ROW_HASH = "_row_hash"
# the frame column of the row-level checks a row validated before failed then
FAILED = "_failed_checks"
# the suite's frame while it is selected from, one suite at a time on a connection
STAGED = "_suite_frame"
SAMPLE_ROWS = 20
# validation results listed on the Data Docs index page (the most recent first)
DATA_DOCS_RESULTS = 100


# modules GX imports at its own import for expectations no suite here uses (KL divergence and
# KS tests: scipy.stats; their charts: altair), over half of the CPU its import takes
DEFERRED_BY_GX = ("scipy.stats", "altair")


class _Deferred(types.ModuleType):
    """Stands for a module in `sys.modules` until one of its attributes is read (never, by
    what the suites here run): then the module is imported and this one hands out its
    attributes, so that a module that imported it early works as if it had been imported.
    Its file is known without importing it: `inspect.getmodule` reads `__file__` of every
    module in `sys.modules`, and dbt calls it on every build."""

    def __init__(self, name: str):
        super().__init__(name)
        self.__spec__ = importlib.util.find_spec(name)
        self.__file__ = self.__spec__.origin

    def __getattr__(self, attribute: str):
        module = self.__dict__.get("_module")
        if module is None:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            module = self.__dict__["_module"] = importlib.import_module(self.__name__)
        return getattr(module, attribute)


def _import_gx():
    """`great_expectations`, imported with `DEFERRED_BY_GX` deferred (what this process had
    already imported stays as it is)."""
    if "great_expectations" in sys.modules:
        return sys.modules["great_expectations"]
    for name in DEFERRED_BY_GX:
        if name not in sys.modules:
            sys.modules[name] = _Deferred(name)
    gx = importlib.import_module("great_expectations")
    # GX's modules live as long as the process: out of the collector's full collections, as the
    # definitions' imports are (`dagster_project.definitions`), so that dbt's and the later
    # suites' collections do not walk them (a run that builds one added article: ~0.3 s less)
    gc.freeze()
    return gx


@dataclass(frozen=True)
class Expect:
    """A GX expectation, named by its class in `great_expectations.expectations`, made only
    when a suite is validated: importing GX takes seconds, and every run (a no-op one too)
    loads the suites to define the asset checks. `only_where` names a boolean column that
    restricts the expectation to the rows where it is true (a GX row condition)."""

    kind: str
    arguments: Mapping[str, object]
    only_where: str | None = None

    @property
    def per_row(self) -> bool:
        return self.kind not in WHOLE_FRAME_KINDS

    def build(self):
        _import_gx()
        import great_expectations.expectations as gxe
        from great_expectations.expectations.row_conditions import Column

        arguments = dict(self.arguments)
        flags = [c for c in (self.only_where, UNSEEN if self.per_row else None) if c]
        if flags:
            arguments["row_condition"] = reduce(
                operator.and_,
                (Column(flag) == True for flag in flags),  # noqa: E712
            )
        return getattr(gxe, self.kind)(**arguments)


def expect(kind: str, only_where: str | None = None, **arguments) -> Expect:
    return Expect(kind, arguments, only_where)


@dataclass(frozen=True)
class Check:
    """One expectation of a suite; `name` is the asset check's name in Dagster."""

    name: str
    expectation: Expect
    severity: Severity
    description: str


FrameBuilder = Callable[[duckdb.DuckDBPyConnection, Path], pd.DataFrame]


@dataclass(frozen=True)
class Query:
    """A frame DuckDB computes: `sql` (its `{name}` fields filled from `fields(con)`), to
    which `derive(con, frame)` adds columns computed in Python, only for the rows GX is
    handed. A row's hash covers the query's columns alone: what a derived column reads must be
    among them (an article's text by its content hash, say)."""

    sql: str
    derive: Callable[[duckdb.DuckDBPyConnection, pd.DataFrame], pd.DataFrame] | None = None
    fields: Callable[[duckdb.DuckDBPyConnection], Mapping[str, str]] | None = None

    def render(self, con: duckdb.DuckDBPyConnection) -> str:
        return self.sql.format(**self.fields(con)) if self.fields else self.sql


@dataclass(frozen=True)
class Suite:
    """Checks over one guarded table. `build` gives the frame GX validates: a `Query` (the
    suite's SQL, sometimes with columns computed in Python: mojibake, offsets), or a function
    `build(con, raw_dir)` for a frame made in Python (file accounting).
    `index_columns` name the failing rows (article and paragraph, say)."""

    name: str
    asset_key: tuple[str, ...]
    build: Query | FrameBuilder
    index_columns: tuple[str, ...]
    checks: tuple[Check, ...]


TEXT_BATCH = 64


def spans_slice_back(
    con: duckdb.DuckDBPyConnection, spans: pd.DataFrame, text_column: str = "span_text"
) -> list[bool]:
    """For each row of `spans` (article_id, char_start, char_end and its text in
    `text_column`): whether the current text of its article sliced at char_start:char_end is
    that text (a span without a text, or of an article that is not current, does not).

    Done in Python, article by article: DuckDB's substring walks the text from its start on
    every call, so a SQL join costs (spans x text length), hours for a page of 100,000 lines.
    Here each text of the spans' articles is read once and each span sliced in constant time."""
    ok = [False] * len(spans)
    if spans.empty:
        return ok
    starts, ends = spans["char_start"].tolist(), spans["char_end"].tolist()
    texts = spans[text_column].tolist()
    rows = spans.groupby("article_id", sort=False).indices
    with warehouse.registered(con, "_span_articles", pd.DataFrame({"article_id": list(rows)})):
        cursor = con.execute(
            "select article_id, text from raw.articles "
            "where is_current and article_id in (select article_id from _span_articles)"
        )
        while batch := cursor.fetchmany(TEXT_BATCH):
            for article_id, text in batch:
                for i in rows.get(article_id, ()):
                    start, end = starts[i], ends[i]
                    ok[i] = bool(0 <= start <= end <= len(text) and text[start:end] == texts[i])
    return ok


def sql(query: str, derive=None, fields=None) -> Query:
    """A frame that is a query over the warehouse (see `Query`)."""
    return Query(query, derive, fields)


@dataclass(frozen=True)
class CheckOutcome:
    check_name: str
    severity: Severity
    passed: bool
    unexpected_count: int
    element_count: int
    failing_rows: list[dict] = field(default_factory=list)
    description: str = ""
    # the last `carried` failing rows were flagged by an earlier run (already recorded then)
    carried: int = 0


@dataclass(frozen=True)
class SuiteOutcome:
    suite_name: str
    outcomes: list[CheckOutcome]
    data_docs_url: str | None
    # hash of every row validated now for the first time -> the row-level checks it failed
    validated: dict[int, list[str]] = field(default_factory=dict)
    # GX's identifiers of the validation results this run stored (what Data Docs would show)
    result_ids: tuple = ()


CHECK_RESULTS_DDL = """
create table if not exists quality.check_results (
    run_id varchar, suite_name varchar, check_name varchar, asset_key varchar,
    severity varchar, passed boolean, unexpected_count bigint, element_count bigint,
    unexpected_sample varchar, data_docs_url varchar, checked_at timestamp
)
"""
CHECK_RESULTS_COLUMNS = (
    "run_id",
    "suite_name",
    "check_name",
    "asset_key",
    "severity",
    "passed",
    "unexpected_count",
    "element_count",
    "unexpected_sample",
    "data_docs_url",
    "checked_at",
)
FAILING_ROWS_COLUMNS = (
    "run_id",
    "suite_name",
    "check_name",
    "asset_key",
    "row_key",
    "row_values",
    "checked_at",
)
FAILING_ROWS_DDL = """
create table if not exists quality.failing_rows (
    run_id varchar, suite_name varchar, check_name varchar, asset_key varchar,
    row_key varchar, row_values varchar, checked_at timestamp
)
"""


def _jsonable(value):
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


VALIDATED_ROWS_DDL = """
create table if not exists quality.validated_rows (
    suite_name varchar, suite_signature varchar, row_hash ubigint, failed_checks varchar[],
    run_id varchar, validated_at timestamp
)
"""


def signature(suite: Suite) -> str:
    """What the verdicts of a suite's row-level checks depend on besides the row: the checks'
    definitions, the query whose rows they judge (and the GX and DuckDB that ran them).
    Another signature validates every row anew."""
    from importlib.metadata import version

    parts = [(c.name, repr(c.expectation)) for c in suite.checks]
    query = suite.build.sql if isinstance(suite.build, Query) else None
    text = json.dumps([version("great_expectations"), duckdb.__version__, query, parts])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def row_hashes(frame: pd.DataFrame) -> pd.Series:
    """One hash per frame row over all its values (pandas' fixed-key hash: stable across
    processes); equal rows get equal verdicts from a row-level expectation."""
    return pd.util.hash_pandas_object(frame, index=False).astype("uint64")


_CONTEXTS: dict[str, object] = {}
_DEFINITIONS: dict[tuple[str, str, str], object] = {}
_SITE_URLS: dict[str, str | None] = {}


def _view(name: str) -> dict[str, str]:
    """A Data Docs view of `lib.gx_views` (templates compiled once per process) in GX's
    configuration."""
    return {"module_name": "dagster_project.lib.gx_views", "class_name": name}


def _context(gx_root: Path):
    """The file-backed GX context of `gx_root`, made once per process: creating one reads and
    writes its configuration (seconds for the first suite, a second each after that)."""
    key = str(gx_root.resolve())
    if key not in _CONTEXTS:
        gx = _import_gx()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        # GX would post usage analytics over the network, which this project never reaches out to.
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        gx_root.mkdir(parents=True, exist_ok=True)
        context = gx.get_context(mode="file", project_root_dir=str(gx_root))
        if context.variables.config_variables_file_path:
            # GX reads and parses the config variables file (its template: only comments) on
            # every read of a context variable, dozens per suite; no setting here uses one
            # (environment variables still substitute). Only the next context is spared it.
            context.variables.config_variables_file_path = None
            context.variables.save()
            context = gx.get_context(mode="file", project_root_dir=str(gx_root))
        context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        # the Data Docs index reads every stored validation result on every build: bounded to
        # the latest ones, a run costs the same after a thousand runs as after one
        sites = context.variables.data_docs_sites or {}
        for site in sites.values():
            site.setdefault("site_index_builder", {"class_name": "DefaultSiteIndexBuilder"})
            site["site_index_builder"]["validation_results_limit"] = DATA_DOCS_RESULTS
            site["site_index_builder"]["view"] = _view("IndexPageView")
            sections = site.setdefault("site_section_builders", {})
            for section in ("expectations", "validations"):
                sections.setdefault(section, {})["view"] = _view("PageView")
        context.variables.data_docs_sites = sites
        # one datasource, each suite's asset in it, kept between processes: adding one
        # rewrites the project's configuration file
        if "warehouse" not in context.data_sources.all():
            context.data_sources.add_pandas("warehouse")
        _CONTEXTS[key] = context
    return _CONTEXTS[key]


def _site_url(gx_root: Path) -> str | None:
    """The Data Docs site's index page (None before it is built), asked of GX once per
    process: GX builds the site's writer to say it."""
    key = str(gx_root.resolve())
    if _SITE_URLS.get(key) is None:
        sites = _context(gx_root).get_docs_sites_urls(resource_identifier=None)
        _SITE_URLS[key] = sites[0]["site_url"] if sites else None
    return _SITE_URLS[key]


def _definition(suite: Suite, gx_root: Path):
    """The suite's GX validation definition (its expectations over its asset's whole-frame
    batch) in the process's context, stored once per suite definition."""
    key = (str(gx_root.resolve()), suite.name, signature(suite))
    if key in _DEFINITIONS:
        return _DEFINITIONS[key]
    gx = _import_gx()
    context = _context(gx_root)
    source = context.data_sources.get("warehouse")
    asset_name = ".".join(suite.asset_key)
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_dataframe_asset(asset_name)
    try:
        batch = asset.get_batch_definition("whole_table")
    except (KeyError, LookupError):
        batch = asset.add_batch_definition_whole_dataframe("whole_table")
    expectations = []
    for check in suite.checks:
        expectation = check.expectation.build()
        expectation.meta = {"check_name": check.name, "severity": check.severity}
        expectation.notes = check.description
        expectations.append(expectation)
    # stores the suite too
    _DEFINITIONS[key] = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(
            data=batch,
            suite=gx.ExpectationSuite(name=suite.name, expectations=expectations),
            name=suite.name,
        )
    )
    return _DEFINITIONS[key]


def _stage(con: duckdb.DuckDBPyConnection, suite: Suite, raw_dir: Path) -> None:
    """The suite's whole frame as the temporary table STAGED, with each row's hash, in the
    frame's order."""
    if isinstance(suite.build, Query):
        con.execute(
            f"create or replace temporary table {STAGED} as "
            f"select q.*, hash(q) as {ROW_HASH} from ({suite.build.render(con)}) as q"
        )
        return
    frame = suite.build(con, raw_dir)
    frame = frame.assign(**{ROW_HASH: row_hashes(frame)})
    with warehouse.registered(con, "_suite_built", frame):
        con.execute(f"create or replace temporary table {STAGED} as select * from _suite_built")


def _needed_rows(suite: Suite) -> str:
    """Which staged rows (`s`, joined to their earlier verdicts `v`) GX has to see."""
    needed = ["v.row_hash is null", "len(v.failed_checks) > 0"]
    for check in suite.checks:
        expectation = check.expectation
        if expectation.kind in KEY_KINDS:
            column = warehouse.quote_identifier(str(expectation.arguments["column"]))
            needed.append(
                f"s.{column} in (select {column} from {STAGED} "
                f"group by {column} having count(*) > 1)"
            )
        elif not expectation.per_row:
            return "true"
    return " or ".join(needed)


def select_rows(
    con: duckdb.DuckDBPyConnection, suite: Suite, raw_dir: Path, revalidate: bool = False
) -> tuple[pd.DataFrame, dict[str | None, int]]:
    """The rows of the suite's frame GX has to see (see the module's docstring), with the
    columns UNSEEN, ROW_HASH and FAILED; and the number of the frame's rows, all (key None)
    and where each `only_where` column is true: what each check's verdict covers.
    `revalidate` forgets every earlier verdict."""
    con.execute("create schema if not exists quality")
    con.execute(VALIDATED_ROWS_DDL)
    _stage(con, suite, raw_dir)
    try:
        verdicts = (
            "select row_hash, arg_max(failed_checks, validated_at) as failed_checks "
            "from quality.validated_rows where suite_name = ? and suite_signature = ? "
            f"{'and false ' if revalidate else ''}group by row_hash"
        )
        frame = warehouse.fetch_df(
            con,
            f"select s.*, v.row_hash is null as {UNSEEN}, "
            f"coalesce(v.failed_checks, []::varchar[]) as {FAILED} "
            f"from {STAGED} as s left join ({verdicts}) as v on v.row_hash = s.{ROW_HASH} "
            f"where {_needed_rows(suite)} order by s.rowid",
            [suite.name, signature(suite)],
        )
        flags = sorted({c.expectation.only_where for c in suite.checks} - {None})
        counted = ", ".join(
            f"count(*) filter (where {warehouse.quote_identifier(flag)})" for flag in flags
        )
        totals = con.execute(
            f"select count(*){', ' if flags else ''}{counted} from {STAGED}"
        ).fetchone()
    finally:
        con.execute(f"drop table if exists {STAGED}")
    if isinstance(suite.build, Query) and suite.build.derive:
        frame = suite.build.derive(con, frame)
    return frame, dict(zip([None, *flags], totals, strict=True))


def validate(
    frame: pd.DataFrame,
    suite: Suite,
    gx_root: Path,
    totals: Mapping[str | None, int],
) -> SuiteOutcome:
    """Run the suite's expectations over `frame` (from `select_rows`) with a file-backed GX
    context, so that the suite, the validation results and the Data Docs pages are written
    under `gx_root`. Row-level checks look at the UNSEEN rows; the failures FAILED names of
    the others are carried into the result. `totals` are the element counts to report."""
    _import_gx()
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    run_id = RunIdentifier(run_time=datetime.now(UTC))
    # the validation definition stores its result (what Data Docs render) as a checkpoint
    # would, without a checkpoint's own freshness checks and result
    validation = _definition(suite, gx_root).run(
        batch_parameters={"dataframe": frame.drop(columns=[FAILED])},
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": [*suite.index_columns, ROW_HASH],
        },
        run_id=run_id,
    )
    result_id = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite.name),
        run_id=run_id,
        batch_identifier=validation.batch_id,
    )
    results = {r.expectation_config.meta["check_name"]: r for r in validation.results}
    return _outcome(frame, suite, totals, results, _site_url(gx_root), (result_id,))


def _carried_only(frame: pd.DataFrame, suite: Suite) -> bool:
    """Whether GX would find nothing in `frame` beyond the failures it carries: no row it has
    not validated, no key repeated (the frame holds every row of a repeated key), no aggregate
    of a whole column. Each check's verdict is then its carried failures alone."""
    if frame[UNSEEN].any():
        return False
    for check in suite.checks:
        expectation = check.expectation
        if expectation.kind in KEY_KINDS:
            if frame[expectation.arguments["column"]].duplicated(keep=False).any():
                return False
        elif not expectation.per_row:
            return False
    return True


def _outcome(
    frame: pd.DataFrame,
    suite: Suite,
    totals: Mapping[str | None, int],
    results: Mapping[str, object],
    data_docs_url: str | None,
    result_ids: tuple,
) -> SuiteOutcome:
    """The suite's outcome from GX's result of each check (by name; a check without one
    found nothing) and the failures carried from earlier runs."""
    unseen = frame[UNSEEN].astype(bool)
    hashes = frame[ROW_HASH]
    checked = frame.drop(columns=[FAILED])
    carried = {check.name: [] for check in suite.checks}
    failed = frame[FAILED].tolist()
    for position in (~unseen).to_numpy().nonzero()[0]:
        for name in failed[position]:
            carried.setdefault(name, []).append(position)
    outcomes = []
    validated = {int(h): [] for h in hashes[unseen].unique()}
    for check in suite.checks:
        result = results.get(check.name)
        per_row = check.expectation.per_row
        details = (result.result if result else None) or {}
        rows = [
            {k: _jsonable(v) for k, v in row.items()}
            for row in (details.get("unexpected_index_list") or [])
            if isinstance(row, dict)
        ]
        old = checked.iloc[carried[check.name]] if per_row else checked.iloc[[]]
        column = check.expectation.arguments.get("column")
        kept = [c for c in (column, *suite.index_columns, ROW_HASH) if c in old.columns]
        rows += [{k: _jsonable(v) for k, v in row.items()} for row in old[kept].to_dict("records")]
        for row in rows:
            row_hash = row.pop(ROW_HASH, None)
            if per_row and row_hash in validated:
                validated[row_hash].append(check.name)
        outcomes.append(
            CheckOutcome(
                check_name=check.name,
                severity=check.severity,
                passed=(bool(result.success) if result else True) and old.empty,
                unexpected_count=int(details.get("unexpected_count") or 0) + len(old),
                element_count=int(totals[check.expectation.only_where if per_row else None]),
                failing_rows=rows,
                description=check.description,
                carried=len(old),
            )
        )
    return SuiteOutcome(
        suite_name=suite.name,
        outcomes=outcomes,
        data_docs_url=data_docs_url,
        validated=validated,
        result_ids=result_ids,
    )


def run_suite(
    con: duckdb.DuckDBPyConnection,
    suite: Suite,
    gx_root: Path,
    run_id: str,
    raw_dir: Path,
    revalidate: bool = False,
) -> SuiteOutcome:
    """Validate the suite against the warehouse and append its results to the quality tables.
    Row-level checks look only at rows not validated before, unless `revalidate`. When GX
    would find nothing new and the verdicts are those of the suite's previous run, GX is not
    run (nor imported): the run is recorded with the previous run's Data Docs."""
    frame, totals = select_rows(con, suite, raw_dir, revalidate)
    outcome = None
    if _carried_only(frame, suite):
        carried = _outcome(frame, suite, totals, {}, None, ())
        previous, url = previous_run(con, suite)
        if url and verdicts(carried) == previous:
            outcome = replace(carried, data_docs_url=url)
    if outcome is None:
        outcome = validate(frame, suite, gx_root, totals)
        outcome = update_data_docs(con, suite, outcome, gx_root)
    record(con, suite, outcome, run_id)
    return outcome


def verdicts(outcome: SuiteOutcome) -> list[tuple[str, bool, int]]:
    """What a reader of the suite's Data Docs page looks for: each check's verdict and count."""
    return sorted((o.check_name, o.passed, o.unexpected_count) for o in outcome.outcomes)


def previous_run(
    con: duckdb.DuckDBPyConnection, suite: Suite
) -> tuple[list[tuple[str, bool, int]], str | None]:
    """The verdicts of the suite's latest recorded run (empty before its first) and the Data
    Docs it linked."""
    con.execute("create schema if not exists quality")
    con.execute(CHECK_RESULTS_DDL)
    rows = con.execute(
        "select check_name, passed, unexpected_count, data_docs_url from quality.check_results "
        "where suite_name = ? and checked_at = "
        "(select max(checked_at) from quality.check_results where suite_name = ?)",
        [suite.name, suite.name],
    ).fetchall()
    found = sorted((name, bool(passed), int(count)) for name, passed, count, _ in rows)
    return found, max((row[3] for row in rows if row[3]), default=None)


def update_data_docs(
    con: duckdb.DuckDBPyConnection, suite: Suite, outcome: SuiteOutcome, gx_root: Path
) -> SuiteOutcome:
    """Render the suite's validation into the Data Docs site when its verdicts differ from the
    previous run's, or when the site has no index yet: rendering a page and the index costs
    more than the validation of a few new rows, and a run that changed no verdict would only
    add a page saying the same. Every result stays in GX's store; a later build lists it."""
    _import_gx()
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    context = _context(gx_root)
    if outcome.data_docs_url and verdicts(outcome) == previous_run(con, suite)[0]:
        return outcome
    context.build_data_docs(
        resource_identifiers=[*outcome.result_ids, ExpectationSuiteIdentifier(name=suite.name)],
        build_index=True,
    )
    return replace(outcome, data_docs_url=_site_url(gx_root))


def record(
    con: duckdb.DuckDBPyConnection,
    suite: Suite,
    outcome: SuiteOutcome,
    run_id: str,
    checked_at: datetime | None = None,
) -> None:
    """Append one row per check to quality.check_results, every row flagged for the first time
    (never the data itself: the flagged rows stay where they are) to quality.failing_rows, and
    the rows validated for the first time, with their verdicts, to quality.validated_rows."""
    checked_at = (checked_at or datetime.now(UTC)).replace(tzinfo=None)
    asset_key = "/".join(suite.asset_key)
    con.execute("create schema if not exists quality")
    con.execute(CHECK_RESULTS_DDL)
    con.execute(FAILING_ROWS_DDL)
    con.execute(VALIDATED_ROWS_DDL)
    results, failing = [], []
    for o in outcome.outcomes:
        sample = json.dumps(o.failing_rows[:SAMPLE_ROWS], default=str)
        results.append(
            (
                run_id,
                suite.name,
                o.check_name,
                asset_key,
                o.severity,
                o.passed,
                o.unexpected_count,
                o.element_count,
                sample,
                outcome.data_docs_url,
                checked_at,
            )
        )
        for row in o.failing_rows[: len(o.failing_rows) - o.carried]:
            key = "|".join(str(row.get(c)) for c in suite.index_columns)
            failing.append(
                (
                    run_id,
                    suite.name,
                    o.check_name,
                    asset_key,
                    key,
                    json.dumps(row, default=str),
                    checked_at,
                )
            )
    warehouse.insert_rows(con, "quality.check_results", CHECK_RESULTS_COLUMNS, results)
    warehouse.insert_rows(con, "quality.failing_rows", FAILING_ROWS_COLUMNS, failing)
    if outcome.validated:
        # the verdicts travel as text: DuckDB types a column of Python lists from a sample of
        # its rows, and a sample of empty lists ("no check failed") types it NULL[]
        rows = pd.DataFrame(
            {
                "suite_name": suite.name,
                "suite_signature": signature(suite),
                "row_hash": pd.Series(list(outcome.validated), dtype="uint64"),
                "failed_checks": ["\n".join(v) for v in outcome.validated.values()],
                "run_id": run_id,
                "validated_at": checked_at,
            }
        )
        with warehouse.registered(con, "_validated", rows):
            con.execute(
                "insert into quality.validated_rows select suite_name, suite_signature, row_hash, "
                "case when failed_checks = '' then []::varchar[] "
                "else string_split(failed_checks, chr(10)) end, run_id, validated_at "
                "from _validated"
            )


def failing_rows_markdown(outcome: CheckOutcome, columns: Sequence[str], limit: int = 50) -> str:
    if not outcome.failing_rows:
        return "none"
    frame = pd.DataFrame(outcome.failing_rows[:limit])
    keep = [c for c in columns if c in frame.columns] + [
        c for c in frame.columns if c not in columns
    ]
    return frame[keep].to_markdown(index=False)
