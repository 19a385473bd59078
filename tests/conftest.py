import pytest

# Fixture projects are code to lint, not tests to run (one holds a vendored SDK copy with its own tests).
collect_ignore_glob = ["projects/*"]
# The modules that take minutes, mostly waiting (a wheel and nox's smoke runs on the other Pythons, pre-commit's hook
# environment, generated programs), go first: under xdist (pyproject's addopts) they then run beside the rest of the
# suite on the other worker, not after it.
FIRST = ("test_packaging.py", "test_precommit.py", "test_property.py")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.path.name not in FIRST)  # stable: the order is otherwise kept


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Default runtime spools go under a throw-away cache directory, never the user's ~/.cache; a fix that raises
    fails the test (in use it is reported and reverted)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("CIO_STRICT", "1")
