"""Multi-module fixture projects: each module is checked with the project model, as flake8 checks it in place."""
from pathlib import Path

import pytest

from .expectations import NO_PROBLEMS, compare

PROJECTS_DIR = Path(__file__).parent / "projects"
MODULES = sorted(PROJECTS_DIR.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PROJECTS_DIR)))
def test_project_module(path, tmp_path):
    assert compare(path, str(path), cache_dir=str(tmp_path)) == NO_PROBLEMS
