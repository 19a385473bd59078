"""Bad data interleaved with good: what the official SDK refuses raises at the call (InvalidCall: a
CustomerIOException, as the SDK raises, and nothing else, naming the field), data over the API's limits is rejected alone
(counted, reported to on_error), and the rest is encoded as the official SDK encodes it and delivered, every good
event exactly once. Also: acceptance timestamps and de-duplication by event id."""
import json
import threading
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from customerio import CustomerIOException

from flake8_cio.runtime.policy import time_text, ulid
from flake8_cio.runtime.testing import API_KEY, SITE_ID

from .conftest import FAST, tally, wait_for

pytestmark = pytest.mark.timeout(60)


class Thing:
    pass


def loop():
    data = {"a": 1}
    data["self"] = data
    return data


@pytest.mark.parametrize("bad, message", [
    ({"obj": Thing()}, r"attributes.obj \(a Thing\) cannot be sent as JSON"),
    ({"n": Decimal("1.5")}, r"attributes.n \(a Decimal\)"),
    ({"s": {1, 2}}, r"attributes.s \(a set\)"),
    ({"day": date(2024, 1, 1)}, r"attributes.day \(a date\)"),  # the official client refuses a date too
    ({(1, 2): "tuple key"}, "keys must be str"),
    ({"x": float("inf")}, r"attributes.x cannot be sent as JSON \(NaN and infinity are not JSON\)"),
    ({"deep": [{"x": float("-inf")}]}, r"attributes.deep\[0\].x"),
    (loop(), "refers to itself"),
    ({"nan": float("nan"), "me": loop()}, "refers to itself"),
    ({"window": (datetime(2024, 1, 1), datetime(2024, 1, 2))}, r"window\[0\] \(a datetime\)"),  # the SDK converts
    ({"scores": (1.0, float("nan"))}, r"scores\[1\] cannot be sent as JSON \(NaN and infinity are not JSON\)"),
    ({"deep": __import__("functools").reduce(lambda inner, _: [inner], range(100_000), [])}, "nested too deeply"),
    ({"k": __import__("functools").reduce(lambda inner, _: {"k": inner}, range(10_000), {})},  # the path shortened
     r"^(attributes\.k\.k[.k]{0,60} cannot be sent as JSON \(nested too deeply\)"  # (3.12+: the C encoder's own
     r"|data refers to itself or is nested too deeply: it cannot be sent)$"),  # depth limit, then _sanitized's)
])
def test_data_json_cannot_carry_raises_at_the_call(make_client, bad, message):
    with pytest.raises(CustomerIOException, match=message) as raised:
        make_client().track("u1", "clicked", bad)
    assert not isinstance(raised.value, (ValueError, TypeError))  # the SDK's handlers catch it, and no others


def test_bad_data_interleaved_with_good_takes_nothing_else_down(loopback, make_client):
    server = loopback()
    reported = []
    client = make_client(url=server.url, on_error=lambda reasons, ops: reported.extend(reasons.values()))
    sent, raised = [], 0
    for i in range(300):
        try:
            if i % 10 == 3:
                client.track(f"u{i}", "clicked", {"i": i, "obj": Thing()})
            elif i % 10 == 7:
                client.track(f"u{i}", "clicked", {"i": i, "blob": "x" * 40_000})  # over 32 KB: rejected alone
            else:
                client.track(f"u{i}", "clicked", {"i": i, "nan": float("nan"), "when": datetime(2024, 1, 1)})
                sent.append(i)
        except CustomerIOException:
            raised += 1
    assert client.flush(10)
    assert tally(server.accepted, sent) == {"sent": 240, "delivered": 240, "lost": 0, "duplicated": 0,
                                            "foreign": 0, "extra_ids": 0}
    assert raised == 30 and client.health()["counters"]["rejected"] == 30 and len(reported) == 30
    assert all("32000 bytes" in reason for reason in reported)
    first = server.accepted[0]["attributes"]
    assert first["nan"] is None and first["when"] == 1704067200  # as the official SDK: NaN null, naive = UTC


def test_dates_and_aware_datetimes_are_unix_seconds_at_any_depth(loopback, make_client):
    server = loopback()
    client = make_client(url=server.url)
    berlin = timezone(timedelta(hours=1))
    client.identify("u1", plan={"since": datetime(2024, 1, 1), "renewals": [datetime(2024, 1, 1, 1, tzinfo=berlin)]})
    assert client.flush(10)
    ((op,),) = [[op for op in server.accepted if op["action"] == "identify"]]
    assert op["attributes"]["plan"] == {"since": 1704067200, "renewals": [1704067200]}


def test_every_event_and_identify_carries_its_acceptance_time(loopback, make_client):
    """Replayed after an outage, an event must not look fresh: it keeps the time track() accepted it."""
    server = loopback(lambda path, body: (503, {}, b"") if time.monotonic() < outage_ends else (200, {}, b"{}"))
    outage_ends = time.monotonic() + 2.5
    client = make_client(url=server.url, max_backoff=0.5)
    before = int(time.time())
    client.track("u1", "clicked")
    client.identify("u1", plan="pro")
    client.pageview("u1", "/pricing")
    client.identify("u2", plan="pro", _timestamp=1700000000)
    client.batch([{"type": "person", "identifiers": {"id": "u3"}, "action": "event", "name": "imported"}])
    client.delete("u4")
    assert wait_for(lambda: client.health()["spool_depth"] == 0 and len(server.accepted) == 6, timeout=20)
    assert int(time.time()) - before >= 2  # delivered well after acceptance
    stamps = {(op["action"], op["identifiers"]["id"]): op.get("timestamp") for op in server.accepted}
    assert stamps.pop(("identify", "u2")) == 1700000000  # the caller's _timestamp orders the identify
    assert stamps.pop(("delete", "u4")) is None
    assert all(before <= stamp <= before + 1 for stamp in stamps.values()), stamps


def test_repeats_of_an_explicit_event_id_are_sent_once_and_real_repeats_all_arrive(loopback, make_client):
    server = loopback()
    client = make_client(url=server.url)
    event_id = ulid()
    for _ in range(3):
        client.track("u1", "clicked")  # three real clicks
        client.track("u1", "paid", {"order": 7}, id=event_id)  # one action, retried by the caller
    assert client.flush(10)
    names = [op["name"] for op in server.accepted]
    assert names.count("clicked") == 3 and names.count("paid") == 1
    assert client.health()["counters"]["deduplicated"] == 2


def test_device_attributes_are_strings_as_v2_takes_them(loopback, make_client):
    server = loopback()
    client = make_client(url=server.url)
    client.add_device("u1", "tok", "ios", app_version=2.1, beta=True, tags=["a"], attributes={"k": "v"},
                      last_used=datetime(2024, 1, 1))
    assert client.flush(10)
    device = server.accepted[0]["device"]
    assert device == {"token": "tok", "platform": "ios", "last_used": 1704067200,
                      "attributes": {"k": "v", "app_version": "2.1", "beta": "true", "tags": '["a"]'}}


@pytest.mark.parametrize("by_email, expected", [(False, {"id": "bob@example.com"}), (True, {"email": "bob@example.com"})])
def test_an_email_shaped_id_is_an_email_identifier_only_where_the_workspace_uses_them(loopback, make_client, by_email,
                                                                                      expected):
    server = loopback()
    client = make_client(url=server.url, email_identifiers=by_email)
    client.identify("bob@example.com", plan="pro")
    client.track("cio_abc", "clicked")
    assert client.flush(10)
    sent = {tuple(op["identifiers"].items()) for op in server.accepted}  # two requests may cross (or one resent)
    assert sent == {tuple(expected.items()), (("cio_id", "abc"),)}


def test_what_the_official_client_sends_never_raises(loopback, make_client):
    """Issue 19: these raised at the call, where the official client sends them. What Customer.io takes is sent as
    the official client sends it, and so is a timestamp field that is no number (None, a date string: the API
    judges it; the call is never dropped for it); a number in another unit, or what the published contract refuses,
    is rejected alone and reported."""
    server = loopback()
    reported = []
    client = make_client(url=server.url, on_error=lambda reasons, ops: reported.extend(reasons.values()))
    client.track("u1", "paid", timestamp="1700000000")  # the official client's int()
    client.track("u1", "paid", timestamp="2024-01-01")  # int() fails: left out, as the official client does
    client.track("u1", "paid", timestamp=1_700_000_000.9)
    client.identify("u1", joined="2024-01-01T00:00:00Z", flag=True, nan=float("nan"), created_at=1_700_000_000.5)
    client.identify("u2", email="u2@example.com", created_at=None)
    client.identify("u3", created_at="2024-01-01T00:00:00Z")
    client.add_device("u4", "token-4", "ios", last_used=None)
    for call in (lambda: client.add_device("u1", "token-1", "web"),
                 lambda: client.track("u1", "paid", timestamp=-5),
                 lambda: client.track("u1", "paid", timestamp=1_700_000_000_000),
                 lambda: client.track("u1", "paid", id="order-7")):
        call()
    assert client.flush(10)
    events = [op for op in server.accepted if op["action"] == "event"]
    people = {op["identifiers"]["id"]: op for op in server.accepted if op["action"] != "event"}
    assert [e["timestamp"] for e in events] == [1_700_000_000, events[1]["timestamp"], 1_700_000_000]
    assert abs(events[1]["timestamp"] - time.time()) < 60  # the acceptance time
    assert people["u1"]["attributes"] == {"joined": "2024-01-01T00:00:00Z", "flag": True, "nan": None,
                                          "created_at": 1_700_000_000}
    assert people["u2"]["attributes"] == {"email": "u2@example.com", "created_at": None}
    assert people["u3"]["attributes"] == {"created_at": "2024-01-01T00:00:00Z"}
    assert people["u4"]["device"] == {"token": "token-4", "platform": "ios", "last_used": None}
    assert len(reported) == 4 and client.health()["counters"]["rejected"] == 4
    assert "platform 'web'" in reported[0] and "looks like milliseconds" in reported[2]
    assert "not a ULID" in reported[3]


EVENT = {"type": "person", "action": "event", "identifiers": {"id": "u1"}, "name": "x"}


@pytest.mark.parametrize("op, message", [
    ("identify u1", "a batch operation is a str, not a dict"),
    ({"type": "people", "action": "identify", "identifiers": {"id": "u1"}}, "'people' is not one of"),
    ({"type": "person", "action": "track", "identifiers": {"id": "u1"}}, "'track' is not a person action"),
    ({"type": "object", "action": "event", "identifiers": {"object_id": "1"}}, "not a object action"),
    ({"type": "person", "action": "identify", "attributes": {}}, "needs its identifiers"),
    ({**EVENT, "name": " "}, "event name is blank"),
    ({**EVENT, "name": "x" * 101}, "event name is over 100 bytes"),
    ({"type": ["person"]}, r"type \['person'\] is not one of"),
    ({**EVENT, "action": ["event"]}, r"\['event'\] is not a person action"),
    ({**EVENT, "identifiers": {"id": None}}, "needs its identifiers"),
])
def test_a_batch_operation_customerio_could_not_read_is_rejected_alone(loopback, make_client, op, message):
    """The official client sends it (and the API refuses the request): here it is reported, the others go."""
    server = loopback()
    reported = []
    client = make_client(url=server.url, on_error=lambda reasons, ops: reported.extend(reasons.values()))
    good = {"type": "person", "identifiers": {"id": "u1"}, "action": "event", "name": "kept"}
    client.batch([good, op])
    assert client.flush(10)
    assert [o["name"] for o in server.accepted] == ["kept"] and len(reported) == 1
    assert __import__("re").search(message, reported[0]) and client.health()["counters"]["rejected"] == 1


def test_a_batch_the_official_client_cannot_send_raises_and_queues_nothing(make_client):
    client = make_client()
    good = {"type": "person", "identifiers": {"id": "u1"}, "action": "event", "name": "kept_out"}
    with pytest.raises(CustomerIOException, match=r"attributes.t \(a Thing\)"):
        client.batch([good, {**EVENT, "attributes": {"t": Thing()}}])
    with pytest.raises(CustomerIOException, match="operations cannot be empty in batch"):
        client.batch([])
    assert client.health()["counters"]["accepted"] == 0  # all or nothing: the good one was not queued either


def test_a_batch_timestamp_is_sent_as_the_official_client_sends_it(make_client, fake_customerio):
    client = make_client()
    client.batch([{**EVENT, "name": "paid", "timestamp": 1_700_000_000},
                  {**EVENT, "name": "paid", "timestamp": datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)}])
    assert client.flush(10)
    assert [e["timestamp"] for e in fake_customerio.events_named("paid")] == [1_700_000_000] * 2


def test_a_timestamp_the_official_client_cannot_send_raises(make_client):
    with pytest.raises(CustomerIOException, match=r"device.last_used cannot be sent as JSON \(NaN and infinity"):
        make_client().add_device("u1", "token", "ios", last_used=float("-inf"))
    with pytest.raises(CustomerIOException, match="is not a valid timestamp"):
        make_client().backfill("u1", "paid", "yesterday")


def test_batch_knows_the_operation_types_and_actions_the_contract_knows():
    from flake8_cio.runtime.client import V2_ACTIONS as client_actions
    from flake8_cio.runtime.testing import V2_ACTIONS as contract

    assert {kind: set(actions) for kind, actions in contract.items()} == client_actions


@pytest.mark.parametrize("customer_id, sent", [
    ("u1", ("id", "u1")),
    ("12345", ("id", "12345")),
    ("user-42_x:y.z", ("id", "user-42_x:y.z")),
    ('a"b', ("id", 'a"b')),  # JSON escapes these: the general path writes them
    ("a\\b", ("id", "a\\b")),
    ("tab\tin", ("id", "tab\tin")),
    ("trailing ", ("id", "trailing ")),
    (" leading", ("id", " leading")),
    ("caf\u00e9", ("id", "caf\u00e9")),
    ("cio_a1", ("cio_id", "a1")),
    ("x" * 150, ("id", "x" * 150)),
    ("x" * 151, None),  # over the limit: rejected (reported, never sent)
    (42, ("id", "42")),
])
def test_every_customer_id_is_sent_as_the_general_path_sends_it(make_client, fake_customerio, customer_id, sent):
    """track()'s one pass writes a plain id as it is (no JSON escaping: ASCII letters and digits, or what
    _PLAIN_ID takes, within the limit); any other id takes the general path. Either way the API gets the id the
    official client's call names."""
    client = make_client()
    client.track("warm", "clicked")  # the name is checked: the next call may take the one pass
    client.track(customer_id, "clicked", {"n": 1})
    assert client.flush(10)
    assert [e["identifier"] for e in fake_customerio.events_named("clicked")] == [("id", "warm"), sent][:1 + bool(sent)]


def test_time_text_is_the_ulid_time_of_any_millisecond():
    """time_text keeps the first 8 characters of the last 1,024 ms asked for; any other millisecond (earlier,
    later, a replayed line's) gets its own."""
    now, crockford = int(time.time() * 1000), "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    for ms in [now, now + 1, now - 1, now + 1024, now - 5000, 0, 2**48 - 1, now & -1024, (now & -1024) - 1, now]:
        assert time_text(ms) == "".join(crockford[ms >> bits & 31] for bits in range(45, -1, -5))


def test_the_one_pass_stamps_follow_the_clock_across_seconds(make_client, fake_customerio, monkeypatch):
    """track()'s one pass keeps its stamp (the id's time, the timestamp's text) per millisecond, and the
    timestamp's text per second: each call still carries its own millisecond and second, the clock going back
    too."""
    client = make_client()
    client.track("warm", "clicked")
    clock = [1700000000.9990, 1700000000.9995, 1700000001.0004, 1700000001.0004, 1700000000.5, 1700001024.0001]
    times, real, caller = iter(clock), time.time, threading.get_ident()
    monkeypatch.setattr(time, "time", lambda: next(times) if threading.get_ident() == caller else real())  # ours
    for i in range(len(clock)):
        client.track(f"u{i}", "clicked", {"i": i})
    monkeypatch.undo()
    assert client.flush(10)
    events = {e["identifier"][1]: e for e in fake_customerio.events_named("clicked")}
    for i, now in enumerate(clock):
        ms = int(now * 1000)
        assert (events[f"u{i}"]["timestamp"], events[f"u{i}"]["id"][:10]) == (ms // 1000, time_text(ms))
    assert len({e["id"] for e in events.values()}) == len(events)


def test_a_call_without_data_takes_the_one_pass_and_sends_what_the_general_path_sends(make_client, fake_customerio):
    """track(id, name) is common: its one pass (its event id carries the client's part) sends {} as the general
    path does (the first call of a name takes the general path), as does track(id, name, {})."""
    client = make_client()
    client.track("u1", "signed_up")
    client.track("u2", "signed_up")
    client.track("u3", "signed_up", {})
    assert client.flush(10)
    events = fake_customerio.events_named("signed_up")
    assert [(e["identifier"], e["data"]) for e in events] == [(("id", f"u{i}"), {}) for i in (1, 2, 3)]
    assert [e["id"][10:22] == client._id_part for e in events] == [False, True, True]
    assert all(abs(e["timestamp"] - time.time()) < 60 for e in events)


def test_an_int_customer_id_takes_the_one_pass_as_its_text(make_client, fake_customerio):
    """Django's ids are ints: str()ed as the official client does, they take the one pass (the client's part in
    the event id); a bool is no int there, and an id over the limit is rejected, as on the general path."""
    client = make_client()
    client.track("warm", "clicked")
    for customer_id in (42, -7, True, 10**200):
        client.track(customer_id, "clicked", {"n": 1})
    assert client.flush(10)
    sent = {e["identifier"]: e["id"][10:22] == client._id_part for e in fake_customerio.events_named("clicked")}
    assert sent == {("id", "warm"): False, ("id", "42"): True, ("id", "-7"): True, ("id", "True"): False}
    assert client.health()["counters"]["rejected"] == 1


IDENTIFY_CASES = [  # (id, attributes, whether identify()'s one pass takes it)
    ("u1", {"email": "u1@example.com", "plan": "pro", "n": 3, "ok": True, "none": None}, True),
    ("u2", {}, True),
    (42, {"nested": {"list": [1, 2.5, "x"]}}, True),
    ("u3", {"quote": 'a"b\\c', "accent": "caf\u00e9", "lone": "\ud800"}, True),  # escaped as the SDK's JSON does
    ("u4", {"v": "x" * 900}, True),
    ("u5", {"v": "x" * 1001}, False),  # over a value's limit: rejected there
    ("u6", {"k" * 38: 1}, False),  # a long name: the general path measures it (within the limit: sent)
    ("u7", {"k" * 151: 1}, False),  # over a name's limit: rejected
    ("u8", {f"a{i}": i for i in range(301)}, False),  # over 300 attributes: rejected
    ("u9", {"created_at": 1700000000.7}, False),  # truncated to seconds there
    ("u10", {"created_at": datetime(2024, 1, 1, tzinfo=timezone.utc)}, False),
    ("u11", {"created_at": 1700000000000}, False),  # milliseconds: rejected
    ("u12", {"_timestamp": 1700000000}, False),
    ("u13", {"x": float("nan")}, False),  # null there
    ("u14", {"when": datetime(2024, 1, 1)}, False),  # Unix seconds there
    ("a@b.co", {"n": 1}, False),
    ("cio_abc", {"n": 1}, False),
    ("tab\tin", {"n": 1}, False),
    (" lead", {"n": 1}, False),
    (True, {"n": 1}, False),
]


def test_identify_takes_the_one_pass_and_sends_what_the_general_path_sends(loopback, make_client, tmp_path,
                                                                           monkeypatch):
    """identify() is as common as track(): its one pass writes what the general path writes for the same call and
    clock (a client with the one pass off is the oracle): the same operations sent, the same rejected. It takes
    the calls listed as its own; the others take the general path."""
    monkeypatch.setattr(time, "time", lambda: 1700000123.25)
    sent, general = [], []
    for oracle in (False, True):
        server = loopback()
        client = make_client(url=server.url, spool=str(tmp_path / f"{oracle}.sqlite3"))
        client.identify("warm")  # the first call starts the worker
        client._plain = not oracle
        general_path = client._identify
        monkeypatch.setattr(client, "_identify", lambda id, kwargs: (general.append((oracle, id)),
                                                                     general_path(id, kwargs)))
        for customer_id, attributes, _ in IDENTIFY_CASES:
            client.identify(customer_id, **attributes)
        assert client.flush(10)
        sent.append((sorted(map(json.dumps, server.accepted)), client.health()["counters"]["rejected"]))
    assert sent[0] == sent[1]
    assert len(sent[0][0]) == 1 + len(IDENTIFY_CASES) - 4 and sent[0][1] == 4
    assert {id for oracle, id in general if not oracle} == {str(id) if type(id) is int else id
                                                            for id, _, fast in IDENTIFY_CASES if not fast}


@pytest.mark.parametrize("timestamp, fast", [(1700000000, True), (0, True), (10**11 - 1, True), (10**11, False),
                                             (1700000000000, False), (1700000000.5, False), (True, False)])
def test_a_timestamp_in_seconds_takes_the_track_one_pass(loopback, make_client, tmp_path, timestamp, fast):
    """track(..., timestamp=) with whole seconds (common: the time the event happened) takes the one pass and
    sends what the general path sends; any other timestamp takes the general path (which converts or rejects)."""
    sent = []
    for plain in (True, False):
        server = loopback()
        client = make_client(url=server.url, spool=str(tmp_path / f"{plain}.sqlite3"))
        client.track("warm", "clicked")
        client._plain = plain
        client._names_seen.clear() if not plain else None
        client.track("u1", "clicked", {"i": 1}, timestamp=timestamp)
        assert client.flush(10)
        ops = [op for op in server.accepted if op["identifiers"] == {"id": "u1"}]
        sent.append([(op["timestamp"], op["attributes"]) for op in ops])
        if plain:
            assert [op["id"][10:22] == client._id_part for op in ops] == [fast] * len(ops)
    assert sent[0] == sent[1]


def test_a_subclass_track_is_called_once_for_an_int_id(tmp_path, fake_customerio):
    """The int id's second pass is RuntimeClient's own: a subclass's track() is not entered again."""
    from flake8_cio.runtime import RuntimeClient

    class Counted(RuntimeClient):
        calls = 0

        def track(self, *args, **kwargs):
            Counted.calls += 1
            super().track(*args, **kwargs)

    client = Counted(SITE_ID, API_KEY, track_url=fake_customerio.url, spool=str(tmp_path / "s.sqlite3"), **FAST)
    client.track(42, "clicked")
    assert Counted.calls == 1 and client.close(10)
    assert [e["identifier"] for e in fake_customerio.events_named("clicked")] == [("id", "42")]


def test_the_fast_encoder_and_the_json_modules_own_agree(monkeypatch):
    """encode() uses the C encoder built once where the json module has one; without it, the same text."""
    from flake8_cio.runtime import client

    op = {"name": "café", "attributes": {"at": datetime(2026, 1, 2, tzinfo=timezone.utc), "lone": "\ud800",
                                         "n": [1, 2.5, None, True, float("nan")], "quote": 'a"b\n'}}
    fast = client.encode(op)
    monkeypatch.setattr(client, "_FAST", None)
    assert client._fast_encoder() is not None and client.encode(op) == fast
    assert json.loads(fast)["attributes"] == {"at": 1767312000, "lone": "\ud800", "n": [1, 2.5, None, True, None],
                                              "quote": 'a"b\n'}
    assert fast.isascii() and "\\ud800" in fast  # a lone surrogate only ASCII JSON carries, as the SDK sends it


def test_an_encoder_that_gives_its_text_in_pieces_takes_the_general_path(loopback, make_client, monkeypatch):
    """The one pass and encode() take the C encoder's text as one piece (CPython 3.10-3.13 give one for all but
    huge data); given several, they take the general path, whose strict encoder joins them: the same operations
    sent, the same errors raised."""
    from flake8_cio.runtime import client as module

    server = loopback()
    client = make_client(url=server.url)
    values = [{"n": 1}, {"s": "\ud800", "t": "caf\u00e9\n\"q\""}, {"deep": [{"x": [1.5, None, True]}], 2: "int key"},
              {"nan": float("nan")}, {True: 0, None: 1, 1.5: 2}, {}]
    poison = [{"x": float("inf")}, {"b": b"bytes"}, {(1, 2): "tuple key"}]

    def calls(prefix):
        for i, data in enumerate(values):
            client.track(f"{prefix}{i}", "clicked", data)
        errors = []
        for data in poison:
            with pytest.raises(CustomerIOException) as error:
                client.track(f"{prefix}p", "clicked", data)
            errors.append(str(error.value))
        return errors

    errors = calls("one")
    fast = module._FAST
    monkeypatch.setattr(module, "_FAST", lambda value, level: [piece for text in fast(value, level)
                                                               for piece in (text[:1], text[1:])])
    assert calls("pieces") == errors
    assert client.flush(10)
    sent = {op["identifiers"]["id"]: op["attributes"] for op in server.accepted}
    assert [sent[f"one{i}"] for i in range(len(values))] == [sent[f"pieces{i}"] for i in range(len(values))]


def test_batch_takes_a_generator(loopback, make_client):
    server = loopback()
    client = make_client(url=server.url)
    client.batch({"type": "person", "identifiers": {"id": f"u{i}"}, "action": "event", "name": "imported",
                  "attributes": {"i": i}} for i in range(3))
    assert client.flush(10)
    assert tally(server.accepted, range(3))["lost"] == 0
