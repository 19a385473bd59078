"""Record classes for the linter's values (findings, options, summaries, references): what ``@dataclass`` gave them,
made at import without compiling a method per class. A frozen dataclass compiles six methods with ``exec`` as its
module is imported (3.5 M instructions a class); the 37 a pre-commit run imported were half of what the plugin added
to flake8 there. Here the shared methods are written once and a class compiles only its ``__init__``.
Imports nothing of ours: the shared types build on it.

    @frozen
    class Ref:
        name: str
        parts: tuple[str, ...] = ()
        seen: dict[str, int] = field(default_factory=dict, compare=False)
"""
from __future__ import annotations

import operator
from operator import attrgetter
from typing import Any, Callable, TypeVar

T = TypeVar("T")
MISSING: Any = object()


class FrozenError(AttributeError):
    """An attribute of a frozen record was set or deleted."""


class Field:
    __slots__ = ("default", "default_factory", "compare")

    def __init__(self, default: Any = MISSING, default_factory: Callable[[], Any] = MISSING, compare: bool = True):
        self.default, self.default_factory, self.compare = default, default_factory, compare


def field(*, default: Any = MISSING, default_factory: Callable[[], Any] = MISSING, compare: bool = True) -> Any:
    """A field's default made per instance (``default_factory``), or left out of equality, hash and order."""
    return Field(default, default_factory, compare)


def frozen(cls: type[T] | None = None, *, order: bool = False) -> Any:
    """An immutable record: equal (and hashed, and with ``order`` ordered) by its compared fields within its class."""
    def make(cls: type[T]) -> type[T]:
        _build(cls)
        methods = {"__eq__": _EQUAL, "__hash__": _hash, "__setattr__": _refuse_set, "__delattr__": _refuse_delete,
                   **(_ORDER if order else {})}
        for name, method in methods.items():
            if name not in cls.__dict__ or (name == "__hash__" and cls.__dict__[name] is None):
                setattr(cls, name, method)
        return cls

    return make if cls is None else make(cls)


def mutable(cls: type[T]) -> type[T]:
    """A record whose fields may be set; equal only to itself, as objects are."""
    _build(cls)
    return cls


def fields(record: Any) -> tuple[str, ...]:
    """The names of a record's (or record class's) fields, in order."""
    return record.__record_fields__  # type: ignore[no-any-return]


def is_record(kind: Any) -> bool:
    return isinstance(kind, type) and "__record_fields__" in kind.__dict__


def replace(record: T, **changes: Any) -> T:
    """A copy with some fields changed, made by its ``__init__`` (as ``dataclasses.replace``)."""
    return type(record)(**{**{name: getattr(record, name) for name in fields(record)}, **changes})


def values(record: Any) -> tuple:
    """Its fields' values, in order."""
    return tuple(getattr(record, name) for name in fields(record))


def asdict(value: Any) -> Any:
    """Records as dicts of their fields, inside dicts, lists and tuples too (as ``dataclasses.asdict``)."""
    if is_record(type(value)):
        return {name: asdict(getattr(value, name)) for name in fields(value)}
    if isinstance(value, dict):
        return {key: asdict(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(asdict(item) for item in value)
    return value


def _build(cls: type) -> None:
    """Read the fields from the class's own annotations (``ClassVar`` ones are not fields) and give it ``__init__``,
    ``__repr__`` and ``__match_args__``. No record derives from another, nor writes its own ``__init__``."""
    if any(is_record(base) for base in cls.__mro__[1:]) or "__init__" in cls.__dict__:
        raise TypeError(f"{cls.__name__}: a record neither derives from another record nor defines __init__")
    annotations = getattr(cls, "__annotations__", {})  # not the class dict's: Python 3.14 makes them on demand
    names = tuple(name for name, annotation in annotations.items() if "ClassVar" not in str(annotation))
    specs = {}
    for name in names:
        spec = cls.__dict__.get(name, MISSING)
        spec = spec if isinstance(spec, Field) else Field(default=spec)
        if isinstance(spec.default, (list, dict, set)):
            raise ValueError(f"{cls.__name__}.{name}: a mutable default is shared; use field(default_factory=...)")
        specs[name] = spec
        if spec.default is MISSING and name in cls.__dict__:
            delattr(cls, name)
        elif spec.default is not MISSING:
            setattr(cls, name, spec.default)
    compared = tuple(name for name in names if specs[name].compare)
    cls.__record_fields__ = names  # type: ignore[attr-defined]
    key = attrgetter(*compared) if len(compared) > 1 else _one(compared)
    cls.__record_key__ = staticmethod(key)  # type: ignore[attr-defined]
    cls.__init__ = _init(cls, specs)  # type: ignore[misc]
    cls.__match_args__ = names  # type: ignore[attr-defined]
    if "__repr__" not in cls.__dict__:
        cls.__repr__ = _repr  # type: ignore[method-assign]


def _one(compared: tuple[str, ...]) -> Callable[[Any], tuple]:
    """The key of a record comparing one field or none: a tuple still, so that records of one field order alike."""
    if not compared:
        return lambda record: ()
    get = attrgetter(compared[0])
    return lambda record: (get(record),)


def _init(cls: type, specs: dict[str, Field]) -> Callable[..., None]:
    """``__init__(self, a, b=<default>, c=<made per instance>)``, storing each field into the instance's dict (a
    frozen record's ``__setattr__`` refuses), then calling ``__post_init__`` if the class has one."""
    scope: dict[str, Any] = {"__missing": MISSING}  # names of two underscores, so that no field hides them
    parameters, body = ["__self"], ["    __stored = __self.__dict__"]
    for name, spec in specs.items():
        if spec.default_factory is not MISSING:
            scope[f"__make_{name}"] = spec.default_factory
            parameters.append(f"{name}=__missing")
            body.append(f"    __stored[{name!r}] = __make_{name}() if {name} is __missing else {name}")
            continue
        if spec.default is not MISSING:
            scope[f"__default_{name}"] = spec.default
        parameters.append(f"{name}=__default_{name}" if spec.default is not MISSING else name)
        body.append(f"    __stored[{name!r}] = {name}")
    if hasattr(cls, "__post_init__"):
        body.append("    __self.__post_init__()")
    exec(f"def __init__({', '.join(parameters)}):\n" + "\n".join(body), scope)  # noqa: S102 - our own text
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init  # type: ignore[no-any-return]


def _repr(self: Any) -> str:
    return f"{type(self).__qualname__}({', '.join(f'{name}={getattr(self, name)!r}' for name in fields(self))})"


def _compare(operation: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
    """A comparison of two records of one class by their keys (``NotImplemented`` for anything else)."""
    def compare(self: Any, other: Any) -> Any:
        if type(other) is not type(self):
            return NotImplemented
        return operation(self.__record_key__(self), other.__record_key__(other))

    return compare


_EQUAL = _compare(operator.eq)
_ORDER = {f"__{name}__": _compare(getattr(operator, name)) for name in ("lt", "le", "gt", "ge")}


def _hash(self: Any) -> int:
    return hash(self.__record_key__(self))


def _refuse_set(self: Any, name: str, value: Any) -> None:
    raise FrozenError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")


def _refuse_delete(self: Any, name: str) -> None:
    raise FrozenError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")
