"""The set-up files agree with each other: environment.yml, Makefile, pyproject, README, CI."""

import os
import re

from conftest import ROOT


def makefile_variable(name):
    match = re.search(rf"^{name}\s*:?=\s*(.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert match, f"Makefile defines no {name}"
    return match.group(1).strip()


def conda_pip_section():
    """The items under `- pip:` in environment.yml (a tiny reader: no YAML library needed)."""
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    indent = len(lines[start]) - len(lines[start].lstrip())
    items = []
    for line in lines[start + 1:]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        if line.strip().startswith("- "):
            items.append(line.strip()[2:].strip().strip("'\""))
    return items


def test_conda_pip_section_installs_what_the_makefile_installs():
    assert conda_pip_section() == [makefile_variable("INSTALL")]


def pyproject():
    return (ROOT / "pyproject.toml").read_text()  # read as text: tomllib needs Python 3.11


def test_conda_python_matches_requires_python():
    requires = re.search(r'^requires-python\s*=\s*"([^"]+)"', pyproject(), re.MULTILINE).group(1)
    text = (ROOT / "environment.yml").read_text()
    assert re.search(rf"^\s*- python{re.escape(requires)}\s*$", text, re.MULTILINE), \
        f"environment.yml should pin python{requires} like pyproject.toml"


def test_the_installed_extra_exists():
    extra = re.search(r"\[(\w+)\]", makefile_variable("INSTALL")).group(1)
    section = pyproject().split("[project.optional-dependencies]", 1)[-1].split("\n[", 1)[0]
    assert re.search(rf"^{extra}\s*=\s*\[", section, re.MULTILINE), f"pyproject has no [{extra}] extra"


def test_makefile_has_the_documented_targets():
    text = (ROOT / "Makefile").read_text()
    for target in ("lab", "test", "notebooks", "bench", "html", "clean"):
        assert re.search(rf"^{target}:", text, re.MULTILINE), f"no `make {target}`"


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first = re.findall(r"make (lab|test)\b", readme)[:2]
    assert first == ["lab", "test"], "the README should show `make lab` then `make test` first"


def test_ci_script_runs_make_test_under_ci():
    path = ROOT / ".ci" / "run"
    assert os.access(path, os.X_OK), ".ci/run must be executable"
    text = path.read_text()
    assert "CI=true" in text and "make test" in text
