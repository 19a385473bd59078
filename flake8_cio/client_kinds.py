"""Which expressions hold a Customer.io client, whatever they are called: constructors and client subclasses,
factories, annotations and type aliases, class attributes through the bases, properties, injected defaults,
dependency-injection containers and framework state, across the project's modules. A part of ``semantic.Model``
(it answers through the model's names, scopes and project), kept apart from how calls are classified."""
from __future__ import annotations

import ast
from functools import cached_property

from . import sdk
from .records import ClassRef, FactoryRef, Injected, InstanceRef, TypeRef
from .scopes import FUNCTION_NODES, Scope, class_bases, dotted, entry_lookup, last_name, name_tokens, str_value

NOT_A_CLIENT = "!"


#: The SDK's client classes by name, for a vendored copy's module that defines them (the 0.x/2.x ``__init__``).
SDK_CLASS_KINDS = {name.rpartition(".")[2]: kind for name, kind in sdk.CONSTRUCTORS.items()
                   if name.startswith("customerio.") and not name.startswith(sdk.ANALYTICS_MODULE)}


#: What frameworks keep clients in by name: Flask's ``app.extensions["cio"]``, aiohttp's ``request.app["cio"]`` and
#: ``request.config_dict["cio"]``, a job's ``ctx["cio"]``.
LOOKUP_HOLDERS = ("extensions", "app", "config_dict", "ctx")  # ctx: arq's and Celery's job context dict


def sync_mode(construction: ast.Call) -> bool:
    """A Data Pipelines client built with ``sync_mode`` on: each call sends before it returns."""
    return any(k.arg == "sync_mode" and not is_false(k.value) for k in construction.keywords)


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


def injected_lookup(function: ast.AST, name: str) -> ast.expr | None:
    """What a parameter's default asks a container for: ``Container.notifier`` of ``Provide[Container.notifier]``
    (dependency_injector), also inside FastAPI's ``Depends(...)``."""
    default = parameter_default(function, name)
    if isinstance(default, ast.Call) and last_name(default.func) in ("Depends", "Security") and default.args:
        default = default.args[0]
    if isinstance(default, ast.Subscript) and last_name(default.value) in ("Provide", "Provider"):
        return default.slice
    return None


def is_property(node: ast.AST) -> bool:
    return any(dotted(d) in ("property", "functools.cached_property", "cached_property")
               for d in node.decorator_list)


def is_class_level(node: ast.AST) -> bool:
    """A ``@classmethod`` or ``@staticmethod``: called on the class itself, as a factory is (``ClientHolder.get()``)."""
    return any(dotted(d) in ("classmethod", "staticmethod") for d in node.decorator_list)


def is_enum(cls: ast.ClassDef) -> bool:
    """An Enum, or Django's ``TextChoices``/``IntegerChoices``."""
    return any((dotted(base) or "").endswith(("Enum", "Choices")) for base in class_bases(cls))


def is_opaque_enum(cls: ast.ClassDef) -> bool:
    """An Enum whose members are members, not the strings written in its body; a ``str`` mix-in's, a
    ``StrEnum``'s or Django ``TextChoices``' members are strings (JSON sends their value), so they read as the
    constants they hold."""
    names = [dotted(base) or "" for base in class_bases(cls)]
    return is_enum(cls) and not any(name == "str" or name.endswith(("StrEnum", "TextChoices")) for name in names)


def member_text(cls: ast.ClassDef, value: ast.expr) -> ast.expr:
    """What a class body binds a name to, as the string its member is: Django choices write ``"booked",
    "Booked"`` (the value, then the label)."""
    if is_enum(cls) and isinstance(value, ast.Tuple) and value.elts:
        return value.elts[0]
    return value


def is_self(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Name) and expr.id in ("self", "cls")


def is_none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def is_false(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and not expr.value


def annotated_type(annotation: ast.expr) -> ast.expr:
    """``Optional[X]``, ``X | None``, ``Annotated[X, ...]`` -> ``X``."""
    if isinstance(annotation, ast.Subscript):
        inner = annotation.slice
        return annotated_type(inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner)
    if isinstance(annotation, ast.BinOp):
        return annotated_type(annotation.left)
    return annotation




class ClientKinds:
    """The client questions of ``semantic.Model``."""

    def _looks_like_client(self, name: str | None) -> bool:
        return name is not None and name.lower() in self.options.client_name_set

    def client_kind(self, expr: ast.expr, scope: Scope, depth: int = 4) -> str | None:
        """sdk.TRACK/APP/ANALYTICS/RUNTIME for an expression holding a Customer.io client, "?" for a client
        known only by its name (the method called decides), None for anything else."""
        if depth <= 0:
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
        entry = entry_lookup(expr)  # CLIENTS.get(region): as CLIENTS[region]
        picked = self._table_kind(entry, scope, depth) if entry is not None else None
        if picked:
            return picked
        if isinstance(expr, ast.Call):
            kind = self.value_kind(expr, scope, depth)
            return None if kind == NOT_A_CLIENT else kind
        if isinstance(expr, ast.Name):
            found = self.lookup(expr.id, scope)
            if expr.id == "self" and found and found.scope.params.get("self"):
                cls = self.enclosing_class(scope)  # a method of a client subclass: `self.track(...)`
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
                if param is not None and not values:
                    kind = self.passed_kind(bound_scope.node, expr.id, depth - 1)
                    if kind:
                        return kind
                kinds = {self.value_kind(v, bound_scope, depth) for v in values if isinstance(v, ast.expr)}
                known = kinds - {None, "?", NOT_A_CLIENT}
                if known:
                    return known.pop()
                if "?" in kinds:
                    return "?"  # bound to something that says Customer.io (`get_customerio_client()`)
                if kinds == {NOT_A_CLIENT} and None not in values:
                    return None  # bound only to things that are not clients
            if expr.id in self.aliases and (self.is_project_code(self.aliases[expr.id]) or
                                            expr.id in self.module_imports):
                return None  # the project's own module or function, or a module (`import cio`), whatever its name
            if self._looks_like_client(expr.id) and isinstance(self.resolve(expr, scope), InstanceRef):
                return None  # `for cio in CIO.objects.filter(...)`: a row of the project's model
            return "?" if self._looks_like_client(expr.id) else None
        if isinstance(expr, ast.Attribute):
            owner = self.enclosing_class(scope) if is_self(expr.value) else self.local_class(expr.value) or \
                (self.instance_class(expr.value, scope) if isinstance(expr.value, ast.Name) else None) or \
                (self.local_class(expr.value.func) if isinstance(expr.value, ast.Call) else None)  # Gateway().sdk
            kind = self.attribute_kind(owner, expr.attr, scope, depth) if owner is not None else \
                self._state_kind(expr, depth)
            if kind:
                return kind
            if owner is not None and self._holds_no_client(owner, expr.attr, scope, depth):
                return None  # self.customerio = AsyncCustomerIO(...): another library's client
            ref = self.ref_of(expr, scope) if owner is None and self.linked is not None else None
            kind = self.linked.client_kind(ref) if ref else None  # another module's Gateway().sdk, holder.client
            if kind:
                return kind
            return "?" if self._looks_like_client(expr.attr) else None
        if isinstance(expr, ast.Subscript):
            return self._looked_up_kind(expr, scope, depth)
        return None

    def passed_kind(self, node: ast.AST, param: str, depth: int) -> str | None:
        """The client every call of a module function in this module passes for an untyped parameter
        (``notify(cio, row)`` for ``async def notify(client, row)``): one kind, and none of its calls passes
        anything else."""
        key = ("passed", node, param)
        if key in self.memo or depth <= 0:
            return self.memo.get(key)
        self.memo[key] = None  # recursion guard
        fn = self.functions.get(node)
        names = [a.arg for a in (*node.args.posonlyargs, *node.args.args)] if fn and fn.cls is None else []
        kinds = set()
        for site in self._calls_of.get(fn, ()) if param in names else ():
            given = [k.value for k in site.node.keywords if k.arg == param] or \
                site.node.args[names.index(param):names.index(param) + 1]
            unpacked = any(isinstance(a, ast.Starred) for a in site.node.args) or \
                any(k.arg is None for k in site.node.keywords)
            kinds.add(None if unpacked or not given else self.client_kind(given[0], site.scope, depth - 1))
        self.memo[key] = kinds.pop() if len(kinds) == 1 and kinds <= set(sdk.KINDS) else None
        return self.memo[key]

    @cached_property
    def _calls_of(self) -> dict:
        """The module's calls of each of its functions by name (``helper(...)``). Not ``Model.callers``: that one
        resolves ``self.helper`` through the instance's class, which asks for client kinds, so reading it from
        here would re-enter its own making."""
        found: dict = {}
        for site in self.sites:
            if isinstance(site.node.func, ast.Name):
                fn = self.local_function(site.node.func, site)
                if fn is not None:
                    found.setdefault(fn, []).append(site)
        return found

    def _holds_no_client(self, cls: ast.ClassDef, attr: str, scope: Scope, depth: int) -> bool:
        """Set on ``self`` only to values that are surely no Customer.io client (another library's class)."""
        values = self.self_attrs.get((cls, attr), []) if depth > 1 else []
        return bool(values) and all(self.value_kind(value, scope, depth - 1) == NOT_A_CLIENT for value in values)

    def _looked_up_kind(self, expr: ast.Subscript, scope: Scope, depth: int) -> str | None:
        """A client looked up by key: dependency_injector's ``Provide[Container.cio]``, lagom's ``deps[CustomerIO]``,
        a framework's by the key's name (``LOOKUP_HOLDERS``)."""
        if (self.qualname(expr.value) or "").startswith("dependency_injector."):
            return self.client_kind(expr.slice, scope, depth - 1)
        kind = self.class_expr_kind(expr.slice) if isinstance(expr.slice, (ast.Name, ast.Attribute)) else None
        if kind:
            return kind
        kind = self._table_kind(expr, scope, depth)
        if kind:
            return kind
        key = str_value(expr.slice)
        return "?" if last_name(expr.value) in LOOKUP_HOLDERS and key and self._looks_like_client(key) else None

    def _table_kind(self, expr: ast.Subscript, scope: Scope, depth: int) -> str | None:
        """A client a key picks from a dict literal of clients of one kind, bound once, this module's or another's
        (``CLIENTS = {"us": CustomerIO(...), "eu": CustomerIO(...)}``, one per workspace: ``CLIENTS[region]``)."""
        if isinstance(expr.value, ast.Name) and expr.value.id in self.aliases:  # another module's table
            ref = self.ref_of(expr, scope) if self.linked is not None else None
            return self.linked.table_client_kind(ref) if ref else None
        found = self.lookup(expr.value.id, scope) if isinstance(expr.value, ast.Name) else None
        table = found.values[0] if found and len(found.values) == 1 and not found.scope.params.get(expr.value.id) \
            else None
        if not isinstance(table, ast.Dict) or None in table.keys:  # {**other}: entries not known
            return None
        entries = self.entries_under(table, expr.slice, scope)
        kinds = {self.value_kind(value, found.scope, depth - 1) for value in entries}
        return kinds.pop() if len(kinds) == 1 and kinds <= set(sdk.KINDS) else None

    def value_kind(self, value: ast.AST, scope: Scope, depth: int = 4) -> str | None:
        """Kind of client a bound value evaluates to; NOT_A_CLIENT when it surely is none (a literal, another
        library's class), None when unknown."""
        if isinstance(value, (ast.Name, ast.Attribute, ast.Subscript)):
            return self.client_kind(value, scope, depth - 1)
        if isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, (ast.BoolOp, ast.IfExp)):  # `client or tracking()`, `eu if region else us`
            choices = value.values if isinstance(value, ast.BoolOp) else (value.body, value.orelse)
            known = {self.value_kind(choice, scope, depth - 1) for choice in choices} - {None, NOT_A_CLIENT}
            concrete = known - {"?"}  # a client known only by its name may be the known one
            return concrete.pop() if len(concrete) == 1 else "?" if known == {"?"} else None
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
        """Kind of client a module-level function or a class's method returns (``get_cio()``,
        ``ClientHolder.get()``), here or in another project module: what its return annotation declares, else what
        it returns ("?" for a client known only by its name)."""
        qualname = self.qualname(func) if self.linked is not None else None
        if qualname:
            found = self.linked.resolve(qualname)
            return found.entry.kind if isinstance(found, FactoryRef) else None
        if isinstance(func, ast.Attribute):  # ClientHolder.get() of a class of this module
            cls = self.local_class(func.value)
            values = [node for node in cls.body if isinstance(node, FUNCTION_NODES) and node.name == func.attr
                      and is_class_level(node)] if cls is not None else []
        else:
            values = self.module.bindings.get(func.id, []) if isinstance(func, ast.Name) else []
        return self.function_kind(values[0]) if len(values) == 1 and isinstance(values[0], FUNCTION_NODES) else None

    def function_kind(self, node: ast.AST) -> str | None:
        """The client a function hands out: its return annotation's, else its returns' (see ``factory_kind``)."""
        key = ("factory", node)
        if key not in self.memo:
            self.memo[key] = None  # recursion guard
            fn = self.functions[node]
            kinds = {self.value_kind(ret.value, fn.scope, 3) for ret in fn.hands_out if ret.value is not None}
            known = kinds - {None, "?", NOT_A_CLIENT}
            declared = self.annotation_kind(node.returns) if node.returns is not None else None
            self.memo[key] = declared or (known.pop() if len(known) == 1 else None) or \
                ("?" if kinds == {"?"} else None)  # `return current_app.extensions["cio"]`: known by its name
        return self.memo[key]

    def annotation_kind(self, annotation: ast.expr) -> str | None:
        """Client kind named by an annotation: ``CustomerIO``, ``Optional[sdk.APIClient]``, ``"CustomerIO | None"``, a
        project subclass of one (``tracker: LedgerTrack``)."""
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
                kind = self.class_expr_kind(node) or sdk.RUNTIME_TYPES.get(qualname) or self._type_alias_kind(node)
                if kind:
                    return kind
        return None

    def is_project_code(self, qualname: str) -> bool:
        return self.project is not None and (
            qualname.startswith(sdk.OWN) or self.project.module_path(qualname) is not None or
            self.project.split(qualname) is not None)

    def _type_alias_kind(self, node: ast.expr) -> str | None:
        """A type alias naming a client: ``CioDep = Annotated[CustomerIO, Depends(get_cio)]``, here or imported."""
        if isinstance(node, ast.Name) and node.id not in self.aliases:
            key = ("alias", node.id)
            if key not in self.memo:  # (also a guard: SECRET_KEY = os.environ["SECRET_KEY"] names itself)
                self.memo[key] = None
                values = self.module.bindings.get(node.id, [])
                if len(values) == 1 and isinstance(values[0], ast.Subscript):
                    self.memo[key] = self.annotation_kind(values[0])
            return self.memo[key]
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
        module and in the project's other modules; in a module of a vendored SDK copy, the SDK's own class."""
        if self.in_sdk_copy and cls.name in SDK_CLASS_KINDS:
            return SDK_CLASS_KINDS[cls.name]
        for base in class_bases(cls) if depth else ():
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
        if self.linked is None or not qualname or not self.linked.may_reach_customerio(qualname):
            return None  # a class of a module that never names Customer.io subclasses nothing of it
        found = self.linked.resolve(qualname)
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
        kind = self._typed_parameter_kind(cls, values) or self._class_annotation_kind(cls, attr) or \
            self._class_body_kind(cls, attr, depth) or self._given_kind(cls, attr)
        own = values or attr in self.class_scopes[cls].bindings  # its own attribute hides the bases'
        for base in class_bases(cls) if not kind and not own and depth else ():
            local = self.local_class(base)
            qualname = None if local is not None else self.qualname(base)
            kind = self.attribute_kind(local, attr, scope, depth - 1) if local is not None else \
                self.linked.client_kind(f"{qualname}.{attr}") if self.linked is not None and qualname else None
            if kind:
                return kind
        return kind

    def injected(self, cls: ast.ClassDef) -> dict[str, Injected]:
        """Attributes set from an untyped ``__init__`` parameter (``self.client = client``): a client when the
        caller passes one, as the project's constructions tell (``Project.given_kind``)."""
        init = next((self.functions[n] for n in cls.body if isinstance(n, FUNCTION_NODES) and n.name == "__init__"),
                    None)
        if init is None:  # `class Legacy(Base)` without its own __init__ is built by its base's
            bases = [self.local_class(base) for base in class_bases(cls)]
            return self.injected(bases[0]) if len(bases) == 1 and bases[0] is not None and bases[0] is not cls else {}
        params = [a.arg for a in (*init.node.args.posonlyargs, *init.node.args.args)][1:]
        given = {}
        for (owner, attr), values in self.self_attrs.items():
            first = values[0] if owner is cls and isinstance(values[0], ast.Name) else None
            if first is not None and first.id in params and init.scope.params[first.id].annotation is None and \
                    all(self._set_from_parameter(cls, value) for value in values[1:]):
                given[attr] = Injected(first.id, params.index(first.id))
        return given

    def _set_from_parameter(self, cls: ast.ClassDef, value: ast.expr) -> bool:
        """A value a method of the class sets from its own untyped parameter (``def replace(self, client)``): a
        replacement of what the constructor was given, not another kind of value."""
        for node in cls.body:
            param = self.functions[node].scope.params.get(value.id) if isinstance(node, FUNCTION_NODES) and \
                isinstance(value, ast.Name) else None
            if param is not None and param.annotation is None:
                return True
        return False

    def _given_kind(self, cls: ast.ClassDef, attr: str) -> str | None:
        """What the project's constructions of this module-level class pass for an injected attribute."""
        if self.linked is None or not self.module_name or attr not in self.injected(cls) or \
                cls not in self.module.bindings.get(cls.name, ()):
            return None
        return self.linked.given_kind(f"{self.module_name}.{cls.name}", attr)

    def _state_kind(self, expr: ast.Attribute, depth: int) -> str | None:
        """A client kept on a framework's state object (``app.state.cio = CustomerIO(...)`` in a FastAPI lifespan,
        used as ``request.app.state.cio``): any ``<...>.state.<name>`` this module assigns a client to, else
        what the modules that assign it agree on (``Project.state_kind``)."""
        if not (isinstance(expr.value, ast.Attribute) and expr.value.attr == "state"):
            return None
        kinds = self.state_stores(depth).get(expr.attr)
        if kinds is None:
            return self.linked.state_kind(expr.attr) if self.linked is not None else None
        known = kinds - {None, "?", NOT_A_CLIENT}
        return known.pop() if len(known) == 1 else None

    def state_stores(self, depth: int = 3) -> dict[str, set]:
        """The kinds of what this module assigns to each ``<...>.state.<name>``; a ``None`` reset is no kind."""
        stores: dict[str, set] = {}
        for target, value, scope in self.attribute_stores:
            if isinstance(target.value, ast.Attribute) and target.value.attr == "state":
                kind = None if is_none(value) else self.value_kind(value, scope, depth - 1)
                stores.setdefault(target.attr, set()).add(kind)
        return stores

    def _class_body_kind(self, cls: ast.ClassDef, attr: str, depth: int) -> str | None:
        """A class attribute's client (``crm = CustomerIO(...)``), or what a ``@property`` of that name returns."""
        body = self.class_scopes.get(cls)
        values = body.bindings.get(attr, []) if body is not None else []
        if len(values) == 1 and isinstance(values[0], FUNCTION_NODES) and is_property(values[0]):
            fn = self.functions[values[0]]
            kinds = {self.value_kind(r.value, fn.scope, depth) for r in fn.returns if r.value}
            known = kinds - {None, "?", NOT_A_CLIENT}
            return known.pop() if len(known) == 1 else "?" if kinds == {"?"} else None  # extensions["cio"]
        kinds = {self.value_kind(v, body, depth) for v in values if isinstance(v, ast.expr)}
        known = kinds - {None, "?", NOT_A_CLIENT}
        return known.pop() if len(known) == 1 else None

    def _typed_parameter_kind(self, cls: ast.ClassDef, values: list) -> str | None:
        """``self.tracker = tracker`` where a method of the class takes ``tracker: CustomerIO``."""
        for value in values:
            for node in cls.body if isinstance(value, ast.Name) else ():
                fn = self.functions.get(node) if isinstance(node, FUNCTION_NODES) else None
                param = fn.scope.params.get(value.id) if fn is not None else None
                kind = self.annotation_kind(param.annotation) if param is not None and param.annotation else None
                if kind:
                    return kind
        return None

    def _class_annotation_kind(self, cls: ast.ClassDef | None, attr: str) -> str | None:
        """A class attribute or dataclass/attrs/pydantic field declared as a client (``client: CustomerIO``)."""
        for statement in cls.body if cls is not None else ():
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and \
                    statement.target.id == attr:
                return self.annotation_kind(statement.annotation)
        return None

