"""The project model: Customer.io seen through the application's own modules.

Each project module gets a *summary* of what it alone says (module-level clients, factories, client-holding
classes and instances, what each function calls, which of its parameters it hands to the SDK, the epoch unit it
returns). A summary depends only on the module's own text, so it is cached on disk by content hash. What crosses
modules (``views.signup -> services.track_signup -> cio.track``) is resolved when a rule asks, by following
references from summary to summary, memoised per process, with cycles cut.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from . import layout, sdk, vendored
from .frozen import frozen, replace
from .layout import NOT_PROJECT, analyser_version
from .records import (TEXT, TYPED, ClassEntry, ClassRef, ClientRef, FactoryRef, Forward, FunctionEntry, FunctionRef,
                      HeldCall, Injected, InstanceRef, MaybeCall, ModuleScan, Resolved, SdkCallText, SdkRef, Summary,
                      TextRef, TypeRef)
from .sdk import OWN

if TYPE_CHECKING:
    from .pins import Pin
from .options import Options
from .prefilter import might_use_customerio

MAX_DEPTH = 8
NAME = re.compile(r"\w*")  # the name a reference's part starts with: CRM of CRM[site_id], get of get()
CLIENT_GIVEN = re.compile(r"\((?!\*\))[^()]+\)")  # a call in a reference with client arguments: Notifier(0=track)
TOP_LEVEL = re.compile(r"^(?:(?:async\s+)?def\s+(\w+)|class\s+(\w+)|(\w+)\s*(?::[^=\n]*)?=(?!=)|"
                       r"from\s+([\w.]+)\s+import\s+([^#\n]*)|import\s([^#\n]*))", re.M)
IMPORTED = re.compile(r"(\w+)(?:\s+as\s+(\w+))?")  # an item of an import list, and the name it binds
CALLED = re.compile(r"^([^()]*)\(((?:[^()]|\(\))*)\)(.*)$")  # app.Notifier(0=track).send, Box(0=@app.make())
IMPORT_WORD = re.compile(r"import\b")
IMPORT_LINE = re.compile(
    r"[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)|import[ \t]+([^\n#;]+))")
#: ``os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")`` in manage.py, wsgi.py, asgi.py
DJANGO_CONF_SETTINGS = "django.conf.settings"
DJANGO_SETTINGS = re.compile(r"""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']""")
DJANGO_ENTRY_POINTS = ("manage.py", "wsgi.py", "asgi.py")
DEPLOY_FILE = re.compile(r"serverless\.ya?ml|template\.ya?ml|zappa_settings\.(?:json|ya?ml|toml)|\w*stack\w*\.py")
METHOD_DEF = re.compile(r"def[ \t]+(\w+)[ \t]*\(\s*self\b")  # starts with a literal: 10x faster than anchored
STATE_STORE = re.compile(r"\.state\.(\w+)[ \t]*=[^=]")  # app.state.cio = ...
#: ``self.client.track(`` in a module that never names Customer.io: a holder that may be given a client.
HELD_SDK_CALL = re.compile(r"self\.\w+\.(?:%s)\(" % "|".join(sorted(
    name for name in sdk.ALL_METHOD_NAMES if "_" in name or name in ("track", "identify", "pageview", "suppress"))))
ENQUEUE = re.compile(r"\.(enqueue)(?:_call|_in|_at)?\(")  # queue.enqueue(send_invoice, ...): RQ jobs, all as "enqueue"
HANDLER_SETTING = re.compile(r"""(?:\bhandler|\bHandler|"lambda_handler")["']?\s*[:=]\s*["']?([\w./-]+\.\w+)""")


class TreeIndex(NamedTuple):
    """What only a look at every module can tell, by name: where each method is defined (``def name(self``, once
    per definition), which modules set each framework state attribute (``app.state.cio = ...``), which enqueue RQ
    jobs (under ``"enqueue"``), which import each module."""

    methods: dict[str, list[Path]]
    states: dict[str, list[Path]]
    jobs: dict[str, list[Path]]
    importers: dict[str, list[Path]]  # module: the modules that import it


@frozen
class Step:
    """One link of a chain of calls that ends at a blocking Customer.io call."""

    name: str  # services.analytics.track_signup
    where: str  # services/analytics.py:42
    method: str = ""  # the SDK method, on the last step


#: What the project calls to summarise one module: (its text, its path, the project) -> summary, None when the
#: text does not parse. The engine hands in ``summary.summarize_file``, so that this module stays below the
#: semantic layer that summaries are built with.
Summarizer = Callable[[str, str, "Project"], "Summary | None"]


def find_project(path: str, options: Options, summarize: Summarizer) -> Project | None:
    """The project a file belongs to, or None when project analysis is off or the file is not on disk."""
    if not options.project_analysis or path in ("<string>", "stdin", "-", ""):
        return None
    if not os.path.isfile(path):
        return None
    return _project_of(os.path.dirname(os.path.abspath(path)), options, summarize)


@lru_cache(maxsize=1024)
def _project_of(folder: str, options: Options, summarize: Summarizer) -> Project:
    package_root, root = layout.roots(folder)
    return _project(root, package_root, options, summarize)


@lru_cache(maxsize=1024)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


@lru_cache(maxsize=65536)
def _is_file(path: str) -> bool:
    """Whether a file exists, asked once per path in a process: every view of a project asks for the same modules."""
    return os.path.isfile(path)


@lru_cache(maxsize=32)
def _shared_scans(root: Path, client_names: tuple[str, ...]) -> tuple[dict[Path, bool], dict[Path, tuple]]:
    """Per project root, shared by its Project views (one per package root: a repository with several top-level
    packages has several): which modules may reach Customer.io, and each module's text scan. Without it each view
    walked the whole import graph again (a 1,000-module repository read 21,000 files)."""
    return {}, {}


@lru_cache(maxsize=1024)
def _project(root: Path, package_root: Path, options: Options, summarize: Summarizer) -> Project:
    return Project(root, package_root, options, summarize)


def forget_projects() -> None:
    """Drop what this process learnt of projects (a long-lived process after files change; benchmarks)."""
    for cached in (_project, _project_of, _real_folder, _shared_scans, _is_file):
        cached.cache_clear()
    layout.forget()
    vendored.forget()
    from . import pins

    pins.forget()


class Project:
    def __init__(self, root: Path, package_root: Path, options: Options, summarize: Summarizer):
        self.root = root
        self.options = options
        self.summarize = summarize
        self.memo: dict = {}  # per-project results of the layers above (profiles read with the project)
        roots = [package_root, root / "src", root]
        self.import_roots = list(dict.fromkeys(r for r in roots if r.is_dir()))
        self._root_strings = [os.path.join(str(r), "") for r in self.import_roots]
        self._names: dict[str, str | None] = {}
        self.cache = SummaryCache(options.cache_dir)
        self.tree_cache = SummaryCache(options.cache_dir, "trees")
        self._summaries: dict[Path, Summary] = {}
        self._relevant, self._scans = _shared_scans(root, options.client_names)
        self._paths: dict[str, Path | None] = {}
        self._splits: dict[str, tuple[str, str] | None] = {}
        self._test_folders: dict[str, bool] = {}
        self._top_level: dict[Path, frozenset[str]] = {}
        self._chains: dict[str, list[Step] | None] = {}
        own = self.module_path("customerio")
        self.own_sdk_name = own is not None and vendored.vendored_copy_of(own, self.root) is None

    # -- where modules are --------------------------------------------------------------------------------
    def in_tests(self, path: str) -> bool:
        """Whether a file is in a ``tests`` folder below the folder it is imported from, or that folder is one."""
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in self._test_folders:
            real = Path(_real_folder(folder))
            root = next((r for r in self.import_roots if r == real or r in real.parents), None)
            self._test_folders[folder] = "tests" in ((root.name, *real.relative_to(root).parts) if root else real.parts)
        return self._test_folders[folder]

    def module_name(self, filename: str) -> str | None:
        if filename not in self._names:
            folder, name = os.path.split(os.path.abspath(filename))
            self._names[filename] = self._module_name(os.path.join(_real_folder(folder), name))
        return self._names[filename]

    def _module_name(self, path: str) -> str | None:
        for root in self._root_strings:
            if path.startswith(root):
                parts = path[len(root):].removesuffix(".py").split(os.sep)
                if parts[-1] == "__init__":
                    parts.pop()
                return ".".join(parts) or None
        return None

    def module_path(self, module: str) -> Path | None:
        """The file of a project module (``a.b`` -> ``a/b.py`` or ``a/b/__init__.py``), None when not ours."""
        if module not in self._paths:
            self._paths[module] = self._find_module(module)
        return self._paths[module]

    def _find_module(self, module: str) -> Path | None:
        parts = module.split(".")
        if NOT_PROJECT.intersection(parts):
            return None
        relative = os.path.join(*parts)
        for root in self._root_strings:
            for candidate in (root + relative + ".py", os.path.join(root + relative, "__init__.py")):
                if _is_file(candidate):
                    return Path(candidate)
        return None

    def split(self, qualname: str) -> tuple[str, str] | None:
        """``pkg.mod.Class.method`` -> (``pkg.mod``, ``Class.method``): the longest module prefix that is ours."""
        if qualname not in self._splits:
            parts = qualname.removeprefix(OWN).split(".")
            cuts = (cut for cut in range(len(parts) - 1, 0, -1) if self.module_path(".".join(parts[:cut])) is not None)
            cut = next(cuts, None)
            if cut is not None and cut > 1 and not self._binds(".".join(parts[:cut]), NAME.match(parts[cut])[0]) and \
                    self._binds(".".join(parts[:cut - 1]), parts[cut - 1], package=True):
                cut -= 1  # `tracker = Tracker(cio)` in shop/crm/__init__.py hides its submodule shop/crm/tracker.py
            self._splits[qualname] = None if cut is None else (".".join(parts[:cut]), ".".join(parts[cut:]))
        return self._splits[qualname]

    def _binds(self, module: str, name: str, package: bool = False) -> bool:
        """Whether a module (a package's ``__init__``) binds a name at module level with an assignment, ``def``,
        ``class`` or an import (``from .notifier import notifier``): read from its text, as a summary is not read
        while one may be in the making."""
        path = self.module_path(module)
        if path is None or package and path.name != "__init__.py":
            return False
        if path not in self._top_level:
            self._top_level[path] = _top_level_names(_read(path) or "", module)
        return name in self._top_level[path]

    def real_name(self, name: str) -> str:
        """What an imported name really is: the SDK's names in a vendored copy are the SDK's (``vendor.customerio.
        CustomerIO``); what the project added to the copy's folder stays the project's (``vendor.customerio.
        default``, ``vendor.customerio.events``); the project's own module named ``customerio`` is its code."""
        parts = name.split(".")
        if parts[0] == "customerio":
            return OWN + name if self.own_sdk_name else self._added_to_copy(parts) or name
        if "customerio" in parts:
            index = parts.index("customerio")
            folder = self.module_path(".".join(parts[: index + 1]))
            rest = parts[index + 1: index + 2]
            sdk_name = not rest or rest[0] in sdk.SDK_CLASSES or rest[0] in sdk.SDK_MODULES
            if sdk_name and folder is not None and vendored.vendored_copy_of(folder, self.root) is not None:
                return ".".join(parts[index:])
        return name

    def _added_to_copy(self, parts: list[str]) -> str | None:
        """``customerio.default_client`` when the project's one vendored copy, imported as ``customerio`` (its folder
        put on ``sys.path``), defines ``default_client`` beside the SDK's names: that copy's module, as named here."""
        copies = vendored.vendored_sdk_dirs(self.root) if len(parts) > 1 and parts[1] not in sdk.SDK_CLASSES and \
            parts[1] not in sdk.SDK_MODULES else []
        module = self.module_name(str(copies[0] / "__init__.py")) if len(copies) == 1 else None
        return ".".join((module, *parts[1:])) if module else None

    def reexported_sdk_name(self, name: str, depth: int = 0) -> str | None:
        """The SDK's name a project module hands on (``app.pipes.analytics`` of ``app/pipes.py`` doing ``from
        customerio import analytics``; ``app.pipes.Track`` of ``from customerio import CustomerIO as Track``), also
        through further project modules; None for anything else. Read only in modules that name Customer.io."""
        key = ("sdk name", name)
        if key not in self.memo:
            self.memo[key] = None  # cycle guard
            split = self.split(name) if depth <= MAX_DEPTH else None
            path = self.module_path(split[0]) if split else None
            if split and path and self._relevant_module(path):
                head, dot, rest = split[1].partition(".")
                imported = self.summary(split[0]).imports.get(head)
                if imported and imported.split(".")[0] == "customerio":
                    self.memo[key] = imported + dot + rest
                elif imported:
                    self.memo[key] = self.reexported_sdk_name(imported + dot + rest, depth + 1)
        return self.memo[key]

    def in_vendored_copy(self, path) -> bool:
        """Whether a file lies in the folder of a vendored SDK copy (the SDK's module or one the project added)."""
        return bool(vendored.vendored_sdk_dirs(self.root)) and vendored.vendored_copy_of(Path(path), self.root) is not None

    def is_vendored(self, path: Path) -> bool:
        """One of the SDK's own modules in a vendored copy, or its tests: never reported, never summarised."""
        return bool(vendored.vendored_sdk_dirs(self.root)) and vendored.is_vendored_sdk_file(path.resolve(), self.root)

    @property
    def sdk_pin(self) -> Pin:
        """The project's pin: the folder holding the top package first (a Django project's requirements.txt
        beside manage.py), then the project root."""
        from . import pins  # with packaging, only for the runs that need a version (most files never ask)

        found = [pins.sdk_pin(folder) for folder in dict.fromkeys((self.import_roots[0], self.root))]
        decided = next((pin for pin in found if pin.major is not None), None)
        return decided or pins.Pin(None, any(pin.pinned for pin in found))

    # -- which modules matter ---------------------------------------------------------------------------------
    def may_be_given_a_client(self, text: str) -> bool:
        """Whether a module that never names Customer.io holds something it calls SDK methods on
        (``self.client.track(...)``) in a project that depends on the SDK: its constructions may pass a client
        (``given_kind``)."""
        return bool(HELD_SDK_CALL.search(text)) and self.sdk_pin.pinned

    def imports_relevant(self, filename: str, text: str) -> bool:
        """Whether a module that never names Customer.io imports project code that does (cheap: text only)."""
        return any(self._relevant_module(path) for path in self._imported_paths(filename, text))

    def may_reach_customerio(self, ref: str) -> bool:
        """Whether what ``ref`` names lives in a module that names Customer.io or imports (transitively) one that
        does: only there can running it reach the SDK (a cheap text test: no summary is read)."""
        if CLIENT_GIVEN.search(ref):
            return True  # Notifier(client=track).welcome: given a client, any class may reach it
        split = self.split(ref.partition("(")[0])
        path = self.module_path(split[0]) if split else None
        return path is not None and self._relevant_module(path)

    def _relevant_module(self, path: Path) -> bool:
        """Whether the module names Customer.io or imports (transitively) a project module that does: a walk of the
        import graph. A walk that finds nothing has seen every module those modules reach, so none of them is
        relevant either; each module's text is read and scanned once."""
        if path in self._relevant:
            return self._relevant[path]
        seen, stack = {path}, [path]
        while stack:
            current = stack.pop()
            known = self._relevant.get(current)
            if known is False:
                continue
            mentions, imports = self._scan(current)
            if known or mentions:
                self._relevant[path] = True
                return True
            fresh = [p for p in imports if p not in seen]
            seen.update(fresh)
            stack.extend(fresh)
        self._relevant.update(dict.fromkeys(seen, False))
        return False

    def _scan(self, path: Path) -> tuple[bool, list[Path]]:
        """(names Customer.io or may be given a client, the project modules it imports), read once per module."""
        if path not in self._scans:
            text = _read(path)
            self._scans[path] = (False, []) if text is None else \
                (might_use_customerio(text, self.options) or self.may_be_given_a_client(text),
                 self._imported_paths(str(path), text))
        return self._scans[path]

    def _imported_paths(self, filename: str, text: str) -> list[Path]:
        names = self._imported_names(filename, text)
        if DJANGO_CONF_SETTINGS in names:  # Django's settings object reads the project's settings module
            names.append(self.django_settings() or "")
        return [path for path in map(self.module_path, filter(None, names)) if path is not None]

    def _imported_names(self, filename: str, text: str) -> list[str]:
        """The absolute names of the modules a module's import lines may load (relative imports resolved)."""
        package = (self.module_name(filename) or "").split(".")
        if not filename.endswith("__init__.py"):
            package = package[:-1]
        return _imported_modules(text, package)

    # -- summaries ----------------------------------------------------------------------------------------------
    def summary(self, module: str) -> Summary:
        path = self.module_path(module)
        if path is None:
            return EMPTY
        if path not in self._summaries:
            self._summaries[path] = EMPTY  # cycle guard
            self._summaries[path] = self._load_summary(path)
        return self._summaries[path]

    def _load_summary(self, path: Path) -> Summary:
        text = _read(path)
        if text is None or self.is_vendored(path):
            return EMPTY
        key = self.cache.key(text, self._fingerprint())
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        summary = self.summarize(text, str(path), self)
        if summary is None:
            return EMPTY
        self.cache.put(key, summary)
        return summary

    def _fingerprint(self) -> str:
        return f"{analyser_version()}:{self.own_sdk_name}:{self.options.client_names}"

    # -- resolving references across modules ------------------------------------------------------------------
    def resolve(self, ref: str, depth: int = 0) -> Resolved | None:
        """What a reference names (``records.Resolved``), following re-exports and module-level instances. ``f()`` in
        a reference is the result of calling ``f``: a factory's client, a client subclass's client, a class's
        instance, what a getter returns."""
        if depth > MAX_DEPTH:
            return None
        ref = self.settings_name(ref)
        called = CALLED.match(ref)
        if called:
            return self._called(*called.groups(), depth)
        split = self.split(ref)
        if split is None:
            return None
        module, rest = split
        summary = self.summary(module)
        head, _, tail = rest.partition(".")
        qualname = f"{module}.{rest}"
        if rest in summary.factories:
            return FactoryRef(qualname, summary.factories[rest])
        if rest in summary.clients and rest in summary.functions:  # a @property that gives a client
            return ClientRef(summary.clients[rest])
        if rest in summary.functions and rest not in summary.instances:  # (a property gives what it returns)
            return FunctionRef(qualname, summary.functions[rest])
        if rest in summary.classes:
            return ClassRef(qualname, summary.classes[rest])
        if rest in summary.types:
            return TypeRef(summary.types[rest])
        for holder, attr in ((rest, ""), *([rest.rsplit(".", 1)] if "." in rest else [])):
            found = _client_or_method(summary.clients[holder], attr) if holder in summary.clients else None
            if found is not None or (holder in summary.clients and holder not in summary.instances):
                return found  # a module-level client, or a class attribute (Views.crm); else a subclass's method
        if head in summary.imports:
            return self.resolve(summary.imports[head] + (f".{tail}" if tail else ""), depth + 1)
        cls = summary.classes.get(head)
        if cls is not None and tail and tail.partition(".")[0] not in cls.binds:  # a base's: the first that has it
            inherited = (self.resolve(f"{base}.{tail}", depth + 1) for base in cls.bases)
            found = next((found for found in inherited if found is not None), None)
            if found is not None:
                return found
        for held in (".".join(rest.split(".")[:2]), head):  # a class attribute's instance, a module-level one
            if held in summary.instances:
                return self.resolve(summary.instances[held] + rest[len(held):], depth + 1)
        return None

    def _called(self, callee: str, arguments: str, rest: str, depth: int) -> Resolved | None:
        """What ``callee(arguments)`` gives, then ``rest`` of it (``.identify``)."""
        provided = self._provided(callee)
        if provided:  # a container's provider called for what it provides: Container.notifications()
            return self.resolve(provided + rest, depth + 1)
        made = self.resolve(callee, depth + 1)
        if isinstance(made, FactoryRef):
            found = _client_or_method(made.entry.kind, rest.lstrip("."))
            returned = self._returned(made.qualname) if found is None and rest else None
            return found or (self.resolve(returned + rest, depth + 1) if returned else None)  # a subclass's helper
        if isinstance(made, ClientRef):  # a container's provider called for its client: Container.crm()
            return _client_or_method(made.kind, rest.lstrip("."))
        if isinstance(made, ClassRef) and made.entry.client:  # CustomerIOExt(...): a client subclass
            own = self.resolve(made.qualname + rest, depth + 1) if rest else None  # its own helper method
            return own if isinstance(own, FunctionRef) else _client_or_method(made.entry.client, rest.lstrip("."))
        if isinstance(made, ClassRef):
            attr, _, more = rest[1:].partition(".")
            if attr in made.entry.fields:
                return self._declared(made.entry.fields[attr], more, depth)
            given = _held_kind(self, made, arguments, attr)
            if given in sdk.KINDS or given == "?":  # ClientBox(cio).client: what the construction gave it
                return _client_or_method(given, more)
            if attr and not more and self.constant(f"{made.qualname}.{attr}") is not None:
                return TextRef()
            method = self.resolve(made.qualname + rest, depth + 1) if rest else InstanceRef(made.qualname)
            return _given_clients(self, method, made, arguments)
        if isinstance(made, FunctionRef):  # get_messenger().identify; load(pk).sync() of `def load(pk) -> Account`
            returned = (self.resolve(ref + rest, depth + 1) for ref in (made.entry.returns, made.entry.declared) if ref)
            return next((found for found in returned if found is not None), None)
        kind = sdk.CONSTRUCTORS.get(self.origin(callee)) if made is None else None  # Track(...) of app.pipes
        return _client_or_method(kind, rest.lstrip(".")) if kind else None

    def _provided(self, ref: str) -> str | None:
        """What a dependency_injector provider of a container class provides (its instance's reference)."""
        split = self.split(ref)
        summary = self.summary(split[0]) if split else None
        return summary.instances.get(split[1]) if summary and split[1] in summary.providers else None

    def _returned(self, qualname: str) -> str | None:
        """What a project function returns, as a reference (``app.crm.Sub()`` for ``def get_client() -> Sub``)."""
        entry = self._function_entry(qualname)
        return entry.returns if entry else None

    def _function_entry(self, qualname: str) -> FunctionEntry | None:
        split = self.split(qualname)
        return self.summary(split[0]).functions.get(split[1]) if split else None

    def _declared(self, declared: str, more: str, depth: int) -> Resolved | None:
        """An instance's declared attribute (``settings.customer_io``, ``.region``; ``tracker: CustomerIO``), then
        ``more`` of it."""
        if declared == TEXT:
            return None if more else TextRef()
        kind = sdk.CONSTRUCTORS.get(self.origin(declared))  # also the SDK's class under a project's name
        if kind:
            return _client_or_method(kind, more)
        return self.resolve(f"{declared}({TYPED})" + (f".{more}" if more else ""), depth + 1) if declared else None

    def builds_per_call(self, entry: FunctionEntry, depth: int = 0) -> bool:
        """Whether running a function builds a Customer.io client each time: it constructs one, or instantiates a
        project class whose instances build their own (``CustomerIOClient()``), or calls an uncached factory that
        does (one that hands out a singleton, ``return Holder.get()``, builds nothing)."""
        if entry.builds:
            return True
        for ref in entry.calls if depth <= MAX_DEPTH else ():
            found = self.resolve(ref) if self.may_reach_customerio(ref) else None
            if isinstance(found, ClassRef) and self.instance_client(found.entry) or \
                    isinstance(found, FactoryRef) and self.factory_builds(found, depth + 1):
                return True
        return False

    def factory_builds(self, factory: FactoryRef, depth: int = 0) -> bool:
        """Whether calling a project factory builds a new client each time."""
        entry = self._function_entry(factory.qualname)
        return not factory.entry.cached and entry is not None and self.builds_per_call(entry, depth)

    def built_per_injection(self, ref: str) -> bool:
        """Whether ``ref`` names a container provider that builds a new client for each injection
        (``Container.transactional = providers.Factory(APIClient, ...)``)."""
        split = self.split(ref)
        return split is not None and split[1] in self.summary(split[0]).per_injection

    def sync_client(self, ref: str) -> bool:
        """Whether a module-level Data Pipelines client ``ref`` names, through re-exports, was built in sync_mode."""
        return bool(self._exported(ref, lambda summary, name: True if name in summary.sync_clients else None))

    def method_names(self, ref: str) -> list[str]:
        """The methods of the project class whose instance ``ref`` names (``app.svc.Svc()``, ``app.wiring.svc``)."""
        found = self.resolve(ref)
        if not isinstance(found, InstanceRef):
            return []
        module, cls = self.split(found.qualname) or ("", "")
        return [name.partition(".")[2] for name in self.summary(module).functions if name.startswith(f"{cls}.")]

    def constant(self, ref: str) -> str | None:
        """The string a project module's constant holds (``shop.events.SIGNED_UP``), through re-exports."""
        return self._exported(ref, lambda summary, name: summary.constants.get(name))

    def env_default(self, ref: str) -> str | None:
        """The literal default of the environment look-up a project module's constant holds
        (``KEY = os.environ.get("CIO_KEY", "3f2a...")``), through re-exports."""
        return self._exported(ref, lambda summary, name: summary.env_defaults.get(name))

    def _exported(self, ref: str, pick: Callable[[Summary, str], Any], depth: int = 0) -> Any:
        """What ``pick`` finds under the name ``ref`` in its module's summary, or in the module it re-exports the
        name from (``from shop.events import SIGNED_UP``); None when neither has it."""
        split = self.split(ref) if depth <= MAX_DEPTH else None
        if split is None:
            return None
        summary = self.summary(split[0])
        head, dot, rest = split[1].partition(".")  # Event.INVOICE_CREATED of `from kit.events import Event`
        found, imported = pick(summary, split[1]), summary.imports.get(head)
        return found if found is not None or not imported else self._exported(imported + dot + rest, pick, depth + 1)

    def instance_client(self, entry: ClassEntry) -> str | None:
        """The kind of client each instance of a class builds for itself, also as the SDK's class under another
        module's name (``self.sender = Track(...)`` with ``app.pipes`` doing ``from customerio import CustomerIO as
        Track``)."""
        if not (entry.constructs or "").startswith("@"):
            return entry.constructs
        return next((kind for ref in entry.constructs.split("|") if (kind := sdk.CONSTRUCTORS.get(self.origin(ref[1:])))),
                    None)

    def origin(self, ref: str, depth: int = 0) -> str:
        """The name a reference ends at through the project's re-exports (``app.pipes.Track`` of ``from customerio
        import CustomerIO as Track`` -> ``customerio.CustomerIO``)."""
        split = self.split(ref) if depth <= MAX_DEPTH else None
        if split is None:
            return ref
        head, dot, rest = split[1].partition(".")
        imported = self.summary(split[0]).imports.get(head)
        return self.origin(imported + dot + rest, depth + 1) if imported else ref

    def client_kind(self, ref: str) -> str | None:
        found = self.resolve(ref)
        return found.kind if isinstance(found, ClientRef) else None

    def table_client_kind(self, ref: str) -> str | None:
        """The client a key picks from a module's table of clients of one kind (``app.clients.CLIENTS[]``: every
        entry; ``CLIENTS[eu]``: that one), each a module's client or built in place (``CustomerIO(...)``)."""
        table, _, after = ref.partition("[")
        key, _, rest = after.partition("]")
        entries = self.dispatched(table, key) if not rest else ()
        kinds = {self.client_kind(entry) or sdk.CONSTRUCTORS.get(self.origin(entry.removesuffix("()")))
                 for entry in entries}
        return kinds.pop() if len(kinds) == 1 and kinds <= set(sdk.KINDS) else None

    def blocking_chain(self, ref: str) -> list[Step] | None:
        """The calls from ``ref`` down to a blocking Customer.io call, if running it makes one."""
        if ref in self._chains:
            return self._chains[ref]
        self._chains[ref] = None  # cycle guard
        table, bracket, after = ref.partition("[") if "[" in ref.partition("(")[0] else (ref, "", "")
        if bracket:  # HANDLERS[kind](...), STAGES[kind].enter(...): the first entry of the table whose call blocks
            key, _, rest = after.partition("]")
            entries = self.dispatched(table, key)
            self._chains[ref] = next(filter(None, (self.blocking_chain(entry + rest) for entry in entries)), None)
            return self._chains[ref]
        found = self.resolve(ref) if self.may_reach_customerio(ref) else None
        chain = None
        if isinstance(found, SdkRef) and found.kind in (sdk.TRACK, sdk.APP):  # a client's method a table holds
            chain = [Step(f"{'.'.join(ref.split('.')[-2:])}()", self._where(ref), found.method)]
        if isinstance(found, FunctionRef) and not found.entry.is_async:
            entry = found.entry
            here = Step(found.qualname, self._where(found.qualname, entry.line))
            direct = entry.direct or self._resolved_sdk_call(entry.maybe)
            chain = [here, Step(direct.text, self._where(found.qualname, direct.line), direct.method)] if direct \
                else None
            if chain is None or direct.method not in sdk.TRACK_METHODS:  # a Track request decides per-record work
                chains = [[here, *sub] for sub in map(self.blocking_chain, entry.calls) if sub and len(sub) < MAX_DEPTH]
                chain = next((c for c in chains if c[-1].method in sdk.TRACK_METHODS), chain or next(iter(chains), None))
        self._chains[ref] = chain
        return chain

    def given_client_chain(self, ref: str, arguments: Callable[[], str]) -> list[Step] | None:
        """A blocking Track call a function makes on a parameter its call gives a Track client (``arguments()``, the
        clients the call passes: ``0=track``, asked only of a function that tracks on a parameter;
        ``push_receipt(cio, ride)`` of ``def push_receipt(client, ride): client.track(...)``)."""
        given = arguments()  # first: most calls pass no client, and resolving would read the callee's module
        found = self.resolve(ref) if given else None
        entry = found.entry if isinstance(found, FunctionRef) and not found.entry.is_async else None
        made = next((call for call in _on_given_clients(self, entry, given) if not call.handed), None) if entry else None
        return [Step(found.qualname, self._where(found.qualname, entry.line)),
                Step(made.text, self._where(found.qualname, made.line), made.method)] if made else None

    def passed_forwards(self, entry: FunctionEntry, instance: str = "", owner: str = "",
                        depth: int = 0) -> dict[str, Forward]:
        """What a function's parameters reach through the project functions it passes them to unchanged
        (``def hop2(cid, name): hop1(cid, name, {})`` with ``hop1`` a wrapper of ``track``): its own forwards'
        kind, as those functions forward them, however many wrappers deep (bounded). A method of class ``owner``
        called on ``instance`` passes them to the methods of its class on that instance (``self.emit(...)``).
        Memoised: without it, functions passing parameters to each other made it exponential (4.5 million calls
        for our own package)."""
        key = ("passed", id(entry), instance, owner)
        if key in self.memo:
            return self.memo[key][1]
        found: dict[str, Forward] = {}
        self.memo[key] = (entry, found)  # the entry is kept so its id is not reused; also a guard against cycles
        for ref, param, where in entry.passes if depth < MAX_DEPTH else ():
            callee = self.resolve(ref)
            if not isinstance(callee, FunctionRef) or callee.entry is entry:
                continue
            cls = ref.rpartition(".")[0]
            on_self = bool(instance) and cls == owner  # self.emit(...): the same instance's method
            deeper = self.passed_forwards(callee.entry, instance, owner, depth + 1) if on_self else \
                self.passed_forwards(callee.entry, depth=depth + 1)
            holder = instance if on_self else cls  # a holder's method: read on its instance
            onward = {**deeper, **self.maybe_forwards(callee.entry, holder), **callee.entry.forwards}
            named = _received_as(callee.entry, where, onward)
            if named in onward:
                found.setdefault(param, onward[named])
        return found

    def maybe_forwards(self, entry: FunctionEntry, instance: str = "") -> dict[str, Forward]:
        """A function's forwards to "maybe" SDK calls whose receiver the project resolves to that client
        (``cio = get_cached()`` of another module; a holder's ``self.client`` read on ``instance``, the reference
        of what the method is called on, when the caller knows it)."""
        found = {}
        for param, maybe in entry.maybe_forwards.items():
            ref = maybe.ref if not maybe.ref.startswith("self.") else \
                f"{instance}.{maybe.ref[len('self.'):]}" if instance else None
            if ref and (self.sdk_call(ref) or ("",))[0] == maybe.kind:
                found[param] = Forward(maybe.kind, maybe.method, maybe.sdk_param)
        return found

    def request_chain(self, ref: str, given: str = "") -> list[Step] | None:
        """The calls from running coroutine function ``ref`` down to a Track request it makes, blocking or handed
        to a thread (``await asyncio.to_thread(cio.track, ...)``): what each coroutine made per record costs.
        ``given``: the clients the call passes (``0=track``), for the requests it makes on its parameters."""
        key = ("request", ref, given)
        if key not in self.memo:
            found = self.resolve(ref) if given or self.may_reach_customerio(ref) else None  # given a client: any
            entry = found.entry if isinstance(found, FunctionRef) and found.entry.is_async else None
            made = (entry.direct, entry.offloaded, self._resolved_sdk_call(entry.maybe_offloaded),
                    *_on_given_clients(self, entry, given)) if entry else ()
            own = next((call for call in made if call and call.method in sdk.TRACK_METHODS), None)
            here = Step(found.qualname, self._where(found.qualname, entry.line)) if entry else None
            run = (*entry.calls, *(call.ref for call in entry.maybe_offloaded)) if entry and not own else ()
            chains = [[here, *sub] for sub in map(self.blocking_chain, run) if sub]
            self.memo[key] = [here, Step(own.text, self._where(found.qualname, own.line), own.method)] if own else \
                next((chain for chain in chains if chain[-1].method in sdk.TRACK_METHODS), None)
        return self.memo[key]

    def dispatched(self, table: str, key: str = "") -> tuple[str, ...]:
        """What a module's dispatch table (``app.dispatch.HANDLERS``) holds, through re-exports, with what a
        decorator of its module registers in it: functions, methods, instances. Under a literal key its literal has
        (``HANDLERS["paid"]``), that entry only."""
        def held(summary: Summary, name: str) -> tuple[str, ...] | None:
            if name not in summary.dispatch:
                return None  # not defined here: a re-export is followed
            if not key:
                return summary.dispatch[name]
            keyed = any(entry.startswith(f"{name}[") for entry in summary.dispatch)  # a literal with literal keys
            return summary.dispatch.get(f"{name}[{key}]") or (() if keyed else summary.dispatch[name])

        return (self._exported(table, held) or ()) + self._registered(table, key)

    def _registered(self, table: str, key: str = "") -> tuple[str, ...]:
        """The functions the project decorates with a decorator that puts them in ``table`` (``@register("paid")``
        filling ``app.registry.HANDLERS``): read in the table's module and the modules that import it. Under a
        literal key, those registered under it and those registered under a key only the run time knows."""
        split = self.split(table)
        module, name = split if split else ("", "")
        decorators = [f"{module}.{decorator}" for decorator, filled in self.summary(module).registers.items()
                      if filled == name] if split else []
        users = {module} | self._modules_in(self._tree_index().importers, module) if decorators else set()

        def entries(decorator: str) -> list[str]:
            return [f"{decorator}[{key}]", f"{decorator}[]"] if key else [decorator]

        return tuple(ref for user in sorted(users) for decorator in decorators for entry in entries(decorator)
                     for ref in self.summary(user).decorated.get(entry, ()))

    def _resolved_sdk_call(self, maybe: tuple[MaybeCall, ...]) -> SdkCallText | None:
        """The first of a function's "maybe" SDK calls whose receiver the project resolves to a blocking client
        (``cio = get_cached()`` with ``get_cached`` another module's factory)."""
        for call in maybe:
            called = self.sdk_call(call.ref)
            if called and called[0] in (sdk.TRACK, sdk.APP):
                return SdkCallText(call.text, call.line, called[1])
        return None

    def sdk_call(self, ref: str) -> tuple[str, str] | None:
        """(client kind, SDK method) when ``ref`` names a method of a client (``shop.crm.cio.track``)."""
        found = self.resolve(ref)
        return (found.kind, found.method) if isinstance(found, SdkRef) else None

    def returned_unit(self, ref: str) -> tuple[str, str] | None:
        """The unit of the finer-than-seconds epoch a project function returns (``now_ms`` -> milliseconds, see
        ``summary``), also by returning another module's such function's result (``return clock.now_ms()``), and
        where it is defined (``shop/utils/clock.py:4``); None for anything else."""
        found = self.resolve(ref)
        if not isinstance(found, FunctionRef):
            return None
        unit = self._unit(found.entry, MAX_DEPTH)
        return (unit, self._where(found.qualname, found.entry.line)) if unit else None

    def _unit(self, entry: FunctionEntry, depth: int) -> str | None:
        """A function entry's unit, or that of the function whose call it returns (``return clock.now_ms()``)."""
        if entry.is_async:
            return None
        returned = entry.returns or ""
        if entry.unit or depth == 0 or not re.fullmatch(r"[\w.]+\(\)", returned):
            return entry.unit
        found = self.resolve(returned[:-2])
        return self._unit(found.entry, depth - 1) if isinstance(found, FunctionRef) else None

    def _where(self, qualname: str, line: int | None = None) -> str:
        """A line of a project module as the reader knows it: ``shop/services/analytics.py:42``, relative to the
        import root the module lives under (the module alone without a line)."""
        path = self.module_path(self.split(qualname)[0])
        root = next(r for r in self.import_roots if r in path.parents)
        return path.relative_to(root).as_posix() + (f":{line}" if line is not None else "")

    def routed_functions(self) -> set[str]:
        """Functions that a ``urls.py`` of the project registers as views (``path("x/", views.signup)``)."""
        if not hasattr(self, "_routed"):
            self._routed = set()
            for path in self._files_named(lambda name: name == "urls.py"):
                module = self.module_name(str(path))
                if module:
                    self._routed.update(self.summary(module).routes)
        return self._routed

    def lambda_handlers(self) -> set[tuple[str, str]]:
        """(module, function) of each AWS Lambda handler the project's deploy files name, the module as dots
        relative to where the file says the code is: serverless.yml ``handler: src/api.create``, SAM/CloudFormation
        ``Handler: app.lambda_handler``, Zappa's ``"lambda_handler"``, CDK's ``handler="index.main"``. Read as
        text (no YAML parser needed for one key), once per project."""
        if not hasattr(self, "_lambda_handlers"):
            self._lambda_handlers = set()
            for path in self._files_named(DEPLOY_FILE.fullmatch):
                for spec in HANDLER_SETTING.findall(_read(path) or ""):
                    module, _, function = spec.replace("/", ".").rpartition(".")
                    self._lambda_handlers.add((module.lstrip("."), function))
        return self._lambda_handlers

    def django_settings(self) -> str | None:
        """The project module ``django.conf.settings`` reads: the one its manage.py, wsgi.py and asgi.py name as
        ``DJANGO_SETTINGS_MODULE`` (None when they name none, several, or one outside the project). Read once, and
        only when a module reads ``settings``."""
        if not hasattr(self, "_django_settings"):
            named = {module for path in self._files_named(lambda name: name in DJANGO_ENTRY_POINTS)
                     for module in DJANGO_SETTINGS.findall(_read(path) or "")}
            module = named.pop() if len(named) == 1 else None
            self._django_settings = module if module and self.module_path(module) is not None else None
        return self._django_settings

    def settings_name(self, name: str) -> str:
        """``django.conf.settings.CIO_KEY`` as the name it has in the project (``mysite.settings.CIO_KEY``); any
        other name as it is."""
        if not name.startswith(DJANGO_CONF_SETTINGS + "."):
            return name
        module = self.django_settings()
        return module + name[len(DJANGO_CONF_SETTINGS):] if module else name

    def unique_method(self, name: str) -> str | None:
        """The project method ``name`` when exactly one class in the whole tree (tests included) defines a method of
        that name and it may reach Customer.io: what an editor's go-to-definition picks for ``lead.set_status()`` on
        a value nobody typed (a task argument, a row of an untyped loop)."""
        key = ("unique", name)
        if key not in self.memo:
            paths = self._tree_index().methods.get(name, ())
            module = self.module_name(str(paths[0])) if len(paths) == 1 else None
            owners = [qualname for qualname in self.summary(module).functions
                      if qualname.count(".") == 1 and qualname.endswith(f".{name}")] if module else []
            cls, _, method = owners[0].partition(".") if len(owners) == 1 else (None, None, None)
            ref = f"{module}.{cls}({TYPED}).{method}" if cls else None  # an instance known by its class alone
            self.memo[key] = ref if ref and self.may_reach_customerio(ref) else None
        return self.memo[key]

    def state_kind(self, name: str) -> str | None:
        """The client kind every project module that sets ``<app>.state.<name>`` agrees on (one that sets it to
        something else, another app's state, makes it unknown)."""
        setters = self._modules_in(self._tree_index().states, name)
        kinds = {self.summary(module).states.get(name, "") for module in setters}
        return kinds.pop() or None if len(kinds) == 1 else None

    def enqueued_jobs(self) -> set[str]:
        """Functions some module of the project hands to an RQ queue."""
        if not hasattr(self, "_jobs"):
            self._jobs = {job for module in self._modules_in(self._tree_index().jobs, "enqueue")
                          for job in self.summary(module).jobs}
        return self._jobs

    def _modules_in(self, table: dict[str, list[Path]], name: str) -> set[str]:
        return {module for module in map(self.module_name, map(str, table.get(name, ()))) if module}

    def _tree_index(self) -> TreeIndex:
        """A text scan of every module, once per project and only when a rule asks (see ``TreeIndex``). Each
        module's scan is kept on disk by its path, size and mtime, so a later run (another ``-j`` worker, the next
        pre-commit) reads only the modules that changed."""
        if not hasattr(self, "_index"):
            key = self.tree_cache.key(str(self.root), f"tree:{self._fingerprint()}")
            stored = self.tree_cache.get_json(key)
            scans = stored if isinstance(stored, dict) else {}
            fresh = {str(path): self._module_scan(path, scans.get(str(path)))
                     for path in self._files_named(lambda name: name.endswith(".py"))}
            dumped = {path: scan.dump() for path, scan in fresh.items()}
            if dumped != scans:
                self.tree_cache.put_json(key, dumped)
            self._index = TreeIndex({}, {}, {}, {})
            for path, scan in fresh.items():
                for table, names in zip(self._index, (scan.methods, scan.states, scan.jobs, scan.imports)):
                    for name in names:
                        table.setdefault(name, []).append(Path(path))
        return self._index

    def _module_scan(self, path: Path, stored: Any) -> ModuleScan:
        """One module's scan (``records.ModuleScan``), the stored one while its size and mtime are the same."""
        try:
            stat = path.stat()
        except OSError:
            return ModuleScan((), (), (), (), ())
        stamp = (stat.st_mtime_ns, stat.st_size)
        try:
            kept = ModuleScan.load(stored) if stored is not None else None
        except TypeError:  # a cache file edited into another shape is rescanned
            kept = None
        if kept is not None and kept.stamp == stamp:
            return kept
        text = _read(path) or ""
        return ModuleScan(stamp, *(tuple(pattern.findall(text)) for pattern in (METHOD_DEF, STATE_STORE, ENQUEUE)),
                          tuple(self._imported_names(str(path), text)))

    def given_kind(self, cls: str, attr: str) -> str | None:
        """The one client kind the project's constructions of class ``cls`` pass for an attribute it sets from an
        untyped ``__init__`` parameter (``Notifier(cio)``, ``providers.Factory(Notifier, client=crm)``): read in
        its module and the modules that import it, where they may reach Customer.io."""
        key = ("given", cls, attr)
        if key not in self.memo:
            found = self.resolve(cls) if self.sdk_pin.pinned else None
            where = found.entry.injected.get(attr) if isinstance(found, ClassRef) else None
            module = self.split(cls)[0] if where else ""
            kinds = set()
            for other in self._constructing_modules(module, cls.rpartition(".")[2]) if where else ():
                path = self.module_path(other)
                for ref in self.summary(other).constructions if path and self._relevant_module(path) else ():
                    kinds.add(self._passed(ref, found, where))
            known = kinds - {None, "?"}  # a client known by its name may be the known one
            self.memo[key] = known.pop() if len(known) == 1 else "?" if kinds - {None} == {"?"} else None
        return self.memo[key]

    def _constructing_modules(self, module: str, name: str) -> set[str]:
        """The modules that may build class ``name`` of ``module``: it, its importers, and the importers of the
        packages that re-export the class (``from .svc import Svc`` in ``services/__init__.py``)."""
        importers = self._tree_index().importers
        found = {module} | self._modules_in(importers, module)
        package = module.rpartition(".")[0]
        while package:
            if self.summary(package).imports.get(name) == f"{module}.{name}":
                found |= self._modules_in(importers, package)
            package = package.rpartition(".")[0]
        return found

    def _passed(self, ref: str, cls: ClassRef, where: Injected) -> str | None:
        """The client kind a construction reference (``app.Notifier(client=track)``) passes for a parameter."""
        called = CALLED.match(ref)
        if not called or called[1].rpartition(".")[2] != cls.qualname.rpartition(".")[2] or called[3] or \
                self.resolve(called[1]) != cls:
            return None
        return _passed_kind(self, called[2], where)

    def modules(self) -> list[str]:
        """Every module of the project, for what only the whole project can tell (CIO303: does anyone get an email)."""
        if not hasattr(self, "_modules"):
            paths = self._files_named(lambda name: name.endswith(".py"))
            self._modules = sorted({name for name in map(self.module_name, map(str, paths)) if name})
        return self._modules

    def _files_named(self, wanted: Callable[[str], bool]) -> list[Path]:
        """The project's files whose name ``wanted`` accepts, from one walk of the tree per process that every
        whole-tree question shares (modules, ``urls.py``, deploy files, the text index)."""
        return [Path(folder, name) for folder, name in self._walk() if wanted(name)]

    def _walk(self) -> tuple[tuple[str, str], ...]:
        """(folder, name) of every project file, from one walk of the tree per process."""
        return layout.project_files(self.root)


def _received_as(callee: FunctionEntry, where: str, onward: dict[str, Forward]) -> str | None:
    """The callee's parameter an argument passed ``where`` (a position, a keyword, ``**`` for ``**kwargs`` passed
    whole) arrives as: a position by its name, ``**kwargs`` as the callee's own ``**kwargs``."""
    if where.isdigit():
        return callee.params[int(where)] if int(where) < len(callee.params) else None
    if where == "**":
        return next((name for name, forward in onward.items() if forward.sdk_param.endswith("**")), None)
    return where


def _given_clients(project: Project, method: Resolved | None, cls: ClassRef, arguments: str) -> Resolved | None:
    """A method of an instance that was given clients (``Notifier(cio).send``): its calls on the attributes holding
    them (``self.client.track()``) are SDK calls, so the first blocking one becomes the method's direct call; the
    other methods of the class it calls (``self.on_paid(...)``) run on the same instance."""
    if not (isinstance(method, FunctionRef) and not method.entry.direct):
        return method
    for held in method.entry.held:
        kind = _held_kind(project, cls, arguments, held.attr)
        kind = sdk.guessed_kind(held.method) if kind == "?" else kind  # given a client known by its name
        if kind in (sdk.TRACK, sdk.APP) and _client_or_method(kind, held.method):
            direct = SdkCallText(held.text, held.line, held.method)
            return FunctionRef(method.qualname, replace(method.entry, direct=direct))
    if not arguments:
        return method
    own = f"{cls.qualname}."
    calls = tuple(f"{cls.qualname}({arguments}).{ref[len(own):]}" if ref.startswith(own) else ref
                  for ref in method.entry.calls)
    return FunctionRef(method.qualname, replace(method.entry, calls=calls))


def _held_kind(project: Project, cls: ClassRef, arguments: str, attr: str) -> str | None:
    """The client kind an instance's attribute holds when its class stores an ``__init__`` parameter there: what
    the construction passes (``Notifier(0=track)``), or for an instance known only by its type (``Notifier(*)``)
    what the project's constructions pass."""
    if arguments != TYPED:
        return _passed_kind(project, arguments, cls.entry.injected.get(attr))
    return project.given_kind(cls.qualname, attr) if attr in cls.entry.injected else None


def _on_given_clients(project: Project, entry: FunctionEntry, given: str) -> list[HeldCall]:
    """The Track calls a function makes on its parameters that a call gives a Track client (``given``:
    ``0=track,client=@app.crm.cio``), by name or by position."""
    return [call for call in entry.on_params if _passed_kind(project, given, Injected(
        call.attr, entry.params.index(call.attr) if call.attr in entry.params else -1)) == sdk.TRACK]


def _passed_kind(project: Project, arguments: str, where: Injected | None) -> str | None:
    """The client kind a construction's arguments (``0=track,client=@app.crm.cio``) pass for an injected
    parameter, by name or position; None when they pass none that is known."""
    given = dict(pair.split("=", 1) for pair in arguments.split(",") if "=" in pair) if where else {}
    kind = given.get(where.param) or given.get(str(where.position)) if where else None
    return project.client_kind(kind[1:]) if kind and kind.startswith("@") else kind


def _client_or_method(kind: str, method: str) -> ClientRef | SdkRef | None:
    """The client itself (no method), or one of its SDK methods; None for a name the SDK does not have. Of a
    client known only by its name ("?"), the method decides which client it is."""
    if not method:
        return ClientRef(kind)
    kind = sdk.guessed_kind(method) or "" if kind == "?" else kind
    return SdkRef(kind, method) if method in sdk.METHODS.get(kind, {}) else None


EMPTY = Summary()


def _imported_modules(text: str, package: list[str]) -> list[str]:
    """Absolute module names a module's import lines may load (``from a import b`` may load ``a`` and ``a.b``).
    Finds the word ``import`` with a C-speed literal search first: a regex anchored at every line start costs more
    than the rest of the prefilter."""
    modules, seen_lines = [], set()
    for found in IMPORT_WORD.finditer(text):
        start = text.rfind("\n", 0, found.start()) + 1
        if start in seen_lines:
            continue
        seen_lines.add(start)
        match = IMPORT_LINE.match(text, start)
        if match:
            modules.extend(_line_modules(*match.groups(), package))
    return modules


def _line_modules(source: str | None, names: str | None, plain: str | None, package: list[str]) -> list[str]:
    if plain is not None:
        return [part.split(" as ")[0].strip() for part in plain.split(",") if part.strip()]
    level = len(source) - len(source.lstrip("."))
    base = source[level:]
    if level:
        prefix = package[: len(package) - level + 1] if level - 1 <= len(package) else []
        base = ".".join(filter(None, [*prefix, base]))
    listed = [n.split(" as ")[0].strip() for n in names.strip("()").replace("\n", " ").split(",")]
    return [m for m in [base, *(f"{base}.{n}" if base else n for n in listed if n and n != "*")] if m]


def _top_level_names(text: str, module: str) -> frozenset[str]:
    """The names a module binds at its top level, read from its text: assignments, ``def``, ``class``, imports
    (``from .notifier import notifier``; not ``from pkg import sub`` in ``pkg`` itself, which imports its submodule)."""
    names = set()
    for match in TOP_LEVEL.finditer(text):
        defined, cls, assigned, source, listed, imported = match.groups()
        names.update(name for name in (defined, cls, assigned) if name)
        items = listed if source not in (None, module, ".") else imported if source is None else None
        names.update(alias or (name if source is not None else None) for name, alias in IMPORTED.findall(items or ""))
    names.discard(None)
    return frozenset(names)


def _read(path: Path) -> str | None:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


class SummaryCache:
    """Summaries on disk, one JSON file per (content, analyser) hash (and, in a ``trees`` folder beside them, one
    per project root for its modules' text scans, ``Project._tree_index``): written atomically (a temporary file renamed into place), so
    concurrent ``flake8 -j`` workers and pre-commit runs never see half a file and need no lock. A folder that
    cannot be written means no cache; an unreadable or corrupt entry is recomputed."""

    def __init__(self, folder: str | None, kind: str = "summaries"):
        self.folder: Path | None = layout.cache_folder(folder, kind)

    @staticmethod
    def key(text: str, fingerprint: str) -> str:
        return hashlib.sha256(f"{fingerprint}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, key: str) -> Summary | None:
        data = self.get_json(key)
        try:
            return None if data is None else Summary.load(data)
        except TypeError:
            return None

    def put(self, key: str, summary: Summary) -> None:
        self.put_json(key, summary.dump())

    def get_json(self, key: str) -> Any:
        if self.folder is None:
            return None
        try:
            return json.loads((self.folder / f"{key}.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def put_json(self, key: str, data: Any) -> None:
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream)
            os.replace(temporary, self.folder / f"{key}.json")
        except OSError:
            self.folder = None  # unwritable: run without a cache
