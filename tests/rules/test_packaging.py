"""rules/ ships in the wheel as vpcreach._rules: build it offline, install it in a fresh venv, list the catalogue."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from setuptools import find_packages

from vpcreach.checks.catalogue import load_catalogue

REPO_ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())


def test_every_vpcreach_package_is_listed_for_the_wheel():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = set(find_packages(str(REPO_ROOT), include=["vpcreach", "vpcreach.*"]))
    assert found - listed == set(), "add the new package to [tool.setuptools] packages in pyproject.toml"
    assert listed - found == {"vpcreach._rules"}


def run(*args: str, cwd: Path) -> str:
    result = subprocess.run(args, capture_output=True, text=True, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_installed_wheel_lists_the_whole_catalogue(tmp_path):
    pytest.importorskip("wheel", reason="building the wheel offline needs the wheel package (test extra)")
    source = tmp_path / "src"  # a copy, so the build leaves nothing in the working tree
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, source / name)
    for folder in ("vpcreach", "rules"):
        shutil.copytree(REPO_ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
        "-w", str(tmp_path / "dist"), str(source), cwd=tmp_path)
    [wheel] = (tmp_path / "dist").glob("vpcreach-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv), cwd=tmp_path)
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel),
        cwd=tmp_path)
    where = run(str(python), "-c", "import vpcreach._rules as r; print(r.__path__[0])", cwd=tmp_path)
    assert where.startswith(str(venv)), where
    listing = run(str(venv / "bin" / "vpcreach"), "rules", cwd=tmp_path)
    assert [line.split()[0] for line in listing.splitlines()] == [r.code for r in load_catalogue()]
