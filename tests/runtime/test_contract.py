"""The fake Customer.io holds requests to the published contract, answers as the real API does and injects faults;
the `fake_customerio` fixture fails a test that sent an off-contract request. Raw HTTP on 127.0.0.1 throughout."""
import base64
import json
import textwrap

import pytest
import urllib3

from flake8_cio.runtime.testing import API_KEY, APP_KEY, SITE_ID, WRITE_KEY, FakeCustomerIO

from .conftest import wait_for

pytestmark = pytest.mark.timeout(60)
pytest_plugins = ["pytester"]

http = urllib3.PoolManager(retries=False, timeout=5)
TRACK = {"Authorization": "Basic " + base64.b64encode(f"{SITE_ID}:{API_KEY}".encode()).decode(),
         "Content-Type": "application/json"}
APP = {"Authorization": f"Bearer {APP_KEY}", "Content-Type": "application/json"}
PIPELINES = {"Authorization": "Basic " + base64.b64encode(f"{WRITE_KEY}:".encode()).decode(),
             "Content-Type": "application/json"}
ULID = "01HZ0000000000000000000001"
EVENT = {"type": "person", "identifiers": {"id": "u1"}, "action": "event", "name": "clicked", "id": ULID}


def send(fake, method, path, body, headers=TRACK):
    response = http.request(method, fake.url + path, body=json.dumps(body).encode(), headers=headers)
    return response.status, json.loads(response.data or b"null")


def violations(fake):
    return [str(v) for v in fake.take_violations()]


@pytest.mark.parametrize("op, field, message", [
    ({**EVENT, "identifiers": {}}, "identifiers", "exactly one of id, email, phone, cio_id"),
    ({**EVENT, "identifiers": {"id": "u1", "email": "a@example.com"}}, "identifiers", "too many properties"),
    ({k: v for k, v in EVENT.items() if k != "identifiers"}, "", "'identifiers' is a required property"),
    ({**EVENT, "action": "track"}, "action", "'track' is not a person action"),
    ({**EVENT, "type": "people"}, "type", "'people' is not one of person, object, delivery"),
    ({k: v for k, v in EVENT.items() if k != "name"}, "", "'name' is a required property"),
    ({**EVENT, "name": "  "}, "name", "a non-blank string"),
    ({**EVENT, "name": "n" * 101}, "name", "over the limit of 100"),
    ({**EVENT, "data": {"plan": "pro"}}, "", "'data' was unexpected"),
    ({**EVENT, "timestamp": 1700000000000}, "timestamp", "Unix seconds, not milliseconds"),
    ({**EVENT, "timestamp": "2023-11-14"}, "timestamp", "is not of type 'integer'"),
    ({**EVENT, "id": "order-17"}, "id", "a ULID"),
    ({**EVENT, "attributes": {"pad": "x" * 33_000}}, "", "over the limit of 32000"),
    ({"type": "person", "identifiers": {"id": "u1"}, "action": "identify", "attributes": {"bio": "x" * 1001}},
     "attributes.bio", "over the limit of 1000"),
    ({"type": "person", "identifiers": {"id": "u1"}, "action": "identify",
      "attributes": {f"a{i}": i for i in range(301)}}, "attributes", "too many properties"),
    ({"type": "person", "identifiers": {"id": "x" * 151}, "action": "delete"}, "identifiers.id",
     "over the limit of 150"),
    ({"type": "person", "identifiers": {"id": "u1"}, "action": "add_device", "device": {"platform": "ios"}},
     "device", "'token' is a required property"),
    ({"type": "person", "identifiers": {"id": "u1"}, "action": "add_device",
      "device": {"token": "t", "platform": "web"}}, "device.platform", "is not one of ['ios', 'android']"),
    ({"type": "person", "identifiers": {"id": "u1"}, "action": "add_device",
      "device": {"token": "t", "platform": "ios", "attributes": {"build": 7}}}, "device.attributes.build",
     "is not of type 'string'"),
    ({"type": "person", "action": "merge", "primary": {"id": "a"}}, "", "'secondary' is a required property"),
    ({"type": "object", "identifiers": {"object_type_id": "1"}, "action": "identify"}, "identifiers",
     "'object_id' is a required property"),
])
def test_an_off_contract_operation_is_a_207_item_error_and_a_violation(fake_customerio, op, field, message):
    good = {**EVENT, "name": "kept"}
    status, body = send(fake_customerio, "POST", "/api/v2/batch", {"batch": [good, op]})
    assert status == 207
    [error] = body["errors"]
    assert error["batch_index"] == 1 and error["reason"] == "invalid" and error["field"] == field
    assert message in error["message"]
    [violation] = violations(fake_customerio)
    assert violation.startswith("POST /api/v2/batch: batch[1]: ") and message in violation
    assert [e["name"] for e in fake_customerio.events] == ["kept"]  # the valid operation was accepted alone


@pytest.mark.parametrize("path, body, message", [
    ("/api/v2/batch", {"operations": [EVENT]}, "'batch' is a required property"),
    ("/api/v2/batch", {"batch": []}, "should be non-empty"),
    ("/api/v2/batch", [EVENT], "is not of type 'object'"),
    ("/api/v2/entity", {**EVENT, "name": ""}, "name: "),
    ("/api/v1/customers/u1/events", {"data": {}}, "'name' is a required property"),
    ("/api/v1/customers/u1/events", {"name": "paid", "data": "none"}, "data: 'none' is not of type 'object'"),
    ("/api/v1/customers/u1/events", {"name": "paid", "timestamp": 1.7e12}, "Unix seconds"),
    ("/api/v1/events", {"name": "viewed", "type": "page"}, "'anonymous_id' is a required property"),
    ("/api/v1/customers/u1/devices", {"device": {"id": "t", "platform": "web"}}, "device.platform"),
    ("/api/v1/merge_customers", {"primary": {"phone": "1"}, "secondary": {"id": "2"}}, "primary: 'phone'"),
])
def test_an_off_contract_request_is_a_400_with_meta_error(fake_customerio, path, body, message):
    status, answer = send(fake_customerio, "PUT" if path.endswith("devices") else "POST", path, body)
    assert status == 400 and message in answer["meta"]["error"]
    assert len(violations(fake_customerio)) == 1
    assert fake_customerio.events == [] and fake_customerio.actions == []


def test_wrong_endpoints_methods_and_path_identifiers(fake_customerio):
    assert send(fake_customerio, "POST", "/api/v1/customers/u1/event", {"name": "x"})[0] == 404
    assert send(fake_customerio, "POST", "/api/v1/customers/u1", {})[0] == 405
    assert send(fake_customerio, "PUT", "/api/v1/customers/%20", {"plan": "pro"})[0] == 400
    assert send(fake_customerio, "POST", "/track", {})[0] == 404
    assert [v.split(": ", 1)[1] for v in violations(fake_customerio)] == [
        "no such Track v1 endpoint", "this endpoint takes PUT or DELETE",
        "identifier in the path: ' ' does not match '\\\\S' (a non-blank string)", "no such Customer.io endpoint"]


def test_account_region_is_answered(fake_customerio):
    fake_customerio.region = "eu"
    response = http.request("GET", fake_customerio.url + "/api/v1/accounts/region", headers=TRACK)
    assert response.status == 200
    assert json.loads(response.data) == {"url": "https://track-eu.customer.io", "region": "eu", "environment_id": 1}


def test_auth_scheme_is_part_of_the_contract_but_a_wrong_key_is_not(fake_customerio):
    status, body = send(fake_customerio, "POST", "/api/v2/entity", EVENT, headers=APP)
    assert status == 401 and body == {"meta": {"error": "the track API takes Basic authentication"}}
    wrong = {**TRACK, "Authorization": "Basic " + base64.b64encode(b"test-site:old-key").decode()}
    assert send(fake_customerio, "POST", "/api/v2/entity", EVENT, headers=wrong)[0] == 401
    assert violations(fake_customerio) == ["POST /api/v2/entity: the track API takes Basic authentication"]


def test_app_api_send_email(fake_customerio):
    assert send(fake_customerio, "POST", "/v1/send/email", {}, APP)[0] == 400
    template = {"transactional_message_id": 3, "identifiers": {"id": "u1"}, "to": "Ann <ann@example.com>"}
    status, body = send(fake_customerio, "POST", "/v1/send/email", template, APP)
    assert status == 200 and body["delivery_id"] == "d1" and isinstance(body["queued_at"], int)
    inline = {"identifiers": {"email": "ann@example.com"}, "to": "ann@example.com", "from": "shop@example.com",
              "subject": "Hi", "body": "<p>Hi</p>"}
    assert send(fake_customerio, "POST", "/v1/send/email", inline, APP)[0] == 200
    no_body = {**inline, "body": None}
    assert send(fake_customerio, "POST", "/v1/send/email", no_body, APP)[0] == 400
    attached = {**template, "attachments": {"big.pdf": "x" * 600_000}}  # no size limit is published for sends
    assert send(fake_customerio, "POST", "/v1/send/email", attached, APP)[0] == 200
    assert send(fake_customerio, "POST", "/v1/send/fax", template, APP)[0] == 404
    assert send(fake_customerio, "POST", "/v1/send/sms", {**template, "identifiers": {"phone": "+1"}}, APP)[0] == 400
    found = violations(fake_customerio)
    assert len(found) == 4 and "'identifiers' is a required property" in found[0] and "'to'" in found[0]
    assert [m["kind"] for m in fake_customerio.messages] == ["email", "email", "email"]


def test_pipelines_without_strict_mode_answers_200_and_drops_invalid_messages(fake_customerio):
    good = {"type": "track", "userId": "u1", "event": "paid", "timestamp": "2023-11-14T22:13:20.123Z"}
    device_in_properties = {"type": "track", "userId": "u1", "event": "Device Created or Updated",
                            "properties": {"device_id": "tok"}}
    device_without_type = {"type": "track", "userId": "u1", "event": "Device Created or Updated",
                           "context": {"device": {"token": "tok"}}}
    nobody = {"type": "identify", "traits": {"plan": "pro"}}
    unix = {**good, "timestamp": 1700000000}
    batch = {"batch": [good, device_in_properties, device_without_type, nobody, unix]}
    assert send(fake_customerio, "POST", "/v1/batch", batch, PIPELINES)[0] == 200
    assert fake_customerio.pipelines == [good]
    assert fake_customerio.pipelines_dropped == batch["batch"][1:]
    found = violations(fake_customerio)
    assert [v.split(": ")[1] for v in found] == ["batch[1]", "batch[2]", "batch[3]", "batch[4]"]
    assert "'context' is a required property" in found[0] and "'type' is a required property" in found[1]
    assert "needs a userId or an anonymousId" in found[2] and "is not of type 'string'" in found[3]


def test_pipelines_strict_mode_reports_invalid_messages(fake_customerio):
    strict = {**PIPELINES, "X-Strict-Mode": "1"}
    status, body = send(fake_customerio, "POST", "/v1/batch", {"batch": [{"type": "track", "userId": "u1"}]}, strict)
    assert status == 400 and "batch[0]: 'event' is a required property" in body["meta"]["error"]
    assert fake_customerio.pipelines == [] and len(violations(fake_customerio)) == 1
    device = {"type": "track", "anonymousId": "a1", "event": "Device Deleted", "context": {"device": {"token": "t"}}}
    assert send(fake_customerio, "POST", "/v1/track", device, strict)[0] == 200
    assert fake_customerio.pipelines == [device]


def test_pipelines_oversize_request_is_dropped_with_200_unless_strict(fake_customerio):
    batch = {"batch": [{"type": "track", "userId": f"u{i}", "event": "e", "properties": {"pad": "x" * 20_000}}
                       for i in range(30)]}
    assert send(fake_customerio, "POST", "/v1/batch", batch, PIPELINES)[0] == 200
    assert send(fake_customerio, "POST", "/v1/batch", batch, {**PIPELINES, "X-Strict-Mode": "1"})[0] == 400
    assert fake_customerio.pipelines == []
    size = len(json.dumps(batch).encode())
    assert [v.split(": ", 1)[1] for v in violations(fake_customerio)] == \
        [f"request body is {size} bytes, over the limit of 500000"] * 2


def test_fake_answers_a_redirect_the_way_a_wrong_region_is_answered(fake_customerio):
    with FakeCustomerIO() as eu:
        fake_customerio.redirect(eu.url, status=308)
        response = http.request("POST", fake_customerio.url + "/api/v2/entity", body=json.dumps(EVENT).encode(),
                                headers=TRACK, redirect=False)
        assert response.status == 308 and response.headers["Location"] == eu.url + "/api/v2/entity"
        assert send(eu, "POST", response.headers["Location"][len(eu.url):], EVENT)[0] == 200
        assert fake_customerio.events == [] and [e["name"] for e in eu.events] == ["clicked"]


@pytest.mark.parametrize("inject, status, header", [
    (lambda fake: fake.fail(522), 522, None),
    (lambda fake: fake.throttle("7"), 429, ("Retry-After", "7")),
    (lambda fake: fake.drop(), 200, None),
])
def test_faults_answer_once_and_keep_nothing(fake_customerio, inject, status, header):
    inject(fake_customerio)
    response = http.request("POST", fake_customerio.url + "/api/v2/entity", body=json.dumps(EVENT).encode(),
                            headers=TRACK)
    assert response.status == status and fake_customerio.events == []
    if header:
        assert response.headers[header[0]] == header[1]
    assert send(fake_customerio, "POST", "/api/v2/entity", EVENT)[0] == 200
    assert len(fake_customerio.events) == 1


def test_a_hung_request_is_accepted_after_the_client_gave_up(fake_customerio):
    fake_customerio.hang(1.0)
    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        http.request("POST", fake_customerio.url + "/api/v2/entity", body=json.dumps(EVENT).encode(),
                     headers=TRACK, timeout=0.2)
    assert send(fake_customerio, "POST", "/api/v2/entity", EVENT)[0] == 200  # the client's retry
    assert wait_for(lambda: len(fake_customerio.events) == 2)
    assert [e["id"] for e in fake_customerio.events] == [ULID, ULID] and len(fake_customerio.unique_events()) == 1


def test_the_official_sdk_is_on_contract(tmp_path, monkeypatch):
    """The fake must not be stricter than Customer.io: every call of the official SDK passes it."""
    customerio = pytest.importorskip("customerio")
    trustme = pytest.importorskip("trustme")
    import ssl

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "ca.pem"))
    with FakeCustomerIO(tls=context) as fake:
        cio = customerio.CustomerIO(SITE_ID, API_KEY, host="127.0.0.1", port=fake.port)
        cio.identify("u1", email="u1@example.com", created_at=1700000000, _timestamp=1700000001)
        cio.track("u1", "paid", {"total": 3}, id=ULID, timestamp=1700000100)
        cio.track_anonymous("anon-7", "invite_sent", {"recipient": "x@example.com"})
        cio.pageview("u1", "/pricing", referrer="ads")
        cio.backfill("u1", "imported", 1600000000, source="csv")
        cio.add_device("u1", "tok-1", "android", last_used=1700000000, app_version="2.0")
        cio.delete_device("u1", "tok-1")
        cio.suppress("u1")
        cio.unsuppress("u1")
        cio.merge_customers("id", "u1", "email", "old@example.com")
        cio.delete("u 1/x")
        cio.batch([EVENT, {"type": "person", "identifiers": {"email": "a@example.com"}, "action": "identify",
                           "attributes": {"plan": "pro"}, "timestamp": 1700000000}])
        api = customerio.APIClient(APP_KEY, url=fake.url)
        api.send_email(customerio.SendEmailRequest(transactional_message_id=3, to="a@example.com",
                                                   identifiers={"id": "u1"}, _from="shop@example.com"))
        api.send_push(customerio.SendPushRequest(transactional_message_id=4, identifiers={"cio_id": "a1"}))
        assert fake.violations == [] and len(fake.events) == 5 and len(fake.messages) == 2
        assert ("delete", ("id", "u 1/x"), None) in fake.actions
        assert fake.profiles[("email", "a@example.com")] == {"plan": "pro"}


def test_the_fixture_fails_a_test_that_sent_an_off_contract_request(pytester):
    pytester.makeconftest('pytest_plugins = ["flake8_cio.runtime.testing"]')
    pytester.makepyfile(textwrap.dedent(f"""
        import json, urllib3

        HEADERS = {TRACK!r}

        def post(fake, body):
            return urllib3.request("POST", fake.url + "/api/v2/batch", body=json.dumps(body).encode(),
                                   headers=HEADERS).status

        def test_sends_data_instead_of_attributes(fake_customerio):
            assert post(fake_customerio, {{"batch": [{{"type": "person", "identifiers": {{"id": "u1"}},
                        "action": "identify", "data": {{"plan": "pro"}}}}]}}) == 207

        def test_meant_it(fake_customerio):
            post(fake_customerio, {{"batch": [{{"type": "person", "action": "delete"}}]}})
            assert len(fake_customerio.take_violations()) == 1

        def test_on_contract(fake_customerio):
            assert post(fake_customerio, {{"batch": [{{"type": "person", "identifiers": {{"id": "u1"}},
                        "action": "delete"}}]}}) == 200
    """))
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_sends_data_instead_of_attributes*",
        "*1 request(s) to the fake Customer.io broke the published API contract:",
        "*POST /api/v2/batch: batch?0?: Additional properties are not allowed ('data' was unexpected)",
    ])


def test_every_runtime_call_is_on_contract(make_client, fake_customerio):
    """The runtime's own requests for every public method, with awkward but valid data, pass the contract (the
    fixture fails this test at teardown otherwise) and are all accepted: nothing dead-lettered."""
    from datetime import datetime, timezone

    from flake8_cio.runtime import AppClient

    client = make_client()
    client.identify("u1", email="u1@example.com", created_at=datetime(2023, 11, 14, tzinfo=timezone.utc),
                    _timestamp=1700000000, nested={"a": [1, 2]})
    client.identify("ann@example.com", plan="pro")
    client.identify("cio_a1b2", plan="team")
    client.track("u1", "paid", {"total": 3.5}, id=ULID, timestamp="1700000000")
    client.track("u1", "späť", {"when": datetime(2024, 1, 1)})
    client.track_anonymous("anon-1", "viewed", {"x": 1})
    client.track_anonymous(None, "invite_sent", {"recipient": "a@example.com"})
    client.pageview("u1", "/pricing", referrer="ads")
    client.backfill("u1", "imported", 1600000000, source="csv")
    client.add_device("u1", "tok-1", "ios", last_used=1700000000, app_version="2.0", build=7)
    client.delete_device("u1", "tok-1")
    client.suppress("u1")
    client.unsuppress("u1")
    client.merge_customers("id", "u1", "email", "old@example.com")
    client.delete("u 1/x")
    client.batch([{"type": "person", "identifiers": {"id": "u2"}, "action": "event", "name": "batched"}])
    assert client.flush(10)
    counters = client.health()["counters"]
    assert counters["sent"] == 16 and counters["failed"] == counters["rejected"] == 0
    assert len(fake_customerio.events) == 7 and len(fake_customerio.profiles) == 3
    api = AppClient(APP_KEY, app_url=fake_customerio.url)
    customerio = pytest.importorskip("customerio")
    assert api.send_email(customerio.SendEmailRequest(
        transactional_message_id="welcome", to="a@example.com", identifiers={"id": "u1"},
        message_data={"at": 1}))["delivery_id"] == "d1"
    assert api.send_sms({"transactional_message_id": 4, "identifiers": {"email": "a@example.com"}})


@pytest.mark.parametrize("fault, requests, delivered", [
    (lambda fake: fake.fail(522, times=2), 3, 5),  # the proxy in front of the API: retried
    (lambda fake: fake.throttle("0", times=1), 2, 5),
    (lambda fake: fake.hang(1.5), 2, 10),  # served after the client's 1 s timeout: sent twice, same ids
    (lambda fake: fake.drop(), 1, 0),  # accepted, then lost by the API: nothing the client can see
])
def test_the_fakes_faults_drive_the_runtime(make_client, fake_customerio, fault, requests, delivered):
    fault(fake_customerio)
    client = make_client(batch_size=5)
    client.batch([{"type": "person", "identifiers": {"id": f"u{i}"}, "action": "event", "name": "clicked"}
                  for i in range(5)])  # one call: journaled in one write, sent as one request
    assert client.flush(15)
    assert wait_for(lambda: len(fake_customerio.events) == delivered)
    assert fake_customerio.request_count("/api/v2/batch") == requests
    assert client.health()["counters"]["sent"] == 5
    assert len(fake_customerio.unique_events()) == min(delivered, 5)


def test_a_redirect_from_the_fake_moves_the_runtime_to_the_other_region(make_client, fake_customerio):
    with FakeCustomerIO() as eu:
        fake_customerio.redirect(eu.url, status=308)
        client = make_client()
        for i in range(5):
            client.track(f"u{i}", "clicked")
        assert client.flush(10)
        assert fake_customerio.events == [] and len(eu.events) == 5 and len(eu.unique_events()) == 5
        assert fake_customerio.request_count() == 1 and client.health()["redirected_to"] == eu.url
        client.track("u9", "later")
        assert client.flush(10) and fake_customerio.request_count() == 1 and len(eu.events) == 6
