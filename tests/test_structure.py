"""The house rules of the code base, checked on its source: no import circle among our modules (imports inside
functions and under TYPE_CHECKING count), no module takes another's underscore names, facts never import rules,
and the runtime imports nothing of the linter."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "flake8_cio"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> list[tuple[str, list[str]]]:
    """(imported module, names taken from it) for every import of a module, wherever it stands."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            for alias in node.names:  # `from . import sdk` imports the module flake8_cio.sdk
                submodule = f"{base}.{alias.name}"
                found.append((submodule, []) if submodule in MODULES else (base, [alias.name]))
    return [(module, names) for module, names in found if module in MODULES]


GRAPH = {name: {module for module, _ in imports(name)} - {name} for name in MODULES}


def cycle_from(start: str) -> list[str] | None:
    stack, seen = [(start, [start])], set()
    while stack:
        current, path = stack.pop()
        for target in GRAPH[current]:
            if target == start:
                return path + [start]
            if target not in seen:
                seen.add(target)
                stack.append((target, path + [target]))
    return None


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_import_circle(name):
    assert cycle_from(name) is None, " -> ".join(cycle_from(name))


def module_aliases(name: str) -> dict[str, str]:
    """Local names bound to our modules (``from . import sdk``, ``import flake8_cio.sdk as sdk``)."""
    tree = ast.parse(MODULES[name].read_text("utf-8"))
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update({alias.asname: alias.name for alias in node.names if alias.asname and alias.name in MODULES})
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                module = next((m for m, names in imports(name) if not names and m.endswith(f".{alias.name}")), None)
                if module is not None:
                    aliases[alias.asname or alias.name] = module
    return aliases


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_takes_another_modules_private_names(name):
    private = [(module, n) for module, names in imports(name) for n in names if n.startswith("_") and n != "__version__"]
    aliases = module_aliases(name)
    private += [(aliases[node.value.id], node.attr) for node in ast.walk(ast.parse(MODULES[name].read_text("utf-8")))
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                and node.attr.startswith("_") and not node.attr.startswith("__")]  # sdk._private
    assert private == []


FACTS = ("flake8_cio.types", "flake8_cio.rule", "flake8_cio.scopes", "flake8_cio.sdk", "flake8_cio.semantic",
         "flake8_cio.summary", "flake8_cio.project", "flake8_cio.pins", "flake8_cio.vendored", "flake8_cio.frameworks", "flake8_cio.units",
         "flake8_cio.profiles", "flake8_cio.records", "flake8_cio.client_kinds", "flake8_cio.calls")


@pytest.mark.parametrize("name", [n for n in FACTS if n in MODULES])
def test_facts_never_import_rules_or_fixers(name):
    below = {target for target in GRAPH[name] if target.startswith(("flake8_cio.rules", "flake8_cio.fixers"))}
    assert below == set()


@pytest.mark.parametrize("name", ["flake8_cio.types", "flake8_cio.rule", "flake8_cio.records", "flake8_cio.sdk"])
def test_shared_types_import_nothing_of_ours(name):
    """Nothing but the record classes they are made of, which import nothing of ours either."""
    assert GRAPH[name] <= {"flake8_cio.frozen"}
    assert GRAPH["flake8_cio.frozen"] == set()


def reached_from(start: str) -> set[str]:
    seen, stack = {start}, [start]
    while stack:
        for target in GRAPH[stack.pop()] - seen:
            seen.add(target)
            stack.append(target)
    return seen


def third_party(name: str) -> set[str]:
    """Top-level names of what a module imports from outside the package, wherever the import stands."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("name", [n for n in MODULES if n.startswith("flake8_cio.runtime")])
def test_the_runtime_imports_nothing_of_the_linter(name):
    """What production installs: no module the runtime reaches imports flake8 or libcst, or the engine."""
    reached = reached_from(name)
    assert not reached & {"flake8_cio.engine", "flake8_cio.semantic", "flake8_cio.project", "flake8_cio.plugin"}
    assert [m for m in reached if third_party(m) & {"flake8", "libcst"}] == []
