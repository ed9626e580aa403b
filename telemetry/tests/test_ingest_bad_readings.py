"""Issue 15 (high): one unstorable string from one device must not cost the others.

A label with a NUL byte, a component past its column, or a device id past int4 used to
raise a raw database error in ingest; ``poll_targets`` then lost the results and health of
every target in the chunk and no failure was counted. Now the bad value is skipped and
counted before the write, and a store failure is that one target's failed poll.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dcim.inventory.tests.factories import make_device
from telemetry import polling, store
from telemetry.models import CollectionTarget, Protocol
from telemetry.readings import PollResult, Reading

pytestmark = pytest.mark.django_db(transaction=True)

GOOD_PAGE = 'DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-good",modelName="H100"} 61\n'
NUL_PAGE = (
    'DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-nul",modelName="H1\x0000"} 70\n'
    'DCGM_FI_DEV_POWER_USAGE{gpu="1",UUID="GPU-fine",modelName="H100"} 350\n'
)
PAGES = {"/good": GOOD_PAGE, "/nul": NUL_PAGE}


class Exporter(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server calls
        body = PAGES[self.path].encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


@pytest.fixture
def exporter():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Exporter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def scrape_target(port: int, path: str) -> CollectionTarget:
    return CollectionTarget.objects.create(
        device=make_device(),
        protocol=Protocol.PROMETHEUS,
        address="127.0.0.1",
        port=port,
        profile=path,
    )


def stored_metrics(device_id: int) -> set[str]:
    return {s["metric"] for s in store.find_series(device_id=device_id)}


def test_a_nul_label_from_one_exporter_skips_that_value_and_spares_the_chunk(exporter):
    bad, good = scrape_target(exporter, "/nul"), scrape_target(exporter, "/good")
    results = polling.poll_targets([bad.pk, good.pk])
    assert len(results) == 2
    bad.refresh_from_db()
    good.refresh_from_db()
    assert good.last_poll_at is not None and good.consecutive_failures == 0
    assert "gpu_temperature_celsius" in stored_metrics(good.device_id)
    # The NUL-labelled GPU's value is skipped and counted; the next GPU's power is stored.
    assert bad.last_skipped["invalid:bad_text"] >= 1
    assert stored_metrics(bad.device_id) >= {"gpu_power_watts"}
    assert "gpu_temperature_celsius" not in stored_metrics(bad.device_id)


@pytest.mark.parametrize(
    ("reading", "reason"),
    [
        (Reading("temp_celsius", 1.0, "celsius", "x" * 101), "component_too_long"),
        (Reading("t" * 101, 1.0, "celsius"), "metric_too_long"),
        (Reading("temp_celsius", 1.0, "celsius", "port\x001"), "bad_text"),
        (Reading("temp_celsius", 1.0, "celsius", labels={"alias": "a\x00b"}), "bad_text"),
        (Reading("temp_celsius", 1.0, "celsius", labels={"alias": "\ud800"}), "bad_text"),
        (Reading("temp_celsius", 1.0, "celsius", labels={"alias": "a" * 3000}), "labels_too_long"),
    ],
)
def test_an_unstorable_reading_is_skipped_with_its_reason_and_the_rest_stored(reading, reason):
    target = scrape_target(9400, "/metrics")
    result = PollResult(target=str(target.pk))
    result.readings += [reading, Reading("ok_celsius", 20.0, "celsius")]
    assert polling.store_result(target, result) == 1
    target.refresh_from_db()
    assert target.last_skipped == {f"invalid:{reason}": 1}
    assert target.consecutive_failures == 0
    assert stored_metrics(target.device_id) == {"ok_celsius"}


def test_the_size_limits_are_the_registrys_columns():
    from telemetry.store import batch
    from telemetry.store.models import Series

    def size(name):
        return Series._meta.get_field(name).max_length

    columns = (size("component"), size("metric"), size("unit"))
    assert columns == (batch.MAX_COMPONENT, batch.MAX_METRIC, batch.MAX_UNIT)


def test_a_device_id_past_int4_is_refused_not_a_database_error():
    batch = {
        "batch_id": "hostile",
        "schemas": {},
        "frames": [],
    }
    keys = [[2**40, "", "temp_celsius", "celsius", "{}"]]
    fp = store.schema_id([tuple(k) for k in keys])
    batch["schemas"][fp] = keys
    batch["frames"].append({"schema": fp, "ts": [1.7e9], "values": [1.0]})
    outcome = store.ingest(batch)
    assert outcome.stored == 0 and sum(outcome.refused.values()) == 1


def test_a_store_failure_is_that_targets_failed_poll_and_counted(exporter):
    # An error text with a NUL byte (from a device) used to fail the health update itself.
    target = scrape_target(exporter, "/good")
    result = PollResult(target=str(target.pk), error="agent said \x00 nonsense")
    polling.store_isolated(target, result)
    target.refresh_from_db()
    assert target.consecutive_failures == 1
    assert "\x00" not in target.last_error and "nonsense" in target.last_error


def test_a_target_whose_credential_cannot_be_used_fails_alone(exporter):
    from dcim.inventory.models import Credential

    # Privacy without authentication: the collector refuses it. Saved without the form's
    # checks, as an old row or an import could hold it.
    cred = Credential(
        name="broken-v3",
        kind="snmp_v3",
        snmp_user="u",
        auth_protocol="none",
        priv_protocol="aes128",
    )
    cred.save()
    broken = CollectionTarget.objects.create(
        device=make_device(), protocol=Protocol.SNMP, address="127.0.0.1", credential=cred
    )
    good = scrape_target(exporter, "/good")
    polling.poll_targets([broken.pk, good.pk])
    broken.refresh_from_db()
    good.refresh_from_db()
    assert broken.consecutive_failures == 1 and "privacy" in broken.last_error
    assert good.consecutive_failures == 0 and good.last_success_at is not None
