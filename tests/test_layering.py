"""The layering contract covers the whole package: a new core module that imports Qt, or
reaches it through digitpad._qt, breaks ``lint-imports`` (run on a copy of the package)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_copy(tmp_path: Path, planted: dict[str, str]) -> subprocess.CompletedProcess:
    """Copy digitpad and pyproject.toml, add ``planted`` modules, run lint-imports there."""
    shutil.copytree(REPO / "digitpad", tmp_path / "digitpad",
                    ignore=shutil.ignore_patterns("__pycache__", "*.npz"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    for name, code in planted.items():
        (tmp_path / "digitpad" / name).write_text(code)
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, capture_output=True,
                          text=True, env={"PYTHONPATH": str(tmp_path), "PATH": ""}, timeout=120)


@pytest.fixture(scope="module", autouse=True)
def needs_lint_imports():
    if not LINT_IMPORTS.exists():
        pytest.skip("lint-imports is not installed beside this Python")


def test_the_package_as_it_is_keeps_every_contract(tmp_path):
    done = lint_copy(tmp_path, {})
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.parametrize("code", ["import PySide6.QtCore\n", "import pyqtgraph\n",
                                  "from digitpad._qt.canvas import DrawingCanvas\n"])
def test_a_new_core_module_that_reaches_qt_breaks_the_contract(tmp_path, code):
    done = lint_copy(tmp_path, {"brand_new_core_module.py": code})
    assert done.returncode != 0
    assert "digitpad.brand_new_core_module" in done.stdout and "BROKEN" in done.stdout


def test_a_numpy_only_module_that_imports_keras_breaks_the_contract(tmp_path):
    (tmp_path / "x").mkdir()
    done = lint_copy(tmp_path / "x", {"certainty.py": (REPO / "digitpad" / "certainty.py")
                                      .read_text() + "\nimport keras  # noqa\n"})
    assert done.returncode != 0 and "digitpad.certainty -> keras" in done.stdout
