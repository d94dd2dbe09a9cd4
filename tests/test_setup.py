"""The set-up files agree with each other: environment.yml, Makefile, the lock, pyproject, README, CI."""

import os
import re
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

try:
    import tomllib
except ImportError:  # Python 3.10: the lock installs tomli there
    import tomli as tomllib

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


def makefile_recipe(target):
    """The prerequisites and the command lines of one Makefile rule."""
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{re.escape(target)}:(.*)\n((?:\t.*\n)*)", text, re.MULTILINE)
    assert match, f"Makefile has no rule for {target}"
    return match.group(1).split(), match.group(2).replace("\\\n", " ")


def pyproject():
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)


def lock_text():
    return (ROOT / makefile_variable("LOCK")).read_text()


# One lock for every supported Python on Linux, macOS and Windows (uv's --universal): each
# of these must find exactly one locked version of every package it needs.
ENVIRONMENTS = [
    {"python_full_version": full, "python_version": full.rsplit(".", 1)[0],
     "sys_platform": platform, "platform_system": system, "os_name": os_name,
     "platform_machine": machine, "implementation_name": "cpython",
     "platform_python_implementation": "CPython"}
    for full in ("3.10.13", "3.11.4", "3.11.9", "3.12.8", "3.13.1")
    for platform, system, os_name, machine in (
        ("linux", "Linux", "posix", "x86_64"), ("linux", "Linux", "posix", "aarch64"),
        ("darwin", "Darwin", "posix", "arm64"), ("darwin", "Darwin", "posix", "x86_64"),
        ("win32", "Windows", "nt", "AMD64"), ("win32", "Windows", "nt", "ARM64"))
]


def lock_entries(text):
    """[(Requirement, [sha256 hashes]), ...] for every entry; AssertionError on anything else.

    An entry is one logical line (a backslash continues it); comments don't count."""
    entries = []
    for line in re.sub(r"\\\n", " ", text).splitlines():
        line = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if not line:
            continue
        requirement, *options = re.split(r"\s+(?=--)", line)
        hashes = [o.split("=", 1)[1] for o in options if o.startswith("--hash=")]
        assert requirement and not requirement.startswith("-"), f"not a pinned package: {line}"
        assert len(hashes) == len(options), f"only --hash= may follow a package: {line}"
        req = Requirement(requirement)
        pins = list(req.specifier)
        assert len(pins) == 1 and pins[0].operator == "==" and "*" not in pins[0].version, \
            f"{req.name} is not pinned with == to one version: {line}"
        assert not req.url and not req.extras, f"{req.name}: no URLs or extras in the lock"
        assert hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes), \
            f"{req.name} has no --hash=sha256: (pip --require-hashes would refuse it)"
        entries.append((req, hashes))
    return entries


def declared_requirements(project):
    """What pyproject.toml asks for: the core, every extra, the build backend."""
    reqs = list(project["project"]["dependencies"])
    for extra in project["project"]["optional-dependencies"].values():
        reqs += extra
    reqs += project["build-system"]["requires"]
    for group in project.get("dependency-groups", {}).values():
        reqs += [r for r in group if isinstance(r, str)]
    return [Requirement(r) for r in reqs]


def lock_problems(text, project):
    """Why this lock does not serve this pyproject.toml (an empty list when it does)."""
    entries = lock_entries(text)
    problems = []
    if any(canonicalize_name(req.name) == canonicalize_name(project["project"]["name"])
           for req, _ in entries):
        problems.append("the lock pins nnutils itself (make installs it with -e . instead)")
    for env in ENVIRONMENTS:
        where = f"Python {env['python_full_version']} on {env['sys_platform']}/{env['platform_machine']}"
        chosen = {}
        for req, _ in entries:
            if req.marker is None or req.marker.evaluate(env):
                name = canonicalize_name(req.name)
                if name in chosen:
                    problems.append(f"{where}: two locked versions of {req.name}")
                chosen[name] = Version(next(iter(req.specifier)).version)
        for wanted in declared_requirements(project):
            if wanted.marker is not None and not wanted.marker.evaluate(env):
                continue
            version = chosen.get(canonicalize_name(wanted.name))
            if version is None:
                problems.append(f"{where}: {wanted.name} is not in the lock")
            elif not wanted.specifier.contains(version, prereleases=True):
                problems.append(f"{where}: locked {wanted.name}=={version} is outside {wanted}")
    return sorted(set(problems))


def test_lock_pins_every_package_with_hashes_and_serves_pyproject():
    assert lock_problems(lock_text(), pyproject()) == []


def test_the_lock_check_catches_what_it_should():
    text, project = lock_text(), pyproject()
    without_hash = re.sub(r"^(tqdm==\S+)[^\n]*(\n\s+--hash=\S+( \\)?)+", r"\1", text, flags=re.M)
    assert without_hash != text
    with pytest.raises(AssertionError, match="tqdm"):      # a package without --hash
        lock_entries(without_hash)
    loose = text.replace("\ntqdm==", "\ntqdm>=", 1)
    assert loose != text
    with pytest.raises(AssertionError, match="tqdm"):      # a package without ==
        lock_entries(loose)
    without_numpy = re.sub(r"^numpy==[^\n]*(\n[ #][^\n]*)*", "", text, flags=re.M)
    assert any("numpy is not in the lock" in p for p in lock_problems(without_numpy, project))
    project["project"]["dependencies"].append("tqdm>=999")
    assert any("outside tqdm>=999" in p for p in lock_problems(text, project))
    with_self = text + "nnutils==0.1.0 --hash=sha256:" + "0" * 64 + "\n"
    assert any("nnutils itself" in p for p in lock_problems(with_self, pyproject()))


def test_makefile_installs_the_lock_and_then_the_package_without_deps():
    lock = makefile_variable("LOCK")
    assert lock == "requirements.lock"
    prerequisites, recipe = makefile_recipe("$(STAMP)")
    assert {"$(LOCK)", "pyproject.toml"} <= set(prerequisites), \
        "the install must be redone when the lock or pyproject.toml changes"
    installs = [line.split("pip install", 1)[1].split() for line in recipe.splitlines()
                if "pip install" in line]
    assert len(installs) == 2, recipe
    assert "--require-hashes" in installs[0] and installs[0][-2:] == ["-r", "$(LOCK)"]
    assert {"--no-deps", "--no-build-isolation"} <= set(installs[1])
    assert installs[1][-2:] == ["-e", "."]


def test_conda_installs_the_same_lock():
    assert conda_pip_section() == [f"-r {makefile_variable('LOCK')}"]
    # nnutils itself: the same command as the Makefile's, given in environment.yml and README.
    command = "pip install --no-deps --no-build-isolation -e ."
    assert command in (ROOT / "environment.yml").read_text()
    conda_part = (ROOT / "README.md").read_text().split("## conda instead of make", 1)[1]
    assert command in conda_part.split("\n## ", 1)[0]


def test_lock_header_records_the_tool_and_flags_of_make_lock():
    header = lock_text().split("\n", 2)[:2]
    match = re.search(r"make lock\s+#\s+uv==(\S+) pip compile pyproject\.toml (.+)$", header[1])
    assert match, f"the lock's header should name `make lock` and the uv version: {header}"
    assert match.group(1) == makefile_variable("UV_VERSION"), "lock made by another uv than make lock's"
    assert match.group(2).strip() == makefile_variable("LOCK_FLAGS"), \
        "LOCK_FLAGS changed since the lock was made: run `make lock`"
    _, recipe = makefile_recipe("lock")
    assert "uv==$(UV_VERSION)" in recipe and "$(LOCK_FLAGS)" in recipe and "-o $(LOCK)" in recipe


def test_lock_covers_requires_python_and_the_extras_exist():
    project = pyproject()
    flags = makefile_variable("LOCK_FLAGS").split()
    requires = SpecifierSet(project["project"]["requires-python"])
    assert requires == SpecifierSet(">=" + flags[flags.index("--python-version") + 1]), \
        "make lock should resolve from requires-python's lowest Python"
    assert "--universal" in flags and "--generate-hashes" in flags
    extras = [flags[i + 1] for i, flag in enumerate(flags) if flag == "--extra"]
    assert sorted(extras) == sorted(project["project"]["optional-dependencies"]) == ["lab", "test"]
    groups = [flags[i + 1] for i, flag in enumerate(flags) if flag == "--group"]
    assert groups == ["build"] and "setuptools" in " ".join(project["dependency-groups"]["build"])
    assert "jupyterlab" not in " ".join(project["project"]["dependencies"]), \
        "the core must install without JupyterLab (Pyodide)"


def test_conda_python_is_one_the_lock_supports():
    requires = SpecifierSet(pyproject()["project"]["requires-python"])
    text = (ROOT / "environment.yml").read_text()
    match = re.search(r"^\s*- python\s*=\s*(3\.\d+)\s*$", text, re.MULTILINE)
    assert match, "environment.yml should pin python=3.X"
    assert requires.contains(match.group(1) + ".0")
    assert any(env["python_version"] == match.group(1) for env in ENVIRONMENTS)


def test_the_repository_venv_has_the_locked_versions():
    """Under `make`, .venv holds the locked version of every package the lock has for it."""
    venv = ROOT / ".venv"
    if Path(sys.prefix).resolve() != venv.resolve():
        pytest.skip("not running in the repository's .venv")
    stamp = venv / ".installed"
    inputs = [ROOT / makefile_variable("LOCK"), ROOT / "pyproject.toml"]
    if not stamp.exists() or any(p.stat().st_mtime > stamp.stat().st_mtime for p in inputs):
        pytest.skip("the lock or pyproject.toml changed since .venv was set up: "
                    "the next `make lab`/`make test` reinstalls it")
    wrong = []
    for req, _ in lock_entries(lock_text()):
        if req.marker is not None and not req.marker.evaluate():
            continue
        want = next(iter(req.specifier)).version
        try:
            have = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            have = None
        if have is None or Version(have) != Version(want):
            wrong.append(f"{req.name}: {have} instead of {want}")
    assert not wrong, f".venv is out of date with the lock (run make again): {wrong}"


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
