# The two set-up commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint migrate seed serve bench clean

$(BIN)/puente: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

## run: install, migrate, load the Dallas example data, serve on http://$(HOST):$(PORT)
run: migrate seed serve

migrate: $(BIN)/puente
	$(BIN)/puente database upgrade

seed: migrate
	$(BIN)/puente import seed/dallas

serve: $(BIN)/puente
	$(BIN)/puente run --host $(HOST) --port $(PORT)

## test: install and run the whole suite (PostgreSQL and browser tests skip unless configured)
test: $(BIN)/puente
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n auto

lint: $(BIN)/puente
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(BIN)/puente
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .mypy_cache
