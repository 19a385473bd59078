"""Multi-module fixture projects: each module is checked with the project model, as flake8 checks it in place."""
from pathlib import Path

import pytest

from flake8_cio.engine import check_source
from flake8_cio.options import Options

from .expectations import NO_PROBLEMS, compare

PROJECTS_DIR = Path(__file__).parent / "projects"
MODULES = sorted(PROJECTS_DIR.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PROJECTS_DIR)))
def test_project_module(path, tmp_path):
    assert compare(path, str(path), cache_dir=str(tmp_path)) == NO_PROBLEMS


def test_dispatch_messages_name_the_table_and_a_plain_call_as_called(tmp_path):
    """A table's call is named as written and says what it may run; a method of a built instance is a plain call."""
    views = PROJECTS_DIR / "instance_tables" / "funnel" / "views.py"
    found = {f.line: f.message for f in check_source(views.read_text(), str(views), Options(cache_dir=str(tmp_path)))}
    assert found[12].startswith("`STAGES[kind].enter()` in request handler `move`") and "may run" in found[12]
    assert "funnel.stages.Churned.enter" in found[18]  # the literal key's entry, not the table's first
    reexported = PROJECTS_DIR / "instance_tables" / "funnel" / "reexported.py"
    found = {f.line: f.message for f in check_source(reexported.read_text(), str(reexported), Options(cache_dir=str(tmp_path)))}
    line = next(number for number, text in enumerate(reexported.read_text().splitlines(), 1) if ".pay(order_id)" in text)
    assert found[line].startswith("`pay()` in request handler `pay`") and "it calls" in found[line]


def test_an_entry_picked_first_is_named_as_written_and_may_run(tmp_path):
    """``handler = HANDLERS[kind]; handler()``, ``STAGES.get(kind).enter()`` and ``stage.enter()`` after ``stage =
    STAGES[kind]`` are dispatches: the message names the call as written and says what it may run."""
    views = PROJECTS_DIR / "picked_entries" / "billing" / "views.py"
    found = {f.line: f.message for f in check_source(views.read_text(), str(views), Options(cache_dir=str(tmp_path)))}
    source, named = views.read_text().splitlines(), set()
    for number, message in found.items():
        call = source[number - 1].strip().split("(request")[0]
        if call in ("handler", "STAGES.get(kind).enter", "stage.enter"):
            assert message.startswith(f"`{call}()`") and "it may run" in message, message
            named.add(call)
    assert named == {"handler", "STAGES.get(kind).enter", "stage.enter"}
