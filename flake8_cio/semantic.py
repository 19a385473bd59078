"""The semantic layer the rules stand on: imports, scopes, which expressions are Customer.io clients,
which functions are request handlers, what runs once, and a little intra-function data flow.

One walk over the module collects bindings and every call with its context; the questions the rules ask
are answered from that, lazily and memoised.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePath
from typing import TYPE_CHECKING, Iterator

from . import sdk
from .options import Options, installed_sdk_major
from .scopes import (  # noqa: F401  (re-exported: the rules import these from here)
    FUNCTION_NODES, Bindings, Function, Scope, Site, dotted, last_name, name_tokens, own_nodes, str_value,
)
from .records import ClassRef, FactoryRef, Forward, FunctionEntry, FunctionRef, Resolved, Summary, TypeRef
from .types import NONE, Finding

if TYPE_CHECKING:
    from .project import Project


NOT_A_CLIENT = "!"


@dataclass(eq=False)
class CioCall:
    """A call of a Customer.io client method, with its arguments bound to the SDK signature."""

    site: Site
    kind: str
    method: str
    receiver: ast.expr | None  # None for a module-level Data Pipelines function
    args: dict[str, ast.expr]
    extra: dict[str, ast.expr]  # keyword arguments beyond the named parameters
    star: list[ast.expr]

    @property
    def node(self) -> ast.Call:
        return self.site.node


@dataclass(frozen=True)
class Value:
    """A value that reaches a Customer.io call: its key (keyword or dict key), role and expression."""

    key: str | None
    role: str  # identifier, event, timestamp, attribute, data
    expr: ast.expr  # what it is, followed through locals
    at: ast.expr | None = None  # where it enters the call: written in the call's arguments


def sync_mode(construction: ast.Call) -> bool:
    """A Data Pipelines client built with ``sync_mode`` on: each call sends before it returns."""
    return any(k.arg == "sync_mode" and not _false(k.value) for k in construction.keywords)


def guessed_kind(method: str) -> str | None:
    """The client a method name says, for a receiver known only by its name: Track, else App, else none."""
    return sdk.TRACK if method in sdk.TRACK_METHODS else sdk.APP if method in sdk.APP_METHODS else None


class Model:
    """What the rules need to know about one module."""

    def __init__(self, tree: ast.AST, lines: list[str], filename: str, options: Options,
                 project: Project | None = None, resolve: bool = True):
        self.tree = tree
        self.lines = lines
        self.filename = filename
        self.options = options
        self.project = project
        self.linked = project if resolve else None  # other modules are looked up only when resolving
        self.module_name = project.module_name(filename) if project else None
        found = Bindings(tree)
        self.module = found.module
        self.functions = found.functions
        self.sites = found.sites
        self.attribute_stores = found.attribute_stores
        self.self_attrs = found.self_attrs
        self.with_items = found.with_items
        self.class_scopes = found.class_scopes
        self.aliases = {local: self._absolute(name, level) for local, (name, level) in found.imports.items()}
        self.memo: dict = {}

    def _absolute(self, name: str, level: int) -> str:
        """The absolute module path of an import; ``.x`` stays relative when the module's package is unknown.
        A project's own module named like the SDK is the project's code, not the SDK."""
        if level:
            package = self.module_name.split(".") if self.module_name else None
            if package is not None and self.path.name != "__init__.py":
                package.pop()
            if package is None or len(package) < level - 1:
                return "." * level + name
            name = ".".join([*package[: len(package) - level + 1], name])
        if self.project is not None:
            return self.project.real_name(name)
        return name

    # -- reporting ---------------------------------------------------------------------------------------
    def finding(self, code: str, node: ast.AST, message: str, fix: str | None = None, safety: str = NONE) -> Finding:
        """A finding at a node, with columns converted from UTF-8 byte offsets to characters."""
        end_line = getattr(node, "end_lineno", None) or node.lineno
        end_col = getattr(node, "end_col_offset", None)
        return Finding(
            node.lineno, self._char_col(node.lineno, node.col_offset), code, message,
            end_line, self._char_col(end_line, node.col_offset if end_col is None else end_col),
            fix, safety if fix else NONE,
        )

    @cached_property
    def unfixable(self) -> frozenset[tuple[int, int]]:
        """Where findings get no fix: arguments a wrapper forwards to the SDK or that are bound to an SDK method
        (the code to change is the caller's or the binding's), and uses of another module's constant (the text to
        change is its definition)."""
        handed_on = (node for call in (*self.forwarded_calls, *self.bound_calls)
                     for expr in (*call.args.values(), *call.extra.values()) for node in ast.walk(expr))
        constants = (node for node in ast.walk(self.tree) if isinstance(node, ast.Attribute) or
                     (isinstance(node, ast.Name) and node.id in self.aliases))
        return frozenset(self.position(node) for node in handed_on if hasattr(node, "lineno")) | frozenset(
            self.position(node) for node in constants if self.linked is not None and self._project_constant(node))

    def settle(self, finding: Finding) -> Finding:
        """A finding on an argument a wrapper forwards to the SDK gets no fix: the code to change is the caller's,
        and what the wrapper does with it is not ours to rewrite."""
        return finding.with_fix(None, NONE) if (finding.line, finding.col) in self.unfixable else finding

    def value_finding(self, at: ast.expr | None, code: str, node: ast.AST, message: str) -> Finding:
        """A finding about a value that may have travelled from ``node``, where it was computed, to ``at`` in a
        Customer.io call: reported at the call (where a reviewer looks and where ``# noqa`` goes), naming the
        origin."""
        if at is None or node is at or _within(node, at):
            return self.finding(code, node, message)
        return self.finding(code, at, f"{message} (`{_short(at)}` is computed at line {node.lineno})")

    def position(self, node: ast.AST) -> tuple[int, int]:
        """(line, column in characters) of a node, as findings report it."""
        return node.lineno, self._char_col(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def _char_col(self, line: int, byte_col: int) -> int:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return byte_col if text.isascii() else len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    # -- file facts ----------------------------------------------------------------------------------------
    @cached_property
    def path(self) -> PurePath:
        return PurePath(self.filename)

    @cached_property
    def sdk_major(self) -> int | None:
        """The ``customerio`` major version the module targets: the option, else the project's pin or vendored
        copy; with no pin at all, the SDK installed beside the linter; None when none of them tells (pins that do
        not decide are not overruled by what happens to be installed)."""
        if self.options.sdk_major is not None:
            return self.options.sdk_major
        pin = self.project.sdk_pin if self.project else None
        if pin is not None and (pin.major is not None or pin.pinned):
            return pin.major
        return installed_sdk_major()

    @cached_property
    def is_test_file(self) -> bool:
        """``test_x.py``, ``x_test.py``, ``conftest.py`` or a file in a ``tests`` folder (of its project, when known:
        a project that itself lives in someone's ``tests`` folder, such as a fixture, is not all tests)."""
        in_tests = self.project.in_tests(self.filename) if self.project else "tests" in self.path.parts
        return self.path.name.startswith("test_") or self.path.stem.endswith("_test") or \
            self.path.name == "conftest.py" or in_tests

    @cached_property
    def is_views_module(self) -> bool:
        return self.path.stem == "views" or "views" in self.path.parts[:-1]

    # -- names -----------------------------------------------------------------------------------------------
    def qualname(self, expr: ast.AST) -> str | None:
        """Qualified name of a Name/Attribute chain through the module's imports (``sdk.CustomerIO`` ->
        ``customerio.CustomerIO``), None when its root is not imported."""
        name = dotted(expr)
        if name is None:
            return None
        root, _, rest = name.partition(".")
        target = self.aliases.get(root)
        if target is None:
            return None
        return f"{target}.{rest}" if rest else target

    def lookup(self, name: str, scope: Scope) -> tuple[Scope, list] | None:
        """The scope that binds a name as seen from ``scope`` (Python's rules, class bodies skipped)."""
        current, first = scope, True
        while current is not None:
            if name in current.global_names:
                current = self.module
            if (first or current.kind != "class") and (name in current.bindings or name in current.params):
                return current, current.bindings.get(name, [])
            current, first = current.parent, False
        return None

    def value_of(self, expr: ast.expr, scope: Scope, depth: int = 3) -> ast.expr:
        """Follow a local assigned exactly once to the value it holds (simple intra-function data flow), and a
        string constant of another project module (``from shop.events import SIGNED_UP``, ``events.SIGNED_UP``),
        given the place of its use."""
        if isinstance(expr, ast.Attribute):
            return self._project_constant(expr) or expr
        while depth and isinstance(expr, ast.Name):
            found = self.lookup(expr.id, scope)
            if found and expr.id in self.aliases:
                return self._project_constant(expr) or expr
            if not found or found[0].params.get(expr.id) or len(found[1]) != 1:
                return expr
            value = found[1][0]
            if not isinstance(value, ast.expr):
                return expr
            expr, scope, depth = value, found[0], depth - 1
        return expr

    def _project_constant(self, expr: ast.expr) -> ast.Constant | None:
        """Another module's string constant, placed where it is used; a finding there gets no fix (the text to
        change is the constant's definition, in its own module)."""
        qualname = self.qualname(expr) if self.linked is not None else None
        value = self.linked.constant(qualname) if qualname and self._is_project_code(qualname) else None
        return None if value is None else ast.copy_location(ast.Constant(value), expr)

    # -- clients ---------------------------------------------------------------------------------------------
    def _looks_like_client(self, name: str | None) -> bool:
        return name is not None and name.lower() in self.options.client_name_set

    def client_kind(self, expr: ast.expr, scope: Scope, depth: int = 4) -> str | None:
        """sdk.TRACK/APP/ANALYTICS/RUNTIME for an expression holding a Customer.io client, "?" for a client
        known only by its name (the method called decides), None for anything else."""
        if depth == 0:
            return None
        qualname = self.qualname(expr)
        if qualname is not None:
            if qualname == sdk.ANALYTICS_MODULE:
                return sdk.ANALYTICS
            if qualname.split(".")[0] in ("customerio", "flake8_cio"):
                return None  # the SDK module itself, a class, a function
            if self.linked is not None:
                kind = self.linked.client_kind(qualname)
                if kind:
                    return kind
        if isinstance(expr, ast.Call):
            kind = self.value_kind(expr, scope, depth)
            return None if kind == NOT_A_CLIENT else kind
        if isinstance(expr, ast.Name):
            found = self.lookup(expr.id, scope)
            if expr.id == "self" and found and found[0].params.get("self"):
                cls = self._enclosing_class(scope)  # a method of a client subclass: `self.track(...)`
                return self.class_kind(cls) if cls is not None else None
            if found and expr.id not in self.aliases:
                bound_scope, values = found
                param = bound_scope.params.get(expr.id)
                if param is not None and param.annotation is not None:
                    return self.annotation_kind(param.annotation)
                default = parameter_default(bound_scope.node, expr.id) if param is not None else None
                if default is not None and not values:  # injected: `cio=Provide[Container.cio]`
                    kind = self.client_kind(default, bound_scope.parent or bound_scope, depth - 1)
                    if kind in sdk.KINDS:
                        return kind
                kinds = {self.value_kind(v, bound_scope, depth) for v in values if isinstance(v, ast.expr)}
                known = kinds - {None, "?", NOT_A_CLIENT}
                if known:
                    return known.pop()
                if "?" in kinds:
                    return "?"  # bound to something that says Customer.io (`get_customerio_client()`)
                if kinds == {NOT_A_CLIENT} and None not in values:
                    return None  # bound only to things that are not clients
            if expr.id in self.aliases and self._is_project_code(self.aliases[expr.id]):
                return None  # the project's own module or function, whatever its name
            return "?" if self._looks_like_client(expr.id) else None
        if isinstance(expr, ast.Attribute):
            owner = self._enclosing_class(scope) if _is_self(expr.value) else self.local_class(expr.value)
            kind = self.attribute_kind(owner, expr.attr, scope, depth) if owner is not None else \
                self._state_kind(expr, depth)
            if kind:
                return kind
            return "?" if self._looks_like_client(expr.attr) else None
        if isinstance(expr, ast.Subscript):
            return self._looked_up_kind(expr, scope, depth)
        return None

    def _looked_up_kind(self, expr: ast.Subscript, scope: Scope, depth: int) -> str | None:
        """A client looked up by key: dependency_injector's ``Provide[Container.cio]``, lagom's ``deps[CustomerIO]``,
        Flask's ``app.extensions["cio"]`` (by the key's name)."""
        if (self.qualname(expr.value) or "").startswith("dependency_injector."):
            return self.client_kind(expr.slice, scope, depth - 1)
        kind = self.class_expr_kind(expr.slice) if isinstance(expr.slice, (ast.Name, ast.Attribute)) else None
        if kind:
            return kind
        key = str_value(expr.slice)
        return "?" if last_name(expr.value) == "extensions" and key and self._looks_like_client(key) else None

    def value_kind(self, value: ast.AST, scope: Scope, depth: int = 4) -> str | None:
        """Kind of client a bound value evaluates to; NOT_A_CLIENT when it surely is none (a literal, another
        library's class), None when unknown."""
        if isinstance(value, (ast.Name, ast.Attribute)):
            return self.client_kind(value, scope, depth - 1)
        if isinstance(value, ast.Await):
            value = value.value
        if not isinstance(value, ast.Call):
            return NOT_A_CLIENT if isinstance(value, (ast.Constant, ast.Dict, ast.List, ast.Tuple, ast.JoinedStr)) else None
        qualname = self.qualname(value.func)
        if qualname in sdk.CONSTRUCTORS:
            return sdk.CONSTRUCTORS[qualname]
        if qualname in sdk.RUNTIME_FACTORIES:
            return sdk.RUNTIME_FACTORIES[qualname]
        cls = self.local_class(value.func)
        if cls is not None:
            return self.class_kind(cls) or NOT_A_CLIENT
        if last_name(value.func) in ("Depends", "Security") and value.args:  # FastAPI: what the dependency gives
            given = value.args[0]
            return self.client_kind(given, scope, depth - 1) if isinstance(given, ast.Subscript) else \
                self.factory_kind(given)
        if value.args and (qualname or "").startswith(DI_PROVIDERS):  # providers.Singleton(CustomerIO, ...)
            return self.class_expr_kind(value.args[0]) or NOT_A_CLIENT
        if last_name(value.func) == "resolve" and len(value.args) == 1 and self.class_expr_kind(value.args[0]):
            return self.class_expr_kind(value.args[0])  # punq: container.resolve(CustomerIO)
        factory = self.factory_kind(value.func)
        if factory:
            return factory
        ref = self.ref_of(value, scope) if self.linked is not None and qualname else None
        if ref and self.linked.client_kind(ref):
            return self.linked.client_kind(ref)
        called = last_name(value.func) or ""
        if called[:1].isupper():
            return NOT_A_CLIENT  # another library's class
        # `cio = Officer.objects.get(...)`: a variable called cio bound to some other call is not trusted by name
        return "?" if name_tokens(called) & {"cio", "customerio"} else NOT_A_CLIENT

    def factory_kind(self, func: ast.expr) -> str | None:
        """Kind of client a module-level function returns (``get_cio()``), here or in another project module."""
        qualname = self.qualname(func) if self.linked is not None else None
        if qualname:
            found = self.linked.resolve(qualname)
            return found.entry.kind if isinstance(found, FactoryRef) else None
        if not isinstance(func, ast.Name):
            return None
        values = self.module.bindings.get(func.id, [])
        if len(values) != 1 or not isinstance(values[0], FUNCTION_NODES):
            return None
        node = values[0]
        key = ("factory", node)
        if key not in self.memo:
            self.memo[key] = None  # recursion guard
            fn = self.functions[node]
            kinds = {
                self.value_kind(ret.value, fn.scope, 3)
                for ret in own_nodes(node, ast.Return) if ret.value is not None
            } - {None, "?", NOT_A_CLIENT}
            self.memo[key] = kinds.pop() if len(kinds) == 1 else None
        return self.memo[key]

    def annotation_kind(self, annotation: ast.expr) -> str | None:
        """Client kind named by an annotation: ``CustomerIO``, ``Optional[sdk.APIClient]``, ``"CustomerIO | None"``."""
        for node in ast.walk(annotation):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                try:
                    kind = self.annotation_kind(ast.parse(node.value, mode="eval").body)
                except SyntaxError:
                    kind = None
                if kind:
                    return kind
            elif isinstance(node, (ast.Name, ast.Attribute)):
                qualname = self.qualname(node)
                kind = sdk.CONSTRUCTORS.get(qualname) or sdk.RUNTIME_TYPES.get(qualname) or self._type_alias_kind(node)
                if kind:
                    return kind
        return None

    def _is_project_code(self, qualname: str) -> bool:
        return self.project is not None and (
            qualname.startswith(sdk.OWN) or self.project.module_path(qualname) is not None or
            self.project.split(qualname) is not None)

    def _type_alias_kind(self, node: ast.expr) -> str | None:
        """A type alias naming a client: ``CioDep = Annotated[CustomerIO, Depends(get_cio)]``, here or imported."""
        if isinstance(node, ast.Name) and node.id not in self.aliases:
            values = self.module.bindings.get(node.id, [])
            if len(values) == 1 and isinstance(values[0], ast.Subscript):
                return self.annotation_kind(values[0])
            return None
        qualname = self.qualname(node)
        found = self.linked.resolve(qualname) if self.linked is not None and qualname else None
        return found.kind if isinstance(found, TypeRef) else None

    # -- classes: clients by inheritance, class attributes through the bases ------------------------------------
    def local_class(self, expr: ast.expr) -> ast.ClassDef | None:
        """The module-level class a name stands for (``ContactViewSet``), when it is bound to that alone."""
        values = self.module.bindings.get(expr.id, []) if isinstance(expr, ast.Name) else []
        return values[0] if len(values) == 1 and isinstance(values[0], ast.ClassDef) else None

    def class_kind(self, cls: ast.ClassDef, depth: int = 4) -> str | None:
        """The SDK client a class is by inheritance (``class CustomerIOExt(CustomerIO)``), through bases in this
        module and in the project's other modules."""
        for base in cls.bases if depth else ():
            qualname = self.qualname(base)
            local = self.local_class(base)
            if qualname in sdk.CONSTRUCTORS:
                return sdk.CONSTRUCTORS[qualname]
            kind = self.class_kind(local, depth - 1) if local is not None else \
                self.linked.client_kind(f"{qualname}()") if self.linked is not None and qualname else None
            if kind:
                return kind
        return None

    def constructed_kind(self, call: ast.Call) -> str | None:
        """The client a call builds: the SDK's constructor, or a project class that subclasses it (this module's
        or another's)."""
        return self.class_expr_kind(call.func)

    def class_expr_kind(self, expr: ast.expr) -> str | None:
        """The client a class expression names: the SDK's class, or a project class that subclasses it."""
        qualname = self.qualname(expr)
        if qualname in sdk.CONSTRUCTORS:
            return sdk.CONSTRUCTORS[qualname]
        cls = self.local_class(expr)
        if cls is not None:
            return self.class_kind(cls)
        found = self.linked.resolve(qualname) if self.linked is not None and qualname else None
        return found.entry.client if isinstance(found, ClassRef) else None

    def built_by_subclass(self, expr: ast.expr, scope: Scope) -> bool:
        """Whether the client ``expr`` holds is built by a project subclass of the SDK's client, whose own methods
        a rewrite to the runtime client would lose."""
        value = self.value_of(expr, scope)
        return isinstance(value, ast.Call) and self.qualname(value.func) not in sdk.CONSTRUCTORS and \
            self.constructed_kind(value) is not None

    def attribute_kind(self, cls: ast.ClassDef, attr: str, scope: Scope, depth: int = 4) -> str | None:
        """The client an attribute of a class's instances holds, whatever its name: set on ``self`` in a method,
        declared with a client annotation, or a class attribute (``crm_tracker = CustomerIO(...)`` in the class
        body), here or in a base class (this module's or another project module's)."""
        values = self.self_attrs.get((cls, attr), [])
        kinds = {self.value_kind(v, scope, depth) for v in values} - {None, "?", NOT_A_CLIENT}
        if kinds:
            return kinds.pop()
        kind = self._class_annotation_kind(cls, attr) or self._class_body_kind(cls, attr, depth)
        for base in cls.bases if not kind and depth else ():
            local = self.local_class(base)
            qualname = None if local is not None else self.qualname(base)
            kind = self.attribute_kind(local, attr, scope, depth - 1) if local is not None else \
                self.linked.client_kind(f"{qualname}.{attr}") if self.linked is not None and qualname else None
            if kind:
                return kind
        return kind

    def _state_kind(self, expr: ast.Attribute, depth: int) -> str | None:
        """A client kept on a framework's state object (``app.state.cio = CustomerIO(...)`` in a FastAPI lifespan,
        used as ``request.app.state.cio``): any ``<...>.state.<name>`` the module assigns a client to."""
        if not (isinstance(expr.value, ast.Attribute) and expr.value.attr == "state"):
            return None
        kinds = {self.value_kind(value, scope, depth - 1) for target, value, scope in self.attribute_stores
                 if target.attr == expr.attr and isinstance(target.value, ast.Attribute) and target.value.attr == "state"}
        known = kinds - {None, "?", NOT_A_CLIENT}
        return known.pop() if len(known) == 1 else None

    def _class_body_kind(self, cls: ast.ClassDef, attr: str, depth: int) -> str | None:
        """A class attribute's client (``crm = CustomerIO(...)``), or what a ``@property`` of that name returns."""
        body = self.class_scopes.get(cls)
        values = body.bindings.get(attr, []) if body is not None else []
        if len(values) == 1 and isinstance(values[0], FUNCTION_NODES) and _is_property(values[0]):
            fn = self.functions[values[0]]
            kinds = {self.value_kind(r.value, fn.scope, depth) for r in own_nodes(fn.node, ast.Return) if r.value}
            known = kinds - {None, "?", NOT_A_CLIENT}
            return known.pop() if len(known) == 1 else None
        kinds = {self.value_kind(v, body, depth) for v in values if isinstance(v, ast.expr)}
        known = kinds - {None, "?", NOT_A_CLIENT}
        return known.pop() if len(known) == 1 else None

    def _class_annotation_kind(self, cls: ast.ClassDef | None, attr: str) -> str | None:
        """A class attribute or dataclass/attrs/pydantic field declared as a client (``client: CustomerIO``)."""
        for statement in cls.body if cls is not None else ():
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and \
                    statement.target.id == attr:
                return self.annotation_kind(statement.annotation)
        return None

    # -- references across modules -----------------------------------------------------------------------------
    def ref_of(self, expr: ast.expr, scope: Scope, depth: int = 3) -> str | None:
        """The project-wide name of what an expression refers to (``app.services.Analytics.track``), ``f()``
        for the result of a call, for the project model to resolve; None when it cannot be named."""
        if depth == 0:
            return None
        if isinstance(expr, ast.Call):
            inner = self.ref_of(expr.func, scope, depth)
            return f"{inner}({self._client_arguments(expr, scope)})" if inner else None
        if isinstance(expr, ast.Name):
            return self._name_ref(expr.id, scope, depth)
        if isinstance(expr, ast.Attribute):
            if isinstance(expr.value, ast.Name) and expr.value.id == "self":
                return self._self_ref(expr.attr, scope, depth)
            base = self.ref_of(expr.value, scope, depth)
            return f"{base}.{expr.attr}" if base else None
        return None

    def _client_arguments(self, call: ast.Call, scope: Scope) -> str:
        """``0=track,client=@app.crm.cio``: the arguments of a call that are clients (a kind) or may be (another
        module's name, ``@`` and its reference), for a class that holds what it is given (``Notifier(cio)``)."""
        key = ("arguments", id(call))
        if key in self.memo:  # also a guard: `cio = make(cio)` asks the same question again while answering it
            return self.memo[key]
        self.memo[key] = ""
        given = [(str(i), a) for i, a in enumerate(call.args) if not isinstance(a, ast.Starred)]
        given += [(k.arg, k.value) for k in call.keywords if k.arg]
        parts = []
        for where, arg in given:
            if not isinstance(arg, (ast.Name, ast.Attribute, ast.Call)):
                continue
            kind = self.client_kind(arg, scope)  # a Call: built in place, `Notifier(CustomerIO(...))`
            ref = self.ref_of(arg, scope) if kind not in sdk.KINDS and not isinstance(arg, ast.Call) else None
            if kind in sdk.KINDS or (ref and not set(ref) & set("(),=")):
                parts.append(f"{where}={kind if kind in sdk.KINDS else '@' + ref}")
        self.memo[key] = ",".join(parts)
        return self.memo[key]

    def _name_ref(self, name: str, scope: Scope, depth: int) -> str | None:
        if name in self.aliases:
            target = self.aliases[name]
            return None if target.startswith(".") else target
        found = self.lookup(name, scope)
        if found is None:
            return None
        bound_scope, values = found
        if bound_scope is self.module:
            return f"{self.module_name}.{name}" if self.module_name else None
        param = bound_scope.params.get(name)
        if param is not None and param.annotation is not None:
            annotated = self.ref_of(annotated_type(param.annotation), scope, depth - 1)
            return f"{annotated}()" if annotated else None
        if len(values) == 1 and isinstance(values[0], ast.Call):
            return self.ref_of(values[0], bound_scope, depth - 1)
        return None

    def _self_ref(self, attr: str, scope: Scope, depth: int) -> str | None:
        cls = self._enclosing_class(scope)
        if cls is None or not self.module_name:
            return None
        if any(isinstance(node, FUNCTION_NODES) and node.name == attr for node in cls.body):
            return f"{self.module_name}.{cls.name}.{attr}"
        values = self.self_attrs.get((cls, attr), [])
        if len(values) == 1:
            return self.ref_of(values[0], scope, depth - 1)
        for statement in cls.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and \
                    statement.target.id == attr:
                annotated = self.ref_of(annotated_type(statement.annotation), scope, depth - 1)
                return f"{annotated}()" if annotated else None
        return None

    def resolve_call(self, site: Site) -> Resolved | None:
        """What a call runs, resolved through the project (see ``Project.resolve``)."""
        return self.resolve(site.node.func, site.scope)

    def resolve(self, expr: ast.expr | str, scope: Scope | None = None) -> Resolved | None:
        """What an expression (seen in ``scope``) or a project reference names, resolved through the project;
        None without a project or when it cannot be told."""
        if self.linked is None:
            return None
        ref = expr if isinstance(expr, str) else self.ref_of(expr, scope)
        return self.linked.resolve(ref) if ref else None

    def blocking_chain(self, expr: ast.expr, scope: Scope) -> list | None:
        """The project calls from running ``expr`` down to a blocking Customer.io call (``project.Step``s)."""
        ref = self.ref_of(expr, scope) if self.linked is not None else None
        return self.linked.blocking_chain(ref) if ref else None

    def returned_unit(self, func: ast.expr, scope: Scope) -> tuple[str, str] | None:
        """The finer-than-seconds epoch unit a project function returns, and where it is defined."""
        ref = self.ref_of(func, scope) if self.linked is not None else None
        return self.linked.returned_unit(ref) if ref else None

    def module_of(self, qualname: str) -> str:
        """The project module a qualified name lives in (``app.services`` of ``app.services.track_signup``)."""
        split = self.linked.split(qualname) if self.linked is not None else None
        return split[0] if split else ""

    def project_summaries(self) -> Iterator[tuple[str, Summary]]:
        """Every module of the project and its summary, read as asked (CIO303: does anyone give people an email)."""
        for name in self.linked.modules() if self.linked is not None else ():
            yield name, self.linked.summary(name)

    def _enclosing_class(self, scope: Scope) -> ast.ClassDef | None:
        while scope is not None:
            if scope.kind == "function":
                fn = self.functions.get(scope.node)
                return fn.cls if fn else None
            scope = scope.parent
        return None

    @cached_property
    def cio_calls(self) -> list[CioCall]:
        """Every call of a Customer.io client method in the module."""
        calls = []
        for site in self.sites:
            call = self._classify(site)
            if call is not None:
                calls.append(call)
        return calls

    @cached_property
    def data_calls(self) -> list[CioCall]:
        """The SDK calls whose arguments the data rules check: direct ones, calls of project wrappers seen as
        the SDK call they make (``analytics.track(user.email, ...)`` forwards ``user.email`` as ``customer_id``),
        and SDK methods handed over with their arguments (``partial(cio.track, uid, name)``)."""
        return self.cio_calls + self.forwarded_calls + self.bound_calls

    @cached_property
    def bound_calls(self) -> list[CioCall]:
        """An SDK method reference with the arguments it will be called with: ``functools.partial(cio.track, uid,
        name)``, ``pool.submit(cio.identify, email)``, ``asyncio.to_thread(...)``, ``loop.run_in_executor(None,
        cio.track, ...)``, ``sync_to_async(cio.track)(...)``. Their findings get no fix: the rewrite would be
        the binding's, not a call's."""
        calls = []
        for site in self.sites:
            bound = _bound_reference(site.node)
            if bound is None or not isinstance(bound[0], ast.Attribute):
                continue
            reference, args, keywords = bound
            kind = self.client_kind(reference.value, site.scope)
            kind = guessed_kind(reference.attr) if kind == "?" else kind
            call = self.bind_call(site, kind, reference.attr, reference.value, args, keywords) if kind else None
            if call is not None:
                calls.append(call)
        return calls

    @cached_property
    def forwarded_calls(self) -> list[CioCall]:
        calls = []
        for site in self.sites:
            target = self.resolve_call(site) if site not in self._calls_by_site else None
            if isinstance(target, FunctionRef) and (target.entry.forwards or target.entry.maybe_forwards):
                calls.extend(self._as_sdk_calls(site, target.entry))
        return calls

    def _confirmed_forwards(self, entry: FunctionEntry) -> dict[str, Forward]:
        """The wrapper's forwarded parameters: to calls known as SDK calls, and to "maybe" SDK calls whose
        receiver the project resolves to that client (``cio = get_cached()`` of another module)."""
        forwards = dict(entry.forwards)
        for param, maybe in entry.maybe_forwards.items():
            called = self.linked.sdk_call(maybe.ref) if self.linked is not None else None
            if called and called[0] == maybe.kind:
                forwards.setdefault(param, Forward(maybe.kind, maybe.method, maybe.sdk_param))
        return forwards

    def _as_sdk_calls(self, site: Site, entry: FunctionEntry) -> Iterator[CioCall]:
        """One SDK call per (kind, method) the wrapper forwards to, with the caller's arguments in place of the
        wrapper's parameters. Their findings get no fix: the code to change is the caller's."""
        given = dict(zip(entry.params, (a for a in site.node.args if not isinstance(a, ast.Starred))))
        given.update((k.arg, k.value) for k in site.node.keywords if k.arg)
        rest = {k.arg: k.value for k in site.node.keywords if k.arg and k.arg not in entry.params}  # **kwargs
        by_method: dict[tuple[str, str], tuple[dict, dict]] = {}
        for param, forward in self._confirmed_forwards(entry).items():
            args, extra = by_method.setdefault((forward.kind, forward.method), ({}, {}))
            if forward.sdk_param == "**":
                named = sdk.METHODS[forward.kind][forward.method].params
                for key, value in rest.items():
                    (args if key in named else extra)[key] = value
            elif param in given:
                args[forward.sdk_param] = given[param]
        for (kind, method), (args, extra) in by_method.items():
            if args or extra:
                yield CioCall(site, kind, method, None, args, extra, [])

    def cio_call_at(self, site: Site) -> CioCall | None:
        return self._calls_by_site.get(site)

    @cached_property
    def _calls_by_site(self) -> dict[Site, CioCall]:
        return {call.site: call for call in self.cio_calls}

    def _classify(self, site: Site) -> CioCall | None:
        """The Customer.io SDK call a site makes, if it makes one."""
        func = site.node.func
        if not isinstance(func, ast.Attribute):
            return None
        method = func.attr
        qualname = self.qualname(func)
        if qualname and qualname.rpartition(".")[0] == sdk.ANALYTICS_MODULE:
            kind, receiver = sdk.ANALYTICS, None
        else:
            kind, receiver = self.client_kind(func.value, site.scope), func.value
            if kind is None:
                return None
        if kind == "?":
            kind = guessed_kind(method)
        return self.bind_call(site, kind, method, receiver) if kind else None

    def bind_call(self, site: Site, kind: str, method: str, receiver: ast.expr | None,
                  given: list[ast.expr] | None = None, keywords: list[ast.keyword] | None = None) -> CioCall | None:
        """The call at ``site`` (or the arguments ``given`` there to a method reference) read as ``kind``'s SDK
        ``method``: its arguments by the SDK's parameter names."""
        signature = sdk.METHODS.get(kind, {}).get(method)
        if signature is None:
            return None
        given = site.node.args if given is None else given
        keywords = site.node.keywords if keywords is None else keywords
        args, extra, star = {}, {}, []
        for index, arg in enumerate(given):
            if isinstance(arg, ast.Starred) or index >= len(signature.params):
                star.append(arg)
            else:
                args[signature.params[index]] = arg
        for keyword in keywords:
            if keyword.arg is None:
                expanded = self.value_of(keyword.value, site.scope)
                if isinstance(expanded, ast.Dict) and all(str_value(k) for k in expanded.keys):
                    for key, value in zip(expanded.keys, expanded.values):
                        (args if key.value in signature.params else extra)[key.value] = value
                else:
                    star.append(keyword.value)
            elif keyword.arg in signature.params:
                args[keyword.arg] = keyword.value
            else:
                extra[keyword.arg] = keyword.value
        return CioCall(site, kind, method, receiver, args, extra, star)

    def blocks(self, call: CioCall) -> bool:
        """Whether the call waits on Customer.io: every Track/App call; Data Pipelines only when it flushes or
        runs in ``sync_mode``."""
        if call.kind in (sdk.TRACK, sdk.APP):
            return True
        if call.kind != sdk.ANALYTICS:
            return False
        if call.method in sdk.ANALYTICS_BLOCKING:
            return True
        if call.receiver is None:  # analytics.track(...): the module's default client
            return self.analytics_module_sync_mode
        built = self.value_of(call.receiver, call.site.scope)
        if isinstance(built, ast.Call) and self.constructed_kind(built) == sdk.ANALYTICS:
            return sync_mode(built)
        ref = self.ref_of(call.receiver, call.site.scope) if self.linked is not None else None
        if ref and self.linked.client_kind(ref) == sdk.ANALYTICS:  # built in another module: its summary says
            return self.linked.sync_client(ref)
        made = self.analytics_clients_built
        return bool(made) and all(made)  # a client not traced to its construction: sync only if every one here is

    @cached_property
    def analytics_module_sync_mode(self) -> bool:
        """``analytics.sync_mode = True`` in the module."""
        return any(self.qualname(target) == f"{sdk.ANALYTICS_MODULE}.sync_mode" and not _false(value)
                   for target, value, _ in self.attribute_stores)

    @cached_property
    def analytics_clients_built(self) -> list[bool]:
        """For each ``analytics.Client(...)`` the module builds: whether it runs in ``sync_mode``."""
        return [sync_mode(site.node) for site in self.sites
                if self.constructed_kind(site.node) == sdk.ANALYTICS]

    # -- payloads ----------------------------------------------------------------------------------------------
    def values(self, call: CioCall) -> Iterator[Value]:
        """Every value that flows into a Customer.io call, with its key and role, through locals and dicts."""
        scope = call.site.scope
        for param, expr in call.args.items():
            role = _param_role(call, param)
            if role in ("attribute", "data"):
                yield from self._payload(expr, scope, role, 0, expr)
            elif role:
                yield Value(param, role, self.value_of(expr, scope), expr)
        extra_role = "attribute" if call.method == "identify" else "data"
        for key, written in call.extra.items():
            expr = self.value_of(written, scope)
            yield Value(key, _dict_key_role(key, extra_role), expr, written)
            yield from self._payload(expr, scope, extra_role, 1, written)

    def _payload(self, expr: ast.expr, scope: Scope, role: str, depth: int, at: ast.expr) -> Iterator[Value]:
        resolved = self.value_of(expr, scope)
        inline = resolved is expr  # still written inside the call: its parts are where they enter it
        if depth > 4:
            return
        if isinstance(resolved, ast.Dict):
            for key, value in zip(resolved.keys, resolved.values):
                key_name = str_value(key)
                written = value if inline else at
                if key_name is not None:
                    yield Value(key_name, _dict_key_role(key_name, role), self.value_of(value, scope), written)
                yield from self._payload(value, scope, role, depth + 1, written)
        elif isinstance(resolved, (ast.List, ast.Tuple)):
            for element in resolved.elts:
                yield from self._payload(element, scope, role, depth + 1, element if inline else at)
        elif isinstance(resolved, (ast.ListComp, ast.GeneratorExp)):  # batch([{...} for o in orders])
            yield from self._payload(resolved.elt, scope, role, depth + 1, resolved.elt if inline else at)
        elif isinstance(resolved, ast.Call) and (last_name(resolved.func) == "dict" or
                                                 (last_name(resolved.func) or "").startswith("Send")):
            for keyword in resolved.keywords:
                if keyword.arg:
                    written = keyword.value if inline else at
                    value = self.value_of(keyword.value, scope)
                    yield Value(keyword.arg, _dict_key_role(keyword.arg, role), value, written)
                    yield from self._payload(value, scope, role, depth + 1, written)

    # -- functions ----------------------------------------------------------------------------------------------
    def routed_elsewhere(self, fn: Function) -> bool:
        """Registered as a handler by another module of the project (Django's ``urls.py``)."""
        return bool(self.project and self.module_name) and \
            f"{self.module_name}.{fn.name}" in self.project.routed_functions()

    def local_function(self, func: ast.expr, site: Site) -> Function | None:
        """The module function or same-class method that ``func``, seen at ``site``, names (``helper``,
        ``self.helper``): what calling it runs."""
        if isinstance(func, ast.Name):
            found = self.lookup(func.id, site.scope)
            if found and len(found[1]) == 1 and isinstance(found[1][0], FUNCTION_NODES):
                return self.functions.get(found[1][0])
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            cls = site.function.cls if func.value.id == "self" and site.function is not None else \
                self._instance_class(func.value, site)
            for node in cls.body if cls is not None else ():
                if isinstance(node, FUNCTION_NODES) and node.name == func.attr:
                    return self.functions.get(node)
        return None

    def _instance_class(self, name: ast.Name, site: Site) -> ast.ClassDef | None:
        """The module's class a name holds an instance of (``service = OrderService()``, bound once)."""
        value = self.value_of(name, site.scope)
        return self.local_class(value.func) if isinstance(value, ast.Call) else None

    def callees(self, func: ast.expr, site: Site) -> list[ast.expr]:
        """What a called expression can run, as expressions the rules follow like any callee: the functions of a
        dispatch table (``HANDLERS[kind](order)``, a dict literal bound once), the methods a ``getattr`` with a
        literal or a name family picks (``getattr(service, f"order_{status}")`` -> every ``order_*`` method of its
        class), else the expression itself."""
        if isinstance(func, ast.Subscript) and isinstance(func.value, ast.Name):
            table = self.value_of(func.value, site.scope)
            if isinstance(table, ast.Dict):
                return [value for value in table.values if isinstance(value, (ast.Name, ast.Attribute))]
        if isinstance(func, ast.Call) and dotted(func.func) == "getattr" and len(func.args) >= 2:
            owner, name = func.args[0], func.args[1]
            prefix = str_value(name) if str_value(name) is not None else _literal_prefix(name)
            if prefix:
                return [ast.copy_location(ast.Attribute(value=owner, attr=method, ctx=ast.Load()), func)
                        for method in self.method_names(owner, site) if method.startswith(prefix) and
                        (str_value(name) is None or method == prefix)]
        return [func]

    def method_names(self, owner: ast.expr, site: Site) -> list[str]:
        """The methods of the class an expression's value is an instance of (``self``, ``Svc()``, an instance
        of another project module)."""
        cls = self._enclosing_class(site.scope) if _is_self(owner) else \
            self._instance_class(owner, site) if isinstance(owner, ast.Name) else None
        if cls is not None:
            return [node.name for node in cls.body if isinstance(node, FUNCTION_NODES)]
        ref = self.ref_of(owner, site.scope) if self.linked is not None else None
        return self.linked.method_names(ref) if ref else []

    @cached_property
    def callers(self) -> dict[Function, list[Site]]:
        """Sites in this module that call each local function."""
        result: dict[Function, list[Site]] = {}
        for site in self.sites:
            target = self.local_function(site.node.func, site)
            if target is not None:
                result.setdefault(target, []).append(site)
        return result

    def sites_in(self, fn: Function) -> list[Site]:
        """Calls that run when ``fn`` runs (not those in nested functions or lambdas)."""
        return self.sites_by_function.get(fn, [])

    @cached_property
    def sites_by_function(self) -> dict[Function | None, list[Site]]:
        result: dict[Function | None, list[Site]] = {}
        for site in self.sites:
            if not site.deferred:
                result.setdefault(site.function, []).append(site)
        return result


DI_PROVIDERS = ("dependency_injector.providers.",)  # providers.Singleton/Factory(cls, ...): what they provide


def parameter_default(function: ast.AST, name: str) -> ast.expr | None:
    """The default value of a function's parameter, None when it has none."""
    args = getattr(function, "args", None)
    if not isinstance(args, ast.arguments):
        return None
    positional = [*args.posonlyargs, *args.args]
    pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
    pairs += [(arg, default) for arg, default in zip(args.kwonlyargs, args.kw_defaults) if default is not None]
    return next((default for arg, default in pairs if arg.arg == name), None)


#: Callables that take a function and the arguments to call it with, and where the function stands among them.
BINDERS = {"partial": 0, "submit": 0, "to_thread": 0, "run_in_threadpool": 0, "run_sync": 0, "run_in_executor": 1,
           "call_soon": 0, "call_soon_threadsafe": 0, "call_later": 1, "call_at": 1}


def _bound_reference(call: ast.Call) -> tuple[ast.expr, list[ast.expr], list[ast.keyword]] | None:
    """(the function, its positional arguments, its keywords) when ``call`` binds arguments to a function;
    ``sync_to_async(f)(...)`` and ``partial(f, ...)`` handed to an executor included."""
    if isinstance(call.func, ast.Call) and last_name(call.func.func) == "sync_to_async" and call.func.args:
        return call.func.args[0], call.args, call.keywords
    where = BINDERS.get(last_name(call.func) or "")
    if where is None or len(call.args) <= where or any(isinstance(a, ast.Starred) for a in call.args[:where + 1]):
        return None
    function = call.args[where]
    if isinstance(function, ast.Call) and last_name(function.func) == "partial":
        return None  # the partial itself binds its arguments (and is a site of its own)
    keywords = call.keywords if last_name(call.func) in ("partial", "submit", "to_thread", "run_in_threadpool") else []
    return function, call.args[where + 1:], keywords


def _literal_prefix(expr: ast.expr) -> str | None:
    """``f"order_{status}"`` -> ``order_``: the literal text an f-string starts with."""
    if isinstance(expr, ast.JoinedStr) and expr.values:
        return str_value(expr.values[0])
    return None


def _is_property(node: ast.AST) -> bool:
    return any(dotted(d) in ("property", "functools.cached_property", "cached_property")
               for d in node.decorator_list)


def _is_self(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Name) and expr.id in ("self", "cls")


def _within(node: ast.AST, outer: ast.AST) -> bool:
    start, end = (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)
    return (outer.lineno, outer.col_offset) <= start and end <= (outer.end_lineno, outer.end_col_offset)


def _short(expr: ast.expr) -> str:
    text = ast.unparse(expr)
    return text if len(text) <= 40 else text[:37] + "..."


def _false(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and not expr.value


def annotated_type(annotation: ast.expr) -> ast.expr:
    """``Optional[X]``, ``X | None``, ``Annotated[X, ...]`` -> ``X``."""
    if isinstance(annotation, ast.Subscript):
        inner = annotation.slice
        return annotated_type(inner.elts[0] if isinstance(inner, ast.Tuple) else inner)
    if isinstance(annotation, ast.BinOp):
        return annotated_type(annotation.left)
    return annotation


def _param_role(call: CioCall, param: str) -> str | None:
    if param in sdk.IDENTIFIER_PARAMS or (param == "id" and call.method == "identify"):
        return "identifier"
    if param in sdk.EVENT_NAME_PARAMS and (call.method in sdk.EVENT_METHODS or
                                           (call.kind == sdk.ANALYTICS and call.method == "track")):
        return "event"
    if param == "timestamp":
        return "timestamp"
    if param in sdk.PAYLOAD_PARAMS:
        return "attribute" if param == "traits" else "data"
    return None


def _dict_key_role(key: str, role: str) -> str:
    return "timestamp" if key in ("timestamp", "send_at", "_timestamp", "last_used", "created_at") else role
