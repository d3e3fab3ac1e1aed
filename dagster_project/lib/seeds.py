"""Whether a dbt build must load the reference seeds again.

`dbt build` loads every seed on every run, though the CSVs seldom change. A build that loaded
them records a fingerprint of everything a seed load reads in the warehouse
(`intermediate.seed_builds`, beside the incremental models' `article_builds`); the next build
leaves the seeds out while that fingerprint still holds and every seed table is there. A
changed CSV, seed property or project file, another dbt version, or a missing table loads them
all again, and the models reading them are rebuilt, as on every run.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from pathlib import Path

import duckdb

from dagster_project.lib import warehouse

SEED_BUILDS = "intermediate.seed_builds"
SEED_SCHEMA = "reference"
BUILDS_SCHEMA = "intermediate"


def fingerprint(project_dir: Path) -> str:
    """sha256 of the seed CSVs and their properties (by path and content), the project file
    (seed configuration) and the dbt versions that load them."""
    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb"):
        digest.update(f"{package}=={version(package)}\n".encode())
    files = [project_dir / "dbt_project.yml", *sorted((project_dir / "seeds").rglob("*"))]
    for path in files:
        if path.is_file() and path.suffix in {".csv", ".yml", ".yaml"}:
            digest.update(f"{path.relative_to(project_dir)}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def tables(project_dir: Path) -> list[str]:
    """The seed tables: one per CSV, named after it, in the reference schema."""
    return [f"{SEED_SCHEMA}.{path.stem}" for path in sorted((project_dir / "seeds").rglob("*.csv"))]


def loaded(con: duckdb.DuckDBPyConnection, project_dir: Path, current: str) -> bool:
    """Whether the last build that loaded the seeds into this warehouse had the fingerprint
    `current`, and every seed table is still there."""
    if not warehouse.table_exists(con, SEED_BUILDS):
        return False
    recorded = con.execute(f"select fingerprint from {SEED_BUILDS}").fetchall()
    return recorded == [(current,)] and all(
        warehouse.table_exists(con, table) for table in tables(project_dir)
    )


def record(con: duckdb.DuckDBPyConnection, current: str) -> None:
    """Remember that a build loaded the seeds with the fingerprint `current`."""
    con.execute(f"create schema if not exists {BUILDS_SCHEMA}")
    con.execute(f"create or replace table {SEED_BUILDS} (fingerprint varchar)")
    con.execute(f"insert into {SEED_BUILDS} values (?)", [current])
