"""Resources: the three settings of the project, read from the environment through dg.EnvVar.

NEWS_RAW_DIR, NEWS_WAREHOUSE_PATH and NEWS_SPACY_MODEL are documented in .env.example; the
Makefile and `dagster dev` (which reads .env) supply the defaults for the embedded case.
Relative paths are taken from the repository root, so every entry point agrees on them.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from filelock import FileLock
from pydantic import PrivateAttr

from dagster_project.lib import warehouse

REPO_ROOT = Path(__file__).resolve().parents[2]


def _absolute(path: str) -> Path:
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else (REPO_ROOT / candidate).resolve()


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file; one writer at a time, so connections are short-lived, and
    one run at a time: a run takes the lock file beside the warehouse for its whole length
    (once per run with the in-process executor) and a second run stops at once, saying so."""

    path: str
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
        return _absolute(self.path)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect(self.file, read_only=read_only) as con:
            yield con


class RawFolderResource(dg.ConfigurableResource):
    """The landing folder whose files become articles."""

    path: str

    @property
    def folder(self) -> Path:
        folder = _absolute(self.path)
        if not folder.is_dir():
            raise dg.Failure(f"NEWS_RAW_DIR={self.path!r} is not a folder ({folder})")
        return folder


class NlpModelResource(dg.ConfigurableResource):
    """Name of the installed spaCy pipeline package (NEWS_SPACY_MODEL)."""

    model_name: str


def data_docs_root(warehouse: WarehouseResource) -> Path:
    """GE's project root is the warehouse's folder: suites, results and Data Docs land in
    `<warehouse folder>/gx/`, the Data Docs site at `gx/uncommitted/data_docs/local_site/`."""
    return warehouse.file.parent
