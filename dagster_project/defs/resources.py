"""Resources: the settings of the project (NEWS_RAW_DIR, NEWS_WAREHOUSE_PATH,
NEWS_SPACY_MODEL, and the backend: NEWS_WAREHOUSE, NEWS_DUCKLAKE_CATALOG,
NEWS_DUCKLAKE_DATA_PATH; documented in .env.example).

A resource built without a value reads its setting when it is used, through
`lib.settings` (environment variable, else the default; relative paths from the repository
root), so `make`, `dagster dev` with or without a .env, and the tests agree on every value.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from filelock import FileLock
from pydantic import PrivateAttr

from dagster_project.lib import settings, warehouse

REPO_ROOT = settings.REPO_ROOT


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse: the DuckDB file at `path`, or the DuckLake lakehouse NEWS_WAREHOUSE
    selects. `path`'s folder also holds what stays local (GE Data Docs, the published copy).
    A DuckDB file takes one writer at a time, so a run takes the lock file beside it for its
    whole length (once per run with the in-process executor) and a second run stops at once,
    saying so. A lakehouse takes several writers: no lock.

    While a run holds the file, its steps' connections are cursors of one connection, opened
    at the first step that asks and closed when the run ends, instead of opening the file and
    closing it (a checkpoint of what the step wrote) in every step: a run that builds one added
    article 12.10 -> 11.82 s at 2,127 articles. `read_only` is then not enforced: the run is the
    warehouse's only user. Code that opens the file itself (dbt, publishing) calls
    `close_shared` first. Outside a run (a sensor, a test, a lakehouse) each `connect` opens
    and closes a connection of its own."""

    path: str | None = None
    _lock: FileLock | None = PrivateAttr(default=None)
    _shared: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if not isinstance(self.target, Path):
            return
        try:
            self._lock = warehouse.hold(self.target)
        except warehouse.WarehouseBusy as exc:
            raise dg.Failure(str(exc)) from None

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        try:
            self.close_shared()
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def close_shared(self) -> None:
        """Close the run's shared connection, if open (the next `connect` opens another).
        Closing the last connection to the file checkpoints what the run wrote."""
        shared, self._shared = self._shared, None
        if shared is not None:
            shared.close()

    @property
    def file(self) -> Path:
        return settings.WAREHOUSE_PATH.path(self.path)

    @property
    def target(self) -> warehouse.Target:
        return warehouse.resolve_target(self.file)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        try:
            target = self.target
        except warehouse.SettingError as error:
            raise dg.Failure(str(error)) from error
        if self._lock is None or not isinstance(target, Path):
            with warehouse.connect(target, read_only=read_only) as con:
                yield con
            return
        if self._shared is None:
            self._shared = warehouse.open_connection(target)
        cursor = self._shared.cursor()
        try:
            yield cursor
        finally:
            cursor.close()


class RawFolderResource(dg.ConfigurableResource):
    """The landing folder whose files become articles."""

    path: str | None = None

    @property
    def folder(self) -> Path:
        folder = settings.RAW_DIR.path(self.path)
        if not folder.is_dir():
            raise dg.Failure(f"{settings.RAW_DIR.name}={str(folder)!r} is not a folder")
        return folder


class NlpModelResource(dg.ConfigurableResource):
    """Name of the installed spaCy pipeline package (NEWS_SPACY_MODEL)."""

    model: str | None = None

    @property
    def model_name(self) -> str:
        return settings.SPACY_MODEL.value(self.model)


def data_docs_root(warehouse: WarehouseResource) -> Path:
    """GE's project root is the warehouse's folder: suites, results and Data Docs land in
    `<warehouse folder>/gx/`, the Data Docs site at `gx/uncommitted/data_docs/local_site/`."""
    return warehouse.file.parent
