# Quick start: `make run` opens the app, `make test` runs every check. Both set everything up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install data run test lint bench clean

install: $(STAMP)

# TORCH=auto (default): a CPU build of torch on machines without an NVIDIA GPU when PyTorch's
# CPU index answers (about 1 GB instead of 5.8 GB, same speed on the CPU), else the default
# index's build. TORCH=cpu insists on the CPU build; TORCH=default never uses the CPU index.
TORCH ?= auto
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@if $(BIN)/python -m trainer.cli.torch_variant $(TORCH) $(TORCH_CPU_INDEX); then \
		echo "installing the CPU build of torch from $(TORCH_CPU_INDEX)"; \
		$(BIN)/python -m pip install --quiet --index-url $(TORCH_CPU_INDEX) 'torch>=2.2,<3' 'torchvision>=0.17,<1'; \
	fi
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
	$(BIN)/lint-imports

# One pytest-xdist worker per core (at most 4), each test file on one worker so its module
# fixtures (trained runs) are made once; tests/conftest.py gives each worker its share of the
# cores. TEST_WORKERS=0 runs the tests in this one process.
TEST_WORKERS ?= auto

test: data lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile

bench: data
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
