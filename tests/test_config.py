"""One configuration for both tools: the real flake8 and the real cio-fix read the same files by flake8's rules
(parent folders, --isolated, --config, --append-config), [tool.flake8] and [tool.flake8-cio] in pyproject.toml,
and multi-line lists; a misspelt cio- key or a broken file is an error in both (a pyproject.toml that never says
flake8 is another tool's file: not read)."""
import subprocess
import sys

import pytest

from flake8_cio.fixers import cli

from . import inprocess

SOURCE = "def f(bus):\n    bus.track('1', 'SignedUp')\n"  # a finding only when `bus` is configured as a client name
TOOLS = {  # each run in this process (tests/inprocess.py), as its script would run it
    "flake8": lambda args, cwd: inprocess.flake8(["--select", "CIO", *args], cwd),
    "cio-fix": lambda args, cwd: inprocess.run(cli.main, "cio-fix", ["--check", *args], cwd),
}


def run(tool, cwd, *args):
    return TOOLS[tool]([*args, "app.py"], cwd)


@pytest.fixture
def project(tmp_path):
    """A project whose code sits one folder below the configuration, as flake8's parent-folder search expects."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(SOURCE)
    return tmp_path


def finds(tool, cwd, *args) -> bool:
    result = run(tool, cwd, *args)
    assert result.returncode in (0, 1), result.stderr
    return "CIO202" in result.stdout


@pytest.mark.parametrize("tool", TOOLS)
def test_setup_cfg_in_a_parent_folder_with_a_multi_line_list(project, tool):
    (project / "setup.cfg").write_text("[flake8]\ncio-client-names =\n    cio\n    bus\n")
    assert finds(tool, project / "src")
    assert not finds(tool, project / "src", "--isolated")


@pytest.mark.parametrize("tool", TOOLS)
def test_config_replaces_discovery_and_append_config_adds(project, tool):
    (project / "setup.cfg").write_text("[flake8]\ncio-client-names = bus\n")
    (project / "other.cfg").write_text("[flake8]\ncio-client-names = cio\n")
    (project / "extra.cfg").write_text("[flake8]\ncio-client-names = bus, cio\n")
    assert not finds(tool, project / "src", "--config", str(project / "other.cfg"))
    assert finds(tool, project / "src", "--config", str(project / "other.cfg"),
                 "--append-config", str(project / "extra.cfg"))


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("table", ['[tool.flake8]\ncio-client-names = ["bus"]\n',
                                   '[tool.flake8-cio]\nclient-names = ["bus"]\n'],
                         ids=["flake8-pyproject", "flake8-cio"])
def test_pyproject_tables(project, tool, table):
    (project / "src" / "pyproject.toml").write_text(table)
    assert finds(tool, project / "src")


@pytest.mark.parametrize("tool", TOOLS)
def test_a_pyproject_that_never_says_flake8_is_not_read(project, tool):
    (project / "setup.cfg").write_text("[flake8]\ncio-client-names = bus\n")
    (project / "src" / "pyproject.toml").write_text('[project\nname = "shop"\n')  # broken, and not ours
    assert finds(tool, project / "src")


@pytest.mark.parametrize("tool", TOOLS)
def test_flake8_file_wins_over_the_flake8_cio_table(project, tool):
    (project / "src" / "setup.cfg").write_text("[flake8]\ncio-client-names = bus\n")
    (project / "src" / "pyproject.toml").write_text('[tool.flake8-cio]\nclient-names = ["cio"]\n')
    assert finds(tool, project / "src")


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("name, text", [
    ("setup.cfg", "[flake8]\ncio-clent-names = bus\n"),
    ("pyproject.toml", '[tool.flake8]\ncio-clent-names = "bus"\n'),
    ("pyproject.toml", '[tool.flake8-cio]\nclent-names = "bus"\n'),
])
def test_misspelt_key_is_an_error_unless_isolated(project, tool, name, text):
    (project / "src" / name).write_text(text)
    result = run(tool, project / "src")
    assert result.returncode == 2
    assert "unknown option 'cio-clent-names' (did you mean 'cio-client-names'?); known: cio-client-names" in result.stderr
    assert str(project / "src" / name) in result.stderr  # the file it came from
    assert run(tool, project / "src", "--isolated").returncode == 0


@pytest.mark.parametrize("tool", TOOLS)
def test_missing_config_file_is_a_clear_error(project, tool):
    result = run(tool, project / "src", "--config", "nowhere.cfg")
    assert result.returncode != 0 and "does not exist: nowhere.cfg" in result.stdout + result.stderr


@pytest.mark.parametrize("text", ["[flake8\ncio-client-names = bus\n", "[flake8]\nx = 1\nx = 2\n"])
def test_broken_files_are_one_line_errors_for_cio_fix(project, text):
    (project / "bad.cfg").write_text(text)
    (project / "src" / "pyproject.toml").write_text("[tool.flake8-cio\n")
    for args in (["--config", str(project / "bad.cfg")], []):
        result = run("cio-fix", project / "src", *args)
        assert result.returncode == 2 and result.stderr.startswith("cio-fix: error: ")
        assert len(result.stderr.strip().splitlines()) == 1


CLIENT = "from customerio import CustomerIO\ncio = CustomerIO(S, K)\n"  # a project module: summarised, cached
CATALOG_USE = "from pkg.client import cio\ncio.track('1', 'order_plaed')\n"
SUBPROCESS = {  # as a user runs them, from a folder below the configuration
    "flake8": [sys.executable, "-m", "flake8", "--select", "CIO,E9"],
    "cio-fix": [sys.executable, "-m", "flake8_cio", "fix", "--check"],
}


@pytest.mark.parametrize("tool", SUBPROCESS)
@pytest.mark.parametrize("name, text", [
    ("setup.cfg", "[flake8]\ncio-catalog = cio-catalog.toml\ncio-cache-dir = .cio-cache\n"),
    (".flake8", "[flake8]\ncio_catalog = ./cio-catalog.toml\ncio-cache-dir = .cio-cache\n"),
    ("pyproject.toml", '[tool.flake8-cio]\ncatalog = "cio-catalog.toml"\ncache-dir = ".cio-cache"\n'),
])
def test_path_options_are_relative_to_the_file_that_sets_them(tmp_path, tool, name, text):
    """As flake8 reads its own path options: from a subfolder, the configuration's catalog and cache folder are
    the project root's; a path on the command line is relative to the working folder; a catalog that cannot be
    read is named by its full path."""
    (tmp_path / name).write_text(text)
    (tmp_path / "cio-catalog.toml").write_text("[events.order_placed]\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "client.py").write_text(CLIENT)
    (tmp_path / "pkg" / "app.py").write_text(CATALOG_USE)

    def run_in(folder, *args):
        return subprocess.run([*SUBPROCESS[tool], *args, "."], cwd=folder, capture_output=True, text=True)

    for folder in (tmp_path, tmp_path / "pkg"):
        result = run_in(folder)
        assert result.returncode in (0, 1), result.stderr  # cio-fix --check: 0, nothing it would change
        assert "CIO701 event 'order_plaed' is not in the catalog" in result.stdout
        assert "did you mean 'order_placed'?" in result.stdout
    assert (tmp_path / ".cio-cache").is_dir() and not (tmp_path / "pkg" / ".cio-cache").exists()
    (tmp_path / "pkg" / "cio-catalog.toml").write_text("[events.order_plaed]\n")
    given = run_in(tmp_path / "pkg", "--cio-catalog", "cio-catalog.toml")
    assert given.returncode == 0 and "CIO701" not in given.stdout, given.stdout + given.stderr
    (tmp_path / "cio-catalog.toml").unlink()
    missing = run_in(tmp_path / "pkg")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert f"{tmp_path / 'cio-catalog.toml'}: cannot read the catalog: No such file or directory" in missing.stderr


@pytest.mark.parametrize("tool", SUBPROCESS)
def test_an_unknown_code_of_ours_in_select_or_ignore_is_an_error_naming_the_nearest(tmp_path, tool):
    """flake8 accepts any well-formed code: `--select CIO999` would check nothing and pass (a false green in CI).
    A code with our prefix (or CI0, a zero for the O) that is no rule and no rule's prefix is an error in both
    tools, from the command line and the configuration alike; other plugins' codes are theirs."""
    (tmp_path / "app.py").write_text(SOURCE)

    def run_with(*args):
        return subprocess.run([*SUBPROCESS[tool], *args, "app.py"], cwd=tmp_path, capture_output=True, text=True)

    for key, code, near in [("select", "CIO999", "CIO705"), ("extend-select", "CI0", "CIO"),
                            ("ignore", "CIO11", "CIO101"), ("extend-ignore", "E501,CI01", "CIO1")]:
        (tmp_path / "setup.cfg").write_text(f"[flake8]\n{key} = {code}\n")
        from_config = run_with()
        (tmp_path / "setup.cfg").unlink()
        from_command_line = run_with(f"--{key}", code)
        expected = [from_config] if tool == "cio-fix" and key.startswith("extend-") else [from_config,
                                                                                          from_command_line]
        for result in expected:  # cio-fix has no --extend-select or --extend-ignore
            assert result.returncode == 2, (key, code, result.stdout, result.stderr)
            bad = code.split(",")[-1]
            assert f"unknown rule code {bad!r} (did you mean {near!r}?)" in result.stderr, result.stderr
            assert "Traceback" not in result.stderr
    (tmp_path / "setup.cfg").write_text("[flake8]\nextend-select = CIO,E9,C901,XYZ1\nextend-ignore = W6,CIO4\n")
    assert run_with().returncode in (0, 1)
