"""Which views and seeds a dbt build can leave out: those already in the warehouse as that
build would make them.

A view holds no rows, only its query, and a seed's rows are its CSV file: neither changes when
articles arrive. What does change one is its definition (the dbt project's files, dbt's and
the adapter's versions), the columns of the source tables a view reads, or a change to the
relation made outside the pipeline (a hand-run dbt command, a dropped view). So after each
successful build the warehouse keeps, for every view and seed, the project's fingerprint and a
signature of the relation itself (a view's stored SQL; a seed's row count and content hash).
The next build leaves a relation out when both are what they were, and builds it otherwise:
any edit under `dbt/` rebuilds every view and seed once.

The state lives in the warehouse (`STATE_TABLE`), so that a warehouse restored from a copy or
moved to another folder is judged by what it holds, not by what another file held.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.lib import warehouse

STATE_TABLE = "intermediate.relation_definitions"
# the parts of a dbt project folder that define what it builds (target/, logs/ and installed
# packages are dbt's output and caches)
PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "packages.yml", "models", "macros", "seeds")
PROJECT_PARTS += ("tests", "snapshots", "analyses")
VERSIONED = ("dbt-core", "dbt-duckdb", "duckdb")


@dataclass(frozen=True)
class Relation:
    """A view or seed of the dbt project: its node name (what `--exclude` takes) and the
    relation it builds."""

    name: str
    schema: str
    identifier: str
    is_view: bool

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.identifier}"


def relations_of(manifest: Mapping) -> list[Relation]:
    """The views and seeds of a parsed dbt project (`manifest.json` as a dict)."""
    found = []
    for node in manifest.get("nodes", {}).values():
        is_view = (
            node.get("resource_type") == "model"
            and node.get("config", {}).get("materialized") == "view"
        )
        if is_view or node.get("resource_type") == "seed":
            found.append(
                Relation(node["name"], node["schema"], node.get("alias") or node["name"], is_view)
            )
    return sorted(found, key=lambda r: r.name)


def source_tables(manifest: Mapping) -> list[str]:
    """`schema.table` of every dbt source."""
    return sorted(
        f"{source['schema']}.{source.get('identifier') or source['name']}"
        for source in manifest.get("sources", {}).values()
    )


def project_fingerprint(project_dir: Path) -> str:
    """A hash of every file that defines the dbt project, and of the dbt, adapter and DuckDB
    versions that build it."""
    digest = hashlib.sha256()
    for package in VERSIONED:
        digest.update(f"{package}=={version(package)}\n".encode())
    for part in PROJECT_PARTS:
        path = project_dir / part
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                digest.update(f"{file.relative_to(project_dir).as_posix()}\n".encode())
                digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def fingerprint(con: duckdb.DuckDBPyConnection, project_dir: Path, sources: Iterable[str]) -> str:
    """The project's fingerprint together with the columns of its source tables: a view's
    columns are fixed when it is made, so a source that gained or changed a column makes it
    anew."""
    wanted = sorted(set(sources))
    columns = con.execute(
        "select table_schema || '.' || table_name, column_name, data_type "
        "from information_schema.columns where table_catalog = current_database() "
        "and table_schema || '.' || table_name in (select unnest(?::varchar[])) "
        "order by 1, ordinal_position",
        [wanted],
    ).fetchall()
    digest = hashlib.sha256(project_fingerprint(project_dir).encode())
    digest.update(repr(columns).encode())
    return digest.hexdigest()


def signatures(con: duckdb.DuckDBPyConnection, relations: Iterable[Relation]) -> dict[str, str]:
    """Per relation present in the warehouse (by `schema.identifier`): a view's stored SQL,
    a seed's row count and content hash, hashed. Relations that are absent, or a view that is
    now a table (or the reverse), have none."""
    relations = list(relations)
    views = dict(
        con.execute(
            "select schema_name || '.' || view_name, sql from duckdb_views() "
            "where database_name = current_database() and not internal"
        ).fetchall()
    )
    tables = {
        row[0]
        for row in con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where database_name = current_database()"
        ).fetchall()
    }
    found = {}
    for relation in relations:
        name = relation.qualified
        if relation.is_view and name in views:
            found[name] = hashlib.sha256(views[name].encode()).hexdigest()
        elif not relation.is_view and name in tables:
            count, content = con.execute(
                f"select count(*), coalesce(bit_xor(hash(t)), 0) "
                f"from {warehouse.qualified(name)} as t"
            ).fetchone()
            found[name] = f"{count}:{content}"
    return found


def unchanged(
    con: duckdb.DuckDBPyConnection, relations: Iterable[Relation], current_fingerprint: str
) -> list[Relation]:
    """The relations the last successful build recorded under `current_fingerprint` and that
    are still what it left."""
    relations = list(relations)
    if not warehouse.table_exists(con, STATE_TABLE):
        return []
    recorded = dict(
        con.execute(
            f"select relation, relation_signature from {STATE_TABLE} where project_fingerprint = ?",
            [current_fingerprint],
        ).fetchall()
    )
    present = signatures(con, relations)
    return [
        r
        for r in relations
        if r.qualified in recorded and present.get(r.qualified) == recorded[r.qualified]
    ]


def record(
    con: duckdb.DuckDBPyConnection, relations: Iterable[Relation], current_fingerprint: str
) -> int:
    """After a successful build: remember every view and seed as it is now, under the
    fingerprint the build ran with; returns how many were recorded."""
    present = signatures(con, relations)
    now = datetime.now(UTC).replace(tzinfo=None)
    state = pd.DataFrame(
        {
            "relation": pd.Series(list(present), dtype="object"),
            "project_fingerprint": current_fingerprint,
            "relation_signature": pd.Series(list(present.values()), dtype="object"),
            "recorded_at": pd.Series([now] * len(present), dtype="datetime64[us]"),
        }
    )
    # one statement replaces the whole state: a build that fails half-way leaves the last one
    warehouse.replace_table(con, STATE_TABLE, state)
    return len(present)
