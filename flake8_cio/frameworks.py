"""Frameworks: which functions run per web request, per job or per invocation, and which run once.

Web frameworks register handlers in three ways, all recognised here: decorators (``@app.post``, DRF
``@action``, Flask ``before_request``), class-based views (verb methods and the generic-view hooks Django and DRF
call inside the request), and registration calls (``path("x/", views.signup)``, ``add_url_rule``, Starlette
``Route``, aiohttp ``router.add_post``, FastAPI ``Depends(get_cio)``).
"""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from .scopes import Function, Site, class_bases, dotted, last_name, str_value

if TYPE_CHECKING:
    from .semantic import Model

HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}
ROUTE_ATTRS = HTTP_METHODS | {"route", "api_route", "websocket", "websocket_route", "view", "ws"}
REQUEST_HOOKS = {"before_request", "after_request", "before_app_request", "after_app_request", "teardown_request"}
ROUTER_NAME = re.compile(r"(?:^|_)(?:app|application|bp|blueprint|router|routes|api|server)$", re.IGNORECASE)
ROUTE_FUNCTIONS = {  # bare decorators resolved through imports
    "rest_framework.decorators.api_view", "rest_framework.decorators.action", "litestar.get", "litestar.post",
    "litestar.put", "litestar.patch", "litestar.delete", "litestar.route", "litestar.websocket",
}
VIEW_BASE = re.compile(r"(?:View|APIView|ViewSet|Resource|HTTPEndpoint|Controller|MethodView|Handler|Mixin)$")
VIEW_METHODS = HTTP_METHODS | {
    "list", "create", "retrieve", "update", "partial_update", "destroy", "dispatch",
    "perform_create", "perform_update", "perform_destroy",  # DRF, inside the request
    "form_valid", "form_invalid", "get_context_data", "get_queryset", "get_object",  # Django generic views
}
#: Methods of a Django middleware that run inside every request.
MIDDLEWARE_METHODS = {"__call__", "__acall__", "process_request", "process_view", "process_response",
                      "process_exception", "process_template_response"}
#: Calls that register a function as a request handler, and where the function goes (index, keyword).
REGISTRARS = {
    "path": (1, "view"), "re_path": (1, "view"), "url": (1, "view"),  # Django urls.py
    "add_url_rule": (2, "view_func"),  # Flask
    "Route": (1, "endpoint"), "WebSocketRoute": (1, "endpoint"),  # Starlette
    "add_get": (1, "handler"), "add_post": (1, "handler"), "add_put": (1, "handler"),  # aiohttp
    "add_patch": (1, "handler"), "add_delete": (1, "handler"), "add_route": (2, "handler"),
    "add_api_route": (1, "endpoint"),  # FastAPI
    "Depends": (0, "dependency"), "Security": (0, "dependency"),  # FastAPI dependencies run per request
}
#: RQ's queue methods that run a function as a job, and where the function goes (index, keyword).
ENQUEUERS = {"enqueue": (0, "f"), "enqueue_call": (0, "func"), "enqueue_in": (1, "func"), "enqueue_at": (1, "f")}
#: Methods of thread/process pools and executors that run a function once per item or per submission.
POOL_METHODS = {"map", "imap", "imap_unordered", "starmap", "map_async", "submit", "apply_async"}
TASK_DECORATOR = re.compile(r"(?:^|\.)(?:task|shared_task|actor|job|periodic_task|db_task|db_periodic_task)$")
CACHE_DECORATOR = re.compile(r"(?:^|\.)(?:cache|lru_cache|cached|cached_property|memoize|singleton)$")
ONCE_FUNCTIONS = re.compile(
    r"^(?:create_app|make_app|app_factory|init_app|setup|configure|lifespan|on_startup|startup|ready|main)$")
STARTUP_DECORATOR = re.compile(
    r"(?:on_event|on_startup|before_serving|before_first_request|listener)$")  # a context manager runs per `with`
LAMBDA_HANDLER = re.compile(r"(?:^|_)handler$")
EVENT_PARAMS = {"event", "evt", "_event"}
CONTEXT_PARAMS = {"context", "ctx", "_context", "_ctx", "lambda_context"}


def decorator_names(model: Model, fn: Function) -> list[str]:
    names = []
    for decorator in fn.node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        names.append(model.qualname(target) or dotted(target) or "")
    return names


def is_handler(model: Model, fn: Function) -> bool:
    """A web request handler: route decorators and hooks, class-based view methods, registered functions,
    Django function views, the option's extras (memoised per module: every rule asks)."""
    key = ("handler", fn)
    if key not in model.memo:
        model.memo[key] = _is_handler(model, fn)
    return model.memo[key]


def _is_handler(model: Model, fn: Function) -> bool:
    if _decorated_as_handler(model, fn):
        return True
    if _is_admin_action(fn):
        return True
    if fn.cls is not None and fn.parent is None:
        if fn.name in MIDDLEWARE_METHODS and _is_middleware(fn.cls):
            return True
        return fn.name in VIEW_METHODS and any(VIEW_BASE.search(dotted(base) or "") for base in class_bases(fn.cls))
    if fn.parent is None and (fn.node in registered_functions(model) or model.routed_elsewhere(fn)):
        return True
    if model.is_views_module and fn.parent is None:
        params = fn.node.args.posonlyargs + fn.node.args.args
        return bool(params) and params[0].arg == "request"
    return False


def _is_admin_action(fn: Function) -> bool:
    """A Django admin action, run inside the admin's request: ``action(modeladmin, request, queryset)``, or a
    ``ModelAdmin`` method ``(self, request, queryset)``."""
    params = [a.arg for a in (*fn.node.args.posonlyargs, *fn.node.args.args)]
    if fn.parent is not None or params[-2:] != ["request", "queryset"]:
        return False
    if fn.cls is None:
        return params == ["modeladmin", "request", "queryset"]
    return len(params) == 3 and any((dotted(base) or "").endswith("ModelAdmin") for base in class_bases(fn.cls))


def _is_middleware(cls: ast.ClassDef) -> bool:
    """Django middleware: built with ``get_response`` (``__init__(self, get_response)``), or a MiddlewareMixin."""
    if any((dotted(base) or "").endswith("MiddlewareMixin") for base in class_bases(cls)):
        return True
    init = next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
    params = [a.arg for a in init.args.args] if init else []
    return params[1:2] == ["get_response"]


def _decorated_as_handler(model: Model, fn: Function) -> bool:
    extra = model.options.route_decorators
    for decorator in fn.node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = dotted(target) or ""
        if (model.qualname(target) or name) in ROUTE_FUNCTIONS or any(name == e or name.endswith("." + e) for e in extra):
            return True
        if isinstance(target, ast.Attribute) and target.attr in REQUEST_HOOKS:
            return True
        if isinstance(decorator, ast.Call) and isinstance(target, ast.Attribute) and target.attr in ROUTE_ATTRS:
            path = str_value(decorator.args[0]) if decorator.args else None
            if (path is not None and path.startswith("/")) or ROUTER_NAME.search(last_name(target.value) or ""):
                return True
    return False


def registered_functions(model: Model, registrars: dict = REGISTRARS) -> set[ast.AST]:
    """Functions of this module handed to a registrar (``path("x/", signup)``, ``Depends(get_cio)``), or to
    another table's calls (``ENQUEUERS``: ``queue.enqueue(send_invoice)``)."""
    key = ("registered", id(registrars))
    if key not in model.memo:
        model.memo[key] = {node for node in (_resolve_local(model, ref) for ref in registered_refs(model, registrars))
                           if node}
    return model.memo[key]


def registered_refs(model: Model, registrars: dict = REGISTRARS) -> list[ast.expr]:
    """Expressions handed to a registrar anywhere in the module: local names or imported ``views.signup``."""
    refs = []
    for site in model.sites:
        where = registrars.get(last_name(site.node.func) or "")
        if where is None:
            continue
        index, keyword = where
        args = site.node.args
        refs.extend(k.value for k in site.node.keywords if k.arg == keyword)
        if len(args) > index and not isinstance(args[index], ast.Starred):
            refs.append(args[index])
    return refs


def _resolve_local(model: Model, ref: ast.expr) -> ast.AST | None:
    if isinstance(ref, ast.Name):
        values = model.module.bindings.get(ref.id, [])
        if len(values) == 1 and isinstance(values[0], (ast.FunctionDef, ast.AsyncFunctionDef)):
            return values[0]
    return None


def pooled_functions(model: Model) -> set[ast.AST]:
    """Functions of this module that a pool runs per item (``executor.map(send, users)``, ``submit(send, u)``)."""
    if "pooled" not in model.memo:
        pooled = set()
        for site in model.sites:
            callee = pooled_callee(site.node)
            fn = model.local_function(callee, site) if callee is not None else None
            if fn is not None:
                pooled.add(fn.node)
        model.memo["pooled"] = pooled
    return model.memo["pooled"]


def pooled_callee(call: ast.Call) -> ast.expr | None:
    """What a pool runs per item: ``executor.map(send, users)`` -> ``send``, also through a lambda
    (``executor.map(lambda row: send(config, row), rows)``); None when the call hands nothing to a pool."""
    if last_name(call.func) not in POOL_METHODS or not call.args:
        return None
    target = call.args[0]
    if isinstance(target, ast.Lambda) and isinstance(target.body, ast.Call):
        return target.body.func
    return target


def is_task(model: Model, fn: Function) -> bool:
    """A background job: decorated (Celery, Dramatiq, RQ's ``@job``) or handed to an RQ queue, here or in another
    module (``queue.enqueue(send_invoice, invoice.id)``): runs once per job."""
    if any(TASK_DECORATOR.search(name) for name in decorator_names(model, fn)):
        return True
    if fn.parent is not None or fn.cls is not None:
        return False
    return fn.node in registered_functions(model, ENQUEUERS) or model.enqueued_elsewhere(fn)


def runs_elsewhere(model: Model, fn: Function) -> bool:
    """Calling it runs its body elsewhere: a huey task puts a job on the queue and returns (``send_welcome(user.pk)``
    in a view runs nothing of it there, where calling a Celery, Dramatiq or RQ task function runs it inline); an
    ``asgiref`` ``sync_to_async`` function runs in a thread while its caller awaits."""
    for decorator in fn.node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = model.qualname(target) or dotted(target) or ""
        if TASK_DECORATOR.search(name) and (_is_huey(name) or _is_huey_instance(model, target)) or \
                name in ("asgiref.sync.sync_to_async", "channels.db.database_sync_to_async"):
            return True
    return False


def _is_huey(decorator: str) -> bool:
    """``huey.contrib.djhuey.db_task``, ``huey.task`` of an instance named ``huey`` here or in another module."""
    return any(part.lower() == "huey" for part in decorator.split(".")[:-1])


def _is_huey_instance(model: Model, target: ast.expr) -> bool:
    """``queue.task`` of ``queue = RedisHuey(...)`` (any ``*Huey`` class) in this module."""
    if not isinstance(target, ast.Attribute):
        return False
    value = model.value_of(target.value, model.module)
    return isinstance(value, ast.Call) and (dotted(value.func) or "").endswith("Huey")


def is_invocation(model: Model, fn: Function) -> bool:
    """An AWS Lambda entry point, a module-level ``f(event, context)``: runs per invocation. Named like a handler
    (``handler``, ``lambda_handler``), named by the project's deploy files (serverless.yml, SAM, Zappa, CDK), or the
    only such function of its module."""
    if not _takes_event_and_context(fn):
        return False
    if LAMBDA_HANDLER.search(fn.name):
        return True
    named = model.project.lambda_handlers() if model.project is not None and model.module_name else set()
    if any(function == fn.name and (model.module_name or "").endswith(module) for module, function in named):
        return True
    return [f for f in model.functions.values() if _takes_event_and_context(f)] == [fn]


def _takes_event_and_context(fn: Function) -> bool:
    params = [a.arg for a in (*fn.node.args.posonlyargs, *fn.node.args.args)]
    return fn.cls is None and fn.parent is None and len(params) == 2 and params[0] in EVENT_PARAMS and \
        params[1] in CONTEXT_PARAMS


def runs_once(model: Model, fn: Function) -> bool:
    """A cached factory, a start-up hook or an app factory: what it builds is built once."""
    names = decorator_names(model, fn)
    if any(CACHE_DECORATOR.search(n) or STARTUP_DECORATOR.search(n) for n in names):
        return True
    if fn.name == "ready" and fn.cls is not None and any("AppConfig" in (dotted(b) or "") for b in class_bases(fn.cls)):
        return True
    # a Lambda handler named `main` runs per invocation, however like a script's entry point it is named
    return fn.cls is None and bool(ONCE_FUNCTIONS.match(fn.name)) and not is_invocation(model, fn)


def guarded_once(site: Site) -> bool:
    """Inside ``if _client is None:`` / ``if not _client:``: a lazily built singleton."""
    for test in site.guards:
        if isinstance(test, ast.Compare) and any(isinstance(op, ast.Is) for op in test.ops) and \
                any(isinstance(c, ast.Constant) and c.value is None for c in test.comparators):
            return True
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return True
    return False
