"""CIO4xx: clients. How Customer.io clients are built: once, with real credentials of the right kind."""
from __future__ import annotations

import ast
import re
from typing import Iterator

from .. import frameworks, sdk
from ..records import ClassRef, FactoryRef, FunctionRef, TextRef
from ..rule import Rule, RuleDoc
from ..types import NONE, SAFE, UNSAFE
from ..client_kinds import injected_lookup
from ..scopes import ENV_LOOKUPS, env_default
from ..semantic import Model, Site, dotted, last_name, name_tokens, run_reference, str_value
from .fixing import (MOVES_CLIENT, failure_is_only_an_error_response, find_arg, keyword_arg, merge_entries,
                     moves_to_runtime, reporter, result_discarded, span, statements_around, string_like, with_args)

RULES = (
    Rule("CIO401", "client-per-request", "Customer.io client constructed per request, per call or per loop iteration", SAFE, RuleDoc(
        checklist="clients are built once, not per request, job or loop iteration",
        what="""
            `CustomerIO(...)`, `APIClient(...)` or `analytics.Client(...)` constructed inside a request
            handler, a background task (Celery, Dramatiq, RQ, huey: decorated, or handed to `queue.enqueue(...)` in
            any module; calling a huey task queues it, so its body is not followed from the caller), an AWS Lambda handler (by name, by the deploy files
            that name it, or the only `(event, context)` function of its module), a loop, or a helper called from one
            (a `@contextmanager`/`@asynccontextmanager` too: it runs for each `with`); a project class that subclasses
            the SDK's client counts as its constructor. Module-level clients, `functools.cache`/`lru_cache` factories
            (also called in a class's `__init__`), guarded singletons (`if _client is None:`), Django
            `AppConfig.ready`, app factories (`create_app`), a FastAPI `lifespan` and `__init__` are fine.

            Where it is reported: a construction in per-request code, at its line; a project class whose instances build
            their own client, at its instantiation in the per-request code; a function that builds a client on every
            call, at the construction line when the function is in the same module as its per-request caller,
            otherwise at that call (the helper call, or the `Depends(...)` parameter); a client a handler or job is
            injected from a `dependency_injector` `providers.Factory` (a new one per injection), at its
            `Provide[...]` default.
            """,
        why="""
            Each client has its own connection pool: a new one per request adds a TCP and TLS handshake
            to Customer.io to every call, and a Data Pipelines client starts a sender thread each time.
            """,
        wrong="""
            import os
            from customerio import CustomerIO
            from flask import Flask
            app = Flask(__name__)

            @app.post("/signup")
            def signup():
                cio = CustomerIO(os.environ["CUSTOMERIO_SITE_ID"], os.environ["CUSTOMERIO_TRACK_API_KEY"])
                return "ok"
            """,
        right="""
            import functools
            import os
            from customerio import CustomerIO

            @functools.cache
            def get_cio():
                return CustomerIO(os.environ["CUSTOMERIO_SITE_ID"], os.environ["CUSTOMERIO_TRACK_API_KEY"])
            """,
        fix="""
            safe in a request handler under the conditions of CIO501, unsafe elsewhere (jobs, loops, exception
            handlers): `CustomerIO(...)` → `flake8_cio.runtime.get_client(...)` and `APIClient(...)` →
            `get_app_client(...)`, with the same arguments: cached per credentials, built once. Only for a local
            used just to call the SDK (the Track client's results unread; not returned, closed or passed on).
            The runtime's App client encodes requests as the SDK does (datetimes as Unix seconds) and its
            `DeliveryError` is a `customerio.CustomerIOException`, so `get_app_client` follows the same conditions
            (`tests/fix_safety/app_client.py` runs both). Where the project's tests double the SDK (its HTTP, its
            client class or a module's name for it) or its version is not decided 3.x, unsafe: see CIO501.
            """,
        options="`cio-route-decorators`.",
    )),
    Rule("CIO402", "hardcoded-credential", "Credential literal given to a Customer.io client", NONE, RuleDoc(
        checklist="no credentials in source code",
        what="""
            A string literal (directly, through a module constant, or as the default of `os.environ.get(name,
            default)`) given as `site_id`, `api_key`, `key` or `write_key` to a client, or assigned to
            `analytics.write_key`. Empty strings, obvious placeholders
            (`"your-api-key"`, `"test"`, `"xxx"`) and short literals in test files are fine.
            """,
        why="""
            Anyone who can read the repository can send data as your workspace (or, with an App API key,
            message your customers), and rotating the key needs a code change and a deploy.
            """,
        wrong="""
            from customerio import CustomerIO
            cio = CustomerIO("3f2a9c81d7e4b6051a2f", "9b8c7d6e5f4a3b2c1d0e")
            """,
        right="""
            import os
            from customerio import CustomerIO
            cio = CustomerIO(os.environ["CUSTOMERIO_SITE_ID"], os.environ["CUSTOMERIO_TRACK_API_KEY"])
            """,
        fix="none: move the secret to the environment or a secrets manager, and rotate it.",
    )),
    Rule("CIO403", "wrong-key-type", "App API key given to the Track client, or a Track key to the App API client", UNSAFE, RuleDoc(
        checklist="the Track client gets the Track key, `APIClient` the App API key",
        what="""
            An App API key given to the Track client or a Track key (or site id) given to `APIClient`,
            judged from the environment variable or setting name (`CUSTOMERIO_APP_API_KEY`, `settings.CIO_TRACK_KEY`). Names
            that do not say which key they are are not reported.
            """,
        why="""
            The two keys are different credentials: the Track API uses Basic auth with the site id and
            Track key, the App API a Bearer App key. The wrong one fails every call with 401.
            """,
        wrong="""
            import os
            from customerio import APIClient
            api = APIClient(os.environ["CUSTOMERIO_TRACK_API_KEY"])
            """,
        right="""
            import os
            from customerio import APIClient
            api = APIClient(os.environ["CUSTOMERIO_APP_API_KEY"])
            """,
        fix="""
            unsafe: the setting or environment name written at the call is swapped for the matching one of the other
            kind (`TRACK` ↔ `APP`), only when the module names that twin (one nobody defines would fail instead).
            """,
    )),
    Rule("CIO404", "track-data-as-kwargs", "2.x-style event data as keyword arguments to track(), a TypeError on customerio 3.x", SAFE, RuleDoc(
        checklist="`track()` event data goes in `data={...}` (customerio 3.x)",
        what="""
            `track()`/`track_anonymous()` with event data as extra keyword arguments
            (`cio.track(cid, "ev", plan="pro")`), the customerio 2.x style.
            """,
        why="""
            customerio 3.x's `track(customer_id, name, data=None, id=None, timestamp=None)` raises
            `TypeError: unexpected keyword argument 'plan'`: after the upgrade, every such event is lost.
            `identify`, `pageview`, `backfill` and `add_device` still take keyword attributes and are not reported.
            """,
        wrong="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.track(user.id, "plan_changed", plan="pro")
            """,
        right="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.track(user.id, "plan_changed", data={"plan": "pro"})
            """,
        fix="""
            safe for a plain 2.x call: the keywords (and `**extra`) move into `data={...}`, comments kept; unsafe when
            the call also passes `data`, `id` or `timestamp` (2.x read those as event data too), merged into the
            dict (`data=None` replaced, another expression spread as `{**(data or {}), ...}`).
            """,
        options="""
            `cio-sdk-major` (0 to 3). Default: the project's pin (lock files, `Pipfile`, requirements,
            `pyproject.toml`, `setup.cfg`, `setup.py`, read as pip reads them) or its vendored copy; with no pin at all, the
            `customerio` installed beside the linter. The rule reports only where that is 3.x: 0.x, 1.x and 2.x take
            event data as keyword arguments, and a pin that does not decide (`customerio>=2`, a git URL, pins whose
            environment markers choose different majors for different Pythons: the linter's Python need not be the
            application's) or no pin and no installed SDK means the version is unknown, and the rule says nothing.
            """,
    )),
    Rule("CIO405", "region-misuse", "Region passed positionally or as a string", SAFE, RuleDoc(
        checklist="the region is passed as `region=Regions.EU`",
        what="""
            A region passed positionally (`CustomerIO(site, key, Regions.EU)` binds it to `host`,
            `APIClient(key, Regions.EU)` to `url`) or as a string (`region="eu"`, `region=os.environ["CIO_REGION"]`,
            or a settings field declared as text, `settings.customer_io.region` where `region: Literal["us", "eu"]`).
            """,
        why="""
            `CustomerIO(site, key, Regions.EU)` raises `AttributeError` at construction;
            `APIClient(key, Regions.EU)` constructs and then fails with `TypeError` on the first send; a string region raises
            `CustomerIOException('invalid region provided')`.
            """,
        wrong="""
            from customerio import CustomerIO, Regions
            cio = CustomerIO(SITE_ID, API_KEY, Regions.EU)
            """,
        right="""
            from customerio import CustomerIO, Regions
            cio = CustomerIO(SITE_ID, API_KEY, region=Regions.EU)
            """,
        fix="safe: `region=Regions.EU` (or `.US`) as a keyword, importing `Regions` if needed.",
    )),
)

#: Each code's message, one template per code, filled at the report site.
MESSAGES = {
    "CIO401": "{what} {reason}{made}: each one opens its own connection pool (a TLS handshake per call{sender}); "
              "build the client once (module level, `functools.cache`) or use `flake8_cio.runtime.{factory}()`",
    "CIO403": "{given} is given to {client}: {needs}, and it fails with 401; use your {setting} setting",
    "CIO405": "region {how} ({error}); pass `region=Regions.{region}`",
}
_report = reporter(MESSAGES)
CREDENTIAL_PARAMS = {sdk.TRACK: ("site_id", "api_key"), sdk.APP: ("key",), sdk.ANALYTICS: ("write_key",)}
PLACEHOLDER = re.compile(r"^$|^(.)\1*$|test|fake|dummy|example|placeholder|changeme|change-me|your|xxx|<.*>|\$\{|\{\{|\.\.\.|secret|todo|none|null", re.IGNORECASE)
ENV_GETTERS = re.compile(r"(?:^|\.)(?:getenv|get|env|config|str|environ)$")


def check(model: Model) -> Iterator:
    for site in model.sites:
        qualname = model.qualname(site.node.func)
        kind = model.constructed_kind(site.node)
        if kind is not None:
            yield from _per_request(model, site, kind)
            yield from _region(model, site, kind)
        elif qualname not in sdk.RUNTIME_CONSTRUCTORS:
            yield from _builder_per_request(model, site)
        kind = kind or sdk.RUNTIME_CONSTRUCTORS.get(qualname)
        if kind is not None:
            yield from _credentials(model, site, kind, _bind_constructor(site.node, kind))
    for fn in model.functions.values():
        yield from _injected_per_request(model, fn)
    for target, value, scope in model.attribute_stores:
        if model.qualname(target) == f"{sdk.ANALYTICS_MODULE}.write_key":
            yield from _hard_coded(model, "write_key", value, scope)
    for call in model.data_calls:  # a wrapper's **kwargs passed on to track() too, reported at its caller
        if call.method in ("track", "track_anonymous") and call.kind in (sdk.TRACK, sdk.RUNTIME) \
                and call.extra and (model.sdk_major or 0) >= 3:
            names = ", ".join(call.extra)
            direct = call in model.cio_calls
            moved = [k.arg for k in call.node.keywords if k.arg in call.extra] if direct else []
            # a pure 2.x call (id, name, keywords) means data={keywords}; with data, id or timestamp too it meant
            # other things on 2.x (all keywords were data) than its 3.x reading: the merge is a guess
            mixed = bool({"data", "id", "timestamp"} & set(call.args))
            yield model.finding(
                "CIO404", call.node,
                f"event data passed as keyword arguments ({names}): that is customerio 2.x style and raises "
                f"TypeError on 3.x; pass `data={{...}}`",
            ).with_fix(_kwargs_to_data if moved else None, UNSAFE if mixed else SAFE, keys=moved,
                       data_at=sdk.METHODS[call.kind][call.method].params.index("data"))


def _bind_constructor(call: ast.Call, kind: str) -> dict[str, ast.expr]:
    params = {sdk.TRACK: ("site_id", "api_key", "host"), sdk.APP: ("key", "url"), sdk.ANALYTICS: ("write_key", "host")}[kind]
    bound = dict(zip(params, (a for a in call.args if not isinstance(a, ast.Starred))))
    bound.update((k.arg, k.value) for k in call.keywords if k.arg)
    return bound


# -- CIO401 ---------------------------------------------------------------------------------------------------
def why_per_call(model: Model, site: Site, seen=None) -> str | None:
    """Why code at this site runs per request, per job or per iteration; None when it runs once."""
    if site.deferred:
        return None
    if site.loops:
        return "per loop iteration"
    fn = site.function
    if fn is None or frameworks.runs_once(model, fn) or frameworks.guarded_once(site):
        return None
    if frameworks.is_handler(model, fn):
        return f"per request (in `{fn.name}`)"
    if frameworks.is_task(model, fn):
        return f"per job (in task `{fn.name}`)"
    if frameworks.is_invocation(model, fn):
        return f"per invocation (in Lambda handler `{fn.name}`)"
    if fn.node in frameworks.pooled_functions(model):
        return f"per record (`{fn.name}` is run by a pool for each item)"
    seen = (seen or set()) | {fn}
    for caller in model.callers.get(fn, ()):
        if caller.function not in seen:
            reason = why_per_call(model, caller, seen)
            if reason:
                return f"{reason}, through `{fn.name}()`"
    return None


def _per_request(model: Model, site: Site, kind: str) -> Iterator:
    reason = why_per_call(model, site)
    if reason:
        factory = "get_app_client" if kind == sdk.APP else "get_client"
        yield _cached_client_fix(model, site, kind, factory, _report(
            model, "CIO401", site.node, what="Customer.io client constructed", reason=reason, made="",
            sender=" and a sender thread" if kind == sdk.ANALYTICS else "", factory=factory))


def _builder_per_request(model: Model, site: Site) -> Iterator:
    """A project class whose instances build their own client, or an uncached project factory, called per request,
    job or iteration; or handed to FastAPI's ``Depends`` (which calls it per request)."""
    dependency = last_name(site.node.func) in ("Depends", "Security") and site.node.args
    target = model.resolve(site.node.args[0], site.scope) if dependency else \
        model.resolve_call(site, run_reference(site.node))  # also what it runs: to_thread(send_alert, ...)
    if not isinstance(target, (ClassRef, FactoryRef, FunctionRef)):
        return
    if not isinstance(target, ClassRef) and target.qualname.rpartition(".")[0] == model.module_name:
        return  # this module's own function: reported where it builds the client, through its callers
    builds = model.instance_client(target) if isinstance(target, ClassRef) else model.builds_per_call(target.entry) if \
        isinstance(target, FunctionRef) else model.factory_builds(target)
    reason = "per request (a FastAPI dependency)" if dependency else why_per_call(model, site)
    qualname = target.qualname
    if builds and reason:
        made = "each instance builds its own Customer.io client" if isinstance(target, ClassRef) else \
            "it builds a new Customer.io client on every call (it is not cached)"
        yield _report(model, "CIO401", site.node, what=f"`{qualname}` is called", reason=reason, made=f", and {made}",
                      sender="", factory="get_client")


def _injected_per_request(model: Model, fn) -> Iterator:
    """A handler or job injected with a client from a container provider that builds a new one for each injection
    (``sender=Provide[Container.transactional]``, ``transactional = providers.Factory(APIClient, ...)``)."""
    arguments = fn.node.args
    injected = [found for found in (injected_lookup(fn.node, arg.arg) for arg in
                                    (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)) if found]
    reason = None if not injected else f"per request (in `{fn.name}`)" if frameworks.is_handler(model, fn) else \
        f"per job (in task `{fn.name}`)" if frameworks.is_task(model, fn) else None
    for looked_up in injected if reason else ():
        if model.built_per_injection(looked_up, fn.scope.parent or model.module):
            yield _report(model, "CIO401", looked_up, reason=reason, sender="", factory="get_client",
                          what=f"Customer.io client injected from `{ast.unparse(looked_up)}`",
                          made=", and that provider (`providers.Factory`) builds a new one for each injection")


def _has_runtime_equivalent(model: Model, site: Site, kind: str) -> bool:
    """Whether `get_client(...)`/`get_app_client(...)` takes exactly these arguments, and the cached client would not
    be closed by a `with` block."""
    call = site.node
    if kind == sdk.ANALYTICS or call in model.with_items or any(isinstance(a, ast.Starred) for a in call.args) or \
            model.qualname(call.func) not in sdk.CONSTRUCTORS:  # a subclass: its own methods would be lost
        return False
    positional, keywords = (2, {"site_id", "api_key", "region", "timeout"}) if kind == sdk.TRACK else (1, {"region"})
    return len(call.args) <= positional and all(k.arg in keywords for k in call.keywords)


# -- CIO402, CIO403 -------------------------------------------------------------------------------------------
def _credentials(model: Model, site: Site, kind: str, arguments: dict) -> Iterator:
    for param in CREDENTIAL_PARAMS[kind]:
        if param in arguments:
            yield from _hard_coded(model, param, arguments[param], site.scope)
    key = arguments.get("api_key" if kind == sdk.TRACK else "key")
    if key is None or kind == sdk.ANALYTICS:
        return
    says = name_tokens(key_source_name(model, key, site.scope) or "")
    is_app, is_track = bool(says & {"app", "transactional"}), bool(says & {"track", "site"})
    if kind == sdk.TRACK and is_app and not is_track:
        yield _swap_key_fix(model, key, _report(
            model, "CIO403", key, given="an App API key", client="the Track client `CustomerIO`",
            needs="Track calls need the Track API key (Basic auth with the site id)", setting="Track key"))
    elif kind == sdk.APP and is_track and not is_app:
        yield _swap_key_fix(model, key, _report(
            model, "CIO403", key, given="a Track API key (or site id)", client="`APIClient`",
            needs="the App API needs the App API key (Bearer)", setting="App API key"))


def key_source_name(model: Model, expr: ast.expr, scope) -> str | None:
    """The setting or environment variable name a credential expression reads."""
    for _ in range(3):
        if isinstance(expr, ast.Call) and ENV_GETTERS.search(dotted(expr.func) or "") and expr.args:
            return str_value(expr.args[0])
        if isinstance(expr, ast.Subscript):
            return str_value(expr.slice)
        resolved = model.value_of(expr, scope)
        if resolved is expr:
            return last_name(expr)
        expr = resolved
    return None


def _hard_coded(model: Model, param: str, expr: ast.expr, scope) -> Iterator:
    value_expr = model.value_of(expr, scope)
    fallback = env_default(value_expr) or model.env_default_of(value_expr, scope)
    value = str_value(model.value_of(fallback, scope) if fallback is not None else value_expr)  # also a constant
    if value is None or PLACEHOLDER.search(value) or len(value) < (16 if model.is_test_file else 8):
        return
    where = " as the environment variable's default" if fallback else ""
    yield model.value_finding(  # a default that travelled is reported at each call, as a constant is
        expr, "CIO402", fallback or expr,
        f"hard-coded Customer.io credential for `{param}`{where}: anyone with the source can send as your "
        "workspace, and rotating it needs a deploy; read it from the environment or a secrets manager",
    )


# -- CIO405 ---------------------------------------------------------------------------------------------------
def _region(model: Model, site: Site, kind: str) -> Iterator:
    call = site.node
    position = {sdk.TRACK: 2, sdk.APP: 1}.get(kind)
    if position is not None and len(call.args) > position and _is_region(model, call.args[position]):
        slot = "host" if kind == sdk.TRACK else "url"
        region = _region_name(model, call.args[position])
        yield _report(
            model, "CIO405", call.args[position], how=f"passed positionally binds to `{slot}`, which fails at run time",
            error="AttributeError at construction" if kind == sdk.TRACK else "TypeError on the first send",
            region=region or "US` or `region=Regions.EU",
        ).with_fix(_region_keyword if region else None, SAFE, target=span(model, call), position=position,
                   region=region)
    for keyword in call.keywords:
        if keyword.arg == "region" and kind in (sdk.TRACK, sdk.APP) and _is_string(model, keyword.value, site.scope):
            region = _region_name(model, keyword.value)
            yield _report(
                model, "CIO405", keyword.value, how="given as a string: the SDK accepts only `Regions.US` or "
                "`Regions.EU`", error="CustomerIOException('invalid region provided')",
                region=region or "US` or `region=Regions.EU",
            ).with_fix(_region_member if region else None, SAFE, region=region)


def _is_region(model: Model, expr: ast.expr) -> bool:
    qualname = model.qualname(expr) or ""
    if any(qualname.startswith(prefix + ".") for prefix in sdk.REGIONS):
        return True
    name = last_name(expr)
    return name is not None and "region" in name_tokens(name) or _region_string(expr)


def _region_string(expr: ast.expr) -> bool:
    return (str_value(expr) or "").lower() in ("us", "eu")


def _is_string(model: Model, expr: ast.expr, scope) -> bool:
    """A string literal, an environment look-up, which is a string too, or an attribute declared as text
    (``settings.customer_io.region`` where the field is ``region: Literal["us", "eu"]``)."""
    expr = model.value_of(expr, scope)
    if str_value(expr) is not None or isinstance(expr, ast.JoinedStr) or model.env_default_of(expr, scope) is not None:
        return True  # (another module's `REGION = os.environ.get("CIO_REGION", "eu")` is a string too)
    if isinstance(expr, ast.IfExp):  # "eu" if eu else "us"
        return _is_string(model, expr.body, scope) and _is_string(model, expr.orelse, scope)
    if isinstance(expr, ast.Subscript):
        return (dotted(expr.value) or "").endswith("environ")
    if isinstance(expr, ast.Attribute):
        return isinstance(model.resolve(expr, scope), TextRef)
    return isinstance(expr, ast.Call) and dotted(expr.func) in ENV_LOOKUPS


# -- fixes (libcst is imported inside them only) --------------------------------------------------------------------
def _cached_client_fix(model: Model, site: Site, kind: str, factory: str, finding):
    """CIO401: the cached runtime client, where ``_cacheable`` says it can take the constructed one's place."""
    safety = _cacheable(model, site, kind)
    return finding if safety is None else \
        finding.with_fix(_cached_client, safety, factory=factory, **moves_to_runtime(model, MOVES_CLIENT))


def _cacheable(model: Model, site: Site, kind: str) -> str | None:
    """The fix's safety when the cached runtime client can replace the client built at ``site``, else None. That
    client returns None, never raises on delivery and is shared (closing it closes it for everyone), so the client
    must be a local used only for calls: a Track client's results unread. Safe only where a failure was nothing but
    an error response (see ``failure_is_only_an_error_response``)."""
    fn, path = site.function, statements_around(model, site)
    assign = path[-1][0] if path else None
    if fn is None or not _has_runtime_equivalent(model, site, kind) or not isinstance(assign, ast.Assign) or \
            assign.value is not site.node or len(assign.targets) != 1 or not isinstance(assign.targets[0], ast.Name):
        return None
    name, methods = assign.targets[0].id, sdk.APP_METHODS if kind == sdk.APP else sdk.TRACK_METHODS
    calls = [s for s in model.sites_in(fn) if isinstance(s.node.func, ast.Attribute) and
             isinstance(s.node.func.value, ast.Name) and s.node.func.value.id == name]
    reads = sum(1 for n in ast.walk(fn.node) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load))
    if reads != len(calls) or any(s.node.func.attr not in methods or data_as_keywords(model.cio_call_at(s)) or
                                  (kind == sdk.TRACK and not result_discarded(model, s)) for s in calls):
        return None  # read some other way (returned, closed, passed on), its result read, or 2.x-style data
    return SAFE if all(failure_is_only_an_error_response(model, s, s.node.func.value) for s in calls) else UNSAFE


def data_as_keywords(call) -> bool:
    """A track call with 2.x-style event data keywords, which the runtime client (3.x's signature) rejects; on 3.x
    CIO404 moves the data first."""
    return call is not None and call.method in ("track", "track_anonymous") and bool(call.extra or call.star)


def becomes_cached(model: Model, expr: ast.expr, scope) -> bool:
    """Whether the client ``expr`` holds is built by a call that CIO401's fix turns into the cached runtime client
    (so the calls on it need no ``nonblocking``)."""
    value = model.value_of(expr, scope)
    kind = model.constructed_kind(value) if isinstance(value, ast.Call) else None
    site = next((s for s in model.sites if s.node is value), None) if kind else None
    return site is not None and why_per_call(model, site) is not None and _cacheable(model, site, kind) is not None


def _cached_client(node, finding, edit):
    import libcst as cst

    if not isinstance(node, cst.Call):
        return None
    if isinstance(node.func, cst.Name):
        edit.drop_if_unused(node.func.value)
    factory = edit.name_for("flake8_cio.runtime", finding.data["factory"])
    return node.with_changes(func=cst.parse_expression(factory))


SWAP = {"APP": "TRACK", "TRACK": "APP", "app": "track", "track": "app", "App": "Track", "Track": "App"}


def _swap_key_fix(model: Model, key: ast.expr, finding):
    """CIO403: the key's setting or environment variable name written at the call, with APP and TRACK swapped, when
    that twin is named elsewhere in the module (a name nobody defines would fail instead)."""
    target = key.slice if isinstance(key, ast.Subscript) else key.args[0] if isinstance(key, ast.Call) and key.args \
        else key if isinstance(key, ast.Attribute) else None
    old = target.attr if isinstance(target, ast.Attribute) else str_value(target)
    new = re.sub(r"(?<![A-Za-z])(APP|TRACK|app|track|App|Track)(?![a-z])", lambda m: SWAP[m.group(1)], old or "")
    named = any(new in (getattr(n, "attr", None), getattr(n, "id", None), getattr(n, "value", None))
                for n in ast.walk(model.tree) if isinstance(n, (ast.Attribute, ast.Name, ast.Constant)))
    if not old or new == old or not named or not re.fullmatch(r"[\w.-]+", new):
        return finding
    return finding.with_fix(_swap_key_name, UNSAFE, target=span(model, target), name=new)


def _swap_key_name(node, finding, edit):
    import libcst as cst

    if isinstance(node, cst.Attribute):
        return node.with_changes(attr=cst.Name(finding.data["name"]))
    return string_like(node, finding.data["name"]) if isinstance(node, cst.SimpleString) else None


def _kwargs_to_data(node, finding, edit):
    """2.x event data keywords (and ``**extra``, which 2.x sent as data too) move into ``data``; comments after
    them stay, in the dict or after the call's last argument."""
    import libcst as cst

    keys = set(finding.data["keys"])
    moved = [a for a in node.args if (a.keyword is not None and a.keyword.value in keys) or a.star == "**"]
    if not moved:
        return None
    elements = []
    for arg in moved:
        commented = isinstance(arg.comma, cst.Comma) and "#" in edit.code(arg.comma)
        comma = arg.comma if commented and arg is not node.args[-1] else cst.MaybeSentinel.DEFAULT
        elements.append(cst.StarredDictElement(arg.value, comma=comma) if arg.star else
                        cst.DictElement(cst.SimpleString(f'"{arg.keyword.value}"'), arg.value, comma=comma))
    call = node.with_changes(args=[a for a in node.args if not any(a is m for m in moved)])
    call = merge_entries(call, "data", finding.data["data_at"], elements)
    return with_args(call, list(call.args), last=node.args[-1].comma)


def _region_name(model: Model, expr: ast.expr) -> str | None:
    """``"EU"``/``"US"`` for ``Regions.EU`` or a string naming a region; None for anything else (an environment
    variable could hold anything)."""
    qualname = model.qualname(expr) or ""
    if any(qualname.startswith(prefix + ".") for prefix in sdk.REGIONS):
        return qualname.rsplit(".", 1)[1]
    text = (str_value(expr) or "").strip().upper()
    return text if text in ("EU", "US") else None


def _region_member(node, finding, edit):
    """``region="eu"`` -> ``region=Regions.EU`` (the node is the string)."""
    import libcst as cst

    return cst.parse_expression(f"{edit.name_for('customerio', 'Regions')}.{finding.data['region']}")


def _region_keyword(node, finding, edit):
    """``CustomerIO(site, key, Regions.EU)`` -> ``CustomerIO(site, key, region=Regions.EU)`` (the node is the call)."""
    import libcst as cst

    region = _region_member(node, finding, edit)
    index = find_arg(node, "", finding.data["position"])
    if not isinstance(node, cst.Call) or index is None:
        return None
    value = node.args[index].value
    keep = isinstance(value, (cst.Attribute, cst.Name))  # Regions.EU as written
    args = [a for i, a in enumerate(node.args) if i != index]
    return with_args(node, [*args, keyword_arg("region", value if keep else region)])
