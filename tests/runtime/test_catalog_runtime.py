"""The runtime client's catalog option: warn (once per name), drop (counted) or strict (ValueError at the call)."""
from pathlib import Path

import pytest

CATALOG = str(Path(__file__).parent.parent / "catalog_app" / "cio-catalog.toml")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("mode", ["warn", "drop", "strict"])
def test_runtime_catalog_modes(make_catalog_client, mode, caplog):
    client, fake = make_catalog_client(mode)
    if mode == "strict":
        with pytest.raises(ValueError, match="event 'order_complete' is not in the event catalog"):
            client.track("u1", "order_complete")
        with pytest.raises(ValueError, match="attribute 'frist_name' is not in the event catalog"):
            client.identify("u1", frist_name="Ann")
    else:
        for _ in range(2):
            client.track("u1", "order_complete", {"x": 1})
            client.track("u2", "order_completed", {"total": 1})
    client.track("u3", "order_completed", {"order_id": "1"})
    assert client.flush(10)
    names = sorted(e["name"] for e in fake.events)
    expected = {"warn": ["order_complete"] * 2 + ["order_completed"] * 3,  # repeats are real actions: all sent
                "drop": ["order_completed"], "strict": ["order_completed"]}[mode]
    assert names == expected
    if mode != "strict":  # once per name, and the name itself is not logged (a fingerprint is)
        warnings = [r.getMessage() for r in caplog.records if "is not in the event catalog" in r.getMessage()]
        assert len(warnings) == 1 and "order_complete" not in warnings[0]
    if mode == "drop":
        assert client.health()["counters"]["dropped"] == 4


@pytest.fixture
def make_catalog_client(make_client, fake_customerio):
    return lambda mode: (make_client(catalog=CATALOG, catalog_mode=mode), fake_customerio)


