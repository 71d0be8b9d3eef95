# dx-warehouse: `make run` and `make test` do all the set-up from a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Compile bytecode once at install: PYTHONDONTWRITEBYTECODE would otherwise make every command
# recompile ~1,900 modules (import airflow: 7 s instead of 2 s).
export UV_COMPILE_BYTECODE := 1
export UV_NO_PROGRESS := 1
UV_VERSION := 0.13.8
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
VENV := .venv
DXW := $(VENV)/bin/dxw
# Apache Superset: its own locked environment (it needs SQLAlchemy 1.4 and Flask 2).
SUPERSET_VENV := bi/superset/.venv
# npm packages the GX Data Docs load from CDNs, served from local copies (dxw.docs.offline).
DOCS_VENDOR := .tools/docs-vendor
PYTEST_ARGS ?=

.PHONY: help install run test test-reliability lint format airflow up up-celery down status \
	db-start db-stop clean bi bi-install bi-down docs

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools && .tools/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

.PHONY: postgres-binaries
postgres-binaries:
	@command -v pg_ctl >/dev/null || compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing PostgreSQL server binaries (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else echo "PostgreSQL server binaries are missing: install the 'postgresql' package"; exit 1; fi; }

.PHONY: redis-server
redis-server:
	@command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Redis (apt-get), the Celery broker of dxw up --executor celery"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else echo "redis-server is missing: install the 'redis-server' package"; exit 1; fi; }

$(DOCS_VENDOR)/.installed: include/dxw/docs/vendor/package.json include/dxw/docs/vendor/package-lock.json include/dxw/docs/vendor/.npmrc
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js and npm (offline Data Docs assets)"; exit 1; }
	mkdir -p $(DOCS_VENDOR) && cp $^ $(DOCS_VENDOR)/
	cd $(DOCS_VENDOR) && npm ci --loglevel=error
	@touch $@

$(SUPERSET_VENV)/.installed: bi/superset/pyproject.toml bi/superset/uv.lock | $(UV)
	cd bi/superset && $(UV) sync --frozen
	@touch $@

# Chromium and its driver for the browser tests (and Debian's Noto fonts, which have every
# Vietnamese letter). Not being able to install them is not an error here: the browser tests
# then skip and say why.
.PHONY: browser-binaries
browser-binaries:
	@{ command -v chromium >/dev/null && command -v chromedriver >/dev/null && fc-list 2>/dev/null | grep -q NotoSans-; } || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Chromium, ChromeDriver and Noto fonts (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-core >/dev/null; \
	  else echo "warning: chromium, chromium-driver or fonts-noto-core missing and not root: the browser tests will skip"; fi; }

bi-install: $(SUPERSET_VENV)/.installed ## Install Apache Superset into its own environment (bi/superset/.venv)

bi: install bi-install ## Start Superset on the marts: http://127.0.0.1:8088 (DXW_SUPERSET_PORT), dashboards from bi/
	$(DXW) bi up

bi-down: ## Stop Superset
	$(DXW) bi down

docs: install ## Serve the dbt docs and GX Data Docs on http://127.0.0.1:8000
	$(DXW) docs serve

install: $(VENV)/.installed postgres-binaries redis-server $(DOCS_VENDOR)/.installed ## Install everything (uv, .venv from the lock, PostgreSQL, Redis, Data Docs assets)

run: install ## Run the whole pipeline through the resident Airflow scheduler on the sample
	$(DXW) run

test: install bi-install browser-binaries ## Run every test against a real PostgreSQL, Airflow, dbt, Superset and Chromium
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-reliability: install ## The heavy reliability tests: 10,000-file soak, repeated kills, Airflow retries
	$(VENV)/bin/pytest -m reliability $(PYTEST_ARGS)

bench: install postgres-binaries ## Quick benchmarks, under 5 minutes: report in bench/results/latest-quick.md
	$(VENV)/bin/python -m bench --quick

bench-full: install postgres-binaries ## Full-size benchmarks (national cycles, 10 years): bench/results/latest-full.md
	$(VENV)/bin/python -m bench --full

lint: install ## ruff, mypy
	$(VENV)/bin/ruff check include dags tests bench bi/superset/*.py
	$(VENV)/bin/ruff format --check include dags tests bench bi/superset/*.py
	$(VENV)/bin/mypy
	cd dbt_project && ../$(VENV)/bin/sqlfluff lint models

format: install ## Apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff check --fix include dags tests bench
	$(VENV)/bin/ruff format include dags tests bench

up: install ## Start Airflow in the background (LocalExecutor); prints the UI address
	$(DXW) up

up-celery: install ## Start Airflow on CeleryExecutor: a loopback Redis and WORKERS (2) workers
	$(DXW) up --executor celery --workers $(or $(WORKERS),2)

down: ## Stop every service `make up` / `dxw up` started
	@if [ -x $(DXW) ]; then $(DXW) down; else echo "nothing installed, nothing running"; fi

status: ## List the services of this home and their state
	$(DXW) status

airflow: up ## The Airflow UI: same as `make up`

db-start: install ## Start the embedded warehouse
	$(DXW) db start

db-stop: install ## Stop the embedded warehouse
	$(DXW) db stop

clean: ## Stop Superset, Airflow and the warehouse and delete all local state (.dxw/)
	-$(DXW) bi down
	-$(DXW) down
	-$(DXW) db stop
	rm -rf .dxw
