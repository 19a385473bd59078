"""Generated programs never make the engine raise (hypothesmith: grammar- and CST-based generators)."""
import ast
import warnings

import hypothesmith
import pytest
from hypothesis import HealthCheck, assume, given, settings

from flake8_cio.options import Options
from flake8_cio.rules import FAMILIES
from flake8_cio.semantic import Model

PRELUDE = "import customerio\nfrom customerio import analytics\ncio = customerio.CustomerIO(S, K)\n"
pytestmark = [pytest.mark.filterwarnings("ignore::SyntaxWarning"),  # hypothesmith compiles odd programs itself
              pytest.mark.timeout(900), pytest.mark.slow]  # generation time varies a lot from run to run
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))


def run_engine(source: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # generated code is full of invalid escapes: SyntaxWarning noise
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        assume(False)
    # Straight to the rules: the text prefilter would skip most generated programs.
    model = Model(tree, source.splitlines(keepends=True), "views.py", Options())
    for family in FAMILIES:
        for finding in family.check(model):
            assert finding.code.startswith("CIO") and finding.line >= 1


@SETTINGS
@given(hypothesmith.from_grammar())
def test_grammar_generated_programs(source):
    run_engine(PRELUDE + source)


@settings(SETTINGS, max_examples=40)  # libcst-based generation is slow: most of the time is spent generating
@given(hypothesmith.from_node())
def test_cst_generated_programs(source):
    run_engine(PRELUDE + source)
