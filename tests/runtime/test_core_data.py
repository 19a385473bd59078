"""Bad data interleaved with good: programmer errors raise at the call (TypeError/ValueError), data over the API's
limits is rejected alone (counted, reported to on_error), and the rest is encoded as the official SDK encodes it
and delivered, every good event exactly once. Also: acceptance timestamps and de-duplication by event id."""
import json
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from flake8_cio.runtime.policy import ulid

from .conftest import tally, wait_for

pytestmark = pytest.mark.timeout(60)


class Thing:
    pass


def loop():
    data = {"a": 1}
    data["self"] = data
    return data


@pytest.mark.parametrize("bad, error, message", [
    ({"obj": Thing()}, TypeError, "a Thing value cannot be sent as JSON"),
    ({"n": Decimal("1.5")}, TypeError, "a Decimal value"),
    ({"s": {1, 2}}, TypeError, "a set value"),
    ({(1, 2): "tuple key"}, TypeError, "keys must be str"),
    ({"x": float("inf")}, ValueError, "infinite number"),
    ({"deep": [{"x": float("-inf")}]}, ValueError, "infinite number"),
    (loop(), ValueError, "circular reference"),
    ({"nan": float("nan"), "me": loop()}, ValueError, "circular reference"),
])
def test_data_json_cannot_carry_raises_at_the_call(make_client, bad, error, message):
    with pytest.raises(error, match=message):
        make_client().track("u1", "clicked", bad)


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
        except TypeError:
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
    client.identify("u1", plan={"since": date(2024, 1, 1), "renewals": [datetime(2024, 1, 1, 1, tzinfo=berlin)]})
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


def test_an_event_id_must_be_a_ulid(make_client):
    with pytest.raises(ValueError, match="must be a ULID"):
        make_client().track("u1", "paid", id="order-7")


def test_device_attributes_are_strings(loopback, make_client):
    server = loopback()
    client = make_client(url=server.url)
    client.add_device("u1", "tok", "ios", app_version=2.1, beta=True, tags=["a"])
    assert client.flush(10)
    attributes = server.accepted[0]["device"]["attributes"]
    assert attributes == {"app_version": "2.1", "beta": "true", "tags": json.dumps(["a"])}


@pytest.mark.parametrize("by_email, expected", [(False, {"id": "bob@example.com"}), (True, {"email": "bob@example.com"})])
def test_an_email_shaped_id_is_an_email_identifier_only_where_the_workspace_uses_them(loopback, make_client, by_email,
                                                                                      expected):
    server = loopback()
    client = make_client(url=server.url, email_identifiers=by_email)
    client.identify("bob@example.com", plan="pro")
    client.track("cio_abc", "clicked")
    assert client.flush(10)
    assert [op["identifiers"] for op in server.accepted] == [expected, {"cio_id": "abc"}]


def test_what_the_api_would_reject_later_is_refused_at_the_call(make_client):
    """Found by the contract-checking fake: these were accepted, then rejected alone by a 207 after the call."""
    client = make_client()
    with pytest.raises(ValueError, match="one of ios, android"):
        client.add_device("u1", "token-1", "web")
    with pytest.raises(ValueError, match="before 1970"):
        client.track("u1", "paid", timestamp=-5)
    client.add_device("u1", "token-1", "ios")
    client.track("u1", "paid", timestamp=0)


EVENT = {"type": "person", "action": "event", "identifiers": {"id": "u1"}, "name": "x"}


@pytest.mark.parametrize("op, error, message", [
    ("identify u1", TypeError, "must be a dict"),
    ({"type": "people", "action": "identify", "identifiers": {"id": "u1"}}, ValueError, "'people' is not one of"),
    ({"type": "person", "action": "track", "identifiers": {"id": "u1"}}, ValueError, "'track' is not a person action"),
    ({"type": "object", "action": "event", "identifiers": {"object_id": "1"}}, ValueError, "not a object action"),
    ({"type": "person", "action": "identify", "attributes": {}}, ValueError, "needs its identifiers"),
    ({**EVENT, "name": " "}, ValueError, "the name of a batch event operation cannot be blank"),
    ({**EVENT, "name": "x" * 101}, ValueError, "the name of a batch event operation is over 100 bytes"),
    ({**EVENT, "attributes": {"t": Thing()}}, TypeError, "a Thing value"),
    ({"type": ["person"]}, ValueError, r"type \['person'\] is not one of"),  # was "unhashable type: 'list'"
    ({**EVENT, "action": ["event"]}, ValueError, r"\['event'\] is not a person action"),
    ({**EVENT, "identifiers": {"id": None}}, ValueError, "identifier 'id' of a person event operation cannot be blank"),
    ({**EVENT, "identifiers": {"email": " "}}, ValueError, "identifier 'email' .* cannot be blank"),
    ({**EVENT, "timestamp": "2024-01-01"}, TypeError, "timestamp in batch must be Unix seconds or a datetime, not str"),
    ({**EVENT, "timestamp": True}, TypeError, "timestamp in batch must be Unix seconds or a datetime, not bool"),
    ({**EVENT, "timestamp": float("nan")}, ValueError, "timestamp in batch is NaN"),
])
def test_a_batch_operation_customerio_could_not_read_raises_at_the_call(make_client, op, error, message):
    client = make_client()
    good = {"type": "person", "identifiers": {"id": "u1"}, "action": "event", "name": "kept_out"}
    with pytest.raises(error, match=message):
        client.batch([good, op])
    assert client.health()["counters"]["accepted"] == 0  # all or nothing: the good one was not queued either


def test_a_batch_timestamp_is_converted_as_tracks_is(make_client, fake_customerio, caplog):
    client = make_client()
    client.batch([{**EVENT, "name": "paid", "timestamp": 1_700_000_000_000},
                  {**EVENT, "name": "paid", "timestamp": datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)}])
    assert client.flush(10)
    assert [e["timestamp"] for e in fake_customerio.events_named("paid")] == [1_700_000_000] * 2
    assert "timestamp in batch given in milliseconds" in caplog.text


@pytest.mark.parametrize("call, words", [
    (lambda c: c.track("u1", "paid", timestamp=float("nan")), "timestamp is NaN"),
    (lambda c: c.track("u1", "paid", timestamp=float("inf")), "timestamp is infinite"),  # it said NaN
    (lambda c: c.identify("u1", created_at=float("nan")), "created_at is NaN"),
    (lambda c: c.add_device("u1", "token", "ios", last_used=float("-inf")), "last_used is infinite"),
])
def test_a_timestamp_that_is_not_a_number_says_which_argument(make_client, call, words):
    with pytest.raises(ValueError, match=words):  # was "cannot convert float NaN to integer", from policy.py
        call(make_client())


def test_a_timestamp_that_is_a_string_or_bool_is_refused_at_the_call(make_client):
    client = make_client()
    with pytest.raises(TypeError, match="timestamp must be Unix seconds or a datetime, not str"):
        client.track("u1", "paid", timestamp="2024-01-01")  # it was sent, for the API to reject later
    with pytest.raises(TypeError, match="created_at must be Unix seconds or a datetime, not bool"):
        client.identify("u1", created_at=True)


def test_batch_knows_the_operation_types_and_actions_the_contract_knows():
    from flake8_cio.runtime.client import V2_ACTIONS as client_actions
    from flake8_cio.runtime.testing import V2_ACTIONS as contract

    assert {kind: set(actions) for kind, actions in contract.items()} == client_actions


def test_the_fast_encoder_and_the_json_modules_own_agree(monkeypatch):
    """encode() uses the C encoder built once where the json module has one; without it, the same text."""
    from flake8_cio.runtime import client

    op = {"name": "café", "attributes": {"at": datetime(2026, 1, 2, tzinfo=timezone.utc), "day": date(2026, 1, 2),
                                         "n": [1, 2.5, None, True, float("nan")], "quote": 'a"b\n'}}
    fast = client.encode(op)
    monkeypatch.setattr(client, "_FAST", None)
    assert client._fast_encoder() is not None and client.encode(op) == fast
    assert json.loads(fast)["attributes"] == {"at": 1767312000, "day": 1767312000, "n": [1, 2.5, None, True, None],
                                              "quote": 'a"b\n'}


def test_batch_takes_a_generator(loopback, make_client):
    server = loopback()
    client = make_client(url=server.url)
    client.batch({"type": "person", "identifiers": {"id": f"u{i}"}, "action": "event", "name": "imported",
                  "attributes": {"i": i}} for i in range(3))
    assert client.flush(10)
    assert tally(server.accepted, range(3))["lost"] == 0
