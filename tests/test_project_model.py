"""The project model on bad input and under the cache: never a crash, the file under check is still analysed."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from flake8_cio.engine import check_source
from flake8_cio.options import Options

SERVICE = """
    from customerio import CustomerIO

    cio = CustomerIO("site", "key")


    def track_signup(user):
        cio.track(user.id, "signed_up")
"""
VIEW = """
    from flask import Flask

    from app.services import track_signup

    app = Flask(__name__)


    @app.post("/signup")
    def signup(user):
        track_signup(user)
"""


def make_app(root: Path, **modules: str) -> Path:
    (root / "pyproject.toml").write_text("")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    for name, source in {"services": SERVICE, "views": VIEW, **modules}.items():
        (root / "app" / f"{name}.py").write_text(textwrap.dedent(source))
    return root / "app" / "views.py"


def codes(view: Path, cache: Path, **options) -> list[str]:
    return [f.code for f in check_source(view.read_text(), str(view), Options(cache_dir=str(cache), **options))]


def test_cross_module_finding_and_option_off(tmp_path):
    view = make_app(tmp_path)
    assert codes(view, tmp_path / "cache") == ["CIO501"]
    assert codes(view, tmp_path / "cache", project_analysis=False) == []


def test_imported_module_that_does_not_parse(tmp_path):
    view = make_app(tmp_path, services="def broken(:\n    customerio\n")
    assert codes(view, tmp_path / "cache") == []


def test_import_cycle(tmp_path):
    cycle = "\nfrom app.views import signup\n\n\ndef again(u):\n    signup(u)\n"
    view = make_app(tmp_path, services=textwrap.dedent(SERVICE) + cycle)
    assert codes(view, tmp_path / "cache") == ["CIO501"]


def test_recursion_between_project_functions(tmp_path):
    loop = "from app import b\n\n\ndef f(u):\n    b.g(u)\n"
    other = "import customerio\nfrom app import a\n\n\ndef g(u):\n    a.f(u)\n"
    view_source = VIEW.replace("app.services import track_signup", "app.a import f as track_signup")
    view = make_app(tmp_path, a=loop, b=other, views=view_source)
    assert codes(view, tmp_path / "cache") == []


def test_unreadable_module(tmp_path):
    view = make_app(tmp_path)
    (tmp_path / "app" / "services.py").write_bytes(b"\xff\xfe not utf-8 customerio")
    assert codes(view, tmp_path / "cache") == []


def test_symlink_loop(tmp_path):
    view = make_app(tmp_path)
    (tmp_path / "app" / "loop").symlink_to(tmp_path / "app")
    urls = "from django.urls import path\nfrom app import views\nurlpatterns = [path('x/', views.signup)]\n"
    (tmp_path / "app" / "urls.py").write_text(urls)
    assert codes(view, tmp_path / "cache") == ["CIO501"]


def test_corrupt_and_stale_cache_entries_are_recomputed(tmp_path):
    view = make_app(tmp_path)
    cache = tmp_path / "cache"
    assert codes(view, cache) == ["CIO501"]
    entries = list((cache / "summaries").glob("*.json"))
    assert entries, "summaries were cached"
    for entry in entries:
        entry.write_text('{"functions": ')
    assert codes(view, cache) == ["CIO501"]
    for entry in (cache / "summaries").glob("*.json"):
        entry.write_text('{"functions": {}}')  # valid JSON, wrong shape
    assert codes(view, cache) == ["CIO501"]


def test_changed_module_is_not_read_from_a_stale_entry(tmp_path):
    view = make_app(tmp_path)
    assert codes(view, tmp_path / "cache") == ["CIO501"]
    script = f"""
import sys
sys.path.insert(0, {str(Path.cwd())!r})
from flake8_cio.engine import check_source
from flake8_cio.options import Options
view = {str(view)!r}
print([f.code for f in check_source(open(view).read(), view, Options(cache_dir={str(tmp_path / 'cache')!r}))])
"""
    (tmp_path / "app" / "services.py").write_text(textwrap.dedent(SERVICE).replace("cio.track(", "print("))
    fresh = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert fresh.stdout.strip() == "[]"


def test_unwritable_cache_folder_means_no_cache(tmp_path):
    """Below a regular file nothing can be created, not even by root (CI runs as root, so chmod proves nothing)."""
    view = make_app(tmp_path)
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    assert codes(view, blocker) == ["CIO501"]
    assert codes(view, blocker / "below") == ["CIO501"]
    assert blocker.read_text() == "not a folder"


def test_flake8_in_parallel_on_changed_files_only(tmp_path):
    """pre-commit passes only the changed view: the unchanged service is still read; -j2 shares one cache."""
    make_app(tmp_path)
    (tmp_path / "app" / "other_view.py").write_text(textwrap.dedent(VIEW).replace("def signup", "def register"))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    for args in (["app/views.py"], ["-j2", "app/views.py", "app/other_view.py"]):
        result = subprocess.run([sys.executable, "-m", "flake8", "--select", "CIO", *args], cwd=tmp_path,
                                capture_output=True, text=True, env=env)
        assert result.stderr == ""
        assert result.stdout.count("CIO501") == len(args) - args.count("-j2"), result.stdout
    assert list((tmp_path / "xdg" / "flake8-cio" / "summaries").glob("*.json"))
    assert not list((tmp_path / "xdg" / "flake8-cio" / "summaries").glob("*.tmp"))


def test_import_cycle_does_not_hide_a_module_that_reaches_customerio(tmp_path):
    """b imports a and c, a imports b, c calls Customer.io: a reaches it through b, whichever is asked first."""
    view_of_b = VIEW.replace("app.services import track_signup", "app.b import g as track_signup")
    view_of_a = VIEW.replace("app.services import track_signup", "app.a import f as track_signup")
    make_app(tmp_path, a="from app import b\n\n\ndef f(u):\n    b.g(u)\n",
             b="from app import a, c\n\n\ndef g(u):\n    c.h(u)\n",
             c="import customerio\n\ncio = customerio.CustomerIO('s', 'k')\n\n\ndef h(u):\n    cio.track(u, 'x')\n",
             views=view_of_b, other_view=view_of_a)
    options = {"cache_dir": str(tmp_path / "cache")}
    assert codes(tmp_path / "app" / "views.py", tmp_path / "cache") == ["CIO501"]
    other = tmp_path / "app" / "other_view.py"
    assert [f.code for f in check_source(other.read_text(), str(other), Options(**options))] == ["CIO501"]


def test_cache_is_keyed_by_the_analysers_own_code(tmp_path, monkeypatch):
    """An entry is reused while the analyser is the same, and never once its code changes (an upgrade, an edit)."""
    from flake8_cio import project

    view = make_app(tmp_path)
    cache = tmp_path / "cache"
    assert codes(view, cache) == ["CIO501"]
    for entry in (cache / "summaries").glob("*.json"):
        entry.write_text(json.dumps(project.EMPTY.dump()))  # a well-formed summary that knows nothing
    project.forget_projects()
    assert codes(view, cache) == []  # read back from the cache
    monkeypatch.setattr(project, "analyser_version", lambda: "another release")
    project.forget_projects()
    assert codes(view, cache) == ["CIO501"]


def test_findings_on_forwarded_arguments_get_no_fix(tmp_path):
    """`track_event(user.email, ...)` is checked as the cio.track it becomes, but the fix would be the caller's."""
    forward = "from customerio import CustomerIO\n\ncio = CustomerIO('s', 'k')\n\n\n" \
              "def track_event(customer_id, name, when=None):\n    cio.track(customer_id, name, timestamp=when)\n"
    caller = "import time\n\nfrom app.services import track_event\n\n\n" \
             "def backfill(user):\n    track_event(user.email, 'visited', when=int(time.time() * 1000))\n"
    view = make_app(tmp_path, services=forward, views=caller)
    found = check_source(view.read_text(), str(view), Options(cache_dir=str(tmp_path / "cache")))
    assert [(f.code, f.fix) for f in found] == [("CIO301", None), ("CIO101", None)]
    direct = "import time\n\nimport customerio\n\ncio = customerio.CustomerIO('s', 'k')\n" \
             "cio.track('1', 'visited', timestamp=int(time.time() * 1000))\n"
    assert [(f.code, f.fix is not None) for f in check_source(direct)] == [("CIO101", True)]  # the same, direct


def test_our_own_package_is_checked_without_error(tmp_path):
    """Real code with clients passed through helpers (our runtime) once sent ref_of into endless recursion."""
    package = Path(__file__).resolve().parent.parent / "flake8_cio"
    for path in sorted(package.rglob("*.py")):
        check_source(path.read_text("utf-8"), str(path), Options(cache_dir=str(tmp_path / "cache")))


def test_a_name_rebound_through_itself_is_answered_at_any_depth():
    """`found = found or item.ok` in a loop: each round of the question costs two levels, so a question asked with
    an odd depth stepped over 0 and recursed until Python stopped it (our own vendored.py, once a per-record
    coroutine's arguments were asked about)."""
    import ast

    from flake8_cio.semantic import Model

    source = "def scan(items):\n    found = False\n    for item in items:\n        found = found or item.ok\n" \
             "    return found\n"
    model = Model(ast.parse(source), source.splitlines(True), "scan.py", Options(project_analysis=False))
    scan = next(fn for fn in model.functions.values() if fn.name == "scan")
    returned, scope = scan.returns[0].value, scan.scope
    assert [model.client_kind(returned, scope, depth) for depth in range(1, 6)] == [None] * 5


CLOCK = """
    import time


    def now_ms():
        return int(time.time() * 1000)
"""
TRACKER = """
    from customerio import CustomerIO

    from app.clock import now_ms

    cio = CustomerIO("site", "key")


    def seen(user):
        cio.identify(user.id, last_seen_at=now_ms())
"""


def test_only_the_projects_own_millisecond_helpers_are_followed(tmp_path, monkeypatch):
    """The same clock as an installed package (importable, from the project's virtualenv) is someone else's code."""
    make_app(tmp_path, clock=CLOCK, tracker=TRACKER)
    tracker = tmp_path / "app" / "tracker.py"
    assert codes(tracker, tmp_path / "cache") == ["CIO101"]
    site_packages = tmp_path / ".venv" / "lib" / "python3.11" / "site-packages"
    site_packages.mkdir(parents=True)
    (site_packages / "fastclock.py").write_text(textwrap.dedent(CLOCK))
    monkeypatch.syspath_prepend(str(site_packages))
    tracker.write_text(textwrap.dedent(TRACKER).replace("app.clock", "fastclock"))
    assert codes(tracker, tmp_path / "cache") == []


def test_cached_units_are_reused_and_dropped_when_the_summariser_changes(tmp_path):
    """The unit a function returns lives in its module's cached summary; the key hashes the analyser's files, so an
    entry written before summary.py changed (one that knew no units) is never read back."""
    from flake8_cio import layout, project

    make_app(tmp_path, clock=CLOCK, tracker=TRACKER)
    tracker, cache = tmp_path / "app" / "tracker.py", tmp_path / "cache"
    assert codes(tracker, cache) == ["CIO101"]
    for entry in (cache / "summaries").glob("*.json"):
        summary = json.loads(entry.read_text())
        for function in summary["functions"].values():
            function["unit"] = None
        entry.write_text(json.dumps(summary))
    project.forget_projects()
    assert codes(tracker, cache) == []  # read back from the cache
    package, copy = Path(layout.__file__).parent, tmp_path / "analyser" / "flake8_cio"
    (copy / "rules").mkdir(parents=True)
    for path in (*package.glob("*.py"), *package.glob("rules/*.py")):
        (copy / path.relative_to(package)).write_bytes(path.read_bytes())
    original = layout.__file__
    try:
        layout.__file__ = str(copy / "layout.py")
        layout.analyser_version.cache_clear()
        copied = layout.analyser_version()
        layout.analyser_version.cache_clear()
        assert layout.analyser_version() == copied  # the same files give the same version
        with open(copy / "summary.py", "a") as summariser:
            summariser.write("# edited\n")
        layout.analyser_version.cache_clear()
        assert layout.analyser_version() != copied
        project.forget_projects()
        assert codes(tracker, cache) == ["CIO101"]
    finally:
        layout.__file__ = original
        layout.analyser_version.cache_clear()


def test_a_client_name_in_a_string_does_not_make_a_module_reach_customerio(tmp_path):
    """An airport code 'CIO' in a data table is no client: the module, and every module importing it, is skipped
    (netbox's iata.py had made 681 of its 1,220 files look relevant)."""
    from flake8_cio.options import Options
    from flake8_cio.prefilter import might_use_customerio

    assert not might_use_customerio("AIRPORTS = [('CIO', 'CIO (MCAL Lopez)'), (\"cio\", 'x')]\n", Options())
    assert might_use_customerio("def notify(cio, user):\n    cio.track(user.id, 'x')\n", Options())
    view = make_app(tmp_path, services="AIRPORTS = [('CIO', 'Concepcion')]\n\n\ndef track_signup(user):\n    pass\n")
    assert codes(view, tmp_path / "cache") == []


LEAD = """
    from customerio import CustomerIO

    cio = CustomerIO("site", "key")


    class Lead:
        def close_lead(self):
            cio.track(self.pk, "lead_closed")
"""
CLOSING_VIEW = """
    from flask import Flask

    from app import leads

    app = Flask(__name__)


    @app.post("/close")
    def close(request):
        request.lead.close_lead()
"""


def test_the_whole_tree_scan_is_kept_on_disk_and_redone_only_for_changed_modules(tmp_path, monkeypatch):
    """The unique-method fallback reads every module's text once; a later run reads only what changed (a second
    definition of the method makes the call ambiguous again)."""
    from flake8_cio import project

    view = make_app(tmp_path, leads=LEAD, views=CLOSING_VIEW)
    read = []
    original = project._read
    monkeypatch.setattr(project, "_read", lambda path: read.append(path.name) or original(path))
    assert codes(view, tmp_path / "cache") == ["CIO501"]
    assert {"services.py", "leads.py", "__init__.py"} <= set(read)
    project.forget_projects()
    read.clear()
    (tmp_path / "app" / "other.py").write_text("class Account:\n    def close_lead(self):\n        pass\n")
    assert codes(view, tmp_path / "cache") == []
    assert "other.py" in read and "services.py" not in read  # summaries and scans of unchanged modules reused


def test_a_tree_scan_cache_of_another_shape_is_rescanned(tmp_path):
    from flake8_cio import project

    view = make_app(tmp_path, leads=LEAD, views=CLOSING_VIEW)
    assert codes(view, tmp_path / "cache") == ["CIO501"]
    (stored,) = (tmp_path / "cache" / "trees").glob("*.json")
    scans = json.loads(stored.read_text())
    wrong = {"methods": [["nested"]], "states": {}, "jobs": 3, "imports": None}  # with the module's own stamp
    stored.write_text(json.dumps({path: {**scan, **wrong} for path, scan in scans.items()}))
    project.forget_projects()
    assert codes(view, tmp_path / "cache") == ["CIO501"]
    stored.write_text(json.dumps({path: [scan["stamp"], [], [], [], []] for path, scan in scans.items()}))  # old layout
    project.forget_projects()
    assert codes(view, tmp_path / "cache") == ["CIO501"]
    stored.write_text("{not json")
    project.forget_projects()
    assert codes(view, tmp_path / "cache") == ["CIO501"]
