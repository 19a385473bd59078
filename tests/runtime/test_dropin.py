"""The runtime client as a drop-in: same calls, same result as the official SDK; the factories; the App API."""
import json
import threading
import time

from unittest import mock

import pytest
import trustme

from flake8_cio.runtime import DeliveryError, RuntimeClient, get_app_client, get_client, nonblocking
from flake8_cio.runtime.testing import API_KEY, APP_KEY, SITE_ID, FakeCustomerIO

pytestmark = pytest.mark.timeout(60)

customerio = pytest.importorskip("customerio")


@pytest.fixture
def tls_fake(tmp_path, monkeypatch):
    """The fake over HTTPS with a throw-away CA, which the unmodified official client is told to trust."""
    ca = trustme.CA()
    context = __import__("ssl").create_default_context(__import__("ssl").Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    fake = FakeCustomerIO(tls=context)
    yield fake
    fake.stop()


def same_calls(client):
    client.identify("u1", email="u1@example.com", plan="pro", created_at=1700000000)
    client.identify("bob@example.com", plan="free")
    client.track("u1", "order_placed", {"total": 12.5, "items": ["a", "b"]}, timestamp=1700000100)
    client.track("u1", "order_placed", data={"total": 3})
    client.track_anonymous("anon-7", "invite_sent", {"recipient": "x@example.com"})
    client.pageview("u1", "/pricing", referrer="ads")
    client.backfill("u1", "imported", 1600000000, source="csv")
    client.add_device("u1", "tok-1", "ios", last_used=1700000000, app_version="2.0")
    client.delete_device("u1", "tok-0")
    client.suppress("u2")
    client.unsuppress("u2")
    client.delete("u3")


def comparable(fake):
    """What each server recorded; an event the official client sent without a time is stamped by the runtime
    with its acceptance time, so times within the last minute compare as "now"."""
    now = lambda ts: "now" if ts is None or abs(ts - time.time()) < 60 else ts  # noqa: E731
    events = sorted((str(e["identifier"]), e["type"], e["name"], repr(e["data"]), now(e["timestamp"]))
                    for e in fake.events)
    return fake.profiles, events, sorted(json.dumps(action, sort_keys=True) for action in fake.actions)


def test_same_calls_same_profiles_and_events(tls_fake, fake_customerio):
    official = customerio.CustomerIO(SITE_ID, API_KEY, host="127.0.0.1", port=tls_fake.port)
    same_calls(official)
    runtime = get_client(SITE_ID, API_KEY, track_url=fake_customerio.url, spool="none", flush_interval=0.02,
                         email_identifiers=True)  # as the v1 path infers an email-shaped id to be an email
    same_calls(runtime)
    assert runtime.flush(10)
    assert comparable(fake_customerio) == comparable(tls_fake)
    assert len(tls_fake.events) == 5 and len(tls_fake.profiles) == 2


def test_nonblocking_wraps_an_official_client(tls_fake):
    official = customerio.CustomerIO(SITE_ID, API_KEY, host="127.0.0.1", port=tls_fake.port)
    runtime = nonblocking(official)
    assert runtime is nonblocking(official) and runtime._track_url == tls_fake.url
    runtime.close(0.1)
    eu = nonblocking(customerio.CustomerIO("s", "k", region=customerio.Regions.EU))
    assert eu._track_url == "https://track-eu.customer.io"
    eu.close(0)
    class Subclassed(customerio.CustomerIO):
        pass

    subclassed = nonblocking(Subclassed("s", "k", region=customerio.Regions.EU))
    assert isinstance(subclassed, RuntimeClient) and subclassed._track_url == "https://track-eu.customer.io"
    subclassed.close(0)
    with pytest.raises(customerio.CustomerIOException, match="missing Customer.io site id"):
        nonblocking(customerio.CustomerIO("", "k"))


def test_nonblocking_returns_a_test_double_as_it_is(tmp_path, monkeypatch):
    """A test that patches the module's client keeps seeing its calls after cio-fix wrapped them, and no real
    client (threads, spool file) is built from a Mock's attributes."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    patched = mock.MagicMock()
    nonblocking(patched).track("42", "pinged")
    patched.track.assert_called_once_with("42", "pinged")
    assert nonblocking(patched) is patched and not list(tmp_path.rglob("*.sqlite3"))


def test_get_client_is_cached_per_credentials_and_thread_safe(monkeypatch, tmp_path):
    monkeypatch.setenv("CUSTOMERIO_SITE_ID", "env-site")
    monkeypatch.setenv("CUSTOMERIO_TRACK_API_KEY", "env-key")
    monkeypatch.setenv("CUSTOMERIO_SPOOL", "none")
    monkeypatch.setenv("CUSTOMERIO_REGION", "eu")
    results = []
    threads = [threading.Thread(target=lambda: results.append(get_client())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(c) for c in results}) == 1
    client = results[0]
    assert client.site_id == "env-site" and client._track_url == "https://track-eu.customer.io"
    assert get_client("other-site", "env-key") is not client
    monkeypatch.delenv("CUSTOMERIO_TRACK_API_KEY")
    with pytest.raises(customerio.CustomerIOException, match="missing Customer.io Track API key"):
        get_client("s2")  # the environment's key is never paired with a site id the call passed
    with pytest.raises(ValueError, match="region 'mars'"):
        get_client("s", "k", region="mars")


def test_app_client_retries_and_returns_the_delivery(fake_customerio):
    fake_customerio.fail(503, times=1, path="/v1/send", headers={"Retry-After": "0"})
    api = get_app_client(APP_KEY, app_url=fake_customerio.url)
    assert api is get_app_client(APP_KEY, app_url=fake_customerio.url)
    request = customerio.SendEmailRequest(transactional_message_id=3, to="a@example.com", identifiers={"id": "u1"},
                                          _from="shop@example.com", message_data={"total": 3})
    result = api.send_email(request)
    assert result["delivery_id"] == "d1"
    assert fake_customerio.messages[0]["from"] == "shop@example.com" and fake_customerio.request_count("/v1/send") == 2
    fake_customerio.fail(400, path="/v1/send")
    with pytest.raises(DeliveryError) as error:
        api.send_sms({"transactional_message_id": 4, "identifiers": {"id": "u1"}})
    assert error.value.status == 400 and fake_customerio.request_count("/v1/send") == 3
    fake_customerio.fail(400, path="/v1/send")
    with pytest.raises(customerio.CustomerIOException):  # handlers written for the official client still work
        api.send_email(request)


def test_the_app_client_refuses_what_the_official_client_refuses(fake_customerio):
    """Issue 19: a datetime inside a tuple is no JSON for the official client (it converts them in dicts and lists
    only), so a transactional message it never sent is not sent here either."""
    from datetime import datetime

    api = get_app_client(APP_KEY, app_url=fake_customerio.url)
    slots = (datetime(2024, 1, 1), datetime(2024, 1, 2))
    request = customerio.SendEmailRequest(transactional_message_id=3, to="a@example.com", identifiers={"id": "u1"},
                                          message_data={"slots": slots})
    with pytest.raises(customerio.CustomerIOException) as official:
        customerio.APIClient(APP_KEY, url=fake_customerio.url).send_email(request)
    with pytest.raises(customerio.CustomerIOException, match=r"slots\[0\] \(a datetime\)"):
        api.send_email(request)
    assert fake_customerio.request_count("/v1/send") == 0 and official.value is not None
    request.message_data = {"slots": list(slots)}  # in a list both convert it
    assert api.send_email(request)["delivery_id"]


def test_the_runtime_imports_nothing_from_flake8_or_libcst():
    import subprocess
    import sys

    code = ("import sys, flake8_cio.runtime, flake8_cio.runtime.integrations, flake8_cio.runtime.pipelines; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flake8', 'libcst', 'pycodestyle', 'pyflakes')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_per_tenant_clients_are_bounded_and_an_idle_one_wakes_on_its_next_call(loopback, tmp_path, monkeypatch):
    import flake8_cio.runtime.client as runtime_client

    from .conftest import tally, wait_for

    monkeypatch.setattr(runtime_client, "MAX_ACTIVE_CLIENTS", 4)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    server = loopback()
    tenants = [get_client(f"site-{n}", "key", track_url=server.url, flush_interval=0.02) for n in range(40)]
    for n, client in enumerate(tenants):
        client.track(f"u{n}", "clicked", {"i": n})
    assert wait_for(lambda: sum(t.name.startswith("flake8-cio") for t in threading.enumerate()) <= 2 * 4, timeout=30)
    assert wait_for(lambda: len(list((tmp_path / "flake8-cio").iterdir())) <= 40 + 3 * 4)  # no -wal/-shm/journal
    # when idle
    tenants[0].track("u0", "clicked", {"i": 100})  # long idle: wakes up
    assert tenants[0].flush(10)
    assert tally(server.accepted, list(range(40)) + [100])["lost"] == 0
    for client in tenants:
        client.close(1)


def test_a_patched_sdk_method_is_called_as_before_and_nothing_is_sent(tmp_path, monkeypatch, loopback):
    """Issue 19: tests patch the client object (`mock.patch.object(views.cio, "track")`) or the SDK class
    (`@mock.patch("customerio.CustomerIO.identify")`); after cio-fix wrapped the calls in nonblocking(), the
    patched method sees the same calls, returns the same value, raises the same side effect, and nothing new is
    sent (no request, no spool file); the methods nobody patched go to the runtime."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    server = loopback()
    cio = customerio.CustomerIO(SITE_ID, API_KEY, host="127.0.0.1", port=server.server.server_address[1])
    with mock.patch.object(cio, "track", return_value="tracked") as track:
        assert nonblocking(cio).track("42", "pinged", {"a": 1}) == "tracked"
        track.assert_called_once_with("42", "pinged", {"a": 1})
        track.side_effect = customerio.CustomerIOException("boom")
        with pytest.raises(customerio.CustomerIOException, match="boom"):
            nonblocking(cio).track("42", "pinged")
    with mock.patch("customerio.CustomerIO.identify") as identify:
        nonblocking(cio).identify("42", plan="pro")
        identify.assert_called_once_with("42", plan="pro")
    with mock.patch("customerio.CustomerIO.identify", autospec=True) as identify:
        nonblocking(cio).identify("42", plan="team")
        identify.assert_called_once_with(cio, "42", plan="team")
    assert server.requests == [] and not list(tmp_path.rglob("*.sqlite3"))

    class Audited(customerio.CustomerIO):  # an application's subclass overriding a method keeps its override
        def delete(self, customer_id):
            return f"audited {customer_id}"

    assert nonblocking(Audited(SITE_ID, API_KEY)).delete("7") == "audited 7"


def test_unpatched_methods_of_a_partly_patched_client_go_to_the_runtime(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cio = customerio.CustomerIO(SITE_ID, API_KEY, region=customerio.Regions.EU)
    with mock.patch.object(cio, "track") as track:
        routed = nonblocking(cio)
        routed.track("u1", "clicked")
        runtime = routed.identify.__self__
        assert isinstance(runtime, RuntimeClient) and runtime is nonblocking(customerio.CustomerIO(
            SITE_ID, API_KEY, region=customerio.Regions.EU))
    track.assert_called_once_with("u1", "clicked")
    runtime.close(0)


def test_credentials_passed_at_the_call_never_mix_with_the_environments(monkeypatch, tmp_path):
    """Issue 19: a tenant without credentials must not send into the workspace of CUSTOMERIO_* (it failed with the
    official client, so it fails here, as a CustomerIOException); the environment serves only calls that pass
    none."""
    monkeypatch.setenv("CUSTOMERIO_SITE_ID", "env-site")
    monkeypatch.setenv("CUSTOMERIO_TRACK_API_KEY", "env-key")
    monkeypatch.setenv("CUSTOMERIO_SPOOL", "none")
    monkeypatch.setenv("CUSTOMERIO_APP_API_KEY", "env-app-key")
    for site_id, api_key in (("tenant-site", None), (None, "tenant-key"), ("tenant-site", ""), ("  ", "k"),
                             (None, None)):  # a tenant row's empty columns: passed, so the call's own
        with pytest.raises(customerio.CustomerIOException, match="missing Customer.io"):
            get_client(site_id, api_key)
        with pytest.raises(customerio.CustomerIOException, match="missing Customer.io"):
            RuntimeClient(site_id, api_key)
    assert get_client().site_id == "env-site" and get_client("t", "k").site_id == "t"
    for built in (customerio.CustomerIO("tenant-site", None), customerio.CustomerIO(None, None)):
        with pytest.raises(customerio.CustomerIOException):
            nonblocking(built)
    with pytest.raises(customerio.CustomerIOException, match="missing Customer.io App API key"):
        get_app_client(None)
    get_app_client()  # the environment's key serves a call that passes none


@pytest.mark.parametrize("given, env, message", [
    ({}, "mars", "CUSTOMERIO_REGION 'mars' is not one of us, eu"),
    ({"region": "venus"}, "eu", "region 'venus' is not one of us, eu"),
])
def test_a_bad_region_names_the_value_and_where_it_came_from(monkeypatch, tmp_path, given, env, message):
    monkeypatch.setenv("CUSTOMERIO_REGION", env)
    with pytest.raises(ValueError, match=message):
        RuntimeClient(SITE_ID, API_KEY, spool_path=str(tmp_path / "spool.db"), **given)
