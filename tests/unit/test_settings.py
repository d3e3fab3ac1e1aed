"""Each setting is resolved by one rule: explicit value, else environment, else default;
relative paths from the repository root whatever the working directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.lib.settings import (
    RAW_DIR,
    REPO_ROOT,
    SPACY_MODEL,
    WAREHOUSE_PATH,
    resolve_path,
    resolved,
)


@pytest.mark.parametrize(
    ("setting", "explicit", "environ", "expected"),
    [
        (RAW_DIR, None, {}, str(REPO_ROOT / "raw")),
        (RAW_DIR, None, {"NEWS_RAW_DIR": ""}, str(REPO_ROOT / "raw")),
        (RAW_DIR, None, {"NEWS_RAW_DIR": "  "}, str(REPO_ROOT / "raw")),
        (RAW_DIR, None, {"NEWS_RAW_DIR": "data/in"}, str(REPO_ROOT / "data" / "in")),
        (RAW_DIR, None, {"NEWS_RAW_DIR": "/srv/news"}, "/srv/news"),
        (RAW_DIR, "/x/explicit", {"NEWS_RAW_DIR": "/srv/news"}, "/x/explicit"),
        (WAREHOUSE_PATH, None, {}, str(REPO_ROOT / "warehouse" / "news.duckdb")),
        (
            WAREHOUSE_PATH,
            None,
            {"NEWS_WAREHOUSE_PATH": "../w.duckdb"},
            str(REPO_ROOT.parent / "w.duckdb"),
        ),
        (SPACY_MODEL, None, {}, SPACY_MODEL.default),
        (SPACY_MODEL, None, {"NEWS_SPACY_MODEL": "en_core_web_sm"}, "en_core_web_sm"),
        (SPACY_MODEL, "custom_model", {"NEWS_SPACY_MODEL": "en_core_web_sm"}, "custom_model"),
    ],
)
def test_setting_value(setting, explicit, environ, expected):
    assert setting.value(explicit, environ) == expected


def test_model_name_is_not_treated_as_a_path():
    assert SPACY_MODEL.value(environ={"NEWS_SPACY_MODEL": "a/b"}) == "a/b"


def test_relative_paths_ignore_the_working_directory(monkeypatch):
    monkeypatch.chdir("/")
    assert resolve_path("raw") == REPO_ROOT / "raw"
    assert resolve_path(Path("/abs")) == Path("/abs")


def test_resolved_names_every_setting():
    values = resolved({"NEWS_SPACY_MODEL": "m"})
    assert values == {
        "NEWS_RAW_DIR": str(REPO_ROOT / "raw"),
        "NEWS_WAREHOUSE_PATH": str(REPO_ROOT / "warehouse" / "news.duckdb"),
        "NEWS_SPACY_MODEL": "m",
        "NEWS_WAREHOUSE": "duckdb",
        "NEWS_DUCKLAKE_DATA_PATH": str(REPO_ROOT / "warehouse" / "lake"),
    }
