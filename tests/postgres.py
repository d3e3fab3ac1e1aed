"""A throwaway PostgreSQL server for the DuckLake tests: Debian's binaries, a cluster in a
temporary folder, listening on loopback only, stopped and removed afterwards.

PostgreSQL refuses to run as root, so under root (CI) the cluster belongs to the `postgres`
user the Debian package creates, and its binaries run through `runuser`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from dagster_project.lib.warehouse import DuckLake

SUPERUSER = "postgres"


def find_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's binaries (/usr/lib/postgresql/<major>/bin)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PostgresServer:
    bin_dir: Path
    folder: Path
    port: int
    run_as: str | None

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / program), *args]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    def _checked(self, program: str, *args: str) -> None:
        result = self._run(program, *args)
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed:\n{result.stdout}\n{result.stderr}")

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    def start(self) -> None:
        self._checked(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off"
        self._checked(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-o",
            options,
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")

    def dsn(self, database: str) -> str:
        """A libpq connection string to `database` on this server."""
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={database}"

    def create_database(self, name: str) -> str:
        self._checked("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, name)
        return self.dsn(name)

    def psql(self, dsn: str, sql: str) -> str:
        result = subprocess.run(
            [str(self.bin_dir / "psql"), dsn, "-v", "ON_ERROR_STOP=1", "-Atc", sql],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr}")
        return result.stdout

    def reader_of(self, lake: DuckLake) -> DuckLake:
        """The same lake through a new role that may only read the catalog's tables."""
        role = f"reader_{uuid.uuid4().hex[:8]}"
        self.psql(
            lake.catalog,
            f"create role {role} login; grant select on all tables in schema public to {role}",
        )
        return DuckLake(catalog=f"{lake.catalog} user={role}", data_path=lake.data_path)

    def new_lake(self, data_root: Path) -> DuckLake:
        """A fresh, empty DuckLake: its own catalog database and its own data folder."""
        name = f"lake_{uuid.uuid4().hex[:12]}"
        return DuckLake(catalog=self.create_database(name), data_path=data_root / name)


class PostgresUnavailable(RuntimeError):
    """PostgreSQL is not installed here, or cannot be run as a user other than root."""


def start_server() -> PostgresServer:
    """Start a throwaway server; PostgresUnavailable says why none can run on this machine."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); "
            "`make test` installs Debian's postgresql package where apt can"
        )
    run_as = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SUPERUSER)
        except KeyError as error:
            raise PostgresUnavailable(
                "running as root without a `postgres` user to own the cluster"
            ) from error
        if shutil.which("runuser") is None:
            raise PostgresUnavailable("running as root without `runuser` to drop privileges")
        run_as = SUPERUSER
    # mkdtemp's folder is private to its creator: hand it to the cluster's owner
    folder = Path(tempfile.mkdtemp(prefix="news-postgres-"))
    if run_as:
        shutil.chown(folder, user=run_as)
    server = PostgresServer(bin_dir=bin_dir, folder=folder, port=_free_port(), run_as=run_as)
    try:
        server.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server


def stop_server(server: PostgresServer) -> None:
    server.stop()
    shutil.rmtree(server.folder, ignore_errors=True)
