"""What one module says about Customer.io, as records (``records.Summary``) the project model caches and follows
across modules.

Built from the module's own ``Model`` without looking at other modules, so it depends only on the module's
text: references to other modules stay references (``app.deps.get_cio``), resolved by ``project.Project``.
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from . import frameworks, sdk
from .frozen import replace
from .profiles import profiles
from .records import (TEXT, TYPED, ClassEntry, FactoryEntry, Forward, FunctionEntry, HeldCall, MaybeCall, MaybeForward,
                      SdkCallText, Summary)
from .calls import bound_reference
from .scopes import FUNCTION_NODES, Function, class_bases, env_default, literal_key, str_value
from .client_kinds import (DI_PROVIDERS, NOT_A_CLIENT, annotated_type, is_class_level, is_none, is_opaque_enum,
                           is_property, is_self, member_text, sync_mode)
from .semantic import Model
from .units import returned_unit

if TYPE_CHECKING:
    from .project import Project


# ``x.track(...)`` where this module cannot tell what ``x`` is (``cio = get_cached()`` of another module, ``self.api =
# get_app()``): kept as "maybe" SDK calls, decided by the project model once it resolves ``x``.
SDK_METHOD_NAMES = set(sdk.TRACK_METHODS) | set(sdk.APP_METHODS)


def summarize_file(text: str, path: str, project: Project) -> Summary | None:
    """A module's summary from its text alone (other modules are not looked up: ``resolve=False``); None when it
    does not parse."""
    try:
        return summarize(Model(ast.parse(text, path), text.splitlines(True), path, project.options, project,
                               resolve=False))
    except (SyntaxError, ValueError, RecursionError):  # deeply nested code: skipped like unreadable modules
        return None


def summarize(model: Model) -> Summary:
    tables: dict = {"functions": {}, "factories": {}, "classes": {}, "clients": {}, "types": {}, "instances": {},
                    "constants": {}, "env_defaults": {}, "dispatch": {}, "sync_clients": [], "per_injection": [],
                    "providers": [],
                    "imports": {local: name for local, name in model.aliases.items() if not name.startswith(".")}}
    for name, values in model.module.bindings.items():
        if name not in model.aliases and values:
            _module_name(model, tables, name, values)
    for fn in model.functions.values():
        if fn.parent is None and (fn.cls is None or fn.cls in model.module.bindings.get(fn.cls.name, ())):
            tables["functions"][_function_name(fn)] = function_entry(model, fn)
    return Summary(**{**tables, "sync_clients": tuple(tables["sync_clients"]),
                      "per_injection": tuple(tables["per_injection"]), "providers": tuple(tables["providers"])},
                   registers=dict(model.registering), decorated=_decorated(model),
                   routes=_registered(model), jobs=_registered(model, frameworks.ENQUEUERS),
                   constructions=_constructions(model), states=_states(model), profiles=profiles(model))


PER_INJECTION = ("dependency_injector.providers.Factory",)  # a new instance for each injection


def _constructions(model: Model) -> tuple[str, ...]:
    """References of the calls that hand a client over (``Notifier(cio)``, ``providers.Factory(Notifier,
    client=crm)``), arguments included: what the project model reads to tell what a holder's attribute holds."""
    found = []
    for site in model.sites:
        if model.qualname(site.node.func) not in sdk.CONSTRUCTORS:
            ref = model.ref_of(site.node, site.scope)
            if ref and "=" in ref.partition("(")[2] and ref not in found:
                found.append(ref)
    return tuple(found)


def _decorated(model: Model) -> dict[str, tuple[str, ...]]:
    """The module's functions by the decorator they carry, by its qualified name (this module's own too), for the
    modules whose decorators register what they decorate (``Project._registered``); also by the literal key the
    decorator is given (``app.registry.handles[paid]`` for ``@handles("paid")``; ``[]`` without one)."""
    found: dict[str, tuple[str, ...]] = {}
    for decorator, fns in model.decorated.items():
        name = decorator if "." in decorator or decorator not in model.module.bindings else \
            f"{model.module_name}.{decorator}"
        if not (model.module_name and "." in name):
            continue
        for fn in fns:
            for entry in (name, f"{name}[{model.registration_key(fn, decorator) or ''}]"):
                found[entry] = (*found.get(entry, ()), f"{model.module_name}.{fn.name}")
    return found


def _states(model: Model) -> dict[str, str]:
    """What the module keeps on framework state objects (``app.state.cio = CustomerIO(...)``), for modules that
    read it (``request.app.state.cio``): one client kind, or "" for anything else."""
    states = {}
    for name, kinds in model.state_stores().items():
        kinds.discard(None)
        states[name] = kinds.pop() if len(kinds) == 1 and kinds <= set(sdk.KINDS) else ""
    return states


def _own_attributes(model: Model, cls: ast.ClassDef) -> tuple[str, ...]:
    """The names a class binds itself, in its body or on ``self`` in its methods: those hide its bases'."""
    return tuple(dict.fromkeys([*model.class_scopes[cls].bindings,
                                *(attr for owner, attr in model.self_attrs if owner is cls)]))


def _module_name(model: Model, tables: dict, name: str, values: list) -> None:
    """What a module-level name is: a client factory, a class, a client, a constant, an instance or a type alias."""
    node = ast.Name(id=name, ctx=ast.Load())
    if len(values) == 1 and isinstance(values[0], FUNCTION_NODES):
        kind = model.factory_kind(node)
        if kind in sdk.KINDS or kind == "?":
            fn = model.functions[values[0]]
            tables["factories"][name] = FactoryEntry(kind, _hands_out_one(model, fn), values[0].lineno)
    elif len(values) == 1 and isinstance(values[0], ast.ClassDef):
        cls = values[0]
        bases = (model.ref_of(base, model.module) for base in class_bases(cls))
        tables["classes"][name] = ClassEntry(cls.lineno, _constructs(model, cls), model.injected(cls),
                                             model.class_kind(cls), _declared_fields(model, cls),
                                             tuple(base for base in bases if base and model.is_project_code(base)),
                                             _own_attributes(model, cls))
        opaque = is_opaque_enum(cls)  # a plain Enum's members hold their text as .value
        for attr, bound in model.class_scopes[cls].bindings.items():
            member = f"{name}.{attr}.value" if opaque else f"{name}.{attr}"
            if len(bound) == 1 and isinstance(bound[0], FUNCTION_NODES) and not is_property(bound[0]):
                kind = model.function_kind(bound[0]) if is_class_level(bound[0]) else None  # ClientHolder.get()
                if kind in sdk.KINDS or kind == "?":
                    fn = model.functions[bound[0]]
                    tables["factories"][f"{name}.{attr}"] = FactoryEntry(kind, _hands_out_one(model, fn), bound[0].lineno)
                continue
            kind = model.attribute_kind(cls, attr, model.module)
            if kind in sdk.KINDS or kind == "?" and _is_property(bound):  # a property handing out extensions["cio"]
                tables["clients"][f"{name}.{attr}"] = kind  # crm_tracker = CustomerIO(...) in the class body
                if len(bound) == 1 and isinstance(bound[0], ast.Call) and \
                        (model.qualname(bound[0].func) or "").endswith(PER_INJECTION):
                    tables["per_injection"].append(f"{name}.{attr}")  # providers.Factory(APIClient, ...)
            elif len(bound) == 1 and str_value(member_text(cls, bound[0])) is not None:  # SIGNED_UP = "signed_up"
                tables["constants"][member] = str_value(member_text(cls, bound[0]))
            elif len(bound) == 1 and (default := str_value(env_default(bound[0]))) is not None:  # KEY = os.getenv
                tables["env_defaults"][member] = default
            elif len(bound) == 1 and isinstance(bound[0], (ast.Call, ast.Name, ast.Attribute)):
                ref = model.ref_of(bound[0], model.class_scopes[cls])
                if ref:  # notifier = providers.Factory(Notifier, client=crm): Notifier(client=track);
                    tables["instances"][f"{name}.{attr}"] = ref  # outbound = tracker (another module's client)
                if ref and isinstance(bound[0], ast.Call) and \
                        (model.qualname(bound[0].func) or "").startswith(DI_PROVIDERS):
                    tables["providers"].append(f"{name}.{attr}")  # Container.notifications(): the Notifier
            elif _is_property(bound):
                ref = _returns(model, model.functions[bound[0]])
                if ref:  # @property def api(self): return shared_client(): what reading it gives
                    tables["instances"][f"{name}.{attr}"] = ref
    else:
        kind = model.client_kind(node, model.module)
        if kind in sdk.KINDS:
            tables["clients"][name] = kind
            built = model.value_of(node, model.module)
            if kind == sdk.ANALYTICS and isinstance(built, ast.Call) and sync_mode(built):
                tables["sync_clients"].append(name)  # a Data Pipelines client whose calls block
            ref = model.ref_of(built, model.module) if isinstance(built, ast.Call) and \
                model.qualname(built.func) not in sdk.CONSTRUCTORS else None
            if ref:
                tables["instances"][name] = ref  # a client subclass's instance: its own methods too
            return
        exprs = [v for v in values if isinstance(v, ast.expr) and not is_none(v)]  # `_svc = None` first
        text = model.text_of(values[0], model.module) if len(values) == 1 and \
            isinstance(values[0], (ast.Constant, ast.JoinedStr, ast.BinOp)) else None
        if text is not None:
            tables["constants"][name] = text  # EVENT_SIGNED_UP = "signed_up" (or f"{PREFIX}_up"), used elsewhere
        elif len(values) == 1 and str_value(env_default(values[0])) is not None:
            tables["env_defaults"][name] = str_value(env_default(values[0]))  # KEY = os.getenv("KEY", "3f2a...")
        elif len(values) == 1 and isinstance(values[0], ast.Dict):
            refs = [model.ref_of(value, model.module) for value in values[0].values]
            if any(refs):
                tables["dispatch"][name] = tuple(filter(None, refs))  # HANDLERS = {"signup": on_signup}, by key
            for key, value, ref in zip(values[0].keys, values[0].values, refs):
                keyed = model.table_key(key, model.module)  # also a constant's text, an Enum member's value
                if ref and keyed:
                    tables["dispatch"][f"{name}[{keyed}]"] = (ref,)  # HANDLERS["signup"]: that entry only
                text = str_value(key)
                if text and text.isidentifier() and str_value(value) is not None:
                    tables["constants"][f"{name}[{text}]"] = str_value(value)  # CIO = {"api_key": "..."}
        elif len(values) == 1 and isinstance(values[0], (ast.List, ast.Tuple)):
            refs = [model.ref_of(value, model.module) for value in values[0].elts]
            if any(refs):
                tables["dispatch"][name] = tuple(filter(None, refs))  # STEPS = [log_it, send_paid]: any, in a loop
        elif len(exprs) == 1 and isinstance(exprs[0], (ast.Call, ast.Attribute)):
            ref = model.ref_of(exprs[0], model.module)
            if ref:  # also an alias of another module's name: cio = settings.CUSTOMERIO
                tables["instances"][name] = ref
        elif len(exprs) == 1 and isinstance(exprs[0], ast.Subscript):
            kind = model.annotation_kind(exprs[0])
            target = None if kind else model.ref_of(annotated_type(exprs[0]), model.module)
            if kind:
                tables["types"][name] = kind
            elif target:  # ServiceDep = Annotated[CustomerService, Depends(...)]: a name for the class
                tables["imports"][name] = target


def _is_property(bound: list) -> bool:
    return len(bound) == 1 and isinstance(bound[0], FUNCTION_NODES) and is_property(bound[0])


def _hands_out_one(model: Model, fn: Function) -> bool:
    """A factory that returns the same client each time: cached or run once, building it only behind
    ``if _cio is None:``, returning a module-level name, or returning our runtime's (cached) ``get_client()``."""
    if frameworks.runs_once(model, fn) or any(frameworks.guarded_once(site) for site in model.sites_in(fn)):
        return True
    handed = fn.hands_out  # a @contextmanager's yields: it runs for each `with`
    if all(isinstance(ret.value, (ast.Subscript, ast.Attribute)) for ret in handed):
        return True  # a look-up (`current_app.extensions["cio"]`, `settings.CIO`) builds nothing (nor a stub)
    for ret in handed:
        value = ret.value
        bound = model.lookup(value.id, fn.scope) if isinstance(value, ast.Name) else None
        if bound is not None and bound.scope is model.module:
            return True
        if isinstance(value, ast.Call) and model.qualname(value.func) in sdk.RUNTIME_FACTORIES:
            return True
    return False


def _constructs(model: Model, cls: ast.ClassDef) -> str | None:
    """The kind of client each instance of the class builds for itself (``self.cio = CustomerIO(...)``); else the
    imported classes it builds that only the project can tell (``@app.pipes.Track``: the SDK's class under another
    module's name, which a summary cannot read), joined by ``|`` (``Project.instance_client`` decides)."""
    deferred = []
    for (owner, _), values in model.self_attrs.items():
        if owner is cls:
            for value in values:
                if isinstance(value, ast.Call) and not _shared_by_factory(model, value.func):
                    kind = model.value_kind(value, model.module)
                    if kind in sdk.KINDS:
                        return kind
                    imported = isinstance(value.func, ast.Name) and value.func.id in model.aliases
                    ref = model.ref_of(value.func, model.module) if imported else None
                    deferred += [f"@{ref}"] if ref else []
    return "|".join(deferred) or None


def _shared_by_factory(model: Model, func: ast.expr) -> bool:
    """A call of this module's factory that hands out one client (``@lru_cache def client_for(slug)``): the
    instance is given a shared client, it builds none."""
    values = model.module.bindings.get(func.id, []) if isinstance(func, ast.Name) else []
    return len(values) == 1 and values[0] in model.functions and _hands_out_one(model, model.functions[values[0]])


def _declared_fields(model: Model, cls: ast.ClassDef) -> dict[str, str]:
    """The class body's annotated attributes (dataclass, pydantic and settings fields): TEXT for text, else the
    reference of the declared type (``customer_io: CustomerIOSettings``), "" when it cannot be named. The declared
    type decides what the attribute holds, not its default (``mixed: Literal["us", 1] = "us"``)."""
    return {statement.target.id: TEXT if _is_text(model, statement.annotation) else
            model.ref_of(annotated_type(statement.annotation), model.module) or ""
            for statement in cls.body
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)}


def _is_text(model: Model, annotation: ast.expr) -> bool:
    """``str``, ``Literal["us", "eu"]``, ``Annotated[str, ...]``, optional or not: the field holds text whatever its
    default (or None, which is no more a ``Region`` than text is)."""
    if isinstance(annotation, ast.Name):
        return annotation.id == "str" and model.lookup("str", model.module) is None
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        sides = [side for side in (annotation.left, annotation.right) if not is_none(side)]
        return len(sides) == 1 and _is_text(model, sides[0])
    if not isinstance(annotation, ast.Subscript):
        return False
    form = (model.qualname(annotation.value) or "").rpartition(".")[2]
    inner = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
    if form == "Literal":
        return all(str_value(value) is not None for value in inner)
    return form in ("Annotated", "Optional") and _is_text(model, inner[0])


def _held_call(model: Model, cls: ast.ClassDef, site) -> HeldCall | None:
    """``self.client.track(...)``: a call on an attribute, an SDK call if the instance was given a client there;
    through a property of the class that hands the attribute out (``self.outbound`` returning ``self._client``)."""
    func = site.node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute) and \
            isinstance(func.value.value, ast.Name) and func.value.value.id == "self":
        attr = func.value.attr
        return HeldCall(_property_of(model, cls, attr) or attr, func.attr, f"{ast.unparse(func)}()", site.node.lineno)
    return None


def _property_of(model: Model, cls: ast.ClassDef, name: str) -> str | None:
    """The attribute a property of the class returns from ``self`` (``return self._client``), every return alike."""
    bound = model.class_scopes[cls].bindings.get(name, [])
    if not _is_property(bound):
        return None
    returned = {ret.value.attr if isinstance(ret.value, ast.Attribute) and is_self(ret.value.value) else None
                for ret in model.functions[bound[0]].returns}
    return returned.pop() if len(returned) == 1 else None


def _function_name(fn: Function) -> str:
    return f"{fn.cls.name}.{fn.name}" if fn.cls else fn.name


def function_entry(model: Model, fn: Function) -> FunctionEntry:
    """What the summary records of a function (see ``summarize``)."""
    direct, offloaded, calls, forwards, held, maybe, maybe_forwards = None, None, [], {}, [], [], {}
    maybe_offloaded: list[MaybeCall] = []
    passes: list[tuple[str, str, str]] = []
    on_params: list[HeldCall] = []
    params = [a.arg for a in (*fn.node.args.posonlyargs, *fn.node.args.args)]
    if fn.cls is not None and params and "staticmethod" not in frameworks.decorator_names(model, fn):
        params = params[1:]
    for site in model.sites_in(fn):
        own = site.function is fn  # not a singledispatch implementation's: its parameters are its own
        forwarding = maybe_forwards if own else {}
        call = model.cio_call_at(site)
        bound = model.bound_call_at(site) if call is None and offloaded is None else None
        if bound is not None and bound.kind == sdk.TRACK:
            offloaded = SdkCallText(f"{ast.unparse(bound.node.func)}()", bound.node.lineno, bound.method)
        elif call is None:
            _note_maybe_offloaded(model, site, maybe_offloaded)
        on_param = _track_on_param(fn, site) if call is None and bound is None and own else None
        if on_param:
            on_params.append(on_param)
        if call is None:
            ref = model.ref_of(site.node.func, site.scope)
            for callee in model.callees(site.node.func, site):  # what a dispatch by table or getattr runs
                run = ref if callee is site.node.func else model.ref_of(callee, site.scope)
                if run and run not in calls:
                    calls.append(run)
            if ref:
                _note_maybe_sdk_call(model, fn, site, ref, maybe, forwarding)
                passes += _passed_on(fn, site, ref) if own else []
            held_call = _held_call(model, fn.cls, site) if fn.cls is not None else None
            if held_call:  # forwards read on the caller's instance
                held.append(held_call)
                _note_maybe_forwards(model, fn, site, f"self.{site.node.func.value.attr}.{site.node.func.attr}",
                                     forwarding)
            continue
        if direct is None and model.blocks(call):
            direct = SdkCallText(f"{ast.unparse(call.node.func)}()", call.node.lineno, call.method)
        for param, sdk_param in _forwarded(fn, call) if own else ():
            forwards.setdefault(param, Forward(call.kind, call.method, sdk_param))
    entry = FunctionEntry(fn.node.lineno, fn.is_async, direct, tuple(calls), forwards, tuple(params), tuple(held),
                          tuple(maybe), maybe_forwards, _returns(model, fn), returned_unit(model, fn),
                          _builds(model, fn), offloaded, _declared_return(model, fn), tuple(maybe_offloaded),
                          tuple(passes), tuple(on_params))
    if frameworks.runs_elsewhere(model, fn):  # what its body does runs in a worker or a thread, not at the call
        return replace(entry, direct=None, calls=(), held=(), maybe=(), returns=None, unit=None,
                                   builds=None, on_params=())
    return entry


def _builds(model: Model, fn: Function) -> int | None:
    """The line where the function builds a client on every call it runs (not cached, not behind a guard)."""
    if frameworks.runs_once(model, fn):
        return None
    return next((site.node.lineno for site in model.sites_in(fn)
                 if not frameworks.guarded_once(site) and model.constructed_kind(site.node) in sdk.KINDS), None)


def _note_maybe_sdk_call(model: Model, fn: Function, site, ref: str, maybe: list, maybe_forwards: dict) -> None:
    """``x.track(...)`` on an ``x`` this module cannot tell is a client, and the parameters it passes on as that SDK
    call would take them; the project model decides once it resolves ``x``."""
    func = site.node.func
    if not (isinstance(func, ast.Attribute) and func.attr in SDK_METHOD_NAMES):
        return
    maybe.append(MaybeCall(ref, f"{ast.unparse(func)}()", site.node.lineno))
    _note_maybe_forwards(model, fn, site, ref, maybe_forwards)


def _passed_on(fn: Function, site, ref: str) -> list[tuple[str, str, str]]:
    """(callee, parameter, where) for each of the function's own parameters a call passes on unchanged: by position,
    by keyword, or its ``**kwargs`` whole."""
    node = site.node
    found = [(ref, _own_param(fn, arg), str(index)) for index, arg in enumerate(node.args)
             if _own_param(fn, arg) and not any(isinstance(a, ast.Starred) for a in node.args[:index + 1])]
    found += [(ref, _own_param(fn, k.value), k.arg or "**") for k in node.keywords if _own_param(fn, k.value)]
    return found


def _own_param(fn: Function, expr: ast.expr) -> str | None:
    """The name of the function's own parameter an expression is, unchanged (never rebound in the body)."""
    return expr.id if isinstance(expr, ast.Name) and expr.id in fn.scope.params and \
        expr.id not in fn.scope.bindings else None


def _track_on_param(fn: Function, site) -> HeldCall | None:
    """``client.track(...)`` or ``to_thread(client.track, ...)`` on one of the function's own parameters, whose
    client only its callers can give."""
    bound = bound_reference(site.node)
    func = bound[0] if bound else site.node.func
    if isinstance(func, ast.Attribute) and func.attr in sdk.TRACK_METHODS and _own_param(fn, func.value):
        return HeldCall(func.value.id, func.attr, f"{ast.unparse(func)}()", site.node.lineno, bool(bound))
    return None


def _note_maybe_offloaded(model: Model, site, maybe_offloaded: list) -> None:
    """``to_thread(x.track, ...)`` with an ``x`` this module cannot tell is a client, or a function handed to a
    thread (``to_thread(ledger().invoice_overdue, ...)``): a request made in a worker thread once the project
    resolves it (what a coroutine made per record costs, ``Project.request_chain``)."""
    bound = bound_reference(site.node)
    func = bound[0] if bound else None
    ref = model.ref_of(func, site.scope) if isinstance(func, (ast.Attribute, ast.Name)) else None
    if ref:
        maybe_offloaded.append(MaybeCall(ref, f"{ast.unparse(func)}()", site.node.lineno))


def _note_maybe_forwards(model: Model, fn: Function, site, ref: str, maybe_forwards: dict) -> None:
    """The parameters a call that may be an SDK call passes on, as that SDK call would take them; they are forwards
    once the project resolves ``ref`` (the receiver's method) to a client's."""
    func = site.node.func
    call = model.bind_call(site, sdk.guessed_kind(func.attr), func.attr, None)
    for param, sdk_param in _forwarded(fn, call) if call else ():
        maybe_forwards.setdefault(param, MaybeForward(ref, call.kind, call.method, sdk_param))


def _forwarded(fn: Function, call) -> list[tuple[str, str]]:
    """(parameter, SDK parameter) for each of the function's own parameters passed on unchanged to an SDK call;
    ``(name, "**")`` when its ``**name`` goes on whole (``def identify(uid, **attrs): cio.identify(uid, **attrs)``);
    an attribute keyword (``cio.identify(cid, last_seen_at=seen_at)``), an event keyword (2.x data: ``data.<key>``)
    or a key of an inline payload dict
    (``data={"metered_at": metered_at}`` -> ``data.metered_at``) too; ``data.**`` for its ``**kwargs`` passed as
    the payload (``def record(cid, name, **data): cio.track(cid, name, data=data)``)."""
    def own_param(expr: ast.expr) -> bool:
        return _own_param(fn, expr) is not None

    kwargs = fn.node.args.kwarg.arg if fn.node.args.kwarg else None
    own = [(expr.id, f"{sdk_param}.**" if expr.id == kwargs and sdk_param in sdk.PAYLOAD_PARAMS else sdk_param)
           for sdk_param, expr in call.args.items() if own_param(expr)]  # data=data of **data: the caller's keywords
    event = call.method in ("track", "track_anonymous")  # there, keywords are 2.x event data (3.x: CIO404's business)
    own += [(expr.id, f"data.{key}" if event else key) for key, expr in call.extra.items() if own_param(expr)]
    for sdk_param, payload in call.args.items():
        if sdk_param in sdk.PAYLOAD_PARAMS and isinstance(payload, ast.Dict):
            own += [(value.id, f"{sdk_param}.{key.value}") for key, value in zip(payload.keys, payload.values)
                    if str_value(key) is not None and own_param(value)]
    if kwargs and any(k.arg is None and isinstance(k.value, ast.Name) and k.value.id == kwargs
                      for k in call.site.node.keywords):
        own.append((kwargs, "**"))
    return own


def _returns(model: Model, fn: Function) -> str | None:
    """What a getter returns, when every return names the same thing (``return _messenger``, ``return Svc()``)."""
    refs = {model.ref_of(ret.value, fn.scope) if ret.value is not None else None
            for ret in fn.hands_out}  # a @contextmanager's yield: what `with ... as` binds
    return refs.pop() if len(refs) == 1 else None


def _declared_return(model: Model, fn: Function) -> str | None:
    """An instance of the project class a function's return annotation declares (``def load(pk) -> Account``:
    ``app.models.Account(*)``), for when what it returns cannot be followed (``db.get(Account, pk)``)."""
    declared = model.ref_of(annotated_type(fn.node.returns), fn.scope.parent or model.module) \
        if isinstance(fn.node.returns, (ast.Name, ast.Attribute, ast.Subscript)) else None
    return f"{declared}({TYPED})" if declared and model.is_project_code(declared) else None


def _registered(model: Model, registrars: dict = frameworks.REGISTRARS) -> tuple[str, ...]:
    """References of the functions the module hands to a registrar (views) or to an RQ queue (jobs, also by
    their dotted name: ``queue.enqueue("app.jobs.send", ...)``)."""
    names = []
    for ref in frameworks.registered_refs(model, registrars):
        name = str_value(ref) or model.ref_of(ref, model.module)
        if name and name != NOT_A_CLIENT:
            names.append(name)
    return tuple(names)
