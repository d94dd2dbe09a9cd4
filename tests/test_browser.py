"""Real-browser test: every notebook in JupyterLab, in headless Chromium driven by Playwright.

For each notebook: open it, wait until its kernel is really connected, Run All Cells, check
that no cell failed and that the run was a fresh top-to-bottom one, then move every slider,
dropdown and checkbox of every widget demo and check that the demo's figure changed and that
the demo shows no error. Extra steps for particular notebooks go in EXTRA_ACTIONS.

The server runs on a free loopback port with a token, on a throwaway copy of notebooks/ (so
the repository's notebooks are never modified), with throwaway Jupyter config, settings and
workspace folders (news pop-up off, every cell attached to the page). It is stopped, with
its kernels, at the end even when a test fails.

Needs Chromium at /usr/bin/chromium (Debian: `apt-get install chromium`; never
`playwright install`). Without it the tests are skipped, except under CI=true, where that
is a failure. Set NNUTILS_SCREENSHOTS=<folder> to save a picture of every demo's cell
(that is how docs/screenshot.png was taken).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
import urllib.request
from pathlib import Path

import pytest

from conftest import KOREAN_DIR, NOTEBOOKS_DIR, notebook_paths

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
NOTEBOOKS = notebook_paths()
# The Korean edition: lesson 0, one retraining demo (lesson 7) and the playground, whose Hangul
# must be drawn with a Korean font (Debian's fonts-noto-cjk or fonts-nanum), not as empty boxes.
KOREAN = [KOREAN_DIR / name for name in ("00_start_here.ipynb", "07_regularization.ipynb",
                                         "10_playground.ipynb")]
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# The pixels of two Hangul syllables, of two unassigned code points (drawn as the font's
# "missing glyph" boxes) and of nothing, in the notebook's own font: with no Korean font the
# syllables come out as the same boxes.
HANGUL_AS_DRAWN = """() => {
  const canvas = document.createElement('canvas'); canvas.width = 64; canvas.height = 32;
  const g = canvas.getContext('2d');
  const page = document.querySelector('.jp-Notebook') || document.body;
  g.font = '20px ' + getComputedStyle(page).fontFamily;
  const ink = text => { g.clearRect(0, 0, 64, 32); g.fillText(text, 4, 24);
                        return Array.from(g.getImageData(0, 0, 64, 32).data).join(','); };
  return {hangul: ink('한글'), missing: ink('\u0378\u0379'), blank: ink('')};
}"""
SCREENSHOTS = os.environ.get("NNUTILS_SCREENSHOTS")

# Time limits in seconds. A notebook runs in well under a minute; the slack is for a busy CI.
SERVER_START = 60
KERNEL_READY = 90
RUN_ALL = 300
WIDGET_UPDATE = 30  # one control change: kernel busy -> idle (retraining demos included)

# Per-notebook limits that differ from the defaults, e.g. {"09_mnist_capstone.ipynb":
# {"run_all": 400}}.
LIMITS: dict[str, dict] = {}

# Extra steps for particular notebooks, run after the generic checks: notebook name -> list
# of callables `action(nb)` taking the `Notebook` helper below (defined at the end of file).
EXTRA_ACTIONS: dict[str, list] = {}

# Known, reported failures of the generic sweep: (notebook, control label) -> why. The control
# is still moved and checked for errors; only "the figure changed" is not asserted. Keep this
# empty: every entry is an open bug.
KNOWN_ISSUES: dict[tuple[str, str], str] = {}

pytestmark = pytest.mark.browser

# --- selectors (JupyterLab 4, ipywidgets 8) --------------------------------------------------
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
WIDGET_OUTPUT = f"{PANEL} .jp-OutputArea-output:has(> .jupyter-widgets)"
SLIDER_HANDLE = ".widget-slider .noUi-handle"
DROPDOWN = ".widget-dropdown select"
MULTI_SELECT = ".widget-select-multiple select"
CHECKBOX = ".widget-checkbox input[type=checkbox]"
# nnutils.widgets.Demo shows messages in red: exceptions as "ValueError: ...", and also
# outcomes that are part of the lesson ("diverged at step 12 ..."); only the first fail.
DEMO_MESSAGE = "span[style*='b00020']"
DEMO_ERROR = re.compile(r"^\s*([A-Z]\w*(Error|Exception)|Traceback)\b")
# A figure with less ink than this (share of pixels opaque and not near-white) is blank: what
# two threads drawing one figure at once produced. The sparsest real figure has about 4 %.
MIN_INK = 0.005


# --- fixtures --------------------------------------------------------------------------------
try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # reported by the `browser` fixture
    PlaywrightTimeout = TimeoutError


def _unavailable(reason):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser test must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a throwaway copy of notebooks/; yields (base_url, token)."""
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = tmp / "settings"
    _write_settings(settings)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # kernels: inline
    env.update(JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
               JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_DATA_DIR=str(tmp / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), IPYTHONDIR=str(tmp / "ipython"))
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = tmp / "server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(server, base, token, log_path)
        yield base, token
    finally:
        _stop_server(server, base, token)


def _write_settings(settings):
    """User settings for the throwaway JupyterLab: no news pop-up, all cells in the DOM."""
    files = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings":
            {"windowingMode": "none"},
    }
    for name, value in files.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base, token, path, method="GET"):
    req = urllib.request.Request(f"{base}{path}", method=method,
                                 headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        body = resp.read()
    return json.loads(body) if body else None


def _wait_for_server(server, base, token, log_path):
    deadline = time.monotonic() + SERVER_START
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited ({server.returncode}):\n{log_path.read_text()[-3000:]}")
        try:
            _api(base, token, "/api/status")
            return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"JupyterLab did not start in {SERVER_START} s:\n{log_path.read_text()[-3000:]}")


def _shutdown_sessions(base, token):
    """Shut down every notebook session (and so its kernel) of the server."""
    for session in _api(base, token, "/api/sessions"):
        _api(base, token, f"/api/sessions/{session['id']}", method="DELETE")


def _stop_server(server, base, token):
    try:
        if server.poll() is None:
            _shutdown_sessions(base, token)
    except OSError:
        pass
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)  # the server stops its remaining kernels
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


@pytest.fixture(scope="module")
def browser(lab):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e .[test])")
    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        pw.stop()


@pytest.fixture
def page(lab, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    context.close()
    _shutdown_sessions(*lab)  # the next notebook starts from a fresh kernel


# --- the notebook helper ---------------------------------------------------------------------
class Notebook:
    """One notebook open in JupyterLab, with the waits and checks the tests (and any
    EXTRA_ACTIONS) need. `demos()` are the widget demos; the other methods act on one."""

    def __init__(self, page, base, token, name):
        self.page, self.base, self.token, self.name = page, base, token, name
        self.limits = {"run_all": RUN_ALL, "widget_update": WIDGET_UPDATE,
                       **LIMITS.get(name, {})}
        self.timings = {}
        self.least_ink = 1.0

    # opening and running
    def open(self):
        start = time.monotonic()
        # `reset`: a fresh workspace, so only this notebook is open
        self.page.goto(f"{self.base}/lab/tree/{self.name}?reset&token={self.token}")
        # "Idle" in the status bar can show before the kernel is connected; the debugger
        # button is enabled only once the kernel has answered its kernel_info request.
        try:
            self.page.wait_for_function(
                """(panel) => {
                    const sb = document.querySelector('#jp-main-statusbar');
                    const bug = document.querySelector(panel + ' .jp-DebuggerBugButton');
                    return window.jupyterapp && sb && /\\|\\s*Idle/.test(sb.innerText)
                           && bug && bug.getAttribute('aria-disabled') === 'false';
                }""", arg=PANEL, timeout=KERNEL_READY * 1000)
        except PlaywrightTimeout:
            raise AssertionError(f"{self.name}: the kernel did not connect in {KERNEL_READY} s; "
                                 f"{self._describe_page()}") from None
        # count the kernel's busy -> idle transitions: that is how we know an update finished
        self.page.evaluate("""() => {
            window.__nnutils_idle = 0;
            const ctx = window.jupyterapp.shell.currentWidget.sessionContext;
            ctx.statusChanged.connect((_, status) => {
                window.__nnutils_status = status;
                if (status === 'idle') window.__nnutils_idle += 1;
            });
            window.__nnutils_status = ctx.kernelDisplayStatus;
        }""")
        self.timings["open"] = time.monotonic() - start

    def _describe_page(self):
        """What a person would see: the status bar and any dialog (e.g. "Select Kernel")."""
        return self.page.evaluate("""() => {
            const sb = document.querySelector('#jp-main-statusbar');
            const dialog = document.querySelector('.jp-Dialog');
            return 'status bar: ' + (sb ? sb.innerText.replace(/\\s+/g, ' ') : 'none') +
                   (dialog ? '; dialog: ' + dialog.innerText.replace(/\\s+/g, ' ') : '');
        }""")

    def menu(self, top, command):
        """Click a main-menu entry, e.g. menu("Run", "runmenu:run-all")."""
        self.page.locator(".lm-MenuBar-item", has_text=top).first.click()
        self.page.locator(f'.lm-Menu-item[data-command="{command}"]').click()

    def cells(self):
        """[{count, source, outputs}] of the code cells, read from the notebook model."""
        return self.page.evaluate("""() => {
            const out = [];
            for (const c of window.jupyterapp.shell.currentWidget.content.model.cells) {
                if (c.type === 'code') out.push({count: c.executionCount,
                    source: c.sharedModel.getSource(), outputs: c.outputs.toJSON()});
            }
            return out;
        }""")

    def run_all(self):
        start = time.monotonic()
        # clear first, so that "every cell has an execution count" means "ran just now"
        self.menu("Edit", "editmenu:clear-all")
        self.page.wait_for_function("""() => {
            for (const c of window.jupyterapp.shell.currentWidget.content.model.cells)
                if (c.type === 'code' && c.executionCount !== null) return false;
            return true; }""")
        self.menu("Run", "runmenu:run-all")
        # done when every non-empty code cell has run, or a cell failed (the rest are then
        # cancelled), and the kernel is idle
        done = """() => {
            let all = true, failed = false;
            for (const c of window.jupyterapp.shell.currentWidget.content.model.cells) {
                if (c.type !== 'code') continue;
                if (c.sharedModel.getSource().trim() && c.executionCount === null) all = false;
                for (const o of c.outputs.toJSON()) if (o.output_type === 'error') failed = true;
            }
            return (all || failed) && window.__nnutils_status === 'idle';
        }"""
        try:
            self.page.wait_for_function(done, timeout=self.limits["run_all"] * 1000, polling=250)
        except PlaywrightTimeout:
            running = [i for i, c in enumerate(self.cells()) if c["count"] is None]
            raise AssertionError(f"{self.name}: Run All did not finish in "
                                 f"{self.limits['run_all']} s; code cells not yet run: {running}; "
                                 f"{self._describe_page()}") from None
        self.timings["run_all"] = time.monotonic() - start

    def errors(self):
        """Error outputs and printed tracebacks, as short strings."""
        found = []
        for i, cell in enumerate(self.cells()):
            for out in cell["outputs"]:
                if out["output_type"] == "error":
                    found.append(f"cell {i}: {out['ename']}: {out['evalue']}")
                elif (out["output_type"] == "stream" and out["name"] == "stderr"
                      and "Traceback (most recent call last)" in _text(out["text"])):
                    found.append(f"cell {i}: traceback on stderr:\n{_text(out['text'])[-1500:]}")
        return found

    # widgets
    def demos(self):
        """Locators of the widget outputs that are demos: a figure image and some controls."""
        outputs = self.page.locator(WIDGET_OUTPUT)
        found = []
        for i in range(outputs.count()):
            out = outputs.nth(i)
            if out.locator("img").count() and out.locator(
                    f"{SLIDER_HANDLE}, {DROPDOWN}, {MULTI_SELECT}, {CHECKBOX}").count():
                found.append(out)
        return found

    def figure(self, demo):
        """The demo's figure, as the src of its images (a new blob URL on every update)."""
        return demo.locator("img").evaluate_all("imgs => imgs.map(i => i.src).join(' ')")

    def figure_changed(self, demo, before, grace=1.0):
        """Whether the figure differs from `before`. The kernel's "idle" can reach the page a
        moment before the new image is decoded and shown, so allow a short grace period."""
        try:
            demo.locator("img").first.wait_for(state="attached", timeout=1000)
            self.page.wait_for_function(
                "([el, old]) => [...el.querySelectorAll('img')].map(i => i.src).join(' ') !== old",
                arg=[demo.element_handle(), before], timeout=grace * 1000, polling=50)
            return True
        except PlaywrightTimeout:
            return False

    def ink(self, demo):
        """The smallest share of inked pixels (opaque, not near-white) among the demo's images
        (None: it has none), sampling every 7th pixel once each image is decoded."""
        return demo.evaluate("""async (el) => {
            const pixels = async (img) => {
                await img.decode();
                const c = document.createElement('canvas');
                c.width = img.naturalWidth; c.height = img.naturalHeight;
                const ctx = c.getContext('2d');
                ctx.drawImage(img, 0, 0);
                return ctx.getImageData(0, 0, c.width, c.height).data;
            };
            let least = null;
            for (let k = 0; k < el.querySelectorAll('img').length; k++) {
                let d = null;
                // an image replaced meanwhile (its blob URL revoked) fails once: read the new
                // one; an image that never decodes is broken and counts as blank
                for (let attempt = 0; attempt < 3 && d === null; attempt++) {
                    try { d = await pixels(el.querySelectorAll('img')[k]); }
                    catch (e) { await new Promise(r => setTimeout(r, 300)); }
                }
                let ink = 0, n = 0;
                for (let i = 0; d !== null && i < d.length; i += 28, n++)
                    if (d[i + 3] > 25 && (d[i] < 230 || d[i + 1] < 230 || d[i + 2] < 230))
                        ink++;   // transparent counts as blank: the broken figure was
                least = Math.min(least ?? 1, n ? ink / n : 0);
            }
            return least;
        }""")

    def demo_error(self, demo):
        """The exception a demo shows (None if none); lesson messages do not count."""
        texts = demo.locator(DEMO_MESSAGE).all_inner_texts()
        return " / ".join(t for t in texts if DEMO_ERROR.match(t)) or None

    def _idle_count(self):
        return self.page.evaluate("() => window.__nnutils_idle")

    def wait_kernel_done(self, idle_before):
        """Wait until the kernel went busy and back to idle after idle_before was read."""
        self.page.wait_for_function(
            "(n) => window.__nnutils_idle > n && window.__nnutils_status === 'idle'",
            arg=idle_before, timeout=self.limits["widget_update"] * 1000, polling=50)
        # a demo may send several updates (e.g. progress while retraining): settle
        while True:
            n = self._idle_count()
            self.page.wait_for_timeout(200)
            if self._idle_count() == n and self.page.evaluate(
                    "() => window.__nnutils_status") == "idle":
                return

    def controls(self, demo):
        """(kind, locator, label) for every enabled slider, dropdown and checkbox."""
        found = []
        for kind, selector in (("slider", SLIDER_HANDLE), ("dropdown", DROPDOWN),
                               ("multi", MULTI_SELECT), ("checkbox", CHECKBOX)):
            items = demo.locator(selector)
            for i in range(items.count()):
                item = items.nth(i)
                if item.evaluate("e => !!(e.disabled || e.closest('[disabled]'))"):
                    continue
                if kind in ("dropdown", "multi") and item.evaluate("s => s.options.length") < 2:
                    continue
                label = item.evaluate("""e => {
                    const w = e.closest('.jupyter-widgets.widget-inline-hbox, .widget-checkbox');
                    const l = w && w.querySelector('.widget-label, label');
                    return l ? l.innerText.trim() : '';
                }""")
                found.append((kind, item, label or f"{kind} {i}"))
        return found

    def move(self, kind, control, option=None):
        """Give one control a different value, the way a student would; wait for the kernel.
        A dropdown goes to `option` if given, else to the last option not selected now; a
        multi-select to the list `option` if given, else to its first one or two options."""
        idle = self._idle_count()
        if kind == "slider":
            value = "h => h.closest('.noUi-target').noUiSlider.get()"  # aria-* are rounded
            before = control.evaluate(value)
            control.focus()
            self.page.keyboard.press("End")
            if control.evaluate(value) == before:  # already at the top
                self.page.keyboard.press("Home")
            if control.evaluate(value) == before:
                raise AssertionError("the slider does not move with End/Home")
        elif kind == "dropdown":
            values = control.evaluate("s => [...s.options].map(o => o.value)")
            current = control.input_value()
            if option is None:
                option = next(v for v in reversed(values) if v != current)
            if option == current:
                return
            control.select_option(option)
        elif kind == "multi":
            values = control.evaluate("s => [...s.options].map(o => o.value)")
            chosen = control.evaluate("s => [...s.selectedOptions].map(o => o.value)")
            if option is None:  # as a student would: Ctrl-click toggles one option
                control.locator("option").first.click(modifiers=["Control"])
            elif option == chosen:
                return
            else:
                control.select_option(option)
        elif kind == "checkbox":
            control.click()
        try:
            self.wait_kernel_done(idle)
        except PlaywrightTimeout:
            raise AssertionError(f"{self.name}: no kernel activity within "
                                 f"{self.limits['widget_update']} s after changing a {kind}; "
                                 f"{self._describe_page()}") from None

    def click_button(self, demo, label, expect_figure_change=True, check=True):
        """Click a demo button by its label (a preset, "reset", "show code", "play" ...)."""
        before = self.figure(demo)
        idle = self._idle_count()
        demo.locator("button", has_text=label).first.click()
        self.wait_kernel_done(idle)
        if expect_figure_change:
            assert self.figure_changed(demo, before), \
                f"{self.name}: {label!r} left the figure as it was"
        if check:
            self.check(demo, f"{self.name}: button {label!r}")

    def exercise(self, demo, index):
        """Move every control of a demo; each must change the figure and raise nothing."""
        self.check(demo, f"{self.name}, demo {index} at the start")
        for n, (kind, control, label) in enumerate(self.controls(demo)):
            where = f"{self.name}, demo {index}, {kind} {label!r}"
            before = self.figure(demo)
            self.move(kind, control)
            self.check(demo, where)
            if (self.name, label) in KNOWN_ISSUES and not self.figure_changed(demo, before):
                warnings.warn(f"{where}: known issue: {KNOWN_ISSUES[self.name, label]}")
                continue
            if not self.figure_changed(demo, before) and not self._matters_somewhere(
                    demo, n, where):
                raise AssertionError(f"{where}: changing it never changes the figure\n"
                                     f"{self.state(demo)}")

    def check(self, demo, where):
        error = self.demo_error(demo)
        if error:
            raise AssertionError(f"{where}: the demo shows {error}\n{self.state(demo)}")
        ink = self.ink(demo)
        self.least_ink = min(self.least_ink, ink if ink is not None else 1.0)
        if ink is not None and ink < MIN_INK:
            raise AssertionError(f"{where}: the figure is blank (only {ink:.2%} of its pixels "
                                 f"are inked)\n{self.state(demo)}")

    def state(self, demo):
        """For failure messages: what the page shows and what the kernel holds (the demo's
        "show code" button prints the call that reproduces the kernel-side settings)."""
        readouts = demo.locator(".widget-readout").all_inner_texts()
        selects = [s.input_value() for s in demo.locator("select:not([multiple])").all()]
        text = f"  page: sliders {readouts}, dropdowns {selects}"
        try:
            self.click_button(demo, "show code", expect_figure_change=False, check=False)
            text += "\n  kernel: " + " ".join(demo.locator("pre").all_inner_texts())
        except Exception:  # only a diagnostic
            pass
        return text

    def _matters_somewhere(self, demo, n, where):
        """A knob may matter only in some states: not after an earlier knob made training
        diverge, or only when another option is chosen (the leaky slope with Leaky ReLU,
        the momentum with Momentum shown). Try control number n again from the demo's
        starting state (its reset button), then, for each other dropdown, checkbox and
        multi-select in turn (from the starting state), under each of its options."""
        if self.reset(demo) is None:
            return False  # not an nnutils demo: no way back to a known state
        self.check(demo, f"{where}: after reset")
        if self._try(demo, n, where):
            return True
        others = [m for m, (kind, _, _) in enumerate(self.controls(demo))
                  if kind != "slider" and m != n]
        for m in others:
            self.reset(demo)
            controls = self.controls(demo)
            other_kind, other, other_label = controls[m]
            if other_kind == "multi":  # everything shown
                options = [other.evaluate("s => [...s.options].map(o => o.value)")]
            elif other_kind == "dropdown":
                current = other.input_value()
                options = [v for v in other.evaluate("s => [...s.options].map(o => o.value)")
                           if v != current]
            else:
                options = [None]  # a checkbox: its other state
            for option in options:
                self.move(other_kind, other, option)
                self.check(demo, f"{where}: setting {other_label!r} to {option!r}")
                if self._try(demo, n, where, controls):
                    return True
        return False

    def _try(self, demo, n, where, controls=None):
        """Move control number n once; whether the figure changed."""
        kind, control, _ = (controls or self.controls(demo))[n]
        before = self.figure(demo)
        try:
            self.move(kind, control)
        except AssertionError:  # e.g. disabled in this context
            return False
        self.check(demo, where)
        return self.figure_changed(demo, before)

    def reset(self, demo):
        """Click the demo's reset button and wait; None if it has none."""
        button = demo.locator("button", has_text=re.compile(r"^\s*(reset|되돌리기)\s*$"))
        if not button.count():
            return None
        idle = self._idle_count()
        button.first.click()
        self.wait_kernel_done(idle)
        return True


def _text(text):
    return "".join(text) if isinstance(text, list) else text


# --- the test --------------------------------------------------------------------------------
def test_there_are_notebooks_to_test():
    assert NOTEBOOKS, "no notebooks found"


def _korean_font_installed():
    try:
        out = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True)
    except OSError:
        return False
    return bool(out.stdout.strip())


@pytest.mark.parametrize("path", NOTEBOOKS + KOREAN,
                         ids=[p.name for p in NOTEBOOKS] + [f"ko/{p.name}" for p in KOREAN])
def test_notebook_runs_and_its_demos_respond(lab, page, path):
    korean = path.parent == KOREAN_DIR
    if korean and not _korean_font_installed():
        message = "no Korean font for Chromium: apt-get install fonts-noto-cjk"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    nb = Notebook(page, *lab, f"ko/{path.name}" if korean else path.name)
    nb.open()
    nb.run_all()
    assert not nb.errors(), "\n".join(nb.errors())
    counts = [c["count"] for c in nb.cells() if c["source"].strip()]
    assert counts == list(range(1, len(counts) + 1)), f"not a fresh top-to-bottom run: {counts}"

    start = time.monotonic()
    demos = nb.demos()
    if korean:                                 # titles, labels and buttons speak Korean
        for demo in demos:
            assert HANGUL.search(demo.inner_text()), f"{path.name}: a demo without Hangul"
        drawn = page.evaluate(HANGUL_AS_DRAWN)
        assert drawn["hangul"] != drawn["missing"], "Hangul is drawn as empty boxes: no Korean font"
        assert drawn["hangul"] != drawn["blank"], "Hangul is not drawn at all"
    for i, demo in enumerate(demos):
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            cell = demo.locator("xpath=ancestor::div[contains(@class, 'jp-CodeCell')][1]")
            cell.screenshot(path=str(Path(SCREENSHOTS) / f"{'ko_' if korean else ''}{path.stem}_demo{i}.png"))
        nb.exercise(demo, i)
    for action in () if korean else EXTRA_ACTIONS.get(path.name, ()):   # they click English labels
        action(nb)
    nb.timings["widgets"] = time.monotonic() - start

    assert not nb.errors(), "\n".join(nb.errors())
    assert not page.errors, f"JavaScript errors in the page: {page.errors}"
    print(f"{path.name}: {len(demos)} demos; " +
          ", ".join(f"{k} {v:.1f} s" for k, v in nb.timings.items()) +
          f"; least ink {nb.least_ink:.1%}")


# --- extra steps for particular notebooks ----------------------------------------------------
def _button(demo, label):
    """A demo's button by its exact text (a tooltip may change its accessible name)."""
    return demo.locator("button").filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))


def _demo_with_button(nb, label):
    for demo in nb.demos():
        if _button(demo, label).count():
            return demo
    buttons = [d.locator("button").all_inner_texts() for d in nb.demos()]
    raise AssertionError(f"{nb.name}: no demo has a {label!r} button; buttons: {buttons}")


def _slider(nb, demo, label):
    for kind, control, text in nb.controls(demo):
        if kind == "slider" and label in text.lower():
            return control
    raise AssertionError(f"{nb.name}: no slider labelled {label!r}")


def _press(nb, control, *keys):
    control.focus()
    for key in keys:
        nb.page.keyboard.press(key)


def step_through_the_backward_pass(nb):
    """Lesson 2: the step button walks the backward pass one node at a time."""
    demo = _demo_with_button(nb, "step ▶")
    nb.click_button(demo, "restart", expect_figure_change=False)
    for _ in range(3):
        nb.click_button(demo, "step ▶")


def stop_a_live_search(nb):
    """Lesson 8: a long live search streams trials and the stop button ends it."""
    demo = _demo_with_button(nb, "stop")
    nb.click_button(demo, "reset", expect_figure_change=False)
    # ranges no earlier run used (nothing cached), then the most trials: a long search
    _press(nb, _slider(nb, demo, "lr from"), "ArrowLeft")
    _press(nb, _slider(nb, demo, "trials"), "End")
    nb.page.wait_for_timeout(1500)
    _button(demo, "stop").first.click()
    nb.page.wait_for_function("el => /stopped after|trials done/.test(el.innerText)",
                              arg=demo.element_handle(), timeout=60_000)
    status = demo.inner_text()
    assert "stopped after" in status, f"{nb.name}: the search was not stopped: {status[-300:]}"
    nb.check(demo, f"{nb.name}: after stop")


def play_change_and_pause(nb):
    """Lesson 10: play trains and redraws continuously, a control acts while playing, pause
    stops the redraws."""
    demo = _demo_with_button(nb, "play")
    nb.click_button(demo, "reset", expect_figure_change=False)
    start = nb.figure(demo)
    _button(demo, "play").first.click()
    frames, deadline = set(), time.monotonic() + 3.0
    while time.monotonic() < deadline:
        frames.add(nb.figure(demo))
        nb.page.wait_for_timeout(100)
    assert len(frames - {start}) >= 3, \
        f"{nb.name}: playing for 3 s showed {len(frames - {start})} new frames"
    _press(nb, _slider(nb, demo, "learning rate"), "ArrowLeft")
    nb.page.wait_for_timeout(1000)
    nb.check(demo, f"{nb.name}: learning rate changed while playing")
    _button(demo, "pause").first.click()
    nb.page.wait_for_timeout(1000)
    paused = nb.figure(demo)
    nb.page.wait_for_timeout(1500)
    assert nb.figure(demo) == paused, f"{nb.name}: the figure still changes after pause"


EXTRA_ACTIONS.update({
    "02_backprop_graph.ipynb": [step_through_the_backward_pass],
    "08_hyperparameter_search.ipynb": [stop_a_live_search],
    "10_playground.ipynb": [play_change_and_pause],
})
