# Training Neural Networks — course notebooks on the small numpy package `nnutils`.
#
#   make lab        set up .venv on first use, then open JupyterLab on the course
#   make test       set up .venv on first use, then unit tests + notebook replay (also under
#                   another BLAS kernel) + browser test
#   make test-tolerant  replay every notebook with 2 BLAS threads, another kernel and numpy's
#                   widest SIMD off; every printed number must stay within 5 % (0.03 below 1)
#   make notebooks  re-execute every notebook in place and normalise it (after editing)
#   make bench      run the benchmark scripts (they print ratios, they are not tests)
#   make html       export the notebooks to static HTML in build/html
#   make clean      remove build output and caches (keeps .venv; `rm -rf .venv` to rebuild it)
#   make lock       rewrite requirements.lock from pyproject.toml (then `make notebooks`, `make test`)
#
# .venv gets the exact, hashed versions of requirements.lock, not the newest releases.
# Variables: PORT=8888 IP=localhost for `make lab`; JOBS=2 parallel pytest workers;
# PYTHON=python3 is used only to create .venv; UPGRADE=1 makes `make lock` take the newest
# releases that pyproject.toml allows (without it, locked versions that still fit are kept).

PYTHON ?= python3

# One BLAS thread for JupyterLab's kernels, the tests and the notebook runs. The course's
# matrices are small: a second OpenBLAS thread buys nothing, and on a busy 2-core machine
# it makes a training step 10-30x slower. It also keeps float32 results bit-identical to
# the stored notebook outputs. Override with e.g. `make lab OPENBLAS_NUM_THREADS=2`.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
PORT ?= 8888
IP ?= localhost
JOBS ?= 2

VENV := .venv
PY := $(VENV)/bin/python
# What `make` installs: every package of the lab and test extras at the exact version and hashes
# in this file, then nnutils itself without dependencies or build isolation, so nothing unpinned
# is fetched. tests/test_setup.py checks that environment.yml installs the same file.
LOCK := requirements.lock
# Written after a successful install, so later runs skip it (redone when the lock or
# pyproject.toml changes).
STAMP := $(VENV)/.installed
# `make lock`: the pinned tool, and one universal lock for Python >= 3.10 on Linux, macOS and
# Windows. The `build` dependency group adds setuptools, the build backend.
UV_VERSION := 0.13.9
LOCK_FLAGS := --group build --extra lab --extra test --universal --python-version 3.10 --generate-hashes

NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))

LAB_FLAGS := --ip=$(IP) --port=$(PORT) --ServerApp.root_dir=notebooks \
	--LabApp.default_url=/lab/tree/00_start_here.ipynb
# Jupyter refuses to start as root unless told that this is on purpose (e.g. in a container).
ifeq ($(shell id -u),0)
LAB_FLAGS += --allow-root
endif
# Without a graphical session there is no browser to open: just print the URL.
ifeq ($(shell uname -s)$(DISPLAY)$(WAYLAND_DISPLAY),Linux)
LAB_FLAGS += --no-browser
endif

.PHONY: lab test test-unit test-notebooks test-kernels test-tolerant test-browser notebooks bench \
	html clean lock

$(STAMP): $(LOCK) pyproject.toml
	@echo "Setting up $(VENV) from $(LOCK) (first run only; takes a minute or two)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# uv keeps the versions already in the lock where they still fit; UPGRADE=1 passes --upgrade.
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(PY) -m uv --quiet pip compile pyproject.toml $(LOCK_FLAGS) $(if $(UPGRADE),--upgrade) -o $(LOCK) \
		--custom-compile-command "make lock  # uv==$(UV_VERSION) pip compile pyproject.toml $(LOCK_FLAGS)"

lab: $(STAMP)
	@echo "Starting JupyterLab; open the http://...:$(PORT)/lab?token=... URL printed below (Ctrl-C twice to stop)."
	$(VENV)/bin/jupyter lab $(LAB_FLAGS)

# `make -k test` runs all parts even when one fails.
test: test-unit test-notebooks test-kernels test-browser

test-unit: $(STAMP)
	$(PY) -m pytest -n $(JOBS) --ignore=tests/test_browser.py tests
	$(PY) -m pytest -q -p no:cacheprovider --doctest-modules nnutils   # the docstrings' examples

# Strict replay: every output is compared except cells marked `# NBVAL_IGNORE_OUTPUT`;
# each worker replays whole notebooks (--dist loadfile), since cells depend on earlier ones.
test-notebooks: $(STAMP)
	$(PY) -m pytest -n $(JOBS) --dist loadfile --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

# The stored numbers must not depend on the CPU: the notebooks that train are replayed strictly
# once more under another OpenBLAS kernel (on x86-64: Sandybridge, or Haswell where that is the
# default) with numpy's widest SIMD paths switched off. Elsewhere it is the same replay again.
KERNEL_NOTEBOOKS := $(filter-out notebooks/00_% notebooks/01_% notebooks/02_%,$(NOTEBOOKS))
test-kernels: $(STAMP)
	env $$($(PY) tools/tolerant_replay.py --print-env --threads 1) $(PY) -m pytest -n $(JOBS) \
		--dist loadfile --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
		$(KERNEL_NOTEBOOKS)

# Numbers compared within a tolerance (not bit for bit), under a set-up that differs more:
# 2 BLAS threads per kernel, another kernel, numpy's widest SIMD off. Names each number that
# moved more than 5 % (0.03 for numbers below 1) and its cell. Not part of `make test`.
# One notebook at a time: two kernels of two BLAS threads each on a 2-core machine run many
# times slower than one (set TOLERANT_JOBS on a bigger machine).
TOLERANT_JOBS ?= 1
test-tolerant: $(STAMP)
	$(PY) tools/tolerant_replay.py --jobs $(TOLERANT_JOBS) $(NOTEBOOKS)

# Each worker runs its own JupyterLab and Chromium; --durations lists the time per notebook.
test-browser: $(STAMP)
	$(PY) -m pytest -n $(JOBS) --durations=0 tests/test_browser.py

notebooks: $(STAMP)
	$(PY) tools/execute_notebooks.py $(NOTEBOOKS)

bench: $(STAMP)
	@for f in benchmarks/*.py; do [ -e "$$f" ] || continue; echo "== $$f"; $(PY) $$f || exit 1; done

html: $(STAMP)
	$(VENV)/bin/jupyter nbconvert --to html --output-dir build/html $(NOTEBOOKS)

clean:
	rm -rf build .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o -type d \( -name __pycache__ -o -name .ipynb_checkpoints \) \
		-prune -exec rm -rf {} +
