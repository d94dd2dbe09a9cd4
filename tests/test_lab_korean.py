"""`make lab LANG=ko` opens the Korean edition with JupyterLab's menus in Korean: the language
pack is installed, and the settings folder `make` writes selects it."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

JUPYTER = Path(sys.executable).parent / "jupyter"


def _make(*args):
    out = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return out.stdout


def test_make_lab_lang_ko_starts_on_the_korean_edition_with_the_korean_locale():
    dry = _make("-n", "lab", "LANG=ko", f"STAMP={ROOT / 'pyproject.toml'}")
    assert "--LabApp.default_url=/lab/tree/ko/00_start_here.ipynb" in dry
    assert "JUPYTERLAB_SETTINGS_DIR=" in dry and "LANG=C.UTF-8" in dry
    english = _make("-n", "lab", "LANG=C.UTF-8", f"STAMP={ROOT / 'pyproject.toml'}")
    assert "/lab/tree/00_start_here.ipynb" in english and "JUPYTERLAB_SETTINGS_DIR" not in english


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read().decode("utf-8"))


@pytest.mark.slow
def test_jupyterlab_serves_its_korean_strings_with_the_courses_settings(tmp_path):
    if not JUPYTER.exists():
        pytest.skip("no jupyter in this environment")
    settings = ROOT / "build" / "lab-settings-ko"
    _make("build/lab-settings-ko/@jupyterlab/translation-extension/plugin.jupyterlab-settings")
    port, token = _free_port(), "t0ken"
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTER_CONFIG_DIR": str(tmp_path),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    server = subprocess.Popen([str(JUPYTER), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
                               f"--ServerApp.token={token}", f"--ServerApp.root_dir={ROOT / 'notebooks'}",
                               "--allow-root"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/lab/api"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                packs = _get(f"{base}/translations/?token={token}")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        assert "ko_KR" in packs["data"], f"no Korean language pack: {sorted(packs['data'])}"
        korean = _get(f"{base}/translations/ko_KR?token={token}")["data"]
        menus = json.dumps(korean, ensure_ascii=False)
        assert "파일" in menus and "편집" in menus                 # the File and Edit menus
        chosen = _get(f"{base}/settings/@jupyterlab/translation-extension:plugin?token={token}")
        assert chosen["settings"].get("locale") == "ko_KR"
    finally:
        server.terminate()
        server.wait(timeout=20)
