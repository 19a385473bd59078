"""Each rule's documentation (the RuleDoc in its rule module, rendered into rules.md) is complete, states the fix
safety the engine uses, and its examples behave as documented: Wrong reports the rule, Right is silent."""
import re

import pytest

from flake8_cio.docs import EXAMPLE_CATALOG, uses_catalog
from flake8_cio.engine import all_rules, check_source
from flake8_cio.frozen import fields
from flake8_cio.options import Options

RULES = all_rules()


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    """The catalog rules.md shows for the CIO7xx examples, written where the engine can load it."""
    path = tmp_path_factory.mktemp("catalog") / "cio-catalog.toml"
    path.write_text(EXAMPLE_CATALOG)
    return str(path)


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_part_is_written(code):
    doc = RULES[code].doc
    assert [name for name in fields(doc) if not getattr(doc, name)] == []


@pytest.mark.parametrize("code", sorted(RULES))
def test_fix_states_the_engines_fix_safety(code):
    stated = re.match(r"(safe|unsafe|none)\b", RULES[code].doc.fix)
    assert stated and stated.group(1) == RULES[code].fix, f"{code}: doc says {RULES[code].doc.fix!r}, engine says {RULES[code].fix}"


@pytest.mark.parametrize("code", sorted(RULES))
def test_examples_do_what_they_say(code, catalog):
    rule = RULES[code]
    options = Options(catalog=catalog) if uses_catalog(rule) else Options()
    assert code in {f.code for f in check_source(rule.doc.wrong, "app.py", options)}, f"{code}: Wrong example is silent"
    assert code not in {f.code for f in check_source(rule.doc.right, "app.py", options)}, f"{code}: Right example reports"
