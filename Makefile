# 智慧团建 — two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install sysdeps-run sysdeps-test migrate seed ci bench-orgtree bench-broadcast clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# System packages: the CJK font for PDFs (run and test) and Chromium for browser tests.
sysdeps-run:
	scripts/sysdeps.sh fonts
sysdeps-test:
	scripts/sysdeps.sh fonts chromium

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

bench-orgtree: migrate
	$(PY) manage.py bench_orgtree --orgs 100000

bench-broadcast: migrate
	$(PY) manage.py bench_broadcast --recipients 200000

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
