# convtabs: `make conformance` runs the main job, `make test` the tests; both install first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# MXNet 1.9.1 needs NumPy < 1.24, which JAX and TensorFlow refuse: it gets an interpreter of its
# own. It installs in under a minute, so `make install` builds it too; CONV_WITH_MXNET=0 skips it.
CONV_WITH_MXNET ?= 1
MXVENV := .venv-mxnet
MXSTAMP := $(MXVENV)/.installed
PIP_QUIET := --disable-pip-version-check -q
# Both environments install from locks/ (every package pinned, `make lock` regenerates them) with uv,
# bootstrapped into .tools/ when it is not on PATH. INSTALLER=pip installs the same locks with pip.
INSTALLER ?= uv
UV_VERSION := 0.13.9
TOOLS := .tools
UV_BIN := $(or $(shell command -v uv 2>/dev/null),$(TOOLS)/bin/uv)
# uv reads no pip configuration: locks/pip_to_uv.py hands it whatever pip would use on this machine.
UV := $(PYTHON) locks/pip_to_uv.py $(UV_BIN)
# Each install's seconds go to results/install.json (make snapshot puts them in the README).
INSTALLER_VERSION = $$($(if $(filter pip,$(INSTALLER)),$(PYTHON) -m pip,$(UV_BIN)) --version | cut -d' ' -f2)
RECORD = $(PYTHON) locks/record_install.py $(INSTALLER) "$(INSTALLER_VERSION)"
NOW := date +%s.%N
# The CPU torch must stay the CPU torch: a CUDA build is multi-GB and cannot run here.
CPU_TORCH_CHECK = $(PY) -c 'import sys, torch; sys.exit(torch.version.cuda is not None)' || \
	{ echo "make install: torch $$($(PY) -c 'import torch; print(torch.__version__)') is a CUDA build;" \
	"the lock wants the CPU one (torch==...+cpu): give pip or uv a find-links or index that holds it" >&2; exit 1; }
# Read by the Python code, passed through unchanged.
export CONV_BACKEND CONV_DEVICE

.PHONY: install lock browser mxnet conformance precision d2l export port bench bench-quick bench-full fuzz docs snapshot matrix test test-unit test-adapters clean

install: $(STAMP) $(if $(filter 1,$(CONV_WITH_MXNET)),$(MXSTAMP))

$(TOOLS)/bin/uv:
	@start=$$($(NOW)); $(PYTHON) -m venv $(TOOLS) && $(TOOLS)/bin/pip install $(PIP_QUIET) 'uv==$(UV_VERSION)' && \
	$(PYTHON) locks/record_install.py uv $(UV_VERSION) uv-bootstrap - $$start

# uv pip sync installs exactly the lock (and removes what it lacks); the project goes on top, editable.
$(STAMP): pyproject.toml locks/main.txt $(if $(filter uv,$(INSTALLER)),$(UV_BIN))
	@set -e; start=$$($(NOW)); \
	if [ "$(INSTALLER)" = pip ]; then \
	    test -x $(PY) || $(PYTHON) -m venv $(VENV); \
	    $(PY) -m pip install $(PIP_QUIET) --no-deps -r locks/main.txt; \
	    $(PY) -m pip install $(PIP_QUIET) --no-deps -e .; \
	else \
	    test -x $(PY) || $(UV) venv -q --python $(PYTHON) $(VENV); \
	    $(UV) pip sync -q --python $(PY) locks/main.txt; \
	    $(UV) pip install -q --python $(PY) --no-deps -e .; \
	fi; \
	$(CPU_TORCH_CHECK); \
	$(RECORD) main locks/main.txt $$start
	touch $@

mxnet: $(MXSTAMP)

$(MXSTAMP): pyproject.toml locks/mxnet.txt $(if $(filter uv,$(INSTALLER)),$(UV_BIN))
	@set -e; start=$$($(NOW)); \
	if [ "$(INSTALLER)" = pip ]; then \
	    test -x $(MXVENV)/bin/python || $(PYTHON) -m venv $(MXVENV); \
	    $(MXVENV)/bin/pip install $(PIP_QUIET) --no-deps -r locks/mxnet.txt; \
	    $(MXVENV)/bin/pip install $(PIP_QUIET) --no-deps -e .; \
	else \
	    test -x $(MXVENV)/bin/python || $(UV) venv -q --python $(PYTHON) $(MXVENV); \
	    $(UV) pip sync -q --python $(MXVENV)/bin/python locks/mxnet.txt; \
	    $(UV) pip install -q --python $(MXVENV)/bin/python --no-deps -e .; \
	fi; \
	$(RECORD) mxnet locks/mxnet.txt $$start
	touch $@

# Regenerate both locks for Python 3.11 on Linux x86-64 from pyproject.toml and locks/*.in, then
# `make install`. onnx2torch is pinned on its own with --no-deps: it requires torchvision, whose PyPI
# wheel is a CUDA build that cannot load beside the CPU torch. The annotations that name a
# constraint file of this machine are dropped: the lock names no path.
LOCK_FOR := --python-version 3.11 --python-platform x86_64-manylinux_2_28 --generate-hashes \
	--no-emit-package convtabs --custom-compile-command 'make lock'
lock: $(UV_BIN)
	$(UV) pip compile -q $(LOCK_FOR) pyproject.toml locks/main.in --extra all --extra test --extra report -o locks/main.txt
	echo '# onnx2torch without its dependencies (torchvision): installed by uv pip sync as listed' >> locks/main.txt
	echo 'onnx2torch==1.5.15' | $(UV) pip compile -q $(LOCK_FOR) --no-deps --no-header - >> locks/main.txt
	$(UV) pip compile -q $(LOCK_FOR) pyproject.toml locks/mxnet.in -o locks/mxnet.txt
	sed -i -e '/^ *#   -c /d' -e '/^ *# via -c /d' locks/main.txt locks/mxnet.txt

conformance: install
	$(PY) -m conformance

# Worst error against the bound and the sqrt(n) grade, for one backend (CONV_BACKEND, default numpy).
precision: install
	$(PY) -m conformance.precision

# The chapter run in every selected framework, side by side: results/d2l/index.html.
# D2L_LANG=zh adds the Chinese edition's section titles.
D2L_LANG ?= en
d2l: install
	$(PY) -m chapter --lang $(D2L_LANG)

# Each framework's own layer through its own ONNX exporter, run in ONNX Runtime and compared with the
# framework's output: results/export/report.md. CONV_BACKEND narrows it (torch, keras-jax, ...).
export: install
	$(PY) -m exports

# Will a conv layer behave the same after it is moved to another framework? Every installed
# framework (Keras on its three backends too; CONV_BACKEND=torch,jax for some), every layer of
# layers/config.py, or one: LAYER=down3-s2-same-even, or LAYER="conv k=3 s=2 p=same in=4 out=8 input=16".
# results/port/report.md, report.json, port.png.
port: install
	$(PY) -m port $(if $(LAYER),--layer "$(LAYER)")

bench: install
	$(PY) -m benchmarks

# The smoke run `make test` ends with: every backend through every code path, a minute or two.
bench-quick: install
	$(PY) -m benchmarks --quick

# Every compiled variant and longer rounds; may take much longer than 10 minutes.
bench-full: install
	$(PY) -m benchmarks --full

# A property-based search of the convolution space on every selected backend (CONV_BACKEND), for
# CONV_FUZZ_SECONDS each (default 60), from CONV_FUZZ_SEED (else a fresh seed, printed): every finding
# shrunk to a minimal case with a native reproducer. results/fuzz/report.md, found.json, repro/.
fuzz: install
	$(PY) -m fuzz

# The generated tables of README.md and docs/*.md, from the committed snapshot (docs/snapshot) and
# the code (settings.VARIABLES, runner/commands.py); the prose around them stays as written.
docs: install
	$(PY) -m docsgen

# Copy the latest results/ of each command into docs/snapshot, with when, where and at which commit
# they were made (docs/snapshot/manifest.json); then `make docs`.
snapshot: install
	$(PY) -m docsgen.take

# The conformance suite across the framework releases of matrix.toml, one nox session (own uv
# environment, .cache/matrix/envs) per release, then the merge: results/matrix/report.md. FULL=1 runs
# every case instead of matrix.toml's corpus. One release: python -m matrix.cell <framework> <release>.
matrix: install
	@FULL=$(FULL) $(PY) -m nox -f noxfile.py; status=$$?; $(PY) -m matrix && exit $$status

# Each stage is timed into results/test.json (runner/stopwatch.py, the system's python3: it runs
# before .venv exists), so the README's time for make test is the run's own (make snapshot).
STOPWATCH := $(PYTHON) -m runner.stopwatch results/test.json
test:
	@rm -f results/test.json
	@$(STOPWATCH) "unit and browser tests" -- $(MAKE) --no-print-directory test-unit
	@$(STOPWATCH) "adapter tests" -- $(MAKE) --no-print-directory test-adapters
	@$(STOPWATCH) "bench-quick" -- $(MAKE) --no-print-directory bench-quick

# tests/browser opens results pages in the system's Chromium (playwright's own browser download is
# not reachable) and fails, not skips, without it: as root with apt-get it is installed here,
# anywhere else make test stops at once with the command to run.
browser:
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "make test: installing Debian's chromium for tests/browser (apt-get, a minute or two)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	    echo "make test: tests/browser need a Chromium; run  sudo apt-get install -y chromium  then make test" >&2; \
	    exit 2; \
	fi

# The reference and the registry must also work under MXNet's NumPy < 1.24. The unit and browser
# tests run in one pytest-xdist worker per core, at most TEST_WORKERS (each test is independent; the
# end-to-end ones start their own processes, so more workers than that only compete for the cores).
TEST_WORKERS ?= 4
test-unit: install browser
	$(PY) -m pytest tests/unit tests/browser -q --numprocesses=auto --maxprocesses=$(TEST_WORKERS)
	if [ -f $(MXSTAMP) ]; then $(MXVENV)/bin/python -m pytest -q tests/unit/test_reference_book.py \
	    tests/unit/test_reference_math.py tests/unit/test_params.py tests/unit/test_kernels.py; fi

# One process per backend (docs/design.md, Process model), ADAPTER_WORKERS at once: JAX's compiling
# keeps about one core busy for minutes, so two at once suit even a 2-core machine.
ADAPTER_WORKERS ?= 2
test-adapters: install
	$(PY) -m runner.adapter_tests --workers $(ADAPTER_WORKERS)

clean:
	rm -rf $(VENV) $(MXVENV) results .cache .benchmarks .pytest_cache .hypothesis *.egg-info
