"""Resources: the settings of the project, read from the environment through dg.EnvVar.

NEWS_RAW_DIR, NEWS_WAREHOUSE_PATH and NEWS_SPACY_MODEL are documented in .env.example; the
Makefile and `dagster dev` (which reads .env) supply the defaults for the embedded case.
The backend settings (NEWS_WAREHOUSE and, for DuckLake, NEWS_DUCKLAKE_CATALOG and
NEWS_DUCKLAKE_DATA_PATH) are optional, so they are resolved when a step opens the warehouse,
by `lib.warehouse.resolve_target`. Relative paths are taken from the repository root, so
every entry point agrees on them.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.lib import warehouse

REPO_ROOT = Path(__file__).resolve().parents[2]


def _absolute(path: str) -> Path:
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else (REPO_ROOT / candidate).resolve()


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse: the DuckDB file at `path`, or the DuckLake lakehouse NEWS_WAREHOUSE
    selects. `path`'s folder also holds what stays local (GE Data Docs, the published copy).
    Connections are short-lived: a DuckDB file takes one writer at a time."""

    path: str

    @property
    def file(self) -> Path:
        return _absolute(self.path)

    @property
    def target(self) -> warehouse.Target:
        return warehouse.resolve_target(self.file, os.environ, _absolute)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        try:
            target = self.target
        except warehouse.SettingError as error:
            raise dg.Failure(str(error)) from error
        with warehouse.connect(target, read_only=read_only) as con:
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
