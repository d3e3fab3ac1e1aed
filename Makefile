# Every target installs what it needs into the project-local .venv first (uv from PyPI,
# the Python packages from uv.lock, the spaCy model included); nothing else is required.
# the machine's Python, resolved before the project's .venv/bin goes first on PATH below
PYTHON ?= $(shell command -v python3.11 || command -v python3)
PYTHON := $(PYTHON)
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
# Apache Superset lives in its own environment: its pins never meet the pipeline's
BI_VENV := .bi/venv

# NEWS_RAW_DIR, NEWS_WAREHOUSE_PATH, NEWS_SPACY_MODEL: resolved (defaults, relative paths) by
# the project's settings module alone; every target and the programs it runs see those values
$(foreach setting,$(shell $(PYTHON) dagster_project/lib/settings.py),$(eval export $(setting)))
DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DAGSTER_HOME
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
export DO_NOT_TRACK := 1
export DAGSTER_DISABLE_TELEMETRY := 1
# dagster-dbt calls `dbt` by name under `dagster dev`: the project's own, activated or not
export PATH := $(CURDIR)/$(BIN):$(PATH)

# the Dagster CLI as a module, not as its script: a worker process of the paragraph and NLP
# stages re-runs a main *script* (which imports all of Dagster, seconds per worker), never
# the `__main__` module of a package
DAGSTER := $(BIN)/python -m dagster

# the landing asset's `force`: rebuild everything downstream even when no raw file changed,
# the incremental dbt models from scratch
FORCE := --config-json '{"ops": {"raw_landing": {"config": {"force": true}}, "dbt_models": {"config": {"full_refresh": true}}}}'
# make eval: its own warehouse per gold file (per raw folder without one), so scoring never
# touches the main one
EVAL_WAREHOUSE = $(CURDIR)/warehouse/eval/$(if $(GOLD),$(basename $(notdir $(GOLD))),$(notdir $(abspath $(RAW)))).duckdb

MANIFEST := dbt/target/manifest.json
DBT_SOURCES := $(shell find dbt/models dbt/macros dbt/seeds dbt/tests -type f 2>/dev/null) dbt/dbt_project.yml

.PHONY: install run rebuild dev test lint docs report bench eval browser postgres bi bi-install clean

install: $(VENV)/.installed $(MANIFEST)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen
	touch $@

$(MANIFEST): $(VENV)/.installed $(DBT_SOURCES)
	$(BIN)/dbt parse --quiet --project-dir $(CURDIR)/dbt --profiles-dir $(CURDIR)/dbt
	touch $@

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME) && cp dagster.yaml $@

run: install $(DAGSTER_HOME)/dagster.yaml
	$(DAGSTER) asset materialize -m dagster_project.definitions --select '*'

rebuild: install $(DAGSTER_HOME)/dagster.yaml
	$(DAGSTER) asset materialize -m dagster_project.definitions --select '*' $(FORCE)

dev: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -m dagster_project.definitions --host 127.0.0.1 --port 3000

$(BI_VENV)/.installed: $(UV) bi/requirements.txt
	$(UV) venv --allow-existing --quiet $(BI_VENV) && $(UV) pip install --quiet --python $(BI_VENV)/bin/python -r bi/requirements.txt && touch $@

bi-install: $(BI_VENV)/.installed

bi: install bi-install
	$(BI_VENV)/bin/python bi/serve.py

test: install browser postgres bi-install
	$(BIN)/pytest

# sqlfluff's dbt templater compiles with a connection but reads no table: an in-memory one
lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && NEWS_WAREHOUSE_PATH=:memory: $(BIN)/sqlfluff lint dbt/models

report: install
	$(BIN)/python -m dagster_project.lib.report

# BENCH_ARGS="--corpus DIR --scale K"; "--backend ducklake": the NLP stage on DuckLake
bench: install postgres
	$(BIN)/python tests/benchmarks/bench_pipeline.py $(BENCH_ARGS)

eval: install $(DAGSTER_HOME)/dagster.yaml
	$(if $(RAW),,$(error make eval needs RAW=<folder of articles> (and GOLD=<gold JSON file> to score them)))
	mkdir -p $(dir $(EVAL_WAREHOUSE)) && NEWS_RAW_DIR=$(abspath $(RAW)) NEWS_WAREHOUSE_PATH=$(EVAL_WAREHOUSE) $(DAGSTER) asset materialize -m dagster_project.definitions --select '*' $(FORCE) > $(EVAL_WAREHOUSE:.duckdb=.log) 2>&1 || (tail -40 $(EVAL_WAREHOUSE:.duckdb=.log); exit 1)
	$(BIN)/python -m dagster_project.lib.evaluation --warehouse $(EVAL_WAREHOUSE) $(if $(GOLD),--gold $(abspath $(GOLD))) --raw-dir $(abspath $(RAW))

docs: install
	$(BIN)/dbt docs generate --quiet --project-dir $(CURDIR)/dbt --profiles-dir $(CURDIR)/dbt && $(BIN)/dbt docs serve --project-dir $(CURDIR)/dbt --profiles-dir $(CURDIR)/dbt --host 127.0.0.1 --port 8080 --no-browser

# The browser tests drive Debian's Chromium; without root they skip instead.
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || echo "Chromium could not be installed: the browser tests will skip"

# The DuckLake tests start their own PostgreSQL server from Debian's binaries; without root
# (and no PostgreSQL installed) they skip instead.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || echo "PostgreSQL could not be installed: the DuckLake tests will skip"

clean:
	rm -rf $(VENV) $(TOOLS) dbt/target dbt/logs warehouse .dagster_home .bi
