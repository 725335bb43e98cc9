# Shanzhi — set-up and everyday commands. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
HOST  ?= 127.0.0.1
PORT  ?= 8000

# Find a Python >= 3.12: python3.13, python3.12, then pyenv versions, then python3.
PYTHON_BASE := $(shell for c in python3.13 python3.12 \
	$$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -r) python3; do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then \
	    echo $$c; break; fi; done)

.PHONY: run test lint install check-python migrate demo worker scheduler clean

check-python:
	@if [ -z "$(PYTHON_BASE)" ]; then \
	  echo "Shanzhi needs Python 3.12 or newer (Django 6 requires it)."; \
	  echo "Install one, e.g. 'pyenv install 3.13' or 'apt-get install python3.13', then run make again."; \
	  exit 1; fi

$(VENV)/.installed: pyproject.toml | check-python
	@test -x $(PY) || $(PYTHON_BASE) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(VENV)/bin/shanzhi migrate --noinput

demo: migrate
	$(VENV)/bin/shanzhi demo --if-empty

run: demo
	$(VENV)/bin/shanzhi run --host $(HOST) --port $(PORT)

worker: install
	$(VENV)/bin/shanzhi worker

scheduler: install
	$(VENV)/bin/shanzhi scheduler

test: install
	$(VENV)/bin/pytest -n 2 --dist loadfile

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check shanzhi tests benchmarks
	$(VENV)/bin/mypy shanzhi
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) var/*.sqlite3* .pytest_cache .mypy_cache .ruff_cache
