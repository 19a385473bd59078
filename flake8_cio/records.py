"""What the project model keeps of each module, and what resolving a reference across modules gives: frozen records
that the summaries are made of, the on-disk cache stores and the rules read. Imports nothing of ours.

The cache format: one JSON object per module, ``Summary`` written field by field (``frozen.asdict``), tuples
as lists; ``Summary.load`` rebuilds it from the field types and rejects anything else (an entry written by another
layout is recomputed, never half-read). Files are keyed by the module's text and a hash of the analyser's files
(``layout.analyser_version``), so a changed layout is never read back: there is no version field to forget.
The whole-tree scan (``Project._tree_index``) is one JSON object per project, a ``ModuleScan`` per module path,
under the same key scheme; a module's scan is reused while its stamp (mtime, size) is unchanged.
"""
# No ``from __future__ import annotations`` here: ``_load`` reads the field types at run time, and annotations
# kept as strings would cost a compile each to read (a pre-commit run reads them once per process).
import functools
import types
import typing
from .frozen import asdict, field, frozen, is_record
from typing import Any, Union


@frozen
class SdkCallText:
    """A blocking SDK call a function makes, as a message shows it: ``cio.track()`` at a line, and the method."""

    text: str
    line: int
    method: str


@frozen
class Forward:
    """A parameter a function passes on unchanged to an SDK call: that call's client kind, method and parameter
    (``**`` when its ``**kwargs`` go on whole; an attribute keyword's name; ``data.<key>`` for a key of an inline
    payload dict; ``data.**`` for its ``**kwargs`` passed as the payload)."""

    kind: str
    method: str
    sdk_param: str


@frozen
class MaybeCall:
    """``x.track(...)`` on an ``x`` one module cannot tell is a client; the project decides by resolving ``ref``."""

    ref: str
    text: str
    line: int


@frozen
class MaybeForward:
    """A parameter passed on to a "maybe" SDK call: what it would be, once ``ref`` resolves to a client."""

    ref: str
    kind: str
    method: str
    sdk_param: str


@frozen
class HeldCall:
    """``self.client.track(...)`` in a method: an SDK call if the instance was given a client in ``attr``."""

    attr: str
    method: str
    text: str
    line: int
    handed: bool = False  # handed to a thread, a pool or a ``partial`` (``to_thread(client.track, ...)``): made there


@frozen
class FunctionEntry:
    """What a module's summary keeps of a function: its own blocking SDK call, what it calls, forwards, returns and
    builds."""

    line: int
    is_async: bool
    direct: SdkCallText | None  # the first blocking SDK call it makes itself
    calls: tuple[str, ...]  # references of what it calls (``app.services.track_signup``, ``app.svc.Svc().send``)
    forwards: dict[str, Forward]
    params: tuple[str, ...]  # positional parameters, without ``self``
    held: tuple[HeldCall, ...]
    maybe: tuple[MaybeCall, ...]
    maybe_forwards: dict[str, MaybeForward]
    returns: str | None  # the reference every ``return`` names, when they agree
    unit: str | None  # the finer-than-seconds epoch unit every ``return`` gives (``millisecond``)
    builds: int | None  # the line where it builds a client on every call
    offloaded: SdkCallText | None = None  # the first Track call it hands to a thread (``await to_thread(cio.track, ...)``)
    declared: str | None = None  # the project class its return annotation names, as an instance: ``app.Account(*)``
    # ``to_thread(x.track, ...)`` on an ``x`` only the project can tell, or a function handed to a thread
    maybe_offloaded: tuple[MaybeCall, ...] = ()
    # parameters it passes on unchanged to another function: (its reference, the parameter, where: a position,
    # a keyword or "**"), forwards once that function forwards them (``def hop2(cid): hop1(cid, ...)``)
    passes: tuple[tuple[str, str, str], ...] = ()
    # Track calls on its own untyped parameters (``client.track(...)``, ``to_thread(client.track, ...)``): requests
    # where a caller passes a client for them (``notify(cio, row)`` from another module)
    on_params: tuple[HeldCall, ...] = ()


@frozen
class FactoryEntry:
    """A function that hands out a client: its kind, and whether it hands out one (cached) or builds one per call."""

    kind: str
    cached: bool  # hands out one client (cached, guarded, module-level)
    line: int


@frozen
class Injected:
    """An attribute set from an untyped ``__init__`` parameter: its name and position."""

    param: str
    position: int


@frozen
class ClassEntry:
    """What a summary keeps of a class: the client each instance builds, what it is given by attribute, the client
    it is by inheritance, and its declared fields."""

    line: int
    constructs: str | None  # the kind of client each instance builds for itself (see ``summary._constructs``)
    injected: dict[str, Injected]
    client: str | None  # the kind of client the class is, by inheritance (``class Ext(CustomerIO)``)
    fields: dict[str, str]  # declared attributes: the reference of their type, or TEXT (``region: Literal["us"]``)
    bases: tuple[str, ...] = ()  # references of its project bases, in order: where its other attributes are looked up
    binds: tuple[str, ...] = ()  # the names it binds (its body; `self.x = ...` in its methods): never a base's


@frozen
class IdentifyRecord:
    """An identify the module makes, for the lifecycle rules: whom, with what, and where."""

    holder: int  # line of the top-level function or method holding it; 0 at module level, nested or deferred
    line: int
    key: str  # the id as written there
    kind: str
    creates: bool  # sends what a new profile needs (``email``, ``created_at``)


@frozen
class Profiles:
    """What a module tells about profiles: whether it may give someone an email, its identifies, and whether some of
    its calls only the project can classify."""

    emails: bool  # may give someone an email address
    identifies: tuple[IdentifyRecord, ...]
    pending: bool  # SDK-named calls on other modules' names: only a read with the project can classify them


@frozen
class Summary:
    """What the project model keeps of one module (the cache format, see the module docstring)."""

    functions: dict[str, FunctionEntry] = field(default_factory=dict)
    factories: dict[str, FactoryEntry] = field(default_factory=dict)
    classes: dict[str, ClassEntry] = field(default_factory=dict)
    clients: dict[str, str] = field(default_factory=dict)  # module-level and class-attribute clients: kind
    sync_clients: tuple[str, ...] = ()  # Data Pipelines clients built with sync_mode
    per_injection: tuple[str, ...] = ()  # container providers of a client that build one per injection
    providers: tuple[str, ...] = ()  # container providers of anything: calling one gives what ``instances`` holds
    types: dict[str, str] = field(default_factory=dict)  # type aliases naming a client
    instances: dict[str, str] = field(default_factory=dict)  # module-level instances: the reference they hold
    constants: dict[str, str] = field(default_factory=dict)  # string constants
    env_defaults: dict[str, str] = field(default_factory=dict)  # KEY = os.environ.get("N", "..."): the default
    imports: dict[str, str] = field(default_factory=dict)  # local name: absolute reference
    routes: tuple[str, ...] = ()  # functions a urls.py registers as views
    jobs: tuple[str, ...] = ()  # functions handed to an RQ queue (``queue.enqueue(send_invoice, ...)``)
    dispatch: dict[str, tuple[str, ...]] = field(default_factory=dict)  # HANDLERS = {"a": on_a}: what it holds
    registers: dict[str, str] = field(default_factory=dict)  # a decorator that fills a dict: the dict's name
    decorated: dict[str, tuple[str, ...]] = field(default_factory=dict)  # decorator reference: what it decorates
    constructions: tuple[str, ...] = ()  # calls handing a client over, with their arguments: ``app.Notifier(0=track)``
    states: dict[str, str] = field(default_factory=dict)  # app.state.<name> = ...: a client kind, "" anything else
    profiles: Profiles = Profiles(False, (), False)

    def dump(self) -> dict:
        return asdict(self)

    @classmethod
    def load(cls, data: Any) -> "Summary":
        """Rebuild from ``dump``'s output; TypeError when it does not fit the layout."""
        return _load(cls, data)  # type: ignore[no-any-return]


@frozen
class ModuleScan:
    """What the whole-tree text scan keeps of one module: its stamp, the method names it defines, the framework
    state attributes it sets, the jobs it enqueues and the modules it imports."""

    stamp: tuple[int, ...]  # (mtime in ns, size); () when it could not be read
    methods: tuple[str, ...]
    states: tuple[str, ...]
    jobs: tuple[str, ...]
    imports: tuple[str, ...]

    def dump(self) -> dict:
        return asdict(self)

    @classmethod
    def load(cls, data: Any) -> "ModuleScan":
        """Rebuild from ``dump``'s output; TypeError when it does not fit the layout."""
        return _load(cls, data)  # type: ignore[no-any-return]


DISPATCHED = "[]"  # a reference's suffix for "an item of this table": ``app.dispatch.HANDLERS[]``
TEXT = "str"  # a declared field's type when it holds text (no project class is named by a bare builtin name)
TYPED = "*"  # the arguments of an instance known only by its type (``notifier: Notifier``): ``app.Notifier(*)``


# -- what a reference resolves to (``project.Project.resolve``) ----------------------------------------------------
@frozen
class FunctionRef:
    """A reference resolved to a project function."""

    qualname: str
    entry: FunctionEntry


@frozen
class ClassRef:
    """A reference resolved to a project class."""

    qualname: str
    entry: ClassEntry


@frozen
class FactoryRef:
    """A reference resolved to a project function that hands out a client."""

    qualname: str
    entry: FactoryEntry


@frozen
class TypeRef:
    """A reference resolved to a type alias naming a client."""

    kind: str  # a type alias naming a client (``CioDep = Annotated[CustomerIO, Depends(...)]``)


@frozen
class ClientRef:
    """A reference resolved to a client of a kind."""

    kind: str


@frozen
class SdkRef:
    """A reference resolved to a method of a client (``shop.crm.cio.track``)."""

    kind: str
    method: str


@frozen
class InstanceRef:
    """A reference resolved to an instance of a project class."""

    qualname: str  # of its class


@frozen
class TextRef:
    """Text: an attribute declared ``str`` or a ``Literal`` of strings, or a class's string constant."""


Resolved = Union[FunctionRef, ClassRef, FactoryRef, TypeRef, ClientRef, SdkRef, InstanceRef, TextRef]


@functools.lru_cache(maxsize=None)
def _field_types(kind: type) -> dict[str, Any]:
    """A record's field types, once per record (the cache reader asks for them per value)."""
    return typing.get_type_hints(kind)


def _load(kind: Any, data: Any) -> Any:
    """``data`` (plain JSON values) as a value of the type ``kind``: records, dicts, tuples, optionals, scalars."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if is_record(kind):
        hints = _field_types(kind)
        if not isinstance(data, dict) or data.keys() != hints.keys():
            raise TypeError(f"{kind.__name__}: {data!r}")
        return kind(**{name: _load(hints[name], value) for name, value in data.items()})
    if origin in (Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        return _load(next(a for a in args if a is not type(None)), data)
    if origin is dict and isinstance(data, dict):
        return {str(key): _load(args[1], value) for key, value in data.items()}
    if origin is tuple and isinstance(data, list):
        return tuple(_load(args[0], value) for value in data)
    if kind in (str, int, bool) and type(data) is kind:
        return data
    raise TypeError(f"{kind}: {data!r}")
