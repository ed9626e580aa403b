"""Issue 15 (medium): a GPU-host agent is trusted only for its own host's targets.

Before, any message on the ingest queue stored results for any target id: one GPU host
could write a PDU's readings and reset its failure count. Now each agent signs with a key
of its own (telemetry.signing) and ingest refuses, logs and keeps as a dead letter
whatever is unsigned, signed by another host, or aimed at a target not its own.
"""

from datetime import UTC, datetime

import pytest

from dcim.inventory.tests.factories import make_device
from telemetry import agent, signing, store
from telemetry.agent_keys import agent_key_hex, agent_secret
from telemetry.models import CollectionTarget, DeadLetter, Protocol
from telemetry.readings import PollResult, Reading
from telemetry.tasks import ingest_poll_result

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def nvml_target(host: str) -> CollectionTarget:
    return CollectionTarget.objects.create(
        device=make_device(), protocol=Protocol.NVML, address=host
    )


def result_json(watts: float = 400.0) -> dict:
    result = PollResult(target="x", started=T0)
    result.readings.append(Reading("gpu_power_watts", watts, "watts", "gpu0"))
    return result.to_json()


def signed_by(host: str, target_id: int, result: dict, claim: str | None = None):
    key = bytes.fromhex(agent_key_hex(host))
    claimed = claim or host
    return [target_id, result, claimed, signing.sign(key, target_id, claimed, result)]


def powers(target: CollectionTarget) -> list[float]:
    return [v.value for v in store.latest(metric="gpu_power_watts", device_ids=[target.device_id])]


def test_an_agent_stores_results_for_its_own_host():
    mine = nvml_target("gpu-a")
    assert ingest_poll_result(*signed_by("gpu-a", mine.pk, result_json())) == 1
    assert powers(mine) == [400.0]
    assert not DeadLetter.objects.exists()


def test_an_agent_cannot_store_for_a_pdu_and_reset_its_failures():
    pdu = CollectionTarget.objects.create(
        device=make_device(), protocol=Protocol.SNMP, address="10.0.0.9", consecutive_failures=3
    )
    assert ingest_poll_result(*signed_by("gpu-a", pdu.pk, result_json())) == 0
    pdu.refresh_from_db()
    assert pdu.consecutive_failures == 3 and pdu.last_poll_at is None
    assert powers(pdu) == []
    letter = DeadLetter.objects.get()
    assert letter.reason == "refused" and "not one of its own" in letter.error


def test_an_agent_cannot_sign_for_another_host():
    theirs = nvml_target("gpu-b")
    # gpu-a's key, but claiming to be gpu-b: the signature does not check.
    args = signed_by("gpu-a", theirs.pk, result_json(), claim="gpu-b")
    assert ingest_poll_result(*args) == 0
    # gpu-a's key and its own name, for gpu-b's target: not its own.
    assert ingest_poll_result(*signed_by("gpu-a", theirs.pk, result_json())) == 0
    assert powers(theirs) == []
    assert DeadLetter.objects.filter(reason="refused").count() == 2


def test_unsigned_and_tampered_results_are_refused():
    mine = nvml_target("gpu-a")
    assert ingest_poll_result(mine.pk, result_json()) == 0  # an old, unsigned message
    args = signed_by("gpu-a", mine.pk, result_json(400.0))
    args[1] = result_json(9999.0)
    assert ingest_poll_result(*args) == 0
    assert powers(mine) == []


def test_a_signed_result_that_is_not_a_poll_result_is_a_dead_letter_not_a_crash():
    mine = nvml_target("gpu-a")
    ingest_poll_result.apply(args=signed_by("gpu-a", mine.pk, {"readings": "nonsense"}))
    assert DeadLetter.objects.get().reason == "undecodable"


def test_a_host_agent_signs_for_itself_whatever_host_it_is_asked_for(monkeypatch):
    monkeypatch.delenv("DCIM_AGENT_SECRET", raising=False)
    monkeypatch.setenv("DCIM_AGENT_HOST", "gpu-a")
    monkeypatch.setenv("DCIM_AGENT_KEY", agent_key_hex("gpu-a"))
    assert agent.identity("gpu-b") == ("gpu-a", bytes.fromhex(agent_key_hex("gpu-a")))
    monkeypatch.setenv("DCIM_AGENT_SECRET", agent_secret().decode())
    monkeypatch.delenv("DCIM_AGENT_KEY")
    host, _key = agent.identity("gpu-b")  # the demo's fleet agent speaks for each host
    assert host == "gpu-b"
