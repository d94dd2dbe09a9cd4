# Training Neural Networks — course notebooks on the small numpy package `nnutils`.
#
#   make lab        set up .venv on first use, then open JupyterLab on the course
#   make test       set up .venv on first use, then unit tests + notebook replay + browser test
#   make notebooks  re-execute every notebook in place and normalise it (after editing)
#   make bench      run the benchmark scripts (they print ratios, they are not tests)
#   make html       export the notebooks to static HTML in build/html
#   make clean      remove build output and caches (keeps .venv; `rm -rf .venv` to rebuild it)
#
# Variables: PORT=8888 IP=localhost for `make lab`; JOBS=2 parallel pytest workers;
# PYTHON=python3 is used only to create .venv.

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
# What `make` installs; tests/test_setup.py checks that environment.yml says the same.
INSTALL := -e .[test]
# Written after a successful install, so later runs skip it (redone when pyproject.toml changes).
STAMP := $(VENV)/.installed

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

.PHONY: lab test test-unit test-notebooks test-browser notebooks bench html clean

$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (first run only; takes a minute or two)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	set -f; $(PY) -m pip install --quiet --disable-pip-version-check $(INSTALL)  # -f: no globbing of .[test]
	touch $@

lab: $(STAMP)
	@echo "Starting JupyterLab; open the http://...:$(PORT)/lab?token=... URL printed below (Ctrl-C twice to stop)."
	$(VENV)/bin/jupyter lab $(LAB_FLAGS)

# `make -k test` runs all three parts even when one fails.
test: test-unit test-notebooks test-browser

test-unit: $(STAMP)
	$(PY) -m pytest -n $(JOBS) --ignore=tests/test_browser.py tests

# Strict replay: every output is compared except cells marked `# NBVAL_IGNORE_OUTPUT`;
# each worker replays whole notebooks (--dist loadfile), since cells depend on earlier ones.
test-notebooks: $(STAMP)
	$(PY) -m pytest -n $(JOBS) --dist loadfile --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

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
