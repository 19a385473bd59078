"""The flake8 front end, run for real: output, noqa, syntax errors, encodings, options, configuration."""
import ast
import subprocess
import sys
import textwrap

import pytest

from flake8_cio.engine import check_source
from flake8_cio.options import Options, OptionError

HEADER = "import time\nfrom customerio import CustomerIO\ncio = CustomerIO(S, K)\n"


def flake8(tmp_path, source, *args, name="app.py", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(source.encode(encoding) if isinstance(source, str) else source)
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "CIO,E999", *args, str(path)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert "Traceback" not in result.stderr
    lines = [line.split(":", 1)[1] for line in result.stdout.splitlines()]
    return result, lines


def test_reports_through_flake8_with_line_and_column(tmp_path):
    _, lines = flake8(tmp_path, HEADER + "cio.identify('1', created_at=time.time() * 1000)\n")
    assert len(lines) == 1
    assert lines[0].startswith("4:30: CIO101 millisecond epoch timestamp")


def test_noqa_silences_only_the_named_code(tmp_path):
    source = HEADER + (
        "cio.identify('1', created_at=time.time() * 1000)  # noqa: CIO101\n"
        "cio.identify('2', created_at=time.time() * 1000)  # noqa: E501\n"
        "cio.identify('3', created_at=time.time() * 1000)  # noqa\n"
    )
    _, lines = flake8(tmp_path, source)
    assert [line.split(":")[0] for line in lines] == ["5"]


def test_syntax_error_is_e999_and_no_crash(tmp_path):
    result, lines = flake8(tmp_path, HEADER + "def broken(:\n    cio.track('1', 'x')\n")
    assert [line.split(": ")[1].split()[0] for line in lines] == ["E999"]
    assert result.returncode == 1


@pytest.mark.parametrize("prefix", ["", "\ufeff"], ids=["plain", "bom"])
def test_columns_count_characters_not_bytes(tmp_path, prefix):
    line = "cio.identify('héllo wörld', created_at=time.time() * 1000)"
    _, lines = flake8(tmp_path, prefix + HEADER + line + "\n")
    assert lines[0].split(":")[1] == str(line.index("time.time") + 1)


def test_latin1_declared_source(tmp_path):
    source = "# -*- coding: latin-1 -*-\n" + HEADER + "cio.identify('é', created_at=time.time() * 1000)\n"
    _, lines = flake8(tmp_path, source, encoding="latin-1")
    assert lines[0].startswith("5:30: CIO101")


def test_bad_option_value_is_a_clear_error(tmp_path):
    result, _ = flake8(tmp_path, HEADER, "--cio-event-name-style=shouty")
    assert result.returncode == 2
    assert "cio-event-name-style: 'shouty' is not one of snake_case" in result.stderr


def test_misspelt_option_in_config_is_an_error_not_ignored(tmp_path):
    (tmp_path / "setup.cfg").write_text("[flake8]\ncio-clent-names = tracker\n")
    result, _ = flake8(tmp_path, HEADER)
    assert result.returncode == 2 and "setup.cfg: unknown option 'cio-clent-names' (did you mean 'cio-client-names'?)" \
        in result.stderr


def test_options_from_setup_cfg(tmp_path):
    (tmp_path / "setup.cfg").write_text("[flake8]\ncio-client-names = tracker\ncio-event-name-style = PascalCase\n")
    source = "def f(tracker, cio):\n    tracker.track('1', 'signed_up')\n    cio.track('1', 'signed_up')\n"
    _, lines = flake8(tmp_path, source)
    assert len(lines) == 1
    assert lines[0].startswith("2:24: CIO202") and "'SignedUp'" in lines[0]


def test_route_decorator_option(tmp_path):
    source = "from customerio import CustomerIO\ncio = CustomerIO(S, K)\n@rpc.endpoint\ndef handler():\n    cio.track('1', 'x')\n"
    _, without = flake8(tmp_path, source)
    _, with_option = flake8(tmp_path, source, "--cio-route-decorators=rpc.endpoint")
    assert without == [] and len(with_option) == 1 and "CIO501" in with_option[0]


def test_sdk_major_2_allows_kwargs_data():
    source = HEADER + "cio.track('1', 'plan_changed', plan='pro')\n"
    assert [f.code for f in check_source(source, options=Options(sdk_major=3))] == ["CIO404"]
    assert check_source(source, options=Options(sdk_major=2)) == []


@pytest.mark.parametrize("values, message", [
    ({"sdk_major": "4"}, "cio-sdk-major: '4' is not one of 0, 1, 2, 3"),
    ({"client_names": "cio, bad-name"}, "cio-client-names: 'bad-name' is not a dotted Python name"),
    ({"color": "red"}, "unknown option 'cio-color'"),
])
def test_option_errors_name_the_option(values, message):
    with pytest.raises(OptionError, match=message):
        Options.from_values(**values)


def test_very_long_file_is_checked_whole():
    body = "".join(
        f"def handler_{i}(user):\n    cio.identify(user.id, created_at=time.time() * 1000)\n\n" for i in range(3000)
    )
    found = check_source(HEADER + body)
    assert len(found) == 3000 and {f.code for f in found} == {"CIO101"}


def test_files_without_customerio_are_skipped_without_walking():
    source = "import segment\nsegment.track('1', f'viewed_{x}', timestamp=time.time() * 1000)\n"
    assert check_source(source) == []


def test_flake8_with_jobs_on_several_files(tmp_path):
    for i in range(4):
        (tmp_path / f"m{i}.py").write_text(HEADER + "cio.track('1', 'UserSignedUp')\n")
    result = subprocess.run([sys.executable, "-m", "flake8", "-j", "2", "--select", "CIO", str(tmp_path)],
                            capture_output=True, text=True)
    assert sorted(line.split(": ")[1][:6] for line in result.stdout.splitlines()) == ["CIO202"] * 4


def test_dedent_helper_sources_stay_silent_on_other_sdks():
    source = textwrap.dedent("""
        import analytics  # Segment
        import mixpanel
        analytics.track("u1", f"viewed_{x}", timestamp=time.time() * 1000)
        mixpanel.Mixpanel("t").track("u1", "UserSignedUp")
    """)
    assert check_source(source) == []


def test_a_rule_that_raises_skips_its_file_with_a_message_and_the_run_goes_on(tmp_path, monkeypatch, capsys):
    """In use (not under CIO_STRICT) a bug of ours is reported and the other files are still checked; under the
    suite's CIO_STRICT=1 it raises."""
    from flake8_cio import rules
    from flake8_cio.plugin import Plugin

    class Broken:
        @staticmethod
        def check(model):
            if model.path.name == "bad.py":
                raise KeyError("boom")
            return iter(())

    monkeypatch.setattr(rules, "FAMILIES", (*rules.FAMILIES, Broken))
    source = HEADER + "cio.identify('1', created_at=time.time() * 1000)\n"
    lines = source.splitlines(keepends=True)
    plugin = Plugin(ast.parse(source), str(tmp_path / "bad.py"), lines)
    with pytest.raises(KeyError):
        list(plugin.run())
    monkeypatch.delenv("CIO_STRICT")
    assert list(plugin.run()) == []
    error = capsys.readouterr().err
    assert "flake8-cio: internal error on" in error and "bad.py (KeyError: 'boom')" in error
    good = [text for _, _, text, _ in Plugin(ast.parse(source), str(tmp_path / "good.py"), lines).run()]
    assert [text.split()[0] for text in good] == ["CIO101"]
