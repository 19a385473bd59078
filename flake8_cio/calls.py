"""Which calls are Customer.io SDK calls, with their arguments bound to the SDK's signatures: direct calls, calls of
project wrappers seen as the SDK call they make, SDK methods handed over with their arguments; whether a call
blocks; and the values that reach a call, through locals and dicts. A part of ``semantic.Model``."""
from __future__ import annotations

import ast
from functools import cached_property
from typing import Iterator

from . import sdk
from .frozen import frozen, mutable, replace
from .client_kinds import is_false, sync_mode
from .records import Forward, FunctionRef
from .scopes import Scope, Site, dict_entries, last_name, literal_key, str_value

@mutable
class CioCall:
    """A call of a Customer.io client method, with its arguments bound to the SDK signature."""

    site: Site
    kind: str
    method: str
    receiver: ast.expr | None  # None for a module-level Data Pipelines function
    args: dict[str, ast.expr]
    extra: dict[str, ast.expr]  # keyword arguments beyond the named parameters
    star: list[ast.expr]
    partial: bool = False  # a functools.partial: more arguments may come when it is called

    @property
    def node(self) -> ast.Call:
        return self.site.node


@frozen
class Value:
    """A value that reaches a Customer.io call: its key (keyword or dict key), role and expression."""

    key: str | None
    role: str  # identifier, event, timestamp, attribute, data
    expr: ast.expr  # what it is, followed through locals
    at: ast.expr | None = None  # where it enters the call: written in the call's arguments


#: Callables that take a function and the arguments to call it with, and where the function stands among them.
BINDERS = {"partial": 0, "submit": 0, "add_task": 0, "to_thread": 0, "run_in_threadpool": 0, "run_sync": 0,
           "run_in_executor": 1, "call_soon": 0, "call_soon_threadsafe": 0, "call_later": 1, "call_at": 1}


KEYWORDS_PASSED = {"partial", "submit", "add_task", "to_thread", "run_in_threadpool"}  # f's keywords too


def run_reference(call: ast.Call) -> ast.expr | None:
    """The function a call runs now, with arguments it binds (``to_thread(f, x)``, ``executor.submit(f, x)``,
    ``loop.run_in_executor(None, f)``); not a ``partial`` (that runs when it is called)."""
    bound = bound_reference(call) if last_name(call.func) != "partial" else None
    return bound[0] if bound else None


def _forwarded_call(site: Site, kind: str, method: str, forwards: list[tuple[str, Forward]], given: dict,
                    rest: dict) -> CioCall:
    """The SDK call a wrapper makes, seen from its caller: the caller's arguments under the SDK parameters the
    wrapper passes them to. A payload the wrapper fills from the caller's ``**kwargs`` (``data=data``) is whole; one
    it builds with some of its parameters (``data={"metered_at": metered_at, ...}``) is only partly seen, so the
    call is marked as having more (``star``) and the catalog does not judge its keys."""
    named = sdk.METHODS[kind][method].params
    args: dict = {}
    extra: dict = {}
    payloads: dict[str, dict] = {}
    partial = False
    for param, forward in forwards:
        target, _, key = forward.sdk_param.partition(".")
        if forward.sdk_param == "**":
            for name, value in rest.items():
                (args if name in named else extra)[name] = value
        elif key == "**":  # def record(cid, name, **data): track(cid, name, data=data)
            payloads.setdefault(target, {}).update(rest)
        elif param in given and key:  # data={"metered_at": metered_at} in the wrapper
            payloads.setdefault(target, {})[key] = given[param]
            partial = True
        elif param in given:
            (args if target in named else extra)[target] = given[param]
    for payload, items in payloads.items():
        args[payload] = ast.Dict([ast.copy_location(ast.Constant(key), value) for key, value in items.items()],
                                 list(items.values()))  # a key is reported where its value is written
    whole = method not in sdk.EVENT_METHODS or any(  # event data the wrapper writes itself is not the caller's
        target in sdk.PAYLOAD_PARAMS or target == "**" or key == "**"  # to miss (CIO703): `track(cid, name, {...})`
        for target, _, key in (forward.sdk_param.partition(".") for _, forward in forwards))
    return CioCall(site, kind, method, None, args, extra, [site.node.func] if partial or not whole else [])


THREADS = ("Thread", "Process")  # threading.Thread / multiprocessing.Process(target=f, args=(...), kwargs={...})


def _shared_parameters(methods: set[tuple[str, str]]) -> tuple[int, set[str]] | None:
    """For a table of several SDK methods (``{"event": cio.track, "page": cio.pageview}``), how many leading
    positional parameters all of them name alike, and the parameter names all of them have: a call through the
    table is only known to pass those (``customer_id``, not ``name`` or ``page``). None for one method."""
    if len(methods) < 2:
        return None
    methods = sorted(methods)
    params = [getattr(sdk.METHODS.get(kind, {}).get(method), "params", ()) for kind, method in methods]
    roles = [tuple("person" if name in sdk.IDENTIFIER_PARAMS or (method, name) == ("identify", "id") else name
                   for name in names) for (_, method), names in zip(methods, params)]
    leading = next((index for index, names in enumerate(zip(*roles)) if len(set(names)) > 1), min(map(len, roles)))
    return leading, set.intersection(*(set(names) for names in params))


def bound_reference(call: ast.Call) -> tuple[ast.expr, list[ast.expr], list[ast.keyword]] | None:
    """(the function, its positional arguments, its keywords) when ``call`` binds arguments to a function;
    ``sync_to_async(f)(...)``, ``partial(f, ...)`` handed to an executor and a thread's ``target`` included."""
    if isinstance(call.func, ast.Call) and last_name(call.func.func) == "sync_to_async" and call.func.args:
        return call.func.args[0], call.args, call.keywords
    if last_name(call.func) in THREADS:
        return _thread_target(call)
    where = BINDERS.get(last_name(call.func) or "")
    if where is None or len(call.args) <= where or any(isinstance(a, ast.Starred) for a in call.args[:where + 1]):
        return None
    function = call.args[where]
    if isinstance(function, ast.Call) and last_name(function.func) == "partial":
        return None  # the partial itself binds its arguments (and is a site of its own)
    keywords = call.keywords if last_name(call.func) in KEYWORDS_PASSED else []
    return function, call.args[where + 1:], keywords



def _thread_target(call: ast.Call) -> tuple[ast.expr, list[ast.expr], list[ast.keyword]] | None:
    """A thread's target with its ``args`` and ``kwargs``, when they are written out (a tuple or list, a dict of
    string keys)."""
    given = {k.arg: k.value for k in call.keywords if k.arg}
    args, kwargs = given.get("args"), given.get("kwargs")
    if "target" not in given or args is not None and not isinstance(args, (ast.Tuple, ast.List)) or \
            kwargs is not None and not (isinstance(kwargs, ast.Dict) and all(map(str_value, kwargs.keys))):
        return None
    keywords = [ast.keyword(k.value, v) for k, v in zip(kwargs.keys, kwargs.values)] if kwargs else []
    return given["target"], args.elts if args else [], keywords


class CallIndex:
    """The call questions of ``semantic.Model``."""

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
            func = site.node.func
            bound = bound_reference(site.node) or \
                (None if isinstance(func, ast.Attribute) else (func, site.node.args, site.node.keywords))
            if bound is None:
                continue
            entries = [(self._reference_kind(receiver, name, site), name, receiver, args, keywords)
                       for receiver, name, args, keywords in self.method_references(bound[0], site.scope)]
            entries += [(kind, name, None, [], []) for kind, name in self.imported_table_methods(bound[0], site.scope)]
            shared = _shared_parameters({(kind, name) for kind, name, *_ in entries if kind})
            for kind, name, receiver, args, keywords in entries:
                given, named = [*args, *bound[1]], [*keywords, *bound[2]]
                if shared is not None:  # a table of several methods: only what each takes as the same parameter
                    given, named = given[:shared[0]], [keyword for keyword in named if keyword.arg in shared[1]]
                call = self.bind_call(site, kind, name, receiver, given, named) if kind else None
                if call is not None:
                    calls.append(replace(call, partial=shared is not None or last_name(func) == "partial"))
        return calls

    def _reference_kind(self, receiver: ast.expr, method: str, site: Site) -> str | None:
        """The client kind of an SDK method reference's receiver; one known only by name, by the method."""
        kind = self.client_kind(receiver, site.scope)
        return sdk.guessed_kind(method) if kind == "?" else kind

    def imported_table_methods(self, expr: ast.expr, scope: Scope) -> list[tuple[str, str]]:
        """(client kind, SDK method) of each entry another module's dispatch table holds that is an SDK method
        (``PROFILE_ACTIONS[kind]`` of ``{"identify": crm.identify, ...}`` in ``shop.registry``); under a literal
        key, that entry's."""
        if self.linked is None or not isinstance(expr, ast.Subscript) or \
                isinstance(expr.value, ast.Name) and isinstance(self.value_of(expr.value, scope), ast.Dict):
            return []  # a table of this module: ``method_references``
        table = self.ref_of(expr.value, scope)
        refs = self.linked.dispatched(table, literal_key(expr.slice) or "") if table and "(" not in table else ()
        return [found for ref in refs if (found := self.linked.sdk_call(ref))]

    def method_references(self, expr: ast.expr, scope: Scope) -> list[tuple[ast.expr, str, list, list]]:
        """``method_reference``; for a dict literal's entry under a key known only when it runs
        (``SENDERS[channel]`` of ``{"event": crm.track, "page": crm.pageview}``), each entry's: it may be any."""
        table = self.value_of(expr.value, scope) if isinstance(expr, ast.Subscript) and \
            isinstance(expr.value, ast.Name) and literal_key(expr.slice) is None else None
        if isinstance(table, ast.Dict):
            return [found for value in table.values if (found := self.method_reference(value, scope))]
        method = self.method_reference(expr, scope)
        return [method] if method else []

    @cached_property
    def referenced_calls(self) -> list[CioCall]:
        """The bound calls that run where they are written (``send = cio.track; send(...)``,
        ``getattr(cio, "delete")(uid)``, a partial called), not handed to a binder that runs them elsewhere."""
        return [call for call in self.bound_calls if bound_reference(call.node) is None]

    def method_reference(self, expr: ast.expr, scope: Scope, depth: int = 3) \
            -> tuple[ast.expr, str, list[ast.expr], list[ast.keyword]] | None:
        """(receiver, method, the arguments bound before the call) for an SDK method as a value: ``cio.track``,
        ``getattr(cio, "track")``, a ``partial`` of one (``notify = partial(cio.track, uid)``, then ``notify(...)``),
        a dict literal's entry under a literal key (``handlers["track"]``), or a local bound once to any of these."""
        if isinstance(expr, ast.Name):  # a local (an imported name is a function, not a bound method)
            expr = expr if expr.id in self.aliases else self.value_of(expr, scope)
        if isinstance(expr, ast.Subscript) and literal_key(expr.slice) is not None and depth:  # {"track": cio.track}
            table = self.value_of(expr.value, scope) if isinstance(expr.value, ast.Name) else None
            entries = dict_entries(table, literal_key(expr.slice)) if isinstance(table, ast.Dict) else []
            return self.method_reference(entries[0], scope, depth - 1) if len(entries) == 1 else None
        if isinstance(expr, ast.Attribute):
            return (expr.value, expr.attr, [], []) if expr.attr in sdk.ALL_METHOD_NAMES else None
        if not isinstance(expr, ast.Call) or depth == 0:
            return None
        if last_name(expr.func) == "getattr" and len(expr.args) == 2 and str_value(expr.args[1]):
            name = str_value(expr.args[1])
            return (expr.args[0], name, [], []) if name in sdk.ALL_METHOD_NAMES else None
        bound = bound_reference(expr) if last_name(expr.func) == "partial" else None
        inner = self.method_reference(bound[0], scope, depth - 1) if bound else None
        return (inner[0], inner[1], [*inner[2], *bound[1]], [*inner[3], *bound[2]]) if inner else None

    @cached_property
    def forwarded_calls(self) -> list[CioCall]:
        calls = []
        for site in self.sites:
            target = self.resolve_call(site) if site not in self._calls_by_site else None
            if isinstance(target, FunctionRef) and (target.entry.forwards or target.entry.maybe_forwards or
                                                    target.entry.passes):
                calls.extend(self._as_sdk_calls(site, target))
        return calls

    def _confirmed_forwards(self, target: FunctionRef, instance: str) -> dict[str, Forward]:
        """The wrapper's forwarded parameters: to calls known as SDK calls, and to "maybe" SDK calls whose
        receiver the project resolves to that client (``cio = get_cached()`` of another module; a holder's
        ``self.client`` read on ``instance``, the reference of what the method is called on, also in the methods of
        its class it passes them to: ``self.emit(cid, name, ...)``)."""
        entry = target.entry
        if self.linked is None:
            return dict(entry.forwards)
        passed = self.linked.passed_forwards(entry, instance, target.qualname.rpartition(".")[0])
        return {**self.linked.maybe_forwards(entry, instance), **passed, **entry.forwards}

    def _as_sdk_calls(self, site: Site, target: FunctionRef) -> Iterator[CioCall]:
        """One SDK call per (kind, method) the wrapper forwards to, with the caller's arguments in place of the
        wrapper's parameters. Their findings get no fix: the code to change is the caller's."""
        entry = target.entry
        given = dict(zip(entry.params, (a for a in site.node.args if not isinstance(a, ast.Starred))))
        given.update((k.arg, k.value) for k in site.node.keywords if k.arg)
        rest = {k.arg: k.value for k in site.node.keywords if k.arg and k.arg not in entry.params}  # **kwargs
        instance = (self.callee_ref(site.node.func, site.scope) or "").rpartition(".")[0]
        by_method: dict[tuple[str, str], list[tuple[str, Forward]]] = {}
        for param, forward in self._confirmed_forwards(target, instance).items():
            by_method.setdefault((forward.kind, forward.method), []).append((param, forward))
        for (kind, method), forwards in by_method.items():
            call = _forwarded_call(site, kind, method, forwards, given, rest)
            if call.args or call.extra:
                yield call

    def cio_call_at(self, site: Site) -> CioCall | None:
        return self._calls_by_site.get(site)

    def bound_call_at(self, site: Site) -> CioCall | None:
        """The SDK call a site binds to a method reference (``to_thread(cio.track, ...)``), if it binds one."""
        return self._bound_by_site.get(site)

    @cached_property
    def _bound_by_site(self) -> dict[Site, CioCall]:
        return {call.site: call for call in self.bound_calls}

    @cached_property
    def _calls_by_site(self) -> dict[Site, CioCall]:
        return {call.site: call for call in self.cio_calls}

    def _classify(self, site: Site) -> CioCall | None:
        """The Customer.io SDK call a site makes, if it makes one."""
        func = site.node.func
        if not isinstance(func, ast.Attribute) or func.attr not in sdk.ALL_METHOD_NAMES:
            return None  # no client has such a method: nothing to ask about the receiver
        method = func.attr
        qualname = self.qualname(func)
        if qualname and qualname.rpartition(".")[0] == sdk.ANALYTICS_MODULE:
            kind, receiver = sdk.ANALYTICS, None
        else:
            kind, receiver = self.client_kind(func.value, site.scope), func.value
            if kind is None:
                return None
        if kind == "?" and site.awaited:
            return None  # `await customerio.track(...)`: a client known by its name only, and awaited: an async one
        if kind == "?":
            kind = sdk.guessed_kind(method)
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
        return any(self.qualname(target) == f"{sdk.ANALYTICS_MODULE}.sync_mode" and not is_false(value)
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
