"""flake8 reads a file's findings back while nothing in the project changed, and checks again after any edit."""
import ast
import os
import subprocess
import sys
from pathlib import Path

CRM = """\
from customerio import CustomerIO

cio = CustomerIO("", "")


def track_signup(user):
    cio.track(user.id, "signed_up")
"""
CRM_WITHOUT_REQUEST = """\
import logging


def track_signup(user):
    logging.info("signed up %s", user.id)
"""
VIEWS = """\
from flask import Flask

from shop.crm import track_signup

app = Flask(__name__)


@app.post("/signup")
def signup(user):
    track_signup(user)
    return "ok"
"""


def make_project(root: Path) -> None:
    (root / "shop").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\ndependencies = ["customerio==3.2.0"]\n')
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "crm.py").write_text(CRM)
    (root / "shop" / "views.py").write_text(VIEWS)


def flake8(root: Path, cache: Path) -> list[str]:
    result = subprocess.run([sys.executable, "-m", "flake8", "-j", "2", "--select", "CIO", "shop"], cwd=root,
                            capture_output=True, text=True, env={**os.environ, "XDG_CACHE_HOME": str(cache)})
    assert result.stderr == ""
    return sorted(line.split(" ", 2)[0] + " " + line.split(" ", 2)[1] for line in result.stdout.splitlines())


def journals(cache: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in (cache / "flake8-cio" / "results").rglob("*.jsonl")}


def test_an_unchanged_project_is_read_back_and_an_edit_in_another_module_checks_again(tmp_path):
    make_project(tmp_path / "app")
    cache = tmp_path / "cache"
    first = flake8(tmp_path / "app", cache)
    assert first == ["shop/views.py:10:5: CIO501"]
    kept = journals(cache)
    assert kept, "the run kept its findings"
    assert flake8(tmp_path / "app", cache) == first
    assert journals(cache) == kept, "nothing was checked again"
    (tmp_path / "app" / "shop" / "crm.py").write_text(CRM_WITHOUT_REQUEST)  # views.py itself is unchanged
    assert flake8(tmp_path / "app", cache) == []
    assert not set(journals(cache)) & set(kept), "the old state's findings are gone"


def test_a_damaged_journal_is_checked_again(tmp_path):
    make_project(tmp_path / "app")
    cache = tmp_path / "cache"
    first = flake8(tmp_path / "app", cache)
    for name in journals(cache):
        path = next((cache / "flake8-cio" / "results").rglob(name))
        path.write_text('["cut short", \n[1, 2]\n7\n{"a": 1}\n')
    assert flake8(tmp_path / "app", cache) == first


def test_an_unwritable_cache_still_reports(tmp_path):
    make_project(tmp_path / "app")
    (tmp_path / "cache").write_text("a file where the cache folder would be")
    assert flake8(tmp_path / "app", tmp_path / "cache") == ["shop/views.py:10:5: CIO501"]


def test_a_few_named_files_are_checked_directly(tmp_path):
    """pre-commit names the files it checks: for a handful, the walk of the project that a look-up needs costs more
    than checking them."""
    make_project(tmp_path / "app")
    cache = tmp_path / "cache"
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "CIO", "shop/views.py", "shop/crm.py"],
                            cwd=tmp_path / "app", capture_output=True, text=True,
                            env={**os.environ, "XDG_CACHE_HOME": str(cache)})
    assert result.stdout.startswith("shop/views.py:10:5: CIO501")
    assert journals(cache) == {}


def test_folders_without_init_share_one_walk_and_one_journal(tmp_path, monkeypatch):
    """Each folder without ``__init__.py`` is a package root of its own (a view of the project): they share the
    project's one walk of the tree and one set of kept findings (each walked the whole tree: 295 walks of a
    1,032-file application in one run)."""
    from flake8_cio import engine, project
    from flake8_cio.options import Options

    make_project(tmp_path / "app")
    for number in range(5):
        folder = tmp_path / "app" / "scripts" / f"job{number}"
        folder.mkdir(parents=True)
        (folder / "run.py").write_text("from shop.crm import track_signup\n\n\ndef run(users):\n"
                                       "    for user in users:\n        track_signup(user)\n")
    project.forget_projects()
    walked = []
    real_walk = os.walk
    monkeypatch.setattr(project.os, "walk", lambda top, *a, **k: walked.append(top) or real_walk(top, *a, **k))
    options = Options(cache_dir=str(tmp_path / "cache"))
    found = []
    for path in sorted((tmp_path / "app").rglob("*.py")):
        source = path.read_text()
        found += [(path.parent.name, text.split()[0]) for _, _, text in engine.lint(
            ast.parse(source), source.splitlines(True), str(path), options)]
    assert sorted(found) == [(f"job{number}", "CIO601") for number in range(5)] + [("shop", "CIO501")]
    assert walked == [tmp_path / "app"]
    assert len(list((tmp_path / "cache" / "results").rglob("*.jsonl"))) == 1


def test_a_run_over_an_unchanged_project_loads_only_what_reading_findings_back_needs(tmp_path):
    """Reading findings back needs the project's stamp, not its model: a warm run never imports the project model,
    the summaries, the semantic layer or the rules (importing them was most of the plugin's fixed cost per run)."""
    make_project(tmp_path / "app")
    cache = tmp_path / "cache"
    probe = ("import sys\nfrom flake8.main.cli import main\n"
             "try:\n    main(['-j', '1', '--select', 'CIO', 'shop'])\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.startswith('flake8_cio')))\n")

    def loaded() -> tuple[list[str], list[str]]:
        result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path / "app", capture_output=True, text=True,
                                env={**os.environ, "XDG_CACHE_HOME": str(cache)})
        *findings, modules = result.stdout.splitlines()
        return [line.split(" ")[1] for line in findings], ast.literal_eval(modules)

    first, cold = loaded()
    again, warm = loaded()
    assert first == again == ["CIO501"]
    model = {"flake8_cio.project", "flake8_cio.records", "flake8_cio.summary", "flake8_cio.semantic",
             "flake8_cio.rules"}
    assert model <= set(cold)
    assert model.isdisjoint(warm)


def test_a_file_linted_twice_in_one_process_is_checked_once(tmp_path, monkeypatch):
    """What a check keeps in memory reads back as what the journal gives: the second lint checks nothing."""
    from flake8_cio import engine, project
    from flake8_cio.options import Options

    make_project(tmp_path / "app")
    project.forget_projects()
    checks = []
    real_check = engine.check_tree
    monkeypatch.setattr(engine, "check_tree", lambda *args: checks.append(args[2]) or real_check(*args))
    views = tmp_path / "app" / "shop" / "views.py"
    source, options = views.read_text(), Options(cache_dir=str(tmp_path / "cache"))
    found = [engine.lint(ast.parse(source), source.splitlines(True), str(views), options) for _ in range(3)]
    assert found[0] == found[1] == found[2] and [text.split()[0] for _, _, text in found[0]] == ["CIO501"]
    assert checks == [str(views)]
    assert sum(path.read_text().count("\n") for path in (tmp_path / "cache" / "results").rglob("*.jsonl")) == 1
