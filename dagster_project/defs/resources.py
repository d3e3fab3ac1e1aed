"""Resources: the three settings of the project (NEWS_RAW_DIR, NEWS_WAREHOUSE_PATH,
NEWS_SPACY_MODEL, documented in .env.example).

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
    """The DuckDB warehouse file; one writer at a time, so connections are short-lived, and
    one run at a time: a run takes the lock file beside the warehouse for its whole length
    (once per run with the in-process executor) and a second run stops at once, saying so."""

    path: str | None = None
    _lock: FileLock | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        try:
            self._lock = warehouse.hold(self.file)
        except warehouse.WarehouseBusy as exc:
            raise dg.Failure(str(exc)) from None

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @property
    def file(self) -> Path:
        return settings.WAREHOUSE_PATH.path(self.path)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect(self.file, read_only=read_only) as con:
            yield con


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
