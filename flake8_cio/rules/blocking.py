"""CIO5xx/CIO6xx: where Customer.io calls run. Every `customerio` call is a blocking HTTPS request."""
from __future__ import annotations

import ast
import re
from typing import Iterator

from .. import frameworks, sdk
from ..rule import Rule, RuleDoc
from ..types import NONE, SAFE, UNSAFE
from ..semantic import CioCall, Function, Model, Site, dotted, last_name
from .clients import becomes_cached, data_as_keywords
from .fixing import (MOVES_CALLS, awaited_statement, failure_is_only_an_error_response, moves_to_runtime, reporter,
                     result_discarded, span)

RULES = (
    Rule("CIO501", "blocking-call-in-request-handler", "Blocking Customer.io call made in a web request handler", SAFE, RuleDoc(
        checklist="request handlers do not wait on Customer.io",
        what="""
            A Customer.io call made directly in a request handler (Django admin actions included), or through any chain of project functions and
            methods, in the same module or others (a service class, `services/analytics.py`'s `track_signup()`,
            a function making the call on a client the handler passes it, `push_receipt(cio, ride)`; reported at the
            handler's call, naming the chain), or awaited through `asyncio.to_thread`/`run_in_executor`.
            Calls in background tasks, queues, signal handlers, nested functions and lambdas that run later, calls through the
            runtime client, and Data Pipelines calls (that client queues them; but `flush()` and `sync_mode` block) are fine.
            """,
        why="""
            Every `customerio` call is a synchronous HTTPS request with a 10 s timeout and up to 3
            retries: the response waits a round trip (100–300 ms) on a good day, and seconds, or an error page, when
            Customer.io is slow or down.
            """,
        wrong="""
            from customerio import CustomerIO
            from flask import Flask
            app = Flask(__name__)
            cio = CustomerIO(SITE_ID, API_KEY)

            @app.post("/signup")
            def signup():
                cio.identify(user.id, plan="pro")
                return "ok"
            """,
        right="""
            from customerio import CustomerIO
            from flask import Flask
            from flake8_cio.runtime import nonblocking
            app = Flask(__name__)
            cio = CustomerIO(SITE_ID, API_KEY)

            @app.post("/signup")
            def signup():
                nonblocking(cio).identify(user.id, plan="pro")
                return "ok"
            """,
        fix="""
            safe where a failure only failed the request and the project declares `flake8-cio` as a runtime
            dependency (requirements, pyproject, setup.cfg/setup.py, Pipfile; else unsafe, and cio-fix says where to
            declare it): the call goes through the runtime client
            (`nonblocking(cio).identify(...)`), or the handler's own `CustomerIO(...)` becomes `get_client(...)`
            (CIO401). Unsafe inside `try`/`with`, under decorators that see exceptions (transactions, retries), on an
            injected client (a test's Mock) or in test files; none where the call's result is read (the runtime
            client returns None) or the client was built with a `url_prefix` (a proxy that may not route the
            runtime's Track v2 path). Calls through helpers are reported without a fix.

            The project decides too, and cio-fix's summary says what held a fix back (naming the first such test):
            - the SDK must be decided 3.x (`cio-sdk-major`, else the project's pin, else the installed `customerio`):
              the runtime client takes 3.x calls, and on 2.x `track(uid, "x", data={...})` means other event data; a
              2.x pin, a pin that does not decide or no version at all makes the fix unsafe;
            - the project's tests must not mock the SDK's HTTP: `send_request` patched (on `CustomerIO` or a client),
              `requests`/`urllib3` patched, or responses, requests-mock, httpretty, vcrpy/pytest-recording, betamax,
              pook or pytest-httpserver in any test module (imported, or as a fixture or mark). The runtime client
              sends Track v2 batches with urllib3 from its own thread: those tests would no longer see the calls,
              and the calls would reach Customer.io;
            - for `get_client(...)` only: the tests must not patch the SDK's client class
              (`mock.patch("customerio.CustomerIO.suppress")`, `patch.object(CustomerIO, ...)`) or a module's name
              for it (`mock.patch("app.views.CustomerIO")`): a client `get_client()` builds is no `CustomerIO`.
              `nonblocking(cio)` still calls the client's own (patched) methods, and patches of the app's client
              object (`mock.patch("app.cio")`, `patch.object(app.cio, "track")`) are seen by both.
            """,
        options="`cio-route-decorators`, `cio-client-names`.",
    )),
    Rule("CIO502", "blocking-call-in-async-function", "Synchronous Customer.io call inside an async function", SAFE, RuleDoc(
        checklist="async code does not make synchronous Customer.io calls",
        what="""
            A synchronous Customer.io call inside any `async def` (or a call of a sync project function or method,
            in the same module or others, that makes one, also on a client the call passes it, `push_receipt(cio,
            ride)`: reported at the call, naming the chain; or an SDK method handed to the event loop, or a lambda
            calling one: `loop.call_soon(cio.delete, user_id)`, `loop.call_later(30, lambda: cio.track(...))`). In an
            async route this is the handler's finding for the call (not CIO501 as well). A function decorated with
            asgiref's `sync_to_async` runs in a thread while it is awaited: fine.
            """,
        why="""
            The call blocks the event loop: every other request served by that loop stops for the whole
            HTTPS round trip, so one slow Customer.io response stalls the whole worker.
            """,
        wrong="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)

            async def on_signup(user):
                cio.identify(user.id)
            """,
        right="""
            import asyncio
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)

            async def on_signup(user):
                await asyncio.to_thread(cio.identify, user.id)
            """,
        fix="""
            safe in a request handler under the conditions of CIO501, unsafe in other `async def`s (their callers
            would no longer see failures), none where the call's result is read: the call goes through the runtime
            client (`nonblocking(cio).identify(...)`), dropping an `await` on it.
            """,
        options="`cio-client-names`.",
    )),
    Rule("CIO601", "unbatched-bulk-loop", "Per-record Customer.io calls in a bulk loop, without batching or rate limiting", SAFE, RuleDoc(
        checklist="bulk imports are batched and rate-limited",
        what="""
            Per-record Track calls (`identify`, `track`, `backfill`, `add_device`, ...) inside a `for` loop
            or comprehension over more than a few fixed items, with nothing in the loop that sleeps or rate-limits (a call
            or `with` block whose name says so: `time.sleep`, `limiter.acquire()`, `with limiter:`, `bucket.consume()`);
            also made per record through a helper (in the module or another), a pool (`executor.map(send, users)`, a
            lambda or a `partial` handed to it, `submit` in a loop), a coroutine per record (`asyncio.gather(*(notify(r)
            for r in rows))`, `TaskGroup.create_task` in a loop) or an SDK method handed to `to_thread` or
            `BackgroundTasks.add_task` in a loop. Loops over up to 10 literal items (or `range(n)`, `rows[:n]` with a
            constant `n` up to 10), `while` consumer loops, `batch()`
            calls, a pooled function that paces itself, calls through the runtime client and loops in test files are
            fine.
            Such a loop in a request handler or `async def` is also reported as CIO501/CIO502 on the same call: they are
            two problems, and ignoring one code must not hide the other (both fixes are the same edit, made once).
            """,
        why="""
            One HTTPS request per record, one after the other: a 100,000-row import takes hours, runs
            past Customer.io's rate limit (about 100 requests/s) and gets 429s, which the SDK does not retry, so rows are lost.
            """,
        wrong="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)

            def import_users(rows):
                for row in rows:
                    cio.identify(row["id"], plan=row["plan"])
            """,
        right="""
            from customerio import CustomerIO
            from flake8_cio.runtime import nonblocking
            cio = CustomerIO(SITE_ID, API_KEY)

            def import_users(rows):
                client = nonblocking(cio)
                for row in rows:
                    client.identify(row["id"], plan=row["plan"])
                client.flush()
            """,
        fix="""
            safe in a request handler under the conditions of CIO501, unsafe in jobs and scripts (a failure no
            longer stops the loop or counts in the exit status), none where the call's result is read: the call goes
            through the runtime client, which batches (Track API v2) and rate-limits.
            """,
    )),
)

PER_RECORD = set(sdk.TRACK_METHODS) - {"batch"}
#: Each code's message, one template per code (as ruff's one message per violation), filled at the report site.
MESSAGES = {
    "CIO501": "{call} in request handler `{fn}` waits on Customer.io: {how}; {instead} or a background task",
    "CIO502": "{call} in `async def {fn}` blocks the event loop on Customer.io: {how}; {instead}",
    "CIO601": "{how} and makes {what} each time ({path}): one HTTPS request per record, unbatched and not "
              "rate-limited; send through `flake8_cio.runtime.nonblocking(client)` (batches, rate-limits) or `batch()`",
}
_report = reporter(MESSAGES)
THROUGH_RUNTIME = "make that call through `flake8_cio.runtime.nonblocking(client)`"
SMALL_LOOP = 10
RATE_LIMITING = re.compile(r"sleep|throttl|limit|acquire|wait|backoff|consume", re.IGNORECASE)
LOOP_SCHEDULERS = {"call_soon": 0, "call_soon_threadsafe": 0, "call_later": 1, "call_at": 1}  # where the callback is
EXECUTORS = {"to_thread", "run_in_executor", "run_sync", "sync_to_async", "run_in_threadpool"}
URL_PREFIX_POSITION = 6  # CustomerIO(site_id, api_key, host, region, port, url_prefix, ...)
ITER_WRAPPERS = {"enumerate", "sorted", "reversed", "list", "tuple", "set", "items", "keys", "values"}


def check(model: Model) -> Iterator:
    for call in model.cio_calls:
        if not call.site.deferred and model.blocks(call):
            yield from _direct(model, call)
    for call in model.referenced_calls:  # send = cio.track; send(...): blocking here, no rewrite of the binding
        if not call.site.deferred and model.blocks(call):
            yield from _direct(model, call, fixable=False)
    for call in model.bound_calls:  # handed to a thread once per record: still one request per record
        if call in model.referenced_calls:
            continue
        if _per_record(call) and _bulk_loop(model, call.site):
            yield _report(model, "CIO601", call.node, what="a Customer.io request", path=f"line {call.node.lineno}",
                          how=f"`{call_text(model, call)}` is handed to `{last_name(call.node.func)}` once per record "
                              "in a loop")
    helper_blocks: dict[Function, CioCall | None] = {}
    for site in model.sites:
        fn = site.function
        if site.deferred or (fn is None and not site.loops):
            continue
        for callee in model.callees(site.node.func, site):
            helper = model.local_function(callee, site)
            if helper is not None and helper.is_async:
                yield from _per_record_coroutine(model, site, helper, callee)
            if helper is not None and not helper.is_async:
                inner = _blocking_call_in(model, helper, helper_blocks)
                if inner is not None and _per_record(inner) and \
                        _bulk_loop(model, site) and not _rate_limited(helper.node):
                    yield _report(model, "CIO601", site.node,
                                  how=f"`{_named(model, site, helper.name)}()` runs once per record in a loop",
                                  what="a blocking Customer.io call",
                                  path=f"`{call_text(model, inner)}` at line {inner.node.lineno}")
                if inner is not None and fn is not None:
                    yield from _through_helper(model, site, helper, inner)
                if inner is None or not _per_record(inner):  # it may reach a Track call through the project
                    yield from _through_project(model, site, callee)
            if helper is None:
                yield from _per_record_project_coroutine(model, site, callee)
            if helper is None and model.cio_call_at(site) is None and \
                    (callee is site.node.func or model.bound_call_at(site) is None):  # LOCAL["push"](...): above
                yield from _through_project(model, site, callee)
        if fn is not None and site.awaited and frameworks.is_handler(model, fn) and _offloaded(site.node) is not None:
            yield from _awaited_executor(model, site)
        if fn is not None and fn.is_async:
            yield from _scheduled_on_the_loop(model, site)


def call_text(model: Model, call: CioCall) -> str:
    return f"{ast.unparse(call.node.func)}()"


def _direct(model: Model, call: CioCall, fixable: bool = True) -> Iterator:
    """What a blocking SDK call written here is: per record in a bulk loop, and/or in async code or a handler."""
    fix, safety, data = _nonblocking_fix(model, call) if fixable else (None, NONE, {})
    fn, what = call.site.function, call_text(model, call)
    found = []
    if _per_record(call) and _bulk_loop(model, call.site):
        found.append(_report(model, "CIO601", call.node, how=f"`{what}` runs once per record in a loop",
                             what="an HTTPS request to Customer.io", path=f"line {call.node.lineno}"))
    if fn is not None and fn.is_async:
        found.append(_report(model, "CIO502", call.node, call=f"synchronous Customer.io call `{what}`", fn=fn.name,
                             how="a full HTTPS round trip (up to 10 s per try) for every request on the loop",
                             instead="use `flake8_cio.runtime.nonblocking(client)` or `await asyncio.to_thread(...)`"))
    elif fn is not None and frameworks.is_handler(model, fn):
        found.append(_report(model, "CIO501", call.node, call=f"blocking Customer.io call `{what}`", fn=fn.name,
                             how="an HTTPS round trip per request (seconds when it is slow, with retries)",
                             instead="use `flake8_cio.runtime.nonblocking(client)`"))
    for finding in found:
        yield finding.with_fix(fix, safety, **data)


def _per_record_coroutine(model: Model, site: Site, helper: Function, callee: ast.expr) -> Iterator:
    """``asyncio.gather(*(notify(r) for r in rows))``, ``tg.create_task(notify(r))`` in a loop: a coroutine per
    record whose Customer.io request (awaited off the loop, or blocking) is made once per record; also when the
    request is in project code it runs (``to_thread(ledger().invoice_overdue, ...)``)."""
    inner = _request_in(model, helper, set())
    if inner is None:
        yield from _per_record_project_coroutine(model, site, callee)
    elif inner.method in PER_RECORD and _bulk_loop(model, site):
        yield _report(model, "CIO601", site.node, how=f"`{helper.name}()` runs once per record",
                      what="a Customer.io request", path=f"`{call_text(model, inner)}` at line {inner.node.lineno}")


def _per_record_project_coroutine(model: Model, site: Site, callee: ast.expr) -> Iterator:
    """The same with a coroutine function of another module (or a service object) that makes the request."""
    if not _bulk_loop(model, site):  # first: most calls are in no loop, and the chain reads other modules
        return
    chain = model.request_chain(callee, site.scope, site.node)
    if chain and chain[-1].method in PER_RECORD:
        yield _report(model, "CIO601", site.node, how=f"`{last_name(callee) or ast.unparse(callee)}()` runs once "
                      "per record", what="a Customer.io request", path=_chain_text(chain))


def _chain_text(chain: list) -> str:
    return " -> ".join([*(step.name for step in chain[:-1]), f"{chain[-1].name} ({chain[-1].where})"])


def _request_in(model: Model, fn: Function, seen: set) -> CioCall | None:
    """A Track request that running ``fn`` makes, blocking or handed to a thread, directly or through local
    helpers (async ones too)."""
    seen.add(fn)
    for site in model.sites_in(fn):
        call = model.cio_call_at(site) or model.bound_call_at(site)
        if call is not None and call.kind == sdk.TRACK:
            return call
        helper = model.local_function(site.node.func, site)
        inner = _request_in(model, helper, seen) if helper is not None and helper not in seen else None
        if inner is not None:
            return inner
    return None


def _blocking_call_in(model: Model, fn: Function, memo: dict) -> CioCall | None:
    """A blocking Customer.io call that running ``fn`` makes, directly or through local helpers."""
    if fn in memo:
        return memo[fn]
    memo[fn] = None  # cycle guard; and nothing for a function whose body runs elsewhere (a huey task, sync_to_async)
    for site in model.sites_in(fn) if not frameworks.runs_elsewhere(model, fn) else ():
        call = model.cio_call_at(site)
        if call is not None and model.blocks(call):
            memo[fn] = call
            break
        helper = model.local_function(site.node.func, site)
        if helper is not None and not helper.is_async and _blocking_call_in(model, helper, memo):
            memo[fn] = memo[helper]
            break
    return memo[fn]


def _through_project(model: Model, site: Site, callee: ast.expr) -> Iterator:
    """A call of project code (another module, a service object, one a dispatch table or ``getattr`` picks) that
    ends in a blocking Customer.io call; or per-record work handed to a pool (``executor.map(send_welcome, users)``)."""
    pooled_target = frameworks.pooled_callee(site.node)
    pooled = pooled_target is not None
    target = _unpartial(model, pooled_target, site) if pooled else callee
    found = _path_to_sdk(model, site, target, pooled)
    if found is None:
        return
    path, per_record = found[0], found[1] in PER_RECORD  # a batch() per chunk is what batching looks like
    written = _dispatched(model, site) and not pooled
    fn, name = site.function, (ast.unparse(site.node.func) if written else last_name(target) or ast.unparse(target))
    paced = (local := model.local_function(target, site)) is not None and _rate_limited(local.node)
    if per_record and not paced and (_pool_per_record(model, site) if pooled else _bulk_loop(model, site)):
        how = f"`{name}` runs once per record through a pool" if pooled else f"`{name}()` runs once per record in a loop"
        yield _report(model, "CIO601", site.node, how=how, what="a blocking Customer.io call", path=path)
    if pooled:  # the pool's threads wait on Customer.io, not the caller
        return
    how = f"it may run {path}" if written else f"it calls {path}"
    if fn is not None and fn.is_async:
        yield _report(model, "CIO502", site.node, call=f"`{name}()`", fn=fn.name, how=how, instead=THROUGH_RUNTIME)
    elif fn is not None and frameworks.is_handler(model, fn):
        yield _report(model, "CIO501", site.node, call=f"`{name}()`", fn=fn.name, how=how, instead=THROUGH_RUNTIME)


def _path_to_sdk(model: Model, site: Site, target: ast.expr, pooled: bool) -> tuple[str, str] | None:
    """How running ``target`` reaches a blocking Customer.io call (for the message) and which SDK method that is;
    None when it does not.
    A local helper's own blocking call is left to ``_through_helper``, unless a pool runs it."""
    local = model.local_function(target, site)
    if pooled and _sdk_method_reference(model, target, site):  # executor.submit(cio.identify, user.id)
        return f"{ast.unparse(target)}() (line {site.node.lineno})", target.attr
    inner = _blocking_call_in(model, local, {}) if local is not None and not local.is_async else None
    if local is not None and (local.is_async or inner is not None and _per_record(inner)):
        return inner and pooled and (f"{local.name} -> {call_text(model, inner)} (line {inner.node.lineno})",
                                     inner.method)
    fn = site.function  # where a chain is a finding: the call's clients are read for a function tracking on them
    reported = not pooled and (bool(site.loops) or fn is not None and (fn.is_async or frameworks.is_handler(model, fn)))
    chain = model.blocking_chain(target, site.scope, site.node if reported else None)  # also a local helper
    if not chain:
        return None
    return _chain_text(chain), chain[-1].method


def _sdk_method_reference(model: Model, expr: ast.expr, site: Site) -> bool:
    """``cio.identify`` handed over uncalled: a blocking SDK method that a pool will call."""
    return isinstance(expr, ast.Attribute) and model.client_kind(expr.value, site.scope) in (sdk.TRACK, sdk.APP, "?") and \
        expr.attr in {**sdk.TRACK_METHODS, **sdk.APP_METHODS}


def _unpartial(model: Model, target: ast.expr, site: Site) -> ast.expr:
    """What a pool runs when it is handed a ``functools.partial`` (``churn = partial(cio.track, name=...)``)."""
    value = model.value_of(target, site.scope)
    partial = isinstance(value, ast.Call) and last_name(value.func) == "partial" and value.args
    return value.args[0] if partial else target


def _pool_per_record(model: Model, site: Site) -> bool:
    """``pool.map(f, records)`` over more than a few fixed items, or ``submit(f, record)`` in a bulk loop."""
    if last_name(site.node.func) in ("submit", "apply_async"):
        return _bulk_loop(model, site)
    return len(site.node.args) > 1 and not _small_fixed(model, site.node.args[1], site)


def _per_record(call: CioCall) -> bool:
    """A Track request made once per record: what batching would save."""
    return call.method in PER_RECORD and call.kind == sdk.TRACK


def _through_helper(model: Model, site: Site, helper: Function, inner: CioCall) -> Iterator:
    fn = site.function
    how = f"makes a blocking Customer.io call (`{call_text(model, inner)}` at line {inner.node.lineno})"
    how = f"it may run `{helper.name}()`, which {how}" if _dispatched(model, site) else f"it {how}"
    if fn.is_async or frameworks.is_handler(model, fn):
        yield _report(model, "CIO502" if fn.is_async else "CIO501", site.node, call=f"`{_named(model, site, helper.name)}()`",
                      fn=fn.name, how=how, instead=THROUGH_RUNTIME)


def _dispatched(model: Model, site: Site) -> bool:
    """``SENDERS[channel](...)``, ``getattr(service, f"order_{status}")(...)``, ``STAGES[kind].enter(...)``,
    ``STAGES.get(kind).enter(...)``, ``stage.enter(...)`` after ``stage = STAGES[kind]``: a call that may run one of
    several."""
    func = site.node.func
    if isinstance(func, ast.Attribute):  # also KINDS[kind]().enter(); not Notifier().welcome()
        owner = func.value
        if isinstance(owner, ast.Call) and not model.picks_entry(owner, site.scope):
            owner = owner.func
        return model.picks_entry(owner, site.scope)
    return isinstance(func, ast.Call) or model.picks_entry(func, site.scope)


def _named(model: Model, site: Site, runs: str) -> str:
    """What a message calls the callee: a dispatch as written, not as the one of what it may run that it follows."""
    return ast.unparse(site.node.func) if _dispatched(model, site) else runs


def _scheduled_on_the_loop(model: Model, site: Site) -> Iterator:
    """``loop.call_soon(cio.delete, user_id)``, ``loop.call_later(5, lambda: cio.track(...))``: a blocking SDK method
    handed to the event loop, or a lambda calling one, runs on it."""
    where = LOOP_SCHEDULERS.get(last_name(site.node.func) or "")
    args = site.node.args
    if where is None or len(args) <= where:
        return
    handed = args[where]
    runs = handed.body.func if isinstance(handed, ast.Lambda) and isinstance(handed.body, ast.Call) else handed
    if not _sdk_method_reference(model, runs, site):
        return
    yield _report(model, "CIO502", site.node, fn=site.function.name,
                  call=f"`{ast.unparse(args[where])}` scheduled on the event loop by `{last_name(site.node.func)}()`",
                  how="it runs there for a full HTTPS round trip",
                  instead="use `flake8_cio.runtime.nonblocking(client)` or `loop.run_in_executor(None, ...)`")


def _offloaded(call: ast.Call) -> list[ast.expr] | None:
    """What an executor call runs in a worker thread: ``to_thread(f, ...)``, ``sync_to_async(f)(...)``,
    ``run_in_executor(None, partial(f, ...))``; None when the call is not one."""
    if isinstance(call.func, ast.Call) and last_name(call.func.func) in EXECUTORS:
        return call.func.args
    if last_name(call.func) not in EXECUTORS:
        return None
    return [a.args[0] if isinstance(a, ast.Call) and last_name(a.func) == "partial" and a.args else a for a in call.args]


def _awaited_executor(model: Model, site: Site) -> Iterator:
    """An awaited off-loaded Customer.io call (an SDK method, or project code that makes one): the event loop stays
    free (not CIO502), the response still waits."""
    for arg in (_unpartial(model, given, site) for given in _offloaded(site.node)):  # send = partial(cio.track, ...)
        if _sdk_method_reference(model, arg, site) or _path_to_sdk(model, site, arg, pooled=True):
            yield _report(model, "CIO501", site.node, call="awaiting a Customer.io call", fn=site.function.name,
                          how="a worker thread keeps the event loop free, but the response still waits",
                          instead="fire and forget through `flake8_cio.runtime.nonblocking(client)`")
            return


def _bulk_loop(model: Model, site: Site) -> bool:
    """Inside a for loop or comprehension over more than a few fixed items, with no rate limiting in it; not in a
    test file (a test's loop drives a Mock or a fake server, not a bulk import)."""
    if model.is_test_file:
        return False
    for loop in site.loops:
        if isinstance(loop, ast.While):
            continue
        iterable = loop.iter if isinstance(loop, (ast.For, ast.AsyncFor)) else loop.generators[0].iter
        if _small_fixed(model, iterable, site) or _rate_limited(loop):
            continue
        return True
    return False


def _small_fixed(model: Model, iterable: ast.expr, site: Site) -> bool:
    iterable = model.value_of(iterable, site.scope)
    while isinstance(iterable, ast.Call) and (last_name(iterable.func) in ITER_WRAPPERS):
        if isinstance(iterable.func, ast.Attribute) and last_name(iterable.func) in ("items", "keys", "values"):
            iterable = iterable.func.value
        elif iterable.args:
            iterable = iterable.args[0]
        else:
            break
        iterable = model.value_of(iterable, site.scope)
    if isinstance(iterable, (ast.List, ast.Tuple, ast.Set)):
        return len(iterable.elts) <= SMALL_LOOP and not any(isinstance(e, ast.Starred) for e in iterable.elts)
    if isinstance(iterable, ast.Dict):
        return len(iterable.keys) <= SMALL_LOOP
    size = model.table_size(iterable, site.scope)  # another module's STEPS = [log_it, send_paid]
    if size:
        return size <= SMALL_LOOP
    if isinstance(iterable, ast.Call) and dotted(iterable.func) == "range":
        bound = iterable.args[-2 if len(iterable.args) == 3 else -1] if iterable.args else None
        return _small_constant(model, bound, site)
    if isinstance(iterable, ast.Subscript) and isinstance(iterable.slice, ast.Slice) and iterable.slice.upper and \
            iterable.slice.lower is None:  # emails[:5]: at most five
        return _small_constant(model, iterable.slice.upper, site)
    return False


def _small_constant(model: Model, bound: ast.expr | None, site: Site) -> bool:
    bound = model.value_of(bound, site.scope) if bound is not None else None  # retries = 3
    return isinstance(bound, ast.Constant) and type(bound.value) is int and 0 <= bound.value <= SMALL_LOOP


def _rate_limited(loop: ast.AST) -> bool:
    """Something in the loop that paces it: a call (``time.sleep``, ``limiter.acquire()``, ``bucket.consume()``)
    or a context manager (``with limiter:``); not a sleep in an ``except`` branch (a retry's backoff paces only
    failures)."""
    for node in _outside_handlers(loop):
        if isinstance(node, ast.Call):
            pacer = node.func
        elif isinstance(node, ast.withitem):
            pacer = node.context_expr.func if isinstance(node.context_expr, ast.Call) else node.context_expr
        else:
            continue
        if RATE_LIMITING.search(dotted(pacer) or ""):
            return True
    return False


def _outside_handlers(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a subtree, leaving out ``except`` branches."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(child for child in ast.iter_child_nodes(current) if not isinstance(child, ast.ExceptHandler))


# -- fixes (libcst is imported inside them only) --------------------------------------------------------------------
def _nonblocking_fix(model: Model, call: CioCall) -> tuple:
    """``nonblocking(client).method(...)``: the runtime client returns None and never raises on delivery, so only
    where nothing reads the result; safe only where a failure was nothing but an error response."""
    receiver = call.receiver
    if call.kind != sdk.TRACK or not result_discarded(model, call.site) or \
            not isinstance(receiver, (ast.Name, ast.Attribute)) or becomes_cached(model, receiver, call.site.scope) or \
            data_as_keywords(call) or _behind_a_proxy(model, receiver, call.site) or \
            model.built_by_subclass(receiver, call.site.scope):
        return None, NONE, {}
    safety = SAFE if failure_is_only_an_error_response(model, call.site, receiver) else UNSAFE
    return _fix_nonblocking, safety, {"target": span(model, awaited_statement(model, call.site) or call.node),
                                      **moves_to_runtime(model, MOVES_CALLS)}


def _behind_a_proxy(model: Model, receiver: ast.expr, site: Site) -> bool:
    """A client built with a ``url_prefix`` (a proxy that routes the SDK's v1 paths): the runtime posts Track v2
    batches under its own path, which such a proxy may not route, so no fix."""
    built = model.value_of(receiver, site.scope)
    return isinstance(built, ast.Call) and model.qualname(built.func) in sdk.CONSTRUCTORS and \
        (len(built.args) >= URL_PREFIX_POSITION or any(k.arg == "url_prefix" for k in built.keywords))


def _fix_nonblocking(node, finding, edit):
    import libcst as cst

    if isinstance(node, cst.Await):  # the runtime call returns at once: nothing to await
        node = node.expression.with_changes(lpar=node.lpar, rpar=node.rpar)
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        return None
    wrapper = cst.parse_expression(edit.name_for("flake8_cio.runtime", "nonblocking"))
    wrapped = cst.Call(wrapper, [cst.Arg(node.func.value.with_changes(lpar=[], rpar=[]))])
    return node.with_changes(func=node.func.with_changes(value=wrapped))
