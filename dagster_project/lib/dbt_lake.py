"""A dbt-duckdb plugin: the DuckLake target of dbt/profiles.yml loads its extensions through
the warehouse layer (from the PyPI wheels, offline) before dbt attaches the lakehouse."""

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from dagster_project.lib.warehouse import load_lake_extensions


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        load_lake_extensions(conn)
