# 智慧团建 — two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install sysdeps-run sysdeps-test migrate seed ci bench clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# System packages: the CJK font for PDFs (run and test), Chromium for browser tests, poppler-utils for the PDF tests.
sysdeps-run:
	scripts/sysdeps.sh fonts
sysdeps-test:
	scripts/sysdeps.sh fonts chromium poppler

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# Web server on $(HOST):$(PORT) (default 127.0.0.1:8000) and the django-q2 cluster together; Ctrl-C stops both.
HOST ?= 127.0.0.1
PORT ?= 8000
run: install sysdeps-run seed
	HOST=$(HOST) PORT=$(PORT) scripts/run_dev.sh

test: install sysdeps-test
	$(PY) manage.py makemigrations --check --dry-run --settings=portal.settings.test
	$(PY) -m pytest

ci:
	.ci/run

# Every benchmark against one province (100,000 orgs, 2,000,000 members) on PostgreSQL, built on the
# first run and reused after; one summary table and one JSON line per bench. ONLY="bench_pages …" picks some.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench
bench: install
	$(PY) scripts/ensure_database.py $(BENCH_DATABASE_URL)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py run_benches $(if $(ONLY),--only $(ONLY))

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
