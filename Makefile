# Quick start: `make run` opens the app, `make test` runs every check. Both set everything up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install data run test lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Finds Fashion-MNIST (--data-dir/FMGEN_DATA_DIR, cache, Debian package) or downloads it.
data: $(STAMP)
	$(BIN)/fmgen-train --fetch-data

run: data
	$(BIN)/fmgen

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: data lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

bench: data
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
