"""Collection targets: scheduling, health and its history, validation, storing results."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from dcim.inventory.tests.factories import make_credential, make_device, make_gpu
from telemetry import polling, store
from telemetry.models import CollectionTarget, Protocol, downtime
from telemetry.readings import PollResult, Reading

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def make_target(**fields) -> CollectionTarget:
    fields.setdefault("device", make_device())
    fields.setdefault("protocol", Protocol.PROMETHEUS)
    fields.setdefault("address", "127.0.0.1")
    return CollectionTarget.objects.create(**fields)


def test_claim_due_takes_due_enabled_targets_once():
    due = make_target(next_poll_at=T0 - timedelta(seconds=1), interval_s=30)
    make_target(next_poll_at=T0 + timedelta(seconds=5))  # not yet
    make_target(next_poll_at=T0 - timedelta(seconds=1), enabled=False)
    assert [t.pk for t in polling.claim_due(T0)] == [due.pk]
    due.refresh_from_db()
    assert due.next_poll_at == T0 + timedelta(seconds=29)  # the phase is kept
    assert polling.claim_due(T0) == []


def test_claim_due_after_a_long_stop_does_not_schedule_into_the_past():
    late = make_target(next_poll_at=T0 - timedelta(hours=3), interval_s=30)
    polling.claim_due(T0)
    late.refresh_from_db()
    assert late.next_poll_at == T0 + timedelta(seconds=30)


def test_record_counts_failures_and_keeps_flips_only_on_change():
    target = make_target()
    target.record(ok=True, at=T0, latency_s=0.01, values=5)
    target.record(ok=False, at=T0 + timedelta(minutes=1), latency_s=2, error="timeout")
    target.record(ok=False, at=T0 + timedelta(minutes=2), latency_s=2, error="timeout")
    assert target.consecutive_failures == 2
    assert target.state == "down"
    target.record(ok=True, at=T0 + timedelta(minutes=5), latency_s=0.02, values=5)
    assert target.consecutive_failures == 0
    assert target.last_error == "timeout"  # the last error stays readable after recovery
    flips = list(target.flips.order_by("at").values_list("up", flat=True))
    assert flips == [True, False, True]
    assert downtime(target, T0, T0 + timedelta(hours=1)) == timedelta(minutes=4)


def test_first_poll_failing_is_a_flip_and_downtime_runs_to_the_end():
    target = make_target()
    target.record(ok=False, at=T0, latency_s=2, error="refused")
    assert target.flips.get().up is False
    assert downtime(target, T0, T0 + timedelta(minutes=10)) == timedelta(minutes=10)


def test_snmp_target_needs_an_snmp_credential_and_a_known_profile():
    modbus = make_credential(kind="modbus", modbus_unit_id=1)
    target = CollectionTarget(
        device=make_device(),
        protocol=Protocol.SNMP,
        address="127.0.0.1",
        credential=modbus,
        profile="if_mib",
    )
    with pytest.raises(ValidationError, match="SNMP credential"):
        target.full_clean()
    target.credential = make_credential(kind="snmp_v2c", snmp_community="x")
    target.profile = "if_mib,no_such_profile"
    with pytest.raises(ValidationError, match="Unknown profile: no_such_profile"):
        target.full_clean()
    target.profile = "if_mib,entity_sensor"
    target.full_clean()


def test_modbus_target_needs_a_register_map():
    target = CollectionTarget(
        device=make_device(),
        protocol=Protocol.MODBUS,
        address="127.0.0.1",
        credential=make_credential(kind="modbus", modbus_unit_id=3),
        profile="crah_nope",
    )
    with pytest.raises(ValidationError, match="Unknown profile"):
        target.full_clean()


def test_store_result_ingests_readings_and_records_health():
    target = make_target()
    result = PollResult(target=str(target.pk), started=T0, latency_s=0.05)
    result.add("gpu_temperature_celsius", 61.5, "celsius", "gpu0", {"uuid": "GPU-1"})
    result.add("gpu_power_watts", float("nan"), "watts", "gpu0")  # skipped by the collector
    stored = polling.store_result(target, result)
    assert stored == 1
    (value,) = store.latest(metric="gpu_temperature_celsius", device_ids=[target.device_id])
    assert (value.component, value.value, value.ts) == ("gpu0", 61.5, T0)
    target.refresh_from_db()
    assert target.last_success_at == T0 and target.last_values == 1
    assert target.last_skipped == {"not_finite": 1}
    # Redelivery (Celery is at-least-once) stores nothing twice.
    assert polling.store_result(target, result) == 0


def test_a_failed_poll_stores_nothing_and_says_why():
    target = make_target()
    result = PollResult(target=str(target.pk), started=T0, error="no SNMP answer within 2 s")
    assert polling.store_result(target, result) == 0
    target.refresh_from_db()
    assert target.consecutive_failures == 1
    assert target.last_error == "no SNMP answer within 2 s"
    assert polling.health_summary()["down"] == 1
    assert list(polling.failing()) == [target]


def test_nvml_results_report_unknown_and_missing_gpus():
    server = make_device()
    make_gpu(device=server, index=0, uuid="GPU-aaaa")
    make_gpu(device=server, index=1, uuid="GPU-bbbb")
    target = make_target(device=server, protocol=Protocol.NVML, address=server.name)
    result = PollResult(target=server.name, started=T0)
    result.readings.append(Reading("gpu_utilization_percent", 90.0, "percent", "gpu0"))
    result.events += [
        {"kind": "identity", "gpu": 0, "uuid": "GPU-aaaa", "serial": "1"},
        {"kind": "identity", "gpu": 1, "uuid": "GPU-cccc", "serial": "2"},
    ]
    polling.store_result(target, result)
    target.refresh_from_db()
    assert target.last_report["unknown_gpus"] == ["GPU-cccc"]
    assert target.last_report["missing_gpus"] == ["GPU-bbbb"]


def test_admin_lists_targets_with_health(admin_role_client):
    target = make_target()
    target.record(ok=False, at=T0, latency_s=1, error="refused by 127.0.0.1")
    page = admin_role_client.get("/admin/telemetry/collectiontarget/")
    assert page.status_code == 200
    assert "refused by 127.0.0.1" in page.content.decode()
    change = admin_role_client.get(f"/admin/telemetry/collectiontarget/{target.pk}/change/")
    assert change.status_code == 200
