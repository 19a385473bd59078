"""Scopes and bindings: one walk over a module records what each name is bound to, and every call with the
context it runs in (innermost function, enclosing loops and ``if`` guards, deferral in a lambda, ``await``).

Knows nothing about Customer.io: ``semantic.Model`` asks its questions of what this walk collected.
"""
from __future__ import annotations

import ast
import itertools
import re
from typing import Iterator

from .frozen import field, frozen, mutable, replace

FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)


@mutable
class Scope:
    """A namespace (module, function, class, lambda, comprehension): its bindings and parameters, for name look-ups."""

    node: ast.AST
    parent: "Scope | None"
    kind: str  # module, function, class, lambda, comprehension
    bindings: dict[str, list[ast.AST | None]] = field(default_factory=dict)
    params: dict[str, ast.arg] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)

    loop_sources: dict[str, ast.expr] = field(default_factory=dict)  # `for x in <iterable>`: x's iterable

    def bind(self, name: str, value: ast.AST | None) -> None:
        self.bindings.setdefault(name, []).append(value)


@mutable
class Function:
    """A function or method as the rules see it: its scope, class, enclosing function, ``return`` statements and
    ``yield`` expressions."""

    node: ast.FunctionDef | ast.AsyncFunctionDef
    scope: Scope
    cls: ast.ClassDef | None
    parent: "Function | None"
    returns: list[ast.Return] = field(default_factory=list)  # its own ``return`` statements, not nested ones
    yields: list[ast.Yield] = field(default_factory=list)  # its own ``yield`` expressions

    @property
    def hands_out(self) -> list[ast.Return | ast.Yield]:
        """What a call gives: its returns, or for a ``@contextmanager`` what ``with ... as`` binds, its yields."""
        managed = any(last_name(d) in ("contextmanager", "asynccontextmanager") for d in self.node.decorator_list)
        return self.yields if managed else self.returns

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def is_async(self) -> bool:
        return isinstance(self.node, ast.AsyncFunctionDef)


@mutable
class Site:
    """A call and where it stands: its scope, innermost function, enclosing loops and guards."""

    node: ast.Call
    scope: Scope
    function: Function | None
    loops: tuple[ast.AST, ...]
    guards: tuple[ast.expr, ...]  # tests of enclosing `if` statements in the same function
    deferred: bool  # inside a lambda: runs later, elsewhere
    awaited: bool


@frozen
class Context:
    """Where the walk is: what a call found here records as its site."""

    scope: Scope
    function: Function | None = None
    cls: ast.ClassDef | None = None
    loops: tuple[ast.AST, ...] = ()
    guards: tuple[ast.expr, ...] = ()
    deferred: bool = False
    awaited: bool = False


def dotted(expr: ast.AST) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if isinstance(expr, ast.Name):
        parts.append(expr.id)
        return ".".join(reversed(parts))
    return None


def class_bases(cls: ast.ClassDef) -> list[ast.expr]:
    """A class's bases as names: ``Repo[dict]`` is ``Repo`` (a generic base written with its type argument)."""
    return [base.value if isinstance(base, ast.Subscript) else base for base in cls.bases]


def last_name(expr: ast.AST) -> str | None:
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    return None


#: What an ``await`` reaches through to a call it awaits: ``asyncio.gather``'s starred and comprehension arguments.
AWAITED_THROUGH = (ast.Call, ast.Starred, ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.List, ast.Tuple)


def str_value(expr: ast.AST | None) -> str | None:
    """The text of a string literal; an f-string without placeholders (``f"signed_up"``) is one too."""
    if isinstance(expr, ast.JoinedStr) and all(isinstance(part, ast.Constant) for part in expr.values):
        return "".join(part.value for part in expr.values)
    return expr.value if isinstance(expr, ast.Constant) and isinstance(expr.value, str) else None


def literal_key(expr: ast.AST | None) -> str | None:
    """A table's key written as a literal, as references write it (``HANDLERS[paid]``): text that is a Python name
    as it is, other text and integers encoded (``"order.paid"``, ``2``) so that no key holds a dot or a bracket;
    None for a key only the run time knows."""
    text = str_value(expr)
    value = text if text is not None else \
        expr.value if isinstance(expr, ast.Constant) and type(expr.value) is int else None
    if value is None:
        return None
    return value if isinstance(value, str) and value.isidentifier() else \
        "_" + repr(value).encode("utf-8", "surrogatepass").hex()


def entry_lookup(expr: ast.expr) -> ast.Subscript | None:
    """``TABLE.get(key)`` on a name as the look-up of one entry it is, ``TABLE[key]``; None for anything else."""
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "get" and \
            isinstance(expr.func.value, ast.Name) and expr.args:
        return ast.copy_location(ast.Subscript(expr.func.value, expr.args[0], ast.Load()), expr)
    return None


def dict_entries(table: ast.Dict, key: str | None) -> list[ast.expr]:
    """A dict literal's values under a key as ``literal_key`` writes it; every value when the run time decides it."""
    return [value for name, value in zip(table.keys, table.values) if key is None or literal_key(name) == key]


ENV_LOOKUPS = ("os.environ.get", "os.getenv", "environ.get", "getenv")  # a call that reads the environment


def env_default(expr: ast.expr) -> ast.expr | None:
    """The default of ``os.environ.get(name, default)`` / ``os.getenv(name, default)``: used whenever the variable
    is unset, so a real key there is in the source all the same."""
    if isinstance(expr, ast.Call) and dotted(expr.func) in ENV_LOOKUPS and len(expr.args) == 2:
        return expr.args[1]
    return None


def name_words(name: str) -> list[str]:
    """Lower-case words of an identifier or setting name, in order: ``CIO_AppKey`` -> [cio, app, key]."""
    return [t.lower() for t in re.split(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])", name) if t]


def name_tokens(name: str) -> set[str]:
    """The set of ``name_words``."""
    return set(name_words(name))


def own_nodes(function: ast.AST, kind: type | tuple[type, ...]) -> Iterator[ast.AST]:
    """Nodes of a kind inside a function body, not inside nested functions, classes or lambdas."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, kind):
            yield node
        if not isinstance(node, (*FUNCTION_NODES, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


class Bindings:
    """What one walk of a module collects."""

    def __init__(self, tree: ast.AST):
        self.module = Scope(tree, None, "module")
        self.imports: dict[str, tuple[str, int]] = {}  # local name -> (imported dotted name, relative level)
        self.module_imports: set[str] = set()  # local names `import x` binds: modules, never client objects
        self.functions: dict[ast.AST, Function] = {}
        self.sites: list[Site] = []
        self.attribute_stores: list[tuple[ast.Attribute, ast.expr, Scope]] = []  # x.y = value
        self.self_attrs: dict[tuple[ast.ClassDef, str], list[ast.expr]] = {}
        self.with_items: set[ast.expr] = set()  # `with X(...) as x:` context expressions
        self.class_scopes: dict[ast.ClassDef, Scope] = {}  # what each class body binds (class attributes)
        _Walker(self).visit_children(tree, Context(self.module))


class _Walker:
    """One pass over the module: bindings per scope, imports, functions and every call with its context."""

    def __init__(self, found: Bindings):
        self.found = found

    def visit_children(self, node: ast.AST, ctx: Context) -> None:
        for child in ast.iter_child_nodes(node):
            self.visit(child, ctx)

    def visit_all(self, nodes, ctx: Context) -> None:
        for node in nodes:
            self.visit(node, ctx)

    def visit(self, node: ast.AST, ctx: Context) -> None:
        if ctx.awaited and not isinstance(node, AWAITED_THROUGH):
            ctx = replace(ctx, awaited=False)
        handler = getattr(self, "visit_" + type(node).__name__, None)
        if handler is not None and handler(node, ctx):
            return
        if isinstance(node, ast.Call):
            self.found.sites.append(Site(node, ctx.scope, ctx.function, ctx.loops, ctx.guards, ctx.deferred,
                                         ctx.awaited))
            ctx = replace(ctx, awaited=False) if ctx.awaited and last_name(node.func) != "gather" else ctx
        self.visit_children(node, ctx)  # `await asyncio.gather(a(), *(b(x) for x in xs))` awaits a() and each b()

    # Each visit_X returns True when it has visited the node's children itself.
    def visit_FunctionDef(self, node, ctx: Context) -> bool:
        self.visit_all(node.decorator_list, ctx)
        self.visit_defaults(node.args, ctx)
        ctx.scope.bind(node.name, node)
        inner = Scope(node, ctx.scope, "function")
        fn = Function(node, inner, ctx.cls, ctx.function)
        self.found.functions[node] = fn
        self.bind_params(node.args, inner)
        self.visit_all(node.body, Context(inner, fn))
        return True

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node, ctx: Context) -> bool:
        self.visit_defaults(node.args, ctx)
        inner = Scope(node, ctx.scope, "lambda")
        self.bind_params(node.args, inner)
        self.visit(node.body, replace(ctx, scope=inner, cls=None, deferred=True))
        return True

    def visit_ClassDef(self, node, ctx: Context) -> bool:
        self.visit_all((*node.decorator_list, *node.bases, *node.keywords), ctx)
        ctx.scope.bind(node.name, node)
        body = self.found.class_scopes[node] = Scope(node, ctx.scope, "class")
        self.visit_all(node.body, replace(ctx, scope=body, cls=node))
        return True

    def visit_comprehension_node(self, node, ctx: Context) -> bool:
        awaited, ctx = ctx.awaited, replace(ctx, awaited=False)  # only its elements can be gathered and awaited
        inner = replace(ctx, scope=Scope(node, ctx.scope, "comprehension"), loops=ctx.loops + (node,))
        for index, generator in enumerate(node.generators):
            # the first iterable is evaluated in the enclosing scope, once
            self.visit(generator.iter, ctx if index == 0 else inner)
            self.bind_target(generator.target, inner.scope, None, ctx)
            if isinstance(generator.target, ast.Name):
                inner.scope.loop_sources[generator.target.id] = generator.iter
            self.visit_all(generator.ifs, inner)
        self.visit_all((node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,),
                       replace(inner, awaited=awaited))
        return True

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_comprehension_node

    def visit_Import(self, node, ctx: Context) -> bool:
        for alias in node.names:
            if alias.name == "*":
                continue
            if isinstance(node, ast.Import):
                local = alias.asname or alias.name.split(".")[0]
                self.found.imports[local] = (alias.name if alias.asname else local, 0)
                self.found.module_imports.add(local)
            else:
                local = alias.asname or alias.name
                self.found.imports[local] = (f"{node.module}.{alias.name}" if node.module else alias.name, node.level)
            ctx.scope.bind(local, None)
        return True

    visit_ImportFrom = visit_Import

    def visit_Global(self, node, ctx: Context) -> bool:
        ctx.scope.global_names.update(node.names)
        return True

    def visit_Assign(self, node, ctx: Context) -> bool:
        for target in node.targets:
            self.bind_target(target, ctx.scope, node.value if len(node.targets) == 1 else None, ctx)
        return False

    def visit_AnnAssign(self, node, ctx: Context) -> bool:
        self.bind_target(node.target, ctx.scope, node.value, ctx)
        return False

    def visit_AugAssign(self, node, ctx: Context) -> bool:
        self.bind_target(node.target, ctx.scope, None, ctx)
        return False

    def visit_NamedExpr(self, node, ctx: Context) -> bool:
        scope = ctx.scope
        while scope.kind == "comprehension":
            scope = scope.parent
        scope.bind(node.target.id, node.value)
        return False

    def visit_For(self, node, ctx: Context) -> bool:
        self.visit(node.iter, ctx)
        self.bind_target(node.target, ctx.scope, None, ctx)
        if isinstance(node.target, ast.Name):
            ctx.scope.loop_sources[node.target.id] = node.iter
        self.visit_all(node.body, replace(ctx, loops=ctx.loops + (node,)))
        self.visit_all(node.orelse, ctx)
        return True

    visit_AsyncFor = visit_For

    def visit_While(self, node, ctx: Context) -> bool:
        self.visit(node.test, ctx)
        self.visit_all(node.body, replace(ctx, loops=ctx.loops + (node,)))
        self.visit_all(node.orelse, ctx)
        return True

    def visit_If(self, node, ctx: Context) -> bool:
        self.visit(node.test, ctx)
        self.visit_all(node.body, replace(ctx, guards=ctx.guards + (node.test,)))
        self.visit_all(node.orelse, ctx)
        return True

    def visit_With(self, node, ctx: Context) -> bool:
        for item in node.items:
            self.found.with_items.add(item.context_expr)
            if item.optional_vars is not None:
                self.bind_target(item.optional_vars, ctx.scope, item.context_expr, ctx)
        return False

    visit_AsyncWith = visit_With

    def visit_ExceptHandler(self, node, ctx: Context) -> bool:
        if node.name:
            ctx.scope.bind(node.name, None)
        return False

    def visit_MatchAs(self, node, ctx: Context) -> bool:
        if node.name:
            ctx.scope.bind(node.name, None)
        return False

    visit_MatchStar = visit_MatchAs

    def visit_MatchMapping(self, node, ctx: Context) -> bool:
        if node.rest:
            ctx.scope.bind(node.rest, None)
        return False

    def visit_Return(self, node, ctx: Context) -> bool:
        if ctx.function is not None and ctx.scope.kind != "class":
            ctx.function.returns.append(node)
        return False

    def visit_Yield(self, node, ctx: Context) -> bool:
        if ctx.function is not None and ctx.scope.kind != "class":
            ctx.function.yields.append(node)
        return False

    def visit_Await(self, node, ctx: Context) -> bool:
        self.visit(node.value, replace(ctx, awaited=True))
        return True

    def visit_defaults(self, args: ast.arguments, ctx: Context) -> None:
        self.visit_all((*args.defaults, *(d for d in args.kw_defaults if d is not None)), ctx)

    @staticmethod
    def bind_params(args: ast.arguments, scope: Scope) -> None:
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                scope.params[arg.arg] = arg

    def bind_target(self, target, scope: Scope, value, ctx: Context) -> None:
        if isinstance(target, ast.Name):
            # `global cio` in `init()`: the assignment binds the module's name
            (self.found.module if target.id in scope.global_names else scope).bind(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):  # `tracker, backup = primary, secondary`: element-wise
            parts = value.elts if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts) \
                and not any(isinstance(node, ast.Starred) for node in (*value.elts, *target.elts)) else ()
            for element, part in itertools.zip_longest(target.elts, parts):
                self.bind_target(element, scope, part, ctx)
        elif isinstance(target, ast.Starred):
            self.bind_target(target.value, scope, None, ctx)
        elif isinstance(target, ast.Attribute) and value is not None:
            self.found.attribute_stores.append((target, value, scope))
            fn = ctx.function
            if isinstance(target.value, ast.Name) and target.value.id == "self" and fn and fn.cls:
                self.found.self_attrs.setdefault((fn.cls, target.attr), []).append(value)
