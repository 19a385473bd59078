"""The ``Model`` the rules ask about one module: names through imports, what a name, attribute or call holds
(one-assignment data flow, class and module constants, references across modules through the project model),
callees (dispatch tables, ``getattr`` name families), and the findings' positions. Which expressions are clients
is ``client_kinds``'s part of it, which calls are SDK calls ``calls``'s; what runs per request is ``frameworks``.

One walk over the module (``scopes``) collects bindings and every call with its context; the questions are
answered from that, lazily and memoised.
"""
from __future__ import annotations

import ast
import re
from functools import cached_property
from pathlib import PurePath
from typing import TYPE_CHECKING, Iterator, NamedTuple

from . import sdk
from .calls import CallIndex, CioCall, Value, run_reference  # noqa: F401  (re-exported: the rules import these from here)
from .client_kinds import (DI_PROVIDERS, ClientKinds, annotated_type, injected_lookup, is_enum, is_opaque_enum, is_self,
                           member_text, parameter_default)
from .options import Options, installed_sdk_major
from .project import DJANGO_CONF_SETTINGS  # an attribute of it is the project's settings module's
from .records import DISPATCHED, TYPED, ClassRef, FactoryRef, FunctionEntry, Resolved, Summary
from .scopes import (  # noqa: F401  (re-exported: the rules import these from here)
    FUNCTION_NODES, Bindings, Function, Scope, Site, class_bases, dotted, entry_lookup, env_default, last_name,
    literal_key, name_tokens, own_nodes, str_value,
)
from .types import NONE, Finding

if TYPE_CHECKING:
    from .project import Project




class Binding(NamedTuple):
    """Where a name is bound (``Model.lookup``) and the values bound to it there."""

    scope: Scope
    values: list


#: A reference a construction's arguments can carry (``Box(0=@app.crm.cio)``, ``Box(0=@app.crm.make())``): a name,
#: or what a call without client arguments gives; nothing the ``CALLED`` reading of the project model would split.
PLAIN_REF = re.compile(r"[^(),=]+(?:\(\))?")

#: Method names no definition can claim: the SDK's (left to the SDK-call inference) and the builtin types'
#: (``cache.get()``, ``rows.append()`` are no project method, whatever the project defines).
UNTYPABLE_NAMES = sdk.ALL_METHOD_NAMES | {name for kind in (dict, list, set, str, bytes, int, object)
                                          for name in dir(kind)} | {
    "send", "save", "close", "commit", "run", "execute", "write", "read", "post", "put", "patch", "get", "delete",
    "publish", "emit", "json", "start", "stop", "open", "call", "handle", "process", "dispatch", "notify", "submit",
    "flush", "fetch", "refresh", "sync", "load", "dump", "create", "validate", "clean", "render"}  # libraries' too

SINGLE_DISPATCH = ("functools.singledispatch", "functools.singledispatchmethod")


class Model(ClientKinds, CallIndex):
    """What the rules need to know about one module: its names, scopes and references here (the client questions
    in ``client_kinds``, the call questions in ``calls``)."""

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
        self.module_imports = found.module_imports
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
        if self.linked is not None:  # a summary reads no other module: it depends on its own text alone
            name = self.linked.reexported_sdk_name(name) or name
        if self.project is not None:
            return self.project.real_name(name)
        return name

    # -- reporting ---------------------------------------------------------------------------------------
    def finding(self, code: str, node: ast.AST, message: str) -> Finding:
        """A finding at a node, with columns converted from UTF-8 byte offsets to characters; without a fix (a rule
        adds one with ``Finding.with_fix``)."""
        end_line = getattr(node, "end_lineno", None) or node.lineno
        end_col = getattr(node, "end_col_offset", None)
        return Finding(
            node.lineno, self._char_col(node.lineno, node.col_offset), code, message,
            end_line, self._char_col(end_line, node.col_offset if end_col is None else end_col),
        )

    def unfixable_at(self, position: tuple[int, int]) -> bool:
        """Whether a finding at this position gets no fix: an argument a wrapper forwards to the SDK or one bound to
        an SDK method (the code to change is the caller's or the binding's), or a use of another module's constant
        (the text to change is its definition)."""
        if position in self._handed_on:
            return True
        return self.linked is not None and any(self._imported_constant(node) for node in self._names_at.get(position, ()))

    @cached_property
    def _handed_on(self) -> frozenset[tuple[int, int]]:
        return frozenset(self.position(node) for call in (*self.forwarded_calls, *self.bound_calls)
                         for expr in (*call.args.values(), *call.extra.values()) for node in ast.walk(expr)
                         if hasattr(node, "lineno"))

    @cached_property
    def _stored_in(self) -> dict[ast.expr, Scope]:
        """The scope of each value stored on an attribute (``self.ctx = ctx`` in ``__init__``)."""
        return {value: scope for _, value, scope in self.attribute_stores}

    @cached_property
    def _names_at(self) -> dict[tuple[int, int], list[ast.expr]]:
        """The names, attribute chains and keyed look-ups that may be another module's constant, by position
        (``events.SIGNED_UP`` and ``events`` start at the same one)."""
        found: dict[tuple[int, int], list[ast.expr]] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.Attribute, ast.Subscript)) or isinstance(node, ast.Name) and node.id in self.aliases:
                found.setdefault(self.position(node), []).append(node)
        return found

    def _imported_constant(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Subscript):
            key = str_value(node.slice)
            return key is not None and self._project_constant(node.value, f"[{key}]", node) is not None
        return self._project_constant(node) is not None

    def settle(self, finding: Finding) -> Finding:
        """A finding on an argument a wrapper forwards to the SDK gets no fix: the code to change is the caller's,
        and what the wrapper does with it is not ours to rewrite."""
        if finding.fix is None:  # nothing to take away (and no position table to build)
            return finding
        return finding.with_fix(None, NONE) if self.unfixable_at((finding.line, finding.col)) else finding

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
        """``test_x.py``, ``x_test.py``, Django's ``tests.py``, ``conftest.py`` or a file in a ``tests`` folder (of its
        project, when known: a project that itself lives in someone's ``tests`` folder, such as a fixture, is not all
        tests)."""
        in_tests = self.project.in_tests(self.filename) if self.project else "tests" in self.path.parts
        return self.path.name.startswith("test_") or self.path.stem.endswith("_test") or \
            self.path.name in ("conftest.py", "tests.py") or in_tests

    @cached_property
    def in_sdk_copy(self) -> bool:
        """A module in a vendored copy of the SDK's folder (one the project added to it: the SDK's own are never
        checked), where ``CustomerIO`` may be defined rather than imported."""
        return self.project is not None and self.project.in_vendored_copy(self.path)

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
        found = f"{target}.{rest}" if rest else target
        if self.linked is not None and found.startswith(DJANGO_CONF_SETTINGS):  # settings.CIO_KEY: the project's value
            return self.linked.settings_name(found)
        if rest and self.linked is not None and self.linked.module_path(target) is not None:
            return self.linked.reexported_sdk_name(found) or found  # pipes.analytics of `from app import pipes`
        return found

    def lookup(self, name: str, scope: Scope) -> Binding | None:
        """The scope that binds a name as seen from ``scope`` (Python's rules, class bodies skipped), with the
        values bound to it there."""
        current, first = scope, True
        while current is not None:
            if name in current.global_names:
                current = self.module
            if (first or current.kind != "class") and (name in current.bindings or name in current.params):
                return Binding(current, current.bindings.get(name, []))
            current, first = current.parent, False
        return None

    def value_of(self, expr: ast.expr, scope: Scope, depth: int = 3) -> ast.expr:
        """Follow a local assigned exactly once to the value it holds (simple intra-function data flow), and a
        string constant of another project module (``from shop.events import SIGNED_UP``, ``events.SIGNED_UP``),
        given the place of its use; also once a local led to one (``name = events.SIGNED_UP``)."""
        while depth and isinstance(expr, ast.Name):
            found = self.lookup(expr.id, scope)
            if found and expr.id in self.aliases and None in found.values:  # the import, not a parameter under its name
                return self._project_constant(expr) or expr
            if not found or found.scope.params.get(expr.id) or len(found.values) != 1:
                return expr
            value = found.values[0]
            if not isinstance(value, ast.expr):
                return expr
            expr, scope, depth = value, found.scope, depth - 1
        if isinstance(expr, ast.Attribute):
            member = expr.value if expr.attr == "value" else None  # events.Event.PAID.value: the member's value
            return self._class_constant(expr, scope) or self._project_constant(expr) or \
                self._default_constant(expr, scope) or \
                (member is not None and self._project_constant(member, used=expr)) or expr
        if isinstance(expr, ast.Subscript):
            return self._keyed_constant(expr, scope) or expr
        return expr

    def text_of(self, expr: ast.expr, scope: Scope, depth: int = 4) -> str | None:
        """The text a string expression always holds: a literal, or an f-string or a ``+`` made only of such texts
        (``f"{PREFIX}_cancelled"`` with ``PREFIX = "subscription"``), followed as `value_of` follows names."""
        expr = self.value_of(expr, scope)
        text = str_value(expr)
        if text is not None or not depth:
            return text
        if isinstance(expr, ast.JoinedStr):  # a conversion or format spec (f"{n:03}") changes the text: not followed
            parts = [part if isinstance(part, ast.Constant) else part.value
                     for part in expr.values if isinstance(part, ast.Constant) or
                     (part.conversion == -1 and part.format_spec is None)]
            parts = parts if len(parts) == len(expr.values) else []
        elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            parts = [expr.left, expr.right]
        else:
            return None
        texts = [self.text_of(part, scope, depth - 1) for part in parts]
        return "".join(texts) if texts and None not in texts else None

    def _class_constant(self, expr: ast.Attribute, scope: Scope) -> ast.Constant | None:
        """A string constant of one of this module's classes (``Config.CIO_SITE_ID``, also through an instance,
        ``config = Config()``, or ``self`` in its methods unless they set it), as its class body binds it once."""
        cls, value = self._class_binding(expr, scope)
        value = member_text(cls, value) if value is not None else None
        return value if str_value(value) is not None else None

    def _class_binding(self, expr: ast.Attribute, scope: Scope) -> tuple[ast.ClassDef | None, ast.AST | None]:
        """The class of this module an attribute is read from, and what its body binds the name to, once (read through
        an instance, not when a method sets the attribute on ``self``: ``__init__`` may override it)."""
        owner = expr.value
        if expr.attr == "value" and isinstance(owner, ast.Attribute):  # Event.SIGNED_UP.value of any Enum
            cls = self.local_class(owner.value)
            values = self.class_scopes[cls].bindings.get(owner.attr, []) if cls is not None and is_enum(cls) else []
        else:
            if is_self(owner):
                cls = self.enclosing_class(scope)
                cls = None if cls is None or self.self_attrs.get((cls, expr.attr)) else cls
            else:
                cls = self.local_class(owner)
                if cls is None and isinstance(owner, ast.Name):  # an instance: unless a method sets it on self
                    cls = self.instance_class(owner, scope)
                    cls = None if cls is None or self.self_attrs.get((cls, expr.attr)) else cls
            values = self.class_scopes[cls].bindings.get(expr.attr, []) if cls is not None and \
                not is_opaque_enum(cls) else []
        return cls, values[0] if len(values) == 1 else None

    def _keyed_constant(self, expr: ast.Subscript, scope: Scope) -> ast.Constant | None:
        """The string a dict literal holds under a literal key (``CIO["api_key"]`` of ``CIO = {"api_key": "..."}``
        bound once), here or in another project module (``settings.CUSTOMERIO["API_KEY"]``)."""
        key = str_value(expr.slice)
        if key is None or not key.isidentifier():
            return None
        table = self.value_of(expr.value, scope)
        if isinstance(table, ast.Dict):
            found = [value for name, value in zip(table.keys, table.values) if str_value(name) == key]
            return found[0] if len(found) == 1 and str_value(found[0]) is not None else None
        return self._project_constant(expr.value, f"[{key}]", expr)

    def _default_constant(self, expr: ast.Attribute, scope: Scope) -> ast.Constant | None:
        """A class's string constant read through a parameter that defaults to the class and is never rebound
        (``def create_app(config=Config): ... config.CIO_SITE_ID``)."""
        through = self._through_default(expr, scope)
        return None if through is None else self._class_constant(*through) or self._project_constant(through[0])

    def _through_default(self, expr: ast.expr, scope: Scope) -> tuple[ast.Attribute, Scope] | None:
        """``Config.X`` (and the scope to read it in) for ``config.X`` where ``config`` is a parameter defaulting to
        the class and never rebound."""
        owner = expr.value if isinstance(expr, ast.Attribute) else None
        found = self.lookup(owner.id, scope) if isinstance(owner, ast.Name) else None
        if found is None or not found.scope.params.get(owner.id) or found.values:
            return None
        default = parameter_default(found.scope.node, owner.id)
        if not isinstance(default, (ast.Name, ast.Attribute)):
            return None
        through = ast.copy_location(ast.Attribute(default, expr.attr, ast.Load()), expr)
        return through, found.scope.parent or found.scope

    def _project_constant(self, expr: ast.expr, key: str = "", used: ast.expr | None = None) -> ast.Constant | None:
        """Another module's string constant (or its dict constant's string under ``key``, ``[api_key]``), placed
        where it is ``used``; a finding there gets no fix (the text to change is the constant's definition, in its
        own module)."""
        name = self._project_name(expr)
        value = self.linked.constant(name + key) if name else None
        return None if value is None else ast.copy_location(ast.Constant(value), used or expr)

    def env_default_of(self, expr: ast.expr, scope: Scope) -> ast.Constant | None:
        """The literal default of an environment look-up a name holds where it is bound: another project module's
        (``from config import KEY`` with ``KEY = os.environ.get("CIO_KEY", "3f2a...")``), or a class's attribute
        (``Config.KEY``, also through ``def create_app(config=Config)``), placed where it is used."""
        through = self._through_default(expr, scope)
        expr_there, there = through or (expr, scope)
        if isinstance(expr_there, ast.Attribute):
            _, bound = self._class_binding(expr_there, there)
            found = str_value(env_default(bound)) if isinstance(bound, ast.expr) else None
            if found is not None:
                return ast.copy_location(ast.Constant(found), expr)
        name = self._project_name(expr_there)
        value = self.linked.env_default(name) if name else None
        return None if value is None else ast.copy_location(ast.Constant(value), expr)

    def _project_name(self, expr: ast.expr) -> str | None:
        """The qualified name of another project module's name (``shop.events.SIGNED_UP``) an expression reads."""
        qualname = self.qualname(expr) if self.linked is not None else None
        return qualname if qualname and self.is_project_code(qualname) else None

    # -- references across modules -----------------------------------------------------------------------------
    def ref_of(self, expr: ast.expr, scope: Scope, depth: int = 3) -> str | None:
        """The project-wide name of what an expression refers to (``app.services.Analytics.track``), ``f()``
        for the result of a call, for the project model to resolve; None when it cannot be named."""
        if depth <= 0:
            return None
        model = self._row_model(expr, scope) if isinstance(expr, ast.Call) else None
        if model is not None:  # Lead.objects.get(...), get_object_or_404(Lead, ...): a Lead
            found = self.ref_of(model, scope, depth - 1)
            return f"{found}()" if found else None
        entry = entry_lookup(expr)  # STAGES.get(kind): an entry, as STAGES[kind]
        if entry is not None:
            return self.ref_of(entry, scope, depth)
        if isinstance(expr, ast.Call):
            expr = self._provided(expr)
            inner = self.ref_of(expr.func, scope, depth)
            return f"{inner}({self._client_arguments(expr, scope)})" if inner else None
        if isinstance(expr, ast.Name):
            return self._name_ref(expr.id, scope, depth)
        if isinstance(expr, ast.Attribute):
            if isinstance(expr.value, ast.Name) and expr.value.id == "self":
                return self._self_ref(expr.attr, scope, depth)
            base = self.ref_of(expr.value, scope, depth)
            return f"{base}.{expr.attr}" if base else None
        if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):  # client or tracking(): the fallback's
            return self.ref_of(expr.values[-1], scope, depth - 1)
        if isinstance(expr, ast.Subscript) and isinstance(expr.value, (ast.Name, ast.Attribute)):
            base = self.ref_of(expr.value, scope, depth)  # HANDLERS[kind]: any entry; HANDLERS["paid"]: that one
            key = self.table_key(expr.slice, scope)
            return f"{base}{f'[{key}]' if key else DISPATCHED}" if base and "(" not in base else None
        return None

    def _provided(self, call: ast.Call) -> ast.Call:
        """A dependency_injector provider as the call it makes for each injection: ``providers.Factory(Notifier,
        client=crm)`` is ``Notifier(client=crm)``; any other call as it is."""
        if not call.args or not (self.qualname(call.func) or "").startswith(DI_PROVIDERS):
            return call
        key = ("provided", id(call))  # one call object per provider: _client_arguments memoises by identity
        if key not in self.memo:
            self.memo[key] = ast.copy_location(ast.Call(call.args[0], call.args[1:], call.keywords), call)
        return self.memo[key]

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
            if not isinstance(arg, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)):
                continue
            kind = self.client_kind(arg, scope)  # a Call: built in place, `Notifier(CustomerIO(...))`
            ref = self.ref_of(arg, scope) if kind not in sdk.KINDS else None
            ref = ref if ref and PLAIN_REF.fullmatch(ref) and (self.is_project_code(ref) or ref.startswith(
                DJANGO_CONF_SETTINGS + ".")) else None  # settings.CIO: the settings module's, once the project is read
            if kind in sdk.KINDS or ref or kind == "?":  # "?": a client known by its name
                parts.append(f"{where}={kind if kind in sdk.KINDS else '@' + ref if ref else '?'}")
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
        owner = self._class_of_cls(bound_scope, name) if param is not None else None
        if owner is not None:  # `return cls(...)` in a classmethod: an instance of its class
            return f"{self.module_name}.{owner.name}" if self.module_name else None
        looked_up = injected_lookup(bound_scope.node, name) if param is not None else None
        if looked_up is not None:  # `notifier=Provide[Container.notifier]`: what the container gives
            return self.ref_of(looked_up, bound_scope.parent or bound_scope, depth - 1)
        if param is not None and param.annotation is not None:
            annotated = self.ref_of(annotated_type(param.annotation), scope, depth - 1)
            return f"{annotated}({TYPED})" if annotated else None
        if len(values) == 1 and isinstance(values[0], (ast.Call, ast.Attribute, ast.BoolOp, ast.Subscript)):
            return self.ref_of(values[0], bound_scope, depth - 1)  # also stage = STAGES[kind]: an entry
        source = bound_scope.loop_sources.get(name) if len(values) == 1 else None
        return self._row_ref(source, bound_scope, depth) if source is not None else None

    def _class_of_cls(self, scope: Scope, name: str) -> ast.ClassDef | None:
        """The class a classmethod's first parameter names (``cls``), when ``name`` is that parameter."""
        fn = self.functions.get(scope.node)
        args = fn.node.args.posonlyargs + fn.node.args.args if fn is not None else []
        if fn is None or fn.cls is None or not args or args[0].arg != name:
            return None
        return fn.cls if "classmethod" in {dotted(d) for d in fn.node.decorator_list} else None

    def _row_model(self, call: ast.Call, scope: Scope) -> ast.expr | None:
        """The Django model a call gives one row of: ``Lead.objects.get(...)``, ``get_object_or_404(Lead, ...)``
        (or of a queryset of it)."""
        if isinstance(call.func, ast.Attribute) and call.func.attr in ONE_ROW:
            return _queryset_model(call.func.value)
        return self._shortcut_model(call, "get_object_or_404", scope)

    def _shortcut_model(self, call: ast.expr, shortcut: str, scope: Scope) -> ast.expr | None:
        """The model of ``django.shortcuts.<shortcut>(Lead or a queryset of it, ...)``."""
        if not (isinstance(call, ast.Call) and call.args and self.qualname(call.func) == f"django.shortcuts.{shortcut}"):
            return None
        given = self.value_of(call.args[0], scope)  # qs = Lead.objects.filter(...); get_object_or_404(qs, ...)
        return _queryset_model(given) or given

    def _row_ref(self, iterable: ast.expr, scope: Scope, depth: int) -> str | None:
        """An element of a Django queryset is an instance of its model: ``for lead in Lead.objects.filter(...)``,
        ``get_list_or_404(Lead, ...)`` (also through a local bound to the queryset); an element of a module's table
        is any of its entries (``for step in STEPS``, a list of functions: ``app.steps.STEPS[]``)."""
        given, iterable = iterable, self.value_of(iterable, scope)
        model = _queryset_model(iterable) or self._shortcut_model(iterable, "get_list_or_404", scope)
        found = self.ref_of(model, scope, depth - 1) if model is not None else None
        if found:
            return f"{found}()"
        table = self.ref_of(given, scope, depth - 1) if isinstance(given, ast.Name) else None
        return f"{table}{DISPATCHED}" if table and "(" not in table and "[" not in table else None

    def table_size(self, expr: ast.expr, scope: Scope) -> int | None:
        """How many entries a module's table that a name refers to holds (``STEPS = [log_it, send_paid]`` of
        another module); None when it is no such table."""
        ref = self.ref_of(expr, scope) if self.linked is not None and isinstance(expr, ast.Name) else None
        return len(self.linked.dispatched(ref)) or None if ref else None

    def _self_ref(self, attr: str, scope: Scope, depth: int) -> str | None:
        cls = self.enclosing_class(scope)
        return self._member_ref(cls, attr, scope, depth) if cls is not None and self.module_name else None

    def _member_ref(self, cls: ast.ClassDef, attr: str, scope: Scope, depth: int) -> str | None:
        """What ``self.<attr>`` names in a method of ``cls``: its method or property, what a method sets it to, what
        the class body binds it to (``outbound = crm.tracker()``), its declared type; else the same in its bases
        (this module's, or a project class of another module)."""
        if any(isinstance(node, FUNCTION_NODES) and node.name == attr for node in cls.body):
            return f"{self.module_name}.{cls.name}.{attr}"
        values = self.self_attrs.get((cls, attr), [])
        if len(values) == 1:  # read where it was stored: `self.ctx = ctx` names __init__'s parameter
            return self.ref_of(values[0], self._stored_in.get(values[0], scope), depth - 1)
        body = self.class_scopes[cls]
        bound = body.bindings.get(attr, [])
        if len(bound) == 1 and isinstance(bound[0], (ast.Call, ast.Attribute, ast.Name)):
            return self.ref_of(bound[0], body, depth - 1)
        for statement in cls.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and \
                    statement.target.id == attr:
                annotated = self.ref_of(annotated_type(statement.annotation), scope, depth - 1)
                return f"{annotated}({TYPED})" if annotated else None
        for base in class_bases(cls) if depth > 1 else ():
            local = self.local_class(base)
            qualname = None if local is not None else self.qualname(base)
            found = self._member_ref(local, attr, scope, depth - 1) if local is not None else \
                f"{qualname}.{attr}" if qualname and self.is_project_code(qualname) else None
            if found:
                return found
        return None

    def callee_ref(self, func: ast.expr, scope: Scope) -> str | None:
        """``ref_of`` a called expression; for a method called on a value that cannot be typed (``lead.close()``
        where ``lead`` is a task argument), the one project method of that name that may reach Customer.io
        (``Project.unique_method``)."""
        if self.linked is None:
            return None
        ref = self.ref_of(func, scope)
        if (ref is None or not self.is_project_code(ref)) and isinstance(func, ast.Attribute) and func.attr not in UNTYPABLE_NAMES and \
                not _own_class(func.value) and self._untyped(func.value, scope):
            ref = self.linked.unique_method(func.attr)
        return ref

    def _untyped(self, receiver: ast.expr, scope: Scope) -> bool:
        """A receiver nothing here types: no reference at all, or an attribute hung on another library's object
        (``request.uow``, ``g.uow``: set by the project at run time); not a library's module or name itself
        (``json.dumps``)."""
        ref = self.ref_of(receiver, scope)
        return ref is None or isinstance(receiver, ast.Attribute) and isinstance(receiver.value, ast.Name) and \
            receiver.value.id in self.aliases and not self.is_project_code(ref)

    def resolve_call(self, site: Site, func: ast.expr | None = None) -> Resolved | None:
        """What a call runs (or ``func``, which it is handed to run: ``to_thread(send_alert, ...)``), resolved
        through the project (see ``Project.resolve``), when it can reach Customer.io at all: a call into modules
        that never name it (models, helpers) is not read."""
        ref = self.callee_ref(func or site.node.func, site.scope)
        if not ref or not self.linked.may_reach_customerio(ref) or not self._defined_here(ref):
            return None
        return self.linked.resolve(ref)

    def _defined_here(self, ref: str) -> bool:
        """For a reference into this module: whether it starts at a function or class defined here, or an instance
        of one (``bp.post`` of ``bp = Blueprint(...)`` is another library's, not worth summarising this module
        again); any reference into another module passes."""
        if not self.module_name or not ref.startswith(f"{self.module_name}."):
            return True
        head = ref[len(self.module_name) + 1:].split(".")[0].split("(")[0]
        values = self.module.bindings.get(head, [])
        if len(values) == 1 and isinstance(values[0], ast.Call):  # an instance: of a class of the project?
            qualname = self.qualname(values[0].func)
            return self.local_class(values[0].func) is not None or bool(qualname and self.is_project_code(qualname))
        return any(isinstance(value, (*FUNCTION_NODES, ast.ClassDef)) for value in values)

    def resolve(self, expr: ast.expr | str, scope: Scope | None = None) -> Resolved | None:
        """What an expression (seen in ``scope``) or a project reference names, resolved through the project;
        None without a project or when it cannot be told."""
        if self.linked is None:
            return None
        ref = expr if isinstance(expr, str) else self.ref_of(expr, scope)
        return self.linked.resolve(ref) if ref else None

    def blocking_chain(self, expr: ast.expr, scope: Scope, call: ast.Call | None = None) -> list | None:
        """The project calls from running ``expr`` down to a blocking Customer.io call (``project.Step``s); with the
        ``call`` that runs it, also a Track call on a client it passes (``push_receipt(cio, ride)``)."""
        ref = self.callee_ref(expr, scope)
        chain = self.linked.blocking_chain(ref) if ref else None
        if chain is None and ref and call is not None:
            chain = self.linked.given_client_chain(ref, lambda: self._client_arguments(call, scope))
        return chain

    def request_chain(self, expr: ast.expr, scope: Scope, call: ast.Call | None = None) -> list | None:
        """The project calls from running coroutine function ``expr`` down to a Track request (``project.Step``s);
        with the ``call`` that runs it, also a request on a client it passes (``notify(cio, row)``)."""
        ref = self.callee_ref(expr, scope)
        given = self._client_arguments(call, scope) if call is not None else ""
        return self.linked.request_chain(ref, given) if ref else None

    def returned_unit(self, func: ast.expr, scope: Scope) -> tuple[str, str] | None:
        """The finer-than-seconds epoch unit a project function returns, and where it is defined."""
        ref = self.ref_of(func, scope) if self.linked is not None else None
        return self.linked.returned_unit(ref) if ref else None

    def builds_per_call(self, entry: FunctionEntry) -> bool:
        """Whether running a project function builds a Customer.io client each time (see ``Project``)."""
        return self.linked is not None and self.linked.builds_per_call(entry)

    def instance_client(self, cls: ClassRef) -> str | None:
        """The kind of client each instance of a project class builds for itself (see ``Project``)."""
        return self.linked.instance_client(cls.entry) if self.linked is not None else None

    def factory_builds(self, factory: FactoryRef) -> bool:
        """Whether calling a project factory builds a new client each time (see ``Project``)."""
        return self.linked is not None and self.linked.factory_builds(factory)

    def module_of(self, qualname: str) -> str:
        """The project module a qualified name lives in (``app.services`` of ``app.services.track_signup``)."""
        split = self.linked.split(qualname) if self.linked is not None else None
        return split[0] if split else ""

    def project_summaries(self) -> Iterator[tuple[str, Summary]]:
        """Every module of the project and its summary, read as asked (CIO303: does anyone give people an email)."""
        for name in self.linked.modules() if self.linked is not None else ():
            yield name, self.linked.summary(name)

    def enclosing_class(self, scope: Scope) -> ast.ClassDef | None:
        while scope is not None:
            if scope.kind == "function":
                fn = self.functions.get(scope.node)
                return fn.cls if fn else None
            scope = scope.parent
        return None

    # -- functions ----------------------------------------------------------------------------------------------
    def routed_elsewhere(self, fn: Function) -> bool:
        """Registered as a handler by another module of the project (Django's ``urls.py``)."""
        return bool(self.project and self.module_name) and \
            f"{self.module_name}.{fn.name}" in self.project.routed_functions()

    def built_per_injection(self, expr: ast.expr, scope: Scope) -> bool:
        """Whether a container look-up (``Container.transactional`` of ``Provide[...]``) gives a new client each
        time: its provider is a ``providers.Factory`` of one."""
        ref = self.ref_of(expr, scope) if self.linked is not None else None
        return bool(ref) and self.linked.built_per_injection(ref)

    def enqueued_elsewhere(self, fn: Function) -> bool:
        """Whether another module of the project hands this module-level function to an RQ queue."""
        return self.linked is not None and bool(self.module_name) and \
            f"{self.module_name}.{fn.name}" in self.linked.enqueued_jobs()

    def local_function(self, func: ast.expr, site: Site) -> Function | None:
        """The module function or same-class method that ``func``, seen at ``site``, names (``helper``,
        ``self.helper``): what calling it runs."""
        if isinstance(func, ast.Name):
            found = self.lookup(func.id, site.scope)
            if found and len(found.values) == 1 and isinstance(found.values[0], FUNCTION_NODES):
                return self.functions.get(found.values[0])
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            cls = site.function.cls if func.value.id == "self" and site.function is not None else \
                self.instance_class(func.value, site.scope)
            for node in cls.body if cls is not None else ():
                if isinstance(node, FUNCTION_NODES) and node.name == func.attr:
                    return self.functions.get(node)
        return None

    def instance_class(self, name: ast.Name, scope: Scope) -> ast.ClassDef | None:
        """The module's class a name holds an instance of (``service = OrderService()``, bound once, or a parameter
        annotated with the class, ``deps: Deps``)."""
        value = self.value_of(name, scope)
        if isinstance(value, ast.Call):
            return self.local_class(value.func)
        found = self.lookup(name.id, scope) if isinstance(value, ast.Name) else None
        param = found.scope.params.get(name.id) if found else None
        return self.local_class(annotated_type(param.annotation)) if param is not None and param.annotation else None

    def callees(self, func: ast.expr, site: Site) -> list[ast.expr]:
        """What a called expression can run, as expressions the rules follow like any callee: the functions of a
        dispatch table (``HANDLERS[kind](order)``, a dict literal bound once; an entry bound to a name first,
        ``handler = HANDLERS[kind]``; another module's, as that entry; not a class attribute, ``self.HANDLERS``,
        which a subclass, a property or a classmethod may replace), the methods a ``getattr`` with a
        literal or a name family picks (``getattr(service, f"order_{status}")`` -> every ``order_*`` method of its
        class), the function a ``partial`` runs (``send = partial(notifier.welcome, uid)``), else the expression
        itself."""
        called = func
        if isinstance(func, ast.Name) and func.id not in self.aliases:  # handler = getattr(self, f"on_{kind}")
            bound = self.value_of(func, site.scope)
            picked = isinstance(bound, ast.Subscript) or isinstance(bound, ast.Call) and (
                dotted(bound.func) == "getattr" or entry_lookup(bound) or _partial(bound))  # or HANDLERS[kind]
            func = bound if picked else func
        if isinstance(func, ast.Call) and _partial(func):
            return [func.args[0]]
        func = entry_lookup(func) or func  # HANDLERS.get(kind): an entry, as HANDLERS[kind]
        if isinstance(func, ast.Subscript) and isinstance(func.value, ast.Name):
            table = self.value_of(func.value, site.scope)
            if isinstance(table, ast.Dict) and not table.keys and func.value.id in self.registering.values():
                return self.registered(func.value.id, literal_key(func.slice))  # filled by a decorator
            if isinstance(table, ast.Dict):  # under a known key, its entry; under any other, every entry
                return [value for value in self.entries_under(table, func.slice, site.scope)
                        if isinstance(value, (ast.Name, ast.Attribute))]
        if isinstance(func, ast.Call) and dotted(func.func) == "getattr" and len(func.args) >= 2:
            owner, name = func.args[0], func.args[1]
            prefix = str_value(name) if str_value(name) is not None else _literal_prefix(name)
            if prefix:
                return [ast.copy_location(ast.Attribute(value=owner, attr=method, ctx=ast.Load()), func)
                        for method in self.method_names(owner, site) if method.startswith(prefix) and
                        (str_value(name) is None or method == prefix)]
        return [func if isinstance(func, ast.Subscript) else called]  # an entry of another module's table

    def table_key(self, expr: ast.expr | None, scope: Scope) -> str | None:
        """A table's key as ``literal_key`` writes it: a literal, a constant standing for one (``VIEWED =
        "viewed"``), or a class's member as itself (``Kind.VIEWED`` of an Enum), in a table's keys and in a look-up
        alike; None for a key only the run time knows."""
        key = literal_key(expr)
        if key is None and isinstance(expr, (ast.Name, ast.Attribute)):
            text = self.text_of(expr, scope)
            key = literal_key(ast.Constant(text)) if text is not None else None
        if key is None and isinstance(expr, ast.Attribute):  # an Enum member (Kind.VIEWED) keys as itself
            owner = self.local_class(expr.value)
            cls = f"{self.module_name}.{owner.name}" if owner is not None and self.module_name else None
            found = self.resolve(expr.value, scope) if cls is None else None
            cls = found.qualname if isinstance(found, ClassRef) else cls
            key = literal_key(ast.Constant(f"{cls}.{expr.attr}")) if cls else None
        return key

    def entries_under(self, table: ast.Dict, key: ast.expr, scope: Scope) -> list[ast.expr]:
        """A dict literal's values under a look-up's key (``table_key``); every value when the run time decides it."""
        wanted = self.table_key(key, scope)
        return [value for name, value in zip(table.keys, table.values)
                if wanted is None or self.table_key(name, scope) == wanted]

    def picks_entry(self, expr: ast.expr, scope: Scope) -> bool:
        """Whether an expression is an entry a key picks from a table: ``STAGES[kind]``, ``STAGES.get(kind)``, or a
        name bound once to one (``stage = STAGES[kind]``)."""
        expr = self.value_of(expr, scope) if isinstance(expr, ast.Name) else expr
        return isinstance(expr, ast.Subscript) or entry_lookup(expr) is not None

    @cached_property
    def registering(self) -> dict[str, str]:
        """This module's decorators that store what they decorate in one of its module-level dicts (``def
        register(kind): def add(fn): HANDLERS[kind] = fn; return fn; return add``): name -> that dict's name."""
        found = {}
        for fn in self.functions.values():
            if fn.parent is not None or fn.cls is not None:
                continue
            params = {a.arg for node in ast.walk(fn.node) if isinstance(node, FUNCTION_NODES) for a in node.args.args}
            for node in ast.walk(fn.node):
                target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and \
                        isinstance(node.value, ast.Name) and node.value.id in params and \
                        self._module_dict(target.value.id):
                    found[fn.name] = target.value.id
        return found

    def _module_dict(self, name: str) -> bool:
        values = self.module.bindings.get(name, [])
        return len(values) == 1 and (isinstance(values[0], ast.Dict) or
                                     isinstance(values[0], ast.Call) and dotted(values[0].func) == "dict")

    @cached_property
    def decorated(self) -> dict[str, list[Function]]:
        """The module's functions by each decorator they carry: an imported one by its qualified name
        (``app.registry.register``), one of this module's by its name."""
        found: dict[str, list[Function]] = {}
        for fn in self.functions.values():
            for decorator in fn.node.decorator_list if fn.parent is None and fn.cls is None else ():
                name = self.decorator_name(decorator)
                if name:
                    found.setdefault(name, []).append(fn)
        return found

    def decorator_name(self, decorator: ast.expr) -> str | None:
        """An imported decorator by its qualified name, one of this module's by its name (``@handles("paid")``)."""
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        return self.qualname(target) or (target.id if isinstance(target, ast.Name) else None)

    def registered(self, table: str, key: str | None = None) -> list[ast.expr]:
        """The functions this module's registering decorators put in ``table``, as names to follow; under a literal
        key, those registered under it or under a key only the run time knows."""
        return [ast.copy_location(ast.Name(fn.name, ast.Load()), fn.node) for decorator, filled in
                self.registering.items() if filled == table for fn in self.decorated.get(decorator, ())
                if key is None or self.registration_key(fn, decorator) in (key, None)]

    def registration_key(self, fn: Function, decorator: str) -> str | None:
        """The key a decorator of ``fn`` registers it under, as ``literal_key`` writes it (``@handles("paid")``,
        ``@handles(kind="paid")``, ``@handles(PAID)`` of a string constant); None when the run time decides it."""
        for node in fn.node.decorator_list:
            if isinstance(node, ast.Call) and self.decorator_name(node) == decorator:
                given = node.args[0] if node.args else node.keywords[0].value if len(node.keywords) == 1 else None
                text = self.text_of(given, self.module) if given is not None else None
                return literal_key(ast.Constant(text) if text is not None else given)
        return None

    def method_names(self, owner: ast.expr, site: Site) -> list[str]:
        """The methods of the class an expression's value is an instance of (``self``, ``Svc()``, an instance
        of another project module)."""
        cls = self.enclosing_class(site.scope) if is_self(owner) else \
            self.instance_class(owner, site.scope) if isinstance(owner, ast.Name) else None
        if cls is not None:
            return [node.name for node in cls.body if isinstance(node, FUNCTION_NODES)]
        ref = self.ref_of(owner, site.scope) if self.linked is not None else None
        return self.linked.method_names(ref) if ref else []

    @cached_property
    def callers(self) -> dict[Function, list[Site]]:
        """Sites in this module that call each local function."""
        result: dict[Function, list[Site]] = {}
        for site in self.sites:
            target = self.local_function(run_reference(site.node) or site.node.func, site)
            if target is not None:
                result.setdefault(target, []).append(site)
        return result

    def sites_in(self, fn: Function) -> list[Site]:
        """Calls that run when ``fn`` runs (not those in nested functions or lambdas); for a ``singledispatch``
        function, those of the implementations registered on it too (one of them runs)."""
        own, registered = self.sites_by_function.get(fn, []), self.implementations.get(fn, ())
        return own + [site for impl in registered for site in self.sites_by_function.get(impl, [])] if registered else own

    @cached_property
    def implementations(self) -> dict[Function, list[Function]]:
        """The functions registered on each ``functools.singledispatch`` function or method of the module
        (``@notify.register``, ``@notify.register(Paid)`` in the same scope; ``notify.register(Paid, on_paid)`` at
        module level), async as it is or not."""
        dispatchers = {(fn.parent, fn.cls, fn.name): fn for fn in self.functions.values()
                       if any(self.qualname(d) in SINGLE_DISPATCH for d in fn.node.decorator_list)}
        pairs = [(dispatchers.get((fn.parent, fn.cls, _registered_on(decorator))), fn)
                 for fn in self.functions.values() for decorator in fn.node.decorator_list]
        pairs += [(dispatchers.get((None, None, _registered_on(site.node.func))), self.local_function(site.node.args[-1], site))
                  for site in self.sites_by_function.get(None, []) if site.node.args]
        found: dict[Function, list[Function]] = {}
        for dispatcher, fn in pairs:
            if dispatcher is not None and fn is not None and fn is not dispatcher and dispatcher.is_async == fn.is_async:
                found.setdefault(dispatcher, []).append(fn)  # (an async one a sync call only creates)
        return found

    @cached_property
    def sites_by_function(self) -> dict[Function | None, list[Site]]:
        result: dict[Function | None, list[Site]] = {}
        for site in self.sites:
            if not site.deferred:
                result.setdefault(site.function, []).append(site)
        return result


def _own_class(expr: ast.expr) -> bool:
    """``self``, ``cls``, ``super()``: what they are is known (the enclosing class and its bases), so a method
    they lack is inherited from elsewhere, never some other project class's."""
    return is_self(expr) or isinstance(expr, ast.Call) and dotted(expr.func) == "super"


def _partial(call: ast.Call) -> bool:
    """``functools.partial(f, ...)``: calling it runs ``f``."""
    return last_name(call.func) == "partial" and bool(call.args) and not isinstance(call.args[0], ast.Starred)


def _registered_on(expr: ast.expr) -> str | None:
    """The name ``@notify.register``, ``@notify.register(Paid)`` or ``notify.register`` registers on."""
    target = expr.func if isinstance(expr, ast.Call) else expr
    registers = isinstance(target, ast.Attribute) and target.attr == "register" and isinstance(target.value, ast.Name)
    return target.value.id if registers else None


def _literal_prefix(expr: ast.expr) -> str | None:
    """``f"order_{status}"`` -> ``order_``: the literal text an f-string starts with."""
    if isinstance(expr, ast.JoinedStr) and expr.values:
        return str_value(expr.values[0])
    return None


def _within(node: ast.AST, outer: ast.AST) -> bool:
    start, end = (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)
    return (outer.lineno, outer.col_offset) <= start and end <= (outer.end_lineno, outer.end_col_offset)


def _short(expr: ast.expr) -> str:
    text = ast.unparse(expr)
    return text if len(text) <= 40 else text[:37] + "..."


#: Django queryset methods that give rows (``filter``...) and one row (``get``...), on ``Model.objects``.
ROWS = {"all", "filter", "exclude", "order_by", "select_related", "prefetch_related", "only", "defer", "distinct",
        "iterator", "using", "annotate"}
ONE_ROW = {"get", "first", "last", "latest", "earliest", "create"}


def _queryset_model(expr: ast.expr) -> ast.expr | None:
    """``Lead`` of ``Lead.objects.filter(...).order_by(...)``, of ``Lead.objects.all()`` and of ``Lead.objects``."""
    while isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in ROWS:
        expr = expr.func.value
    return expr.value if isinstance(expr, ast.Attribute) and expr.attr == "objects" else None
