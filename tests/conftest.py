import pytest

# Fixture projects are code to lint, not tests to run (one holds a vendored SDK copy with its own tests).
collect_ignore_glob = ["projects/*"]


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Default runtime spools go under a throw-away cache directory, never the user's ~/.cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
