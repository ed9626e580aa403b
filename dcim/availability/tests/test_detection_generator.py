"""A standby generator's start, read over Modbus from the simulator (the genset gateway
map) and stored through the real storing path: one event while it is away from ready,
restored when it is ready again; repeated polls add nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dcim.availability.models import (
    Failover,
    FailoverSource,
    GroupKind,
    Member,
    MemberRole,
    MemberState,
    MemberStateChange,
    RedundancyGroup,
)
from dcim.inventory.choices import DeviceRole
from dcim.inventory.tests.factories import make_device
from telemetry import polling
from telemetry.collectors.modbus import ModbusTarget, poll_many
from telemetry.models import CollectionTarget, Protocol
from telemetry.simulators.modbus import GENERATOR_START_S, ModbusSimulator
from telemetry.tests.test_modbus_simulator import Clock

UNIT = 1
T0 = datetime(2026, 11, 20, 9, tzinfo=UTC).timestamp()


@pytest.fixture
def generator(ha):
    """GEN-01, the standby member of the site's utility/generator group, and its target."""
    group = RedundancyGroup.objects.create(
        name="Standby power", slug="standby-power", site=ha.site,
        kind=GroupKind.ACTIVE_STANDBY, may_fail=0,
    )  # fmt: skip
    device = make_device(site=ha.site, name="GEN-01", role=DeviceRole.GENERATOR)
    member = Member.objects.create(group=group, device=device, role=MemberRole.STANDBY)
    clock = Clock(T0)
    with ModbusSimulator({UNIT: "genset_gateway"}, interval=None, clock=clock) as sim:
        target = CollectionTarget.objects.create(
            device=device, protocol=Protocol.MODBUS, address="127.0.0.1", port=sim.port
        )
        yield member, target, sim, clock


def poll_at(generator, t: float) -> None:
    """The simulator advanced to ``t``, then one poll of the generator stored at ``t``."""
    _, target, sim, clock = generator
    clock.t = t
    sim.tick()
    wire = ModbusTarget("127.0.0.1", sim.port, UNIT, "genset_gateway", timeout=1.0, retries=0)
    (result,) = poll_many([wire])
    assert result.ok, result.error
    result.started = datetime.fromtimestamp(t, UTC)  # the simulator's time, not the wall's
    polling.store_result(target, result)


def test_a_generator_start_is_one_event_restored_when_it_is_ready_again(generator):
    member, _, sim, _ = generator
    poll_at(generator, T0)
    assert not Failover.objects.exists()  # ready: the starting point
    sim.fault_mains_lost(UNIT, at=T0 + 20)
    poll_at(generator, T0 + 30)  # cranking
    event = Failover.objects.get()
    assert event.cause == "GEN-01 engine starting (generator engine state 1)."
    assert event.source == FailoverSource.MODBUS
    assert event.old_active == member and event.restored_at is None
    poll_at(generator, T0 + 60)  # running on load: the same event
    poll_at(generator, T0 + 90)
    assert Failover.objects.count() == 1
    sim.fault_mains_lost(UNIT, at=None)
    poll_at(generator, T0 + 120)  # cooling down: still away from ready
    poll_at(generator, T0 + 600)  # ready again
    event.refresh_from_db()
    assert Failover.objects.count() == 1
    assert event.restored_at == datetime.fromtimestamp(T0 + 600, UTC)
    states = MemberStateChange.objects.filter(member=member).order_by("at")
    assert [s.state for s in states] == [
        MemberState.STANDBY,
        MemberState.ACTIVE,
        MemberState.STANDBY,
    ]


def test_a_failed_start_leaves_the_generator_down_in_its_event(generator):
    member, _, sim, _ = generator
    poll_at(generator, T0)
    sim.fault_mains_lost(UNIT, at=T0, fails_to_start=True)
    poll_at(generator, T0 + GENERATOR_START_S + 10)  # the poll missed the cranking
    event = Failover.objects.get()
    assert event.cause == "GEN-01 engine stopped by alarm (generator engine state 4)."
    last = MemberStateChange.objects.filter(member=member).latest("at")
    assert last.state == MemberState.DOWN
