# Two commands on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo test unit lint docs wheel-check bench faults clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,sim]'
	touch $(STAMP)

demo: venv
	$(BIN)/idc demo

# Tests, then the linters and the layer contract; any failure fails the target.
test: venv unit lint

# Most tests wait (simulated latency, 20 TPS client pacing, idc --sim
# subprocesses), not compute: 8 workers keep 2 cores busy. worksteal hands
# a long module's remaining tests to idle workers. WORKERS=... to override.
WORKERS ?= 8
unit: venv
	$(BIN)/python -m pytest -n $(WORKERS) --dist worksteal -m "not faults" tests

lint: venv
	$(BIN)/ruff check reconciler tests benchmarks
	$(BIN)/ruff format --check reconciler tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# Regenerate docs/cli.md (every --help) and docs/fields.md (the schemas);
# tests/cli/test_reference.py fails while they are stale.
docs: venv
	$(BIN)/python -m reconciler.cli.reference

# The release install: the wheel in clean venvs outside the tree (with and
# without the sim extra), running init, validate, snapshot and plan.
wheel-check:
	bash .ci/wheel-check $(PY)

bench: venv
	$(BIN)/python -m benchmarks

faults: venv
	IDC_FAULT_SEEDS=$${IDC_FAULT_SEEDS:-50} $(BIN)/python -m pytest -m faults tests

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
