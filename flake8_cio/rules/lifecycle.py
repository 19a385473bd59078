"""CIO302, CIO303: the profile lifecycle. A person is identified before events about them are sent, and the
project gives people an address that email can reach."""
from __future__ import annotations

import ast
from typing import Iterator

from .. import sdk
from ..frozen import frozen, replace
from ..profiles import creates, identified, module_profiles, person_key, profiles
from ..records import FunctionEntry, FunctionRef, IdentifyRecord, Summary
from ..summary import function_entry, summarize
from ..semantic import CioCall, Model, Site, name_tokens, own_nodes
from ..rule import Rule, RuleDoc
from ..types import NONE
from .fixing import statements_around


RULES = (
    Rule("CIO302", "track-before-identify", "Event sent for a person before the flow identifies them", NONE, RuleDoc(
        checklist="a flow identifies a person before it sends events about them",
        what="""
            A `track()` or `pageview()` of the Track API for an id, followed later in the same function by an
            `identify()` of the same id expression (directly, through a project wrapper that forwards the id, or
            inside a project function the flow calls next, with its parameters mapped to the caller's arguments)
            that creates or completes the profile: it sends `email` or `created_at`, or the flow is a signup or
            user-creation function (`signup`, `register`, `create_user`). The identify must run whenever the event
            did: a later statement of a block holding both, not in another branch, not only under a condition of
            its own, inside every loop the event is in. Silent when an identify of that id, or a call of a project
            function that identifies anyone, comes before the event; for another id or an id rebound in between;
            for a later identify that only refreshes attributes (`last_seen_at` after `logged_in`); for events sent
            inside a helper (its callers decide the order); and for the Data Pipelines client, whose SDK queues
            both calls and ships them together in one batch, an order the Customer.io reference does not tie to
            profile creation.
            """,
        why="""
            A campaign the event triggers starts at once, against the profile as it is then: the person may not
            exist yet, or lacks the attributes the identify is about to send (no `email` for the welcome message,
            no `plan` for the segment filter), so the message is skipped or goes out wrong.
            """,
        wrong="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)

            def signup(user):
                cio.track(user.id, "signed_up")
                cio.identify(user.id, email=user.email, plan=user.plan)
            """,
        right="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)

            def signup(user):
                cio.identify(user.id, email=user.email, plan=user.plan)
                cio.track(user.id, "signed_up")
            """,
        fix="""
            none: moving the identify above the event is mechanical only when both are statements of one block
            and nothing in between changes what the identify sends, and even then it is unsafe: Customer.io
            receives the calls in another order, and when one call fails the other now runs (or not) where it
            did not before. `cio-fix` rewrites expressions, and this is a move of a statement; the finding names the
            identify to move.
            """,
    )),
    Rule("CIO303", "profiles-never-emailed", "The project identifies people but never gives any of them an email",
         NONE, RuleDoc(
             checklist="people are given an `email` (or an email identifier) somewhere in the project",
             what="""
                 A project (every module, seen through the project model) that identifies people but where no
                 identify sends an `email` attribute or trait, no call identifies people by email (an email as id,
                 `identifiers={"email": ...}`, a merge by email), and no transactional email is sent to an address
                 (`to=`, an invite event's `recipient`). Reported once per project, at the identify in a signup or
                 user-creation flow (a function named like `signup`, `register`, `create_user`, or a function such
                 a flow calls); with no such identify it cannot tell which call creates profiles and stays silent.
                 A payload it cannot read (`**attrs`, traits or a request built elsewhere, dynamic `batch()`
                 operations) counts as one that may send an email. Without the project model it judges a source
                 that has no file as the whole program, and stays silent when project analysis is off.
                 """,
             why="""
                 Email campaigns, newsletters and transactional templates address the profile's `email`
                 attribute: profiles created without one can never be emailed, and every message to them is
                 skipped, silently, in every campaign.
                 """,
             wrong="""
                 from customerio import CustomerIO
                 cio = CustomerIO(SITE_ID, API_KEY)

                 def signup(user):
                     cio.identify(user.id, plan=user.plan, created_at=user.joined)
                 """,
             right="""
                 from customerio import CustomerIO
                 cio = CustomerIO(SITE_ID, API_KEY)

                 def signup(user):
                     cio.identify(user.id, email=user.email, plan=user.plan, created_at=user.joined)
                 """,
             fix="none: which address to send, and whether people should have one, only the team knows.",
             options="`cio-email-profiles` (default `true`): `false` turns the rule off for a workspace that reaches "
                     "people only by push or SMS, or whose addresses arrive another way (the JavaScript snippet, "
                     "imports).",
         )),
)

TRACK_KINDS = (sdk.TRACK, sdk.RUNTIME)
EVENTS = {"track", "pageview"}
SIGNUP_WORDS = {"signup", "register", "registration", "onboard", "onboarding", "enroll", "enrol"}
CREATE_WORDS = {"create", "created", "new"}
PERSON_WORDS = {"user", "customer", "account", "profile", "person", "member"}
TRY_NODES = (ast.Try, getattr(ast, "TryStar", ast.Try))
MAX_DEPTH = 4


def check(model: Model) -> Iterator:
    yield from _track_before_identify(model)
    yield from _never_emailed(model)


# -- CIO302 ---------------------------------------------------------------------------------------------------------
@frozen
class _Identify:
    """An identify a flow makes: where, of whom, and whether it creates the profile."""

    site: Site  # the identify call, or the call of the project function that identifies
    key: str | None  # the id as the flow writes it; None: someone this linter cannot name
    creates: bool  # it sends what a new profile needs (`email`, `created_at`)
    where: str  # how the message names it


def _track_before_identify(model: Model) -> Iterator:
    by_site: dict[Site, list[CioCall]] = {}
    for call in model.data_calls:
        by_site.setdefault(call.site, []).append(call)
    for fn, sites in model.sites_by_function.items():
        events = [(call, person_key(model, call.args["customer_id"], site))
                  for site in sites for call in by_site.get(site, ())
                  if call.kind in TRACK_KINDS and call.method in EVENTS and "customer_id" in call.args]
        if not events:
            continue
        identifies = []
        for site in sites:
            if site not in by_site:
                identifies += _called_identifies(model, site)
            for call in by_site.get(site, ()):
                if call.kind in TRACK_KINDS and identified(call) is not None:
                    identifies.append(_Identify(site, person_key(model, identified(call), site), creates(model, call),
                                                f"the identify on line {call.node.lineno}"))
                elif identified(call) is not None:  # Data Pipelines: someone is identified, in its own order
                    identifies.append(_Identify(site, None, False, ""))
        signup = fn is not None and _signup_name(f"{fn.cls.name}.{fn.name}" if fn.cls else fn.name)
        for event, key in events:
            yield from _event_first(model, event, key, identifies, signup)


def _event_first(model: Model, event: CioCall, key: str, identifies: list[_Identify], signup: bool) -> Iterator:
    """Report an event whose person is identified later, by an identify that creates the profile or completes it
    (it sends `email` or `created_at`, or the flow is a signup); earlier identifies of anyone it cannot name
    silence it too."""
    here = _position(event.node)
    if any(_position(i.site.node) < here and i.key in (key, None) for i in identifies):
        return
    for later in sorted(identifies, key=lambda i: _position(i.site.node)):
        if _position(later.site.node) > here and later.key == key and (later.creates or signup) and \
                _runs_after(model, event.site, later.site, key):
            yield model.finding(
                "CIO302", event.node,
                f"`{event.method}` for `{key}` is sent before that person is identified ({later.where}): a campaign "
                "the event triggers runs against a profile that does not exist yet or lacks those attributes (no "
                "`email` for the welcome message); identify first",
            )
            return


def _position(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset


def _called_identifies(model: Model, site: Site) -> list[_Identify]:
    """The identifies a call of a project function makes: those in its own body, the id mapped to the caller's
    arguments (None when it cannot be), or one of someone (None) when a function it calls identifies."""
    callee = _callee(model, site)
    if callee is None:
        return []
    name, entry, records = callee
    given = dict(zip(entry.params, (a for a in site.node.args if not isinstance(a, ast.Starred))))
    given.update((k.arg, k.value) for k in site.node.keywords if k.arg)
    found = [_Identify(site, _mapped(model, record, given, site), record.creates,
                       f"`{name}()` on line {site.node.lineno}") for record in records]
    if not found and model.linked is not None and _identifies_below(model, entry.calls, MAX_DEPTH, set()):
        found.append(_Identify(site, None, False, ""))
    return found


def _callee(model: Model, site: Site) -> tuple[str, FunctionEntry, list[IdentifyRecord]] | None:
    """(name, project summary entry, identify records) of the project function a call runs."""
    if model.linked is not None:
        found = model.resolve_call(site)
        if not isinstance(found, FunctionRef):
            return None
        return found.qualname, found.entry, _records(model, found)
    fn = model.local_function(site.node.func, site)
    if fn is None:
        return None
    return fn.name, function_entry(model, fn), [r for r in profiles(model).identifies if r.holder == fn.node.lineno]


def _records(model: Model, function: FunctionRef) -> list[IdentifyRecord]:
    module = model.module_of(function.qualname)
    return [r for r in module_profiles(model, module).identifies if r.holder == function.entry.line]


def _identifies_below(model: Model, refs: tuple[str, ...], depth: int, seen: set[str]) -> bool:
    """Whether one of the functions behind these references identifies anyone, at most ``depth`` calls down."""
    for ref in refs:
        if depth == 0 or ref in seen:
            continue
        seen.add(ref)
        found = model.resolve(ref)
        if isinstance(found, FunctionRef) and (
                _records(model, found) or _identifies_below(model, found.entry.calls, depth - 1, seen)):
            return True
    return False


def _mapped(model: Model, record: IdentifyRecord, given: dict[str, ast.expr], site: Site) -> str | None:
    """The callee's identify id (``user.id``, its parameter ``user``) as the caller writes it (``new_user.id``)."""
    text = record.key
    if record.kind not in TRACK_KINDS:
        return None
    root = ast.parse(text, mode="eval").body
    while isinstance(root, (ast.Attribute, ast.Subscript)):
        root = root.value
    if not isinstance(root, ast.Name) or root.id not in given or not text.startswith(root.id):
        return None
    return person_key(model, given[root.id], site) + text[len(root.id):]


def _runs_after(model: Model, first: Site, second: Site, key: str) -> bool:
    """Whether ``second`` runs whenever ``first`` has run, with the id meaning the same person: a later statement
    of a block holding both, reached through nothing but ``with`` and ``try`` bodies, inside every loop ``first``
    is in, the id's names not rebound in between."""
    if not set(first.loops) <= set(second.loops):
        return False
    path_a, path_b = statements_around(model, first), statements_around(model, second)
    for depth, ((statement, field), (other, other_field)) in enumerate(zip(path_a, path_b)):
        if statement is other:
            if field != other_field or field in ("handlers", "cases"):
                return False  # two branches of one statement
            continue
        plain = all(isinstance(s, (ast.With, ast.AsyncWith, *TRY_NODES)) and f == "body" for s, f in path_b[depth:-1])
        return _position(statement) < _position(other) and plain and not _rebound(model, first, second, key)
    return False


def _rebound(model: Model, first: Site, second: Site, key: str) -> bool:
    """A name of the id, or an attribute it goes through (``self.user = other`` for ``self.user.id``), is assigned
    from ``first`` up to ``second``."""
    names = {n.id for n in ast.walk(ast.parse(key, mode="eval")) if isinstance(n, ast.Name)}
    body = first.function.node if first.function else model.tree
    return any(isinstance(n.ctx, ast.Store) and _position(first.node) <= _position(n) < _position(second.node) and
               (n.id in names if isinstance(n, ast.Name) else f"{key}.".startswith(f"{ast.unparse(n)}."))
               for n in own_nodes(body, (ast.Name, ast.Attribute)))


# -- CIO303 ---------------------------------------------------------------------------------------------------------
def _never_emailed(model: Model) -> Iterator:
    mine = profiles(model)
    if not model.options.email_profiles or not mine.identifies or mine.emails:
        return
    if model.linked is None and not model.options.project_analysis:
        return  # one module of a project that is not read: another may send the email

    here = model.module_name or ""
    summaries = {}
    for name, summary in model.project_summaries():  # lazily: the first module that emails anyone ends it
        summaries[name] = replace(summary, profiles=module_profiles(model, name))
        if summaries[name].profiles.emails:
            return
    summaries = summaries or {here: summarize(model)}
    flows = _signup_flows(model, summaries)
    first = min(((name, record.line) for name, s in summaries.items() if not _test_module(name)
                 for record in s.profiles.identifies if (name, record.holder) in flows), default=None)
    if first is None or first[0] != here:
        return
    call = next((c for c in model.cio_calls if c.node.lineno == first[1] and identified(c) is not None), None)
    if call is not None:
        yield model.finding(
            "CIO303", call.node,
            "people are identified here, but no identify in the project sends `email` (nor identifies them by "
            "email, nor sends them transactional email by address): no email campaign can reach these profiles; "
            "send `email=` here, or set `cio-email-profiles = false` when addresses arrive another way (the "
            "JavaScript snippet, an import) or the workspace is push- or SMS-only",
        )


def _signup_flows(model: Model, summaries: dict[str, Summary]) -> set[tuple[str, int]]:
    """(module, function line) of each signup or user-creation function, and of the project functions they call."""
    flows = set()
    for module, summary in summaries.items():
        for name, entry in summary.functions.items():
            if not _signup_name(name):
                continue
            flows.add((module, entry.line))
            for ref in entry.calls:
                found = model.resolve(ref)
                if isinstance(found, FunctionRef):
                    flows.add((model.module_of(found.qualname), found.entry.line))
    return flows


def _test_module(name: str) -> bool:
    """A test's identify never creates the real profiles (``tests.test_signup``, ``app.conftest``)."""
    parts = name.split(".")
    return "tests" in parts or parts[-1].startswith("test_") or parts[-1].endswith("_test") or parts[-1] == "conftest"


def _signup_name(name: str) -> bool:
    """``signup``, ``register_user``, ``SignUpView.post``, ``create_customer``, ``on_user_created``."""
    words = name_tokens(name)
    return bool(words & SIGNUP_WORDS) or {"sign", "up"} <= words or \
        bool(words & CREATE_WORDS) and bool(words & PERSON_WORDS)
