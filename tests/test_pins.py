"""The customerio major a project pins: every file format, vendored copies, near misses and bad input."""
import json
import os
import shutil
import textwrap
from importlib import metadata

import pytest

from flake8_cio.pins import forget, requirement_majors, sdk_major_from_project
from flake8_cio.vendored import is_vendored_sdk_file, vendored_sdk_dirs

TRACK_2 = '''\
"""Implements the client that interacts with Customer.io's Track API using Site ID and API Keys."""
from .client_base import ClientBase, CustomerIOException
from .regions import Regions, Region


class CustomerIO(ClientBase):
    def __init__(self, site_id=None, api_key=None, host=None, region=Regions.US, port=None):
        self.host = host or region.track_host

    def identify(self, id, **kwargs):
        self.send_request('PUT', self.get_customer_query_string(id), kwargs)

    def track(self, customer_id, name, **data):
        self.send_request('POST', self.get_event_query_string(customer_id), {'name': name, 'data': data})
'''
TRACK_3 = TRACK_2.replace("def track(self, customer_id, name, **data):",
                          "def track(self, customer_id, name, data=None, id=None, timestamp=None):")
REGIONS = '''\
from collections import namedtuple

Region = namedtuple("Region", ["name", "track_host", "api_host"])


class Regions:
    US = Region("us", "track.customer.io", "api.customer.io")
    EU = Region("eu", "track-eu.customer.io", "api-eu.customer.io")
'''
VERSION_2 = '''\
VERSION = (2, 2, 0, 'final', 0)

def get_version():
    return '%s.%s' % (VERSION[0], VERSION[1])

__version__=get_version()
'''


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def sdk_copy(folder, track=TRACK_2, version=VERSION_2):
    """A copy of the SDK laid out as the real one: __init__, track, regions, client_base, __version__ (2.x)."""
    write(folder / "__init__.py", "from customerio.track import CustomerIO\nfrom customerio.regions import Regions\n")
    write(folder / "track.py", track)
    write(folder / "regions.py", REGIONS)
    write(folder / "client_base.py",
          "class ClientBase:\n    pass\n\n\nclass CustomerIOException(Exception):\n    pass\n")
    if version is not None:
        write(folder / "__version__.py", version)
    return folder


# -- specifiers ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("requirement, majors", [
    ("customerio==2.1", {2}),
    ("customerio~=2.1", {2}),
    ("customerio~=2.9.1", {2}),
    ("customerio~=3.0", {3}),
    ("customerio~=2.1,>=2.9", {2}),  # ~=2.1 admits every 2.x from 2.1
    ("customerio>=2,<3", {2}),
    ("customerio >= 2.0 , < 3.0", {2}),
    ("customerio<3", {0, 1, 2}),
    ("customerio<=2", {0, 1, 2}),
    ("customerio>=3.2", {3}),
    ("customerio==3.*", {3}),
    ("customerio===2.1", {2}),
    ("customerio!=3.*", {0, 1, 2}),
    ("customerio>=2,!=2.*", {3}),
    ("customerio==2.2.0rc1", {2}),
    ("customerio>=3.0.0b1", {3}),
    ("customerio>=2", {2, 3}),
    ("customerio>2", {2, 3}),  # 2.1 > 2
    ("customerio", {0, 1, 2, 3}),
    ("customerio==1.0", {1}),
    ("customerio==0.1.3", {0}),
    ("customerio<1", {0}),
    ("customerio>=0.5,<2", {0, 1}),
    ("customerio>=3.3", {3}),  # a later 3.x than this list knows
    ("customerio==4.0", {3}),  # a later major: keeps 3.x's data={...} until we learn otherwise
    ("customerio @ git+https://github.com/customerio/customerio-python@main", {0, 1, 2, 3}),  # unknown version
    ("customerio>=2.5,<2.3", set()),
    ("customerio>2.0,<=2", set()),
    ("customerio==2.0.0,!=2.0", set()),  # the one admitted release is excluded; 2 == 2.0 == 2.0.0
    ("customerio==2.0,!=2.0.1", {2}),
    ("CustomerIO[async] (>=3.0) ; python_version >= '3.10'", {3}),
    ("CUSTOMERIO==2.1;sys_platform=='linux'", {2}),
])
def test_majors_a_requirement_admits(requirement, majors):
    assert requirement_majors(requirement) == majors


@pytest.mark.parametrize("requirement", [
    "customerio-extras==2.0", "customer-io==2.0", "customerio_cdp_analytics==1.1", "requests==2.31",
    "customerio>=2.*", "customerio~=2", "customerio==two", "customerio 2.1", "",
])
def test_other_packages_and_unparsable_requirements_say_nothing(requirement):
    assert requirement_majors(requirement) is None


def test_names_are_normalised_as_pep_503(tmp_path):
    write(tmp_path / "requirements.txt", "Customerio==2.1\n")
    assert sdk_major_from_project(tmp_path) == 2
    assert requirement_majors("customer.io==2.1") is None  # "customer-io", another name


# -- each format -----------------------------------------------------------------------------------------------
def test_uv_lock(tmp_path):
    write(tmp_path / "uv.lock", """\
        version = 1
        requires-python = ">=3.10"

        [[package]]
        name = "app"
        version = "0.1.0"
        source = { editable = "." }
        dependencies = [{ name = "customerio" }]

        [[package]]
        name = "customerio"
        version = "2.1"
        source = { registry = "https://pypi.org/simple" }
        dependencies = [{ name = "requests" }]
        sdist = { url = "https://files.pythonhosted.org/customerio-2.1.tar.gz", hash = "sha256:00", size = 1 }
    """)
    assert sdk_major_from_project(tmp_path) == 2


def test_poetry_lock(tmp_path):
    write(tmp_path / "poetry.lock", """\
        # This file is automatically @generated by Poetry 1.8.2 and should not be changed by hand.

        [[package]]
        name = "customerio"
        version = "3.2.0"
        description = "Customer.io Python bindings."
        optional = false
        python-versions = ">=3.10"
        files = [{file = "customerio-3.2.0.tar.gz", hash = "sha256:00"}]

        [package.dependencies]
        requests = ">=2.31"

        [metadata]
        lock-version = "2.0"
        python-versions = "^3.11"
    """)
    assert sdk_major_from_project(tmp_path) == 3


def test_pipfile_lock(tmp_path):
    lock = {"_meta": {"hash": {"sha256": "00"}, "pipfile-spec": 6},
            "default": {"requests": {"version": "==2.31.0"},
                        "customerio": {"hashes": ["sha256:00"], "index": "pypi", "version": "==2.1"}},
            "develop": {}}
    write(tmp_path / "Pipfile.lock", json.dumps(lock, indent=4))
    assert sdk_major_from_project(tmp_path) == 2


def test_pipfile_lock_develop_section_and_a_git_entry(tmp_path):
    lock = {"default": {"customerio": {"git": "https://github.com/customerio/customerio-python", "ref": "abc"}},
            "develop": {"customerio": {"version": "==3.1.0"}}}
    write(tmp_path / "Pipfile.lock", json.dumps(lock))
    assert sdk_major_from_project(tmp_path) == 3


@pytest.mark.parametrize("entry, major", [
    ('customerio = "==2.4"', 2),
    ('customerio = "==0.1.3"', 0),
    ('customerio = "~=2.0"', 2),
    ('customerio = ">=2,<3"', 2),
    ('customerio = "==3.2.0"', 3),
    ('CustomerIO = {version = "==2.4"}', 2),
    ('"customerio" = {version = "<3", markers = "python_version >= \'3.8\'"}', 2),
    ('customerio = {version = "==2.4", index = "pypi"}', 2),
    ('customerio = "*"', None),  # any release: it does not decide
    ('customerio = {}', None),
    ('customerio = {git = "https://github.com/customerio/customerio-python.git", ref = "v2.4"}', None),
    ('customerio = {git = "https://github.com/customerio/customerio-python.git", editable = true}', None),
    ('customerio = {path = "./vendor/customerio-python"}', None),
    ('customerio = {file = "https://example.com/customerio-2.4.tar.gz"}', None),
    ('customerio = "2.4"', None),  # not a specifier: pipenv would write customerio2.4, which pip refuses
])
def test_pipfile(tmp_path, entry, major):
    """A Pipfile with no Pipfile.lock: pipenv's entries are PEP 440 specifiers or tables with a ``version``."""
    write(tmp_path / "Pipfile", f'[[source]]\nurl = "https://pypi.org/simple"\n[packages]\nflask = "*"\n{entry}\n')
    assert sdk_major_from_project(tmp_path) == major


def test_pipfile_dev_packages_and_the_lock_first(tmp_path):
    write(tmp_path / "Pipfile", '[dev-packages]\ncustomerio = "==2.4"\n')
    assert sdk_major_from_project(tmp_path) == 2
    write(tmp_path / "Pipfile.lock", '{"default": {"customerio": {"version": "==3.2.0"}}}')
    forget()
    assert sdk_major_from_project(tmp_path) == 3


def test_a_pipfile_that_does_not_decide_passes_to_requirements(tmp_path):
    write(tmp_path / "Pipfile", '[packages]\ncustomerio = {git = "https://example.com/customerio.git"}\n')
    write(tmp_path / "requirements.txt", "customerio==2.4\n")
    assert sdk_major_from_project(tmp_path) == 2


def test_requirements_with_includes_hashes_markers_and_continuations(tmp_path):
    write(tmp_path / "requirements.txt", "-r requirements/base.txt\n--index-url https://pypi.org/simple\n")
    write(tmp_path / "requirements" / "base.txt", """\
        -e git+https://github.com/acme/lib.git#egg=lib
        requests==2.31.0  # HTTP
        customerio==2.1 \\
            --hash=sha256:0123456789abcdef \\
            --hash=sha256:fedcba9876543210
        flask==3.0 ; python_version >= "3.10"
    """)
    assert sdk_major_from_project(tmp_path) == 2


def test_requirements_include_outside_the_usual_names(tmp_path):
    write(tmp_path / "requirements-dev.txt", "--requirement=deps/common.in\npytest\n")
    write(tmp_path / "deps" / "common.in", "customerio[extra]~=3.1 ; python_version >= '3.10'\n")
    assert sdk_major_from_project(tmp_path) == 3


def test_requirements_files_that_include_each_other(tmp_path):
    write(tmp_path / "requirements.txt", "-r requirements-dev.txt\ncustomerio>=2,<3\n")
    write(tmp_path / "requirements-dev.txt", "-rrequirements.txt\n-c requirements.txt\n")
    assert sdk_major_from_project(tmp_path) == 2


def test_pins_across_requirement_files_are_combined(tmp_path):
    write(tmp_path / "requirements.txt", "customerio>=2\n")
    write(tmp_path / "requirements" / "prod.txt", "customerio<3\n")
    assert sdk_major_from_project(tmp_path) == 2


def test_pyproject_project_dependencies(tmp_path):
    write(tmp_path / "pyproject.toml", """\
        [project]
        name = "app"
        dependencies = ["requests>=2", "customerio>=3.2"]
    """)
    assert sdk_major_from_project(tmp_path) == 3


@pytest.mark.parametrize("table", [
    '[project.optional-dependencies]\ncio = ["customerio==2.4"]\n',
    '[dependency-groups]\ndev = [{include-group = "test"}, "customerio~=2.4"]\ntest = ["pytest"]\n',
    '[tool.poetry.dependencies]\npython = "^3.10"\ncustomerio = "^2.1"\n',
    '[tool.poetry.dependencies]\ncustomerio = "~2.1"\n',
    '[tool.poetry.dependencies]\ncustomerio = "2.1"\n',  # exact in Poetry
    '[tool.poetry.dependencies]\ncustomerio = ">=2.0 <3.0"\n',
    '[tool.poetry.dependencies]\ncustomerio = { version = "^2.1", extras = ["x"] }\n',
    '[tool.poetry.dependencies]\ncustomer_io = "^2.1"\nCustomerIO = "^2.1"\n',
    '[tool.poetry.group.dev.dependencies]\ncustomerio = "2.*"\n',
    '[tool.poetry.dev-dependencies]\ncustomerio = "^2"\n',
    '[tool.poetry.dependencies]\ncustomerio = [\n'
    '  { version = "^2.1", python = "<3.10" },\n  { version = "~2.4", python = ">=3.10" },\n]\n',
])
def test_pyproject_tables(tmp_path, table):
    write(tmp_path / "pyproject.toml", '[project]\nname = "app"\n\n' + table)
    assert sdk_major_from_project(tmp_path) == 2


@pytest.mark.parametrize("constraint, major", [
    ('"^3.0"', 3), ('"*"', None), ('"^2.1 || ^3.0"', None), ('"2.* || 2.4.1"', 2), ('">=2"', None),
    ('{ git = "https://github.com/customerio/customerio-python.git" }', None),
    ('[{ version = "^2.1", python = "<3.10" }, { version = "^3.0", python = ">=3.10" }]', None),
    ('[{ version = "^2.1", python = "<3.10" }, { version = "*", python = ">=3.10" }]', None),
])
def test_poetry_constraints(tmp_path, constraint, major):
    write(tmp_path / "pyproject.toml", f"[tool.poetry.dependencies]\ncustomerio = {constraint}\n")
    assert sdk_major_from_project(tmp_path) == major


def test_poetry_alternatives_admit_either(tmp_path):
    write(tmp_path / "pyproject.toml", """\
        [project]
        dependencies = ["customerio>=3"]

        [tool.poetry.dependencies]
        customerio = [{ version = "^2.1", python = "<3.10" }, { version = "^3.0", python = ">=3.10" }]
    """)
    assert sdk_major_from_project(tmp_path) == 3


def test_setup_cfg(tmp_path):
    write(tmp_path / "setup.cfg", """\
        [metadata]
        name = app

        [options]
        install_requires =
            requests>=2
            # customerio==3.0 was too new
            customerio>=2,<3  # pinned until the 3.x migration

        [options.extras_require]
        dev = pytest
    """)
    assert sdk_major_from_project(tmp_path) == 2


def test_setup_py_is_read_not_run(tmp_path):
    write(tmp_path / "setup.py", """\
        import pathlib
        from setuptools import setup

        pathlib.Path("ran").write_text("setup.py was executed")
        BASE = ["requests>=2", "customerio==3.1.0"]

        setup(name="app", install_requires=BASE + ["flask"], extras_require={"dev": ["pytest"]})
    """)
    assert sdk_major_from_project(tmp_path) == 3
    assert not (tmp_path / "ran").exists()


def test_setup_py_extras(tmp_path):
    write(tmp_path / "setup.py", 'import setuptools\nsetuptools.setup(extras_require={"cio": ["customerio<3"]})\n')
    assert sdk_major_from_project(tmp_path) == 2


# -- order: the first source that decides wins -----------------------------------------------------------------
def test_a_vendored_copy_wins_over_the_pins(tmp_path):
    sdk_copy(tmp_path / "vendor" / "customerio")
    write(tmp_path / "uv.lock", '[[package]]\nname = "customerio"\nversion = "3.2.0"\n')
    assert sdk_major_from_project(tmp_path) == 2


@pytest.mark.parametrize("first, later", [
    (("uv.lock", '[[package]]\nname = "customerio"\nversion = "3.2.0"\n'),
     ("poetry.lock", '[[package]]\nname = "customerio"\nversion = "2.1"\n')),
    (("poetry.lock", '[[package]]\nname = "customerio"\nversion = "3.2.0"\n'),
     ("Pipfile.lock", '{"default": {"customerio": {"version": "==2.1"}}}')),
    (("Pipfile.lock", '{"default": {"customerio": {"version": "==3.0.0"}}}'),
     ("requirements.txt", "customerio==2.1\n")),
    (("requirements.txt", "customerio==3.0\n"), ("pyproject.toml", '[project]\ndependencies = ["customerio==2.1"]\n')),
    (("pyproject.toml", '[project]\ndependencies = ["customerio==3.0"]\n'),
     ("setup.cfg", "[options]\ninstall_requires = customerio==2.1\n")),
    (("setup.cfg", "[options]\ninstall_requires = customerio==3.0\n"),
     ("setup.py", 'setup(install_requires=["customerio==2.1"])\n')),
])
def test_sources_in_order(tmp_path, first, later):
    write(tmp_path / first[0], first[1])
    write(tmp_path / later[0], later[1])
    assert sdk_major_from_project(tmp_path) == 3


def test_a_source_that_does_not_decide_passes_to_the_next(tmp_path):
    write(tmp_path / "requirements.txt", "customerio>=2\n")
    write(tmp_path / "pyproject.toml", '[project]\ndependencies = ["customerio<3"]\n')
    assert sdk_major_from_project(tmp_path) == 2


@pytest.mark.parametrize("later, major", [("", None), ("[options]\ninstall_requires = customerio~=3.0\n", 3)])
def test_conflicting_pins_in_one_source_do_not_decide(tmp_path, later, major):
    write(tmp_path / "requirements.txt", "customerio==2.1\n")
    write(tmp_path / "requirements-next.txt", "customerio==3.0\n")
    write(tmp_path / "setup.cfg", later)
    assert sdk_major_from_project(tmp_path) == major


def test_markers_choosing_majors_by_python_do_not_decide(tmp_path):
    """Which line pip takes depends on the application's Python, which need not be the linter's."""
    write(tmp_path / "requirements.txt", 'customerio==2.1.0 ; python_version < "3.10"\n'
                                         'customerio==3.2.0 ; python_version >= "3.10"\n')
    assert sdk_major_from_project(tmp_path) is None


# -- near misses -----------------------------------------------------------------------------------------------
def test_answers_are_memoised_per_root(tmp_path):
    write(tmp_path / "requirements.txt", "customerio==2.1\n")
    assert sdk_major_from_project(tmp_path) == 2
    write(tmp_path / "requirements.txt", "customerio==3.0\n")
    assert sdk_major_from_project(tmp_path / ".") == 2


def test_no_pin_at_all(tmp_path):
    write(tmp_path / "requirements.txt", "requests==2.31\n")
    assert sdk_major_from_project(tmp_path) is None


@pytest.mark.parametrize("name, text", [
    ("uv.lock", '[[package]]\nname = "customerio-extras"\nversion = "2.0"\n'),
    ("poetry.lock", '[[package]]\nname = "customerio-cdp-analytics"\nversion = "1.1.0"\n'),
    ("Pipfile.lock", '{"default": {"customer-io": {"version": "==2.0"}}}'),
    ("requirements.txt", "customer-io==2.0\ncustomerio-extras==2.0\n"),
    ("requirements.txt", "# we used customerio==2.0 before\nrequests  # not customerio==2.0\n"),
    ("requirements.txt", "customerio>=2\n"),
    ("pyproject.toml", '[project]\ndependencies = ["customerio-extras==2.0"]\ndescription = "customerio==2.0"\n'),
    ("setup.cfg", "[options]\ninstall_requires =\n    # customerio==2.0\n    requests\n"),
    ("setup.py", '# customerio==2.0\nsetup(name="customerio==2.0", install_requires=["requests"])\n'),
])
def test_near_misses_say_nothing(tmp_path, name, text):
    write(tmp_path / name, text)
    assert sdk_major_from_project(tmp_path) is None


def test_a_commented_out_old_pin_does_not_hide_the_real_one(tmp_path):
    write(tmp_path / "requirements.txt", "# customerio==2.0\ncustomerio==3.2.0  # was customerio==2.0\n")
    assert sdk_major_from_project(tmp_path) == 3


# -- files that do not parse -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name, text", [
    ("uv.lock", '[[package]\nname = "customerio"\nversion = "2.1"\n'),
    ("poetry.lock", '[[package]]\nname = "customerio"\nversion = 2.1.0\n'),
    ("Pipfile.lock", '{"default": {"customerio": {"version": "==2.1"}'),
    ("Pipfile.lock", '["customerio==2.1"]'),
    ("Pipfile.lock", '{"default": {"customerio": "==2.1"}, "develop": ["x"]}'),
    ("pyproject.toml", '[project\ndependencies = ["customerio==2.1"]\n'),
    ("pyproject.toml", '[project]\ndependencies = "customerio==2.1"\noptional-dependencies = ["a"]\n'
                       '[tool]\npoetry = 3\n[dependency-groups]\ndev = 1\n'),
    ("setup.cfg", "install_requires = customerio==2.1\n"),
    ("setup.cfg", "[options]\ninstall_requires = a\ninstall_requires = customerio==2.1\n"),
    ("setup.py", 'setup(install_requires=["customerio==2.1"]\n'),
    ("setup.py", "\x00"),  # ValueError before 3.11.4
    ("setup.py", "x = " + "1 + " * 200_000 + "1\nsetup(install_requires=['customerio==2.1'])\n"),  # RecursionError
    ("setup.py", "x = " + "-" * 100_000 + "1\nsetup(install_requires=['customerio==2.1'])\n"),  # MemoryError
])
def test_a_file_that_does_not_parse_says_nothing(tmp_path, name, text):
    write(tmp_path / name, text)
    assert sdk_major_from_project(tmp_path) is None


def test_an_unparsable_source_passes_to_the_next(tmp_path):
    write(tmp_path / "uv.lock", "[[package]\n")
    (tmp_path / "requirements.txt").write_bytes(b"\xff\xfecustomerio==3.0\n")  # not UTF-8
    write(tmp_path / "requirements-prod.txt", "customerio==2.1\n")
    assert sdk_major_from_project(tmp_path) == 2


def test_symlink_loops_in_requirements(tmp_path):
    (tmp_path / "requirements-loop.txt").symlink_to(tmp_path / "requirements-loop.txt")
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "self.txt").symlink_to(tmp_path / "requirements")
    write(tmp_path / "requirements.txt", "-r requirements-loop.txt\n-r missing.txt\ncustomerio==2.1\n")
    assert sdk_major_from_project(tmp_path) == 2


# -- vendored copies -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["vendor/customerio", "app/_vendor/customerio", "third_party/customerio",
                                   "customerio", "a/b/c/d/e/customerio"])
def test_vendored_copies_are_found(tmp_path, where):
    copy = sdk_copy(tmp_path / where)
    assert vendored_sdk_dirs(tmp_path) == [copy]
    assert sdk_major_from_project(tmp_path) == 2


def test_not_found_below_the_depth_bound(tmp_path):
    sdk_copy(tmp_path / "a/b/c/d/e/f/customerio")
    assert vendored_sdk_dirs(tmp_path) == []


@pytest.mark.parametrize("where", [".venv/lib/python3.11/site-packages/customerio", "venv/customerio",
                                   "env/lib/customerio", "node_modules/x/customerio", "lib/site-packages/customerio",
                                   "build/lib/customerio", "dist/customerio", ".git/customerio"])
def test_environments_and_build_output_are_skipped(tmp_path, where):
    write(tmp_path / "env" / "pyvenv.cfg", "home = /usr/bin\n")
    sdk_copy(tmp_path / where)
    assert vendored_sdk_dirs(tmp_path) == []
    assert sdk_major_from_project(tmp_path) is None


def test_a_project_wrapper_named_customerio_is_not_the_sdk(tmp_path):
    write(tmp_path / "customerio.py", """\
        import httpx

        TRACK = "https://track.customer.io/api/v1"


        class CustomerIO:
            async def identify(self, id, **attrs):
                await httpx.AsyncClient().put(f"{TRACK}/customers/{id}", json=attrs)

            async def track(self, customer_id, name, **data):
                await httpx.AsyncClient().post(f"{TRACK}/customers/{customer_id}/events", json=data)
    """)
    write(tmp_path / "app" / "customerio" / "__init__.py", (tmp_path / "customerio.py").read_text())
    assert vendored_sdk_dirs(tmp_path) == []
    assert sdk_major_from_project(tmp_path) is None


@pytest.mark.parametrize("missing", ["__init__.py", "regions.py", "track.py"])
def test_a_copy_needs_the_package_the_class_and_the_host(tmp_path, missing):
    copy = sdk_copy(tmp_path / "vendor" / "customerio")
    (copy / missing).unlink()
    assert vendored_sdk_dirs(tmp_path) == []


def test_the_class_needs_identify_and_track(tmp_path):
    sdk_copy(tmp_path / "vendor" / "customerio", track=TRACK_2.replace("def identify", "def identify_user"))
    assert vendored_sdk_dirs(tmp_path) == []


def test_an_unparsable_module_in_a_copy(tmp_path):
    copy = sdk_copy(tmp_path / "vendor" / "customerio")
    write(copy / "broken.py", "def (\n")
    write(copy / "deep.py", "x = " + "1 + " * 200_000 + "1\n")
    write(copy / "deeper.py", "x = " + "-" * 100_000 + "1\n")
    (copy / "binary.py").write_bytes(b"\xff\x00")
    assert vendored_sdk_dirs(tmp_path) == [copy]


def test_a_directory_symlink_loop_is_walked_once(tmp_path, monkeypatch):
    copy = sdk_copy(tmp_path / "vendor" / "customerio")
    (tmp_path / "vendor" / "loop").symlink_to(tmp_path)
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "customerio").symlink_to(copy)
    listed = []
    scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path: listed.append(os.path.realpath(path)) or scandir(path))
    assert vendored_sdk_dirs(tmp_path) == [copy]
    assert listed and len(listed) == len(set(listed))


@pytest.mark.parametrize("version, major", [
    ('__version__ = "3.0.0"\n', 3),
    ("VERSION = (3, 1, 0, 'final', 0)\n", 3),
    (VERSION_2, 2),
])
def test_the_version_module_of_a_copy(tmp_path, version, major):
    sdk_copy(tmp_path / "vendor" / "customerio", track=TRACK_3, version=version)
    assert sdk_major_from_project(tmp_path) == major


def test_the_version_in_the_copy_init(tmp_path):
    copy = sdk_copy(tmp_path / "vendor" / "customerio", track=TRACK_3, version=None)
    write(copy / "__init__.py", '__version__ = "2.4"\nfrom customerio.track import CustomerIO\n')
    assert sdk_major_from_project(tmp_path) == 2


def test_the_dist_info_beside_a_copy(tmp_path):
    sdk_copy(tmp_path / "package" / "customerio", track=TRACK_2, version=None)
    write(tmp_path / "package" / "customerio_cdp_analytics-1.1.0.dist-info" / "METADATA", "Version: 1.1.0\n")
    write(tmp_path / "package" / "customerio-3.2.0.dist-info" / "METADATA",
          "Metadata-Version: 2.1\nName: customerio\nVersion: 3.2.0\n")
    assert sdk_major_from_project(tmp_path) == 3


@pytest.mark.parametrize("track, major", [(TRACK_2, 2), (TRACK_3, 3)])
def test_the_track_signature_when_a_copy_names_no_version(tmp_path, track, major):
    sdk_copy(tmp_path / "vendor" / "customerio", track=track, version=None)
    assert sdk_major_from_project(tmp_path) == major


def test_copies_of_two_majors_do_not_decide(tmp_path):
    sdk_copy(tmp_path / "a" / "customerio")
    sdk_copy(tmp_path / "b" / "customerio", track=TRACK_3, version=None)
    write(tmp_path / "requirements.txt", "customerio==3.2.0\n")
    assert sdk_major_from_project(tmp_path) == 3


# -- files of a vendored copy ----------------------------------------------------------------------------------
def test_files_inside_a_copy_and_its_tests(tmp_path):
    copy = sdk_copy(tmp_path / "vendor" / "customerio")
    inner_test = write(copy / "tests" / "test_customerio.py", "")
    app = write(tmp_path / "app" / "views.py", "")
    assert is_vendored_sdk_file(copy / "track.py", tmp_path)
    assert is_vendored_sdk_file(inner_test, tmp_path)
    assert not is_vendored_sdk_file(app, tmp_path)
    assert not is_vendored_sdk_file(tmp_path / "vendor" / "customerio_utils.py", tmp_path)


@pytest.mark.parametrize("name, text, vendored", [
    ("__init__.py", "from .track import CustomerIO\nfrom .regions import Regions\n", True),
    ("constants.py", 'ID = "id"\nEMAIL = "email"\n', True),
    ("client_base.py", "import requests\n\n\ndef _socket_options():\n    return []\n\n\nclass ClientBase:\n    pass\n",
     True),
    ("__version__.py", VERSION_2, True),  # a version module's get_version() is the SDK's
    ("__init__.py", "from .track import CustomerIO\n\n\ndef default():\n    return CustomerIO('s', 'k')\n", False),
    ("events.py", "from shop.models import Order\nfrom .track import CustomerIO\n", False),
    ("hooks.py", "from django.conf import settings\n", False),
    ("helpers.py", "class Retry:\n    pass\n", False),
])
def test_a_module_in_a_copy_is_the_sdks_by_its_content(tmp_path, name, text, vendored):
    copy = sdk_copy(tmp_path / "vendor" / "customerio")
    module = write(copy / name, text)
    assert is_vendored_sdk_file(module, tmp_path) is vendored
    assert vendored_sdk_dirs(tmp_path) == [copy.resolve()]  # a project module in the folder keeps it a copy


def test_relative_paths(tmp_path, monkeypatch):
    sdk_copy(tmp_path / "vendor" / "customerio")
    monkeypatch.chdir(tmp_path)
    assert is_vendored_sdk_file(os.path.join("vendor", "customerio", "api.py"), ".")


def test_a_relative_root_is_memoised_by_where_it_points(tmp_path, monkeypatch):
    copy = sdk_copy(tmp_path / "one" / "vendor" / "customerio")
    (tmp_path / "two").mkdir()
    monkeypatch.chdir(tmp_path / "one")
    assert vendored_sdk_dirs(".") == [copy]
    monkeypatch.chdir(tmp_path / "two")
    assert vendored_sdk_dirs(".") == []


def test_tests_beside_a_vendored_checkout_of_the_sdk(tmp_path):
    checkout = tmp_path / "vendor" / "customerio-python"
    sdk_copy(checkout / "customerio")
    write(checkout / "setup.py", "setup(name='customerio')\n")
    test = write(checkout / "tests" / "test_customerio.py", "")
    assert is_vendored_sdk_file(test, tmp_path)


def test_the_sdk_project_itself(tmp_path):
    sdk_copy(tmp_path / "customerio")
    test = write(tmp_path / "tests" / "test_api.py", "")
    assert is_vendored_sdk_file(test, tmp_path)


@pytest.mark.parametrize("own", ["app/__init__.py", "app/views.py", "app/services/__init__.py"])
def test_tests_beside_a_copy_in_a_folder_with_code_of_its_own(tmp_path, own):
    sdk_copy(tmp_path / "app" / "customerio")
    write(tmp_path / own, "")
    test = write(tmp_path / "app" / "tests" / "test_views.py", "")
    assert not is_vendored_sdk_file(test, tmp_path)
    assert is_vendored_sdk_file(tmp_path / "app" / "customerio" / "track.py", tmp_path)


def test_a_copy_of_the_installed_sdk(tmp_path):
    """The real layout: 3.x has no version module, so its track signature tells."""
    customerio = pytest.importorskip("customerio")
    shutil.copytree(os.path.dirname(customerio.__file__), tmp_path / "vendor" / "customerio")
    assert vendored_sdk_dirs(tmp_path) == [tmp_path / "vendor" / "customerio"]
    assert sdk_major_from_project(tmp_path) == int(metadata.version("customerio").split(".")[0])


def test_a_copy_inside_a_nested_project_is_that_projects_not_ours(tmp_path):
    """A sub-project (its own pyproject.toml) with a vendored 2.x copy says nothing about the outer project."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "outer"\n')
    inner = tmp_path / "fixtures" / "legacy"
    inner.mkdir(parents=True)
    (inner / "pyproject.toml").write_text('[project]\nname = "legacy"\n')
    sdk_copy(inner / "vendor" / "customerio")
    assert vendored_sdk_dirs(tmp_path) == []
    assert vendored_sdk_dirs(inner) == [(inner / "vendor" / "customerio").resolve()]
    assert sdk_major_from_project(tmp_path) is None


# -- what the rules see: the pin decides CIO404, an unknown version keeps it silent ------------------------------
KWARGS_TRACK = "from customerio import CustomerIO\ncio = CustomerIO('s', 'k')\ncio.track('1', 'plan_changed', plan='pro')\n"


def cio404(tmp_path, monkeypatch, pin_file: str, pin_text: str, installed: int | None) -> list[str]:
    from flake8_cio import semantic
    from flake8_cio.engine import check_source
    from flake8_cio.options import Options
    from flake8_cio.project import forget_projects

    forget_projects()
    monkeypatch.setattr(semantic, "installed_sdk_major", lambda: installed)
    write(tmp_path / pin_file, pin_text)
    write(tmp_path / "pyproject.toml", "")
    module = write(tmp_path / "app.py", KWARGS_TRACK)
    found = check_source(module.read_text(), str(module), Options(cache_dir=str(tmp_path / "cache")))
    return [f.code for f in found]


@pytest.mark.parametrize("pin_file, pin_text, installed, expected", [
    ("requirements.txt", "customerio==0.1.3\n", 3, []),  # 0.x: keyword event data is the API
    ("requirements.txt", "customerio>=1.0,<2\n", 3, []),
    ("requirements.txt", "customerio<3\n", 3, []),
    ("requirements.txt", "customerio>=2\n", 3, []),  # undecided: not overruled by what is installed
    ("requirements.txt", "customerio @ git+https://example.com/customerio-python@main\n", 3, []),
    ("requirements.txt", "customerio~=3.1\n", 2, ["CIO404"]),
    ("requirements.txt", "flask==3.0\n", 3, ["CIO404"]),  # no pin: the installed SDK
    ("requirements.txt", "flask==3.0\n", None, []),  # no pin and none installed: unknown
])
def test_the_pin_decides_cio404(tmp_path, monkeypatch, pin_file, pin_text, installed, expected):
    assert cio404(tmp_path, monkeypatch, pin_file, pin_text, installed) == expected
