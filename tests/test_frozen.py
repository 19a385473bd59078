"""Record classes keep what the linter relied on from frozen dataclasses: equal and hashed by their compared fields
within one class only, ordered when asked, immutable, defaults made per instance, ``replace`` through ``__init__``."""
import pickle
from functools import cached_property

import pytest

from flake8_cio.frozen import FrozenError, asdict, field, fields, frozen, is_record, mutable, replace, values
from flake8_cio.records import ClientRef, TextRef, TypeRef
from flake8_cio.types import Finding


@frozen
class Entry:
    name: str
    parts: tuple = ()
    seen: dict = field(default_factory=dict, compare=False)

    @cached_property
    def upper(self) -> str:
        return self.name.upper()


@mutable
class Site:
    node: str
    loops: list = field(default_factory=list)


def test_equal_and_hashed_by_compared_fields_within_one_class():
    assert Entry("a", ("x",), {"k": 1}) == Entry("a", ("x",)) and hash(Entry("a", ("x",), {"k": 1})) == hash(Entry("a", ("x",)))
    assert Entry("a") != Entry("b") and Entry("a") != Entry("a", ("x",))
    assert ClientRef("track") != TypeRef("track")  # one field each, same value: different kinds of reference
    assert len({ClientRef("track"), TypeRef("track"), ClientRef("track")}) == 2
    assert TextRef() == TextRef() and hash(TextRef()) == hash(TextRef()) and bool(TextRef())


def test_immutable_but_cached_properties_still_work():
    entry = Entry("a")
    with pytest.raises(FrozenError):
        entry.name = "b"
    with pytest.raises(AttributeError):
        del entry.parts
    assert entry.upper == "A" and entry.name == "a"


def test_defaults_made_per_instance_and_required_fields_required():
    first, second = Entry("a"), Entry("b")
    first.seen["k"] = 1
    assert second.seen == {} and first.parts == () and Entry.parts == ()
    with pytest.raises(TypeError):
        Entry()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Entry("a", (), {}, 4)  # type: ignore[call-arg]


def test_findings_sort_by_position_then_code_leaving_fix_and_data_out():
    def finding(line, col, code, **more):
        return Finding(line, col, code, "m", line, col + 1, **more)

    found = [finding(3, 0, "CIO101"), finding(1, 4, "CIO201", data={"a": 1}), finding(1, 4, "CIO102", fix=print)]
    assert [(f.line, f.code) for f in sorted(found)] == [(1, "CIO102"), (1, "CIO201"), (3, "CIO101")]
    assert finding(1, 0, "CIO101", fix=print, data={"a": 1}) == finding(1, 0, "CIO101")
    assert finding(1, 0, "CIO101") < finding(1, 1, "CIO101") and not finding(2, 0, "CIO101") <= finding(1, 0, "CIO101")
    with pytest.raises(TypeError):
        finding(1, 0, "CIO101") < ClientRef("track")  # noqa: B015


def test_replace_asdict_values_fields_and_pickle():
    entry = Entry("a", (Entry("b"),), {"k": Entry("c")})
    assert replace(entry, name="z") == Entry("z", (Entry("b"),)) and entry.name == "a"
    with pytest.raises(TypeError):
        replace(entry, nope=1)
    assert asdict(entry) == {"name": "a", "parts": ({"name": "b", "parts": (), "seen": {}},),
                             "seen": {"k": {"name": "c", "parts": (), "seen": {}}}}
    assert values(Entry("a")) == ("a", (), {}) and fields(Entry) == ("name", "parts", "seen")
    assert is_record(Entry) and not is_record(entry) and not is_record(dict)
    assert pickle.loads(pickle.dumps(entry)) == entry
    assert repr(Entry("a")) == "Entry(name='a', parts=(), seen={})"


def test_mutable_records_are_equal_only_to_themselves():
    site = Site("call")
    site.loops.append("for")
    assert site != Site("call", ["for"]) and site == site and Site("x").loops is not Site("x").loops
    assert len({site, Site("call")}) == 2
