# convtabs: `make conformance` runs the main job, `make test` the tests; both install first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Read by the Python code, passed through unchanged.
export CONV_BACKEND CONV_DEVICE

.PHONY: install conformance precision bench bench-quick test test-unit test-adapters clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -e '.[all,test,report]'
	touch $(STAMP)

conformance: install
	$(PY) -m conformance

# Worst error against the bound and the sqrt(n) grade, for one backend (CONV_BACKEND, default numpy).
precision: install
	$(PY) -m conformance.precision

bench: install
	$(PY) -m benchmarks

bench-quick: install
	$(PY) -m benchmarks --quick

test: test-unit test-adapters

test-unit: install
	$(PY) -m pytest tests/unit -q

# One process per backend (DESIGN.md, process model): a crash in one cannot take the others down.
test-adapters: install
	@status=0; for b in $$($(PY) -m backends.list); do \
	    echo "== adapter tests: $$b"; \
	    CONV_BACKEND=$$b $(PY) -m pytest tests/adapters -q || status=1; \
	done; exit $$status

clean:
	rm -rf $(VENV) results .benchmarks .pytest_cache .hypothesis *.egg-info
