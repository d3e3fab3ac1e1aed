"""Start Apache Superset on loopback over the published warehouse (`make bi`).

Runs with the BI environment's Python (.bi/venv), never the pipeline's. On first start it
creates Superset's metadata database in NEWS_BI_HOME, its secret key and the local admin
(password NEWS_BI_ADMIN_PASSWORD, else a generated one printed once and kept in
NEWS_BI_HOME/admin_password); then it starts Superset (gunicorn), registers the published
copy of NEWS_WAREHOUSE_PATH read-only, applies bi/dashboard.py through the REST API and keeps
serving until interrupted. `--provision-only` stops after provisioning (for scripts).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bi import dashboard  # noqa: E402
from dagster_project.lib import settings  # noqa: E402

BIN = Path(sys.executable).parent
ADMIN = "admin"


def superset_env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SUPERSET_HOME": str(home),
        "SUPERSET_CONFIG_PATH": str(REPO_ROOT / "bi" / "superset_config.py"),
        "FLASK_APP": "superset",
    }


def admin_password(home: Path) -> tuple[str, bool]:
    """The admin's password and whether it was generated just now."""
    chosen = settings.BI_ADMIN_PASSWORD.value()
    if chosen:
        return chosen, False
    kept = home / "admin_password"
    if kept.exists():
        return kept.read_text(encoding="utf-8").strip(), False
    generated = secrets.token_urlsafe(18)
    kept.touch(mode=0o600)
    kept.write_text(generated + "\n", encoding="utf-8")
    return generated, True


def initialise(home: Path, env: dict[str, str]) -> None:
    """Secret key, metadata database, roles and the admin with the current password. Skipped
    when this Superset version was set up with this password already (it takes a while)."""
    import hashlib
    from importlib.metadata import version

    home.mkdir(parents=True, exist_ok=True)
    key = home / "secret_key"
    if not key.exists():
        key.touch(mode=0o600)
        key.write_text(secrets.token_urlsafe(48) + "\n", encoding="utf-8")
    password, generated = admin_password(home)
    marker = home / "initialised"
    state = f"{version('apache-superset')} {hashlib.sha256(password.encode()).hexdigest()}"
    if not marker.exists() or marker.read_text(encoding="utf-8") != state:
        done = subprocess.run(
            [sys.executable, str(REPO_ROOT / "bi" / "initialise.py"), ADMIN],
            input=password,
            text=True,
            env=env,
            capture_output=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"setting up Superset failed:\n{done.stderr[-4000:]}")
        marker.write_text(state, encoding="utf-8")
    if generated:
        print(f"Superset admin: user {ADMIN!r}, generated password {password!r}", flush=True)
        print(f"(kept in {home / 'admin_password'}; set NEWS_BI_ADMIN_PASSWORD to choose one)")


def start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    with log.open("a") as handle:
        return subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "8",
                "--timeout",
                "120",
                # gunicorn closes an idle kept-alive connection after 2 s by default: a REST
                # client that reuses it just then gets "connection reset" (browsers resend,
                # most scripts' clients do not). Idle connections of one local user cost nothing
                "--keep-alive",
                "75",
                "superset.app:create_app()",
            ],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Superset exited:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(f"{url}/health", timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise TimeoutError(f"Superset did not answer on {url} within {timeout:.0f} s")


class Api:
    """Superset's REST API as the admin: JWT login plus the CSRF token its writes require."""

    def __init__(self, url: str, password: str):
        self.url = f"{url}/api/v1"
        self.session = requests.Session()
        login = self.session.post(
            f"{self.url}/security/login",
            json={"username": ADMIN, "password": password, "provider": "db", "refresh": True},
            timeout=60,
        )
        login.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        csrf = self.session.get(f"{self.url}/security/csrf_token/", timeout=60)
        csrf.raise_for_status()
        self.session.headers["X-CSRFToken"] = csrf.json()["result"]
        self.session.headers["Referer"] = url

    def call(self, method: str, path: str, **kwargs) -> dict:
        response = self.session.request(method, f"{self.url}/{path}", timeout=120, **kwargs)
        if not response.ok:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:2000]}")
        return response.json()

    def find(self, resource: str, key: str, value: str) -> dict | None:
        listing = self.call("GET", f"{resource}/", params={"q": "(page_size:100)"})
        return next((row for row in listing["result"] if row.get(key) == value), None)

    def upsert(self, resource: str, key: str, payload: dict) -> int:
        """Create the object named payload[key], or update the one that exists; its id."""
        existing = self.find(resource, key, payload[key])
        if existing is None:
            return self.call("POST", f"{resource}/", json=payload)["id"]
        self.call("PUT", f"{resource}/{existing['id']}", json=payload)
        return existing["id"]


def provision(api: Api, published: Path) -> int:
    """Apply bi/dashboard.py; returns the dashboard's id."""
    database_id = api.upsert(
        "database",
        "database_name",
        {
            "database_name": dashboard.DATABASE_NAME,
            "sqlalchemy_uri": f"duckdb:///{published}",
            "expose_in_sqllab": True,
            "allow_dml": False,
            "allow_ctas": False,
            "allow_cvas": False,
            "allow_file_upload": False,
            # read-only, so the pipeline's writer is never blocked; Superset opens a new
            # connection per query (its NullPool), so a republished file is read from the next
            # query on
            "extra": json.dumps({"engine_params": {"connect_args": {"read_only": True}}}),
        },
    )
    dataset_ids = {}
    for name, spec in dashboard.DATASETS.items():
        existing = api.find("dataset", "table_name", name)
        payload = {"database": database_id, "schema": spec["schema"], "table_name": name}
        if "sql" in spec:
            payload["sql"] = spec["sql"].strip()
        if existing is None:
            dataset_ids[name] = api.call("POST", "dataset/", json=payload)["id"]
        else:
            dataset_ids[name] = existing["id"]
            if "sql" in spec:
                api.call("PUT", f"dataset/{existing['id']}", json={"sql": payload["sql"]})
        # the columns as the published copy has them now
        api.call("PUT", f"dataset/{dataset_ids[name]}/refresh")
    dashboard_id = api.upsert(
        "dashboard",
        "dashboard_title",
        {
            "dashboard_title": dashboard.DASHBOARD_TITLE,
            "slug": dashboard.DASHBOARD_SLUG,
            "published": True,
        },
    )
    chart_ids = {}
    for name, spec in dashboard.CHARTS.items():
        dataset_id = dataset_ids[spec["dataset"]]
        params = {"viz_type": spec["viz_type"], "datasource": f"{dataset_id}__table"}
        chart_ids[name] = api.upsert(
            "chart",
            "slice_name",
            {
                "slice_name": name,
                "viz_type": spec["viz_type"],
                "datasource_id": dataset_id,
                "datasource_type": "table",
                "params": json.dumps(params | spec["params"]),
                "dashboards": [dashboard_id],
            },
        )
    api.call(
        "PUT",
        f"dashboard/{dashboard_id}",
        json={"position_json": json.dumps(dashboard.position_json(chart_ids))},
    )
    return dashboard_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(settings.BI_PORT.value()))
    parser.add_argument("--provision-only", action="store_true")
    args = parser.parse_args(argv)
    published = settings.published_path(settings.WAREHOUSE_PATH.path())
    if not published.is_file():
        raise SystemExit(f"no published warehouse at {published}: build one with `make run`")
    home = settings.BI_HOME.path()
    env = superset_env(home)
    started = time.monotonic()
    initialise(home, env)
    initialised = time.monotonic()
    url = f"http://127.0.0.1:{args.port}"
    log = home / "superset.log"
    process = start(env, args.port, log)
    # a plain `kill` (or a test ending) stops Superset too, not only Ctrl+C
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        wait_healthy(url, process, log)
        serving = time.monotonic()
        password, _ = admin_password(home)
        provision(Api(url, password), published)
        print(
            f"Superset on {url}/superset/dashboard/{dashboard.DASHBOARD_SLUG}/ (user {ADMIN!r}) "
            f"over {published}: initialised in {initialised - started:.0f} s, serving after "
            f"{serving - initialised:.0f} s, provisioned after {time.monotonic() - serving:.0f} s",
            flush=True,
        )
        if args.provision_only:
            return 0
        process.wait()
        return process.returncode
    except KeyboardInterrupt:
        return 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
