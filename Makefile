# govlake developer interface. `make demo` and `make test` work on a fresh machine: both set up first.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV_VERSION := 0.9.30
PYTEST_WORKERS ?= 2

# Telemetry off everywhere; Airflow and dbt find the project's folders.
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export SCARF_NO_ANALYTICS := true
export GX_ANALYTICS_ENABLED := False
export AIRFLOW__COSMOS__ENABLE_TELEMETRY := False
export AIRFLOW__COSMOS__CACHE_DIR := $(CURDIR)/.cosmos_cache
export AIRFLOW_HOME := $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__PARALLELISM := 4
export AIRFLOW__API__HOST := 127.0.0.1
export SPARK_LOCAL_IP := 127.0.0.1
# a machine that sets PYTHONDONTWRITEBYTECODE recompiles the project's modules in every process the
# platform starts (Airflow tasks, dbt, the scheduler's): the venv's are compiled at install (below)
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help setup demo test test-fast bench lint format airflow clean

help:
	@echo "make demo    set up, then run the platform end to end on DuckDB"
	@echo "make test    set up, then run the whole test suite"
	@echo "make bench   benchmarks (ratios against a baseline measured in the same run)"
	@echo "make lint    ruff"
	@echo "make airflow Airflow (scheduler, API, triggerer) on http://127.0.0.1:8080 with the project's DAGs"

setup: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (CPython 3.11)"; exit 1; }
	@command -v java >/dev/null || { echo "installing a Java runtime for Spark"; \
	  (apt-get install -y -q default-jre-headless || sudo apt-get install -y -q default-jre-headless); }
	@command -v chromium >/dev/null && fc-list :lang=zh | grep -q . || { \
	  echo "installing Chromium and a CJK font for the scorecard site's browser tests"; \
	  (apt-get install -y -q chromium fonts-wqy-microhei || sudo apt-get install -y -q chromium fonts-wqy-microhei); }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q uv==$(UV_VERSION)  # uv installs the freeze in a third of pip's time
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements.txt -c constraints.txt
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	$(BIN)/pip check
	touch $(STAMP)

demo: setup
	$(BIN)/govlake demo run

test: setup
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder --durations=30

test-fast: setup
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder -m "not slow and not spark"

bench: setup
	$(BIN)/python -m bench.run

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

airflow: setup
	$(BIN)/govlake airflow

clean:  # a deliberate reset: the audit log goes with data/, so its anchor (kept elsewhere) goes too
	rm -rf data data-* site .airflow .cosmos_cache .pytest_cache dbt_project/target
	rm -rf "$${XDG_STATE_HOME:-$$HOME/.local/state}/govlake/audit-anchors"
