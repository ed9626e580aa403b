"""The demo's HA pairs: one master at every instant, a failover once a day by itself and one
whenever an injection says so, the same answer in every process, and cheap to ask.

The building model answers ``ha/<device>/<mib>`` in the MIB's own codes (KEEPALIVED-MIB:
2 master, 1 backup, 3 fault; VRRP-MIB: 3 master, 2 backup, 1 initialize), which the demo's
SNMP agent serves; ``demo/tests/test_demo_ha.py`` polls them over SNMP.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest

from telemetry.simulators.building import Building, HaPairSpec, Plan, ha

DAY = 1_796_000_000 // ha.DAY_S + 1  # a UTC day of 2026-11
START = DAY * ha.DAY_S
LB = HaPairSpec("LB", "keepalived", ("LB-01", "LB-02"))
EDGE = HaPairSpec("EDGE", "vrrp", ("EDGE-01", "EDGE-02"))


@pytest.fixture
def plan(tmp_path) -> Plan:
    return Plan(seed=7, ha_pairs=(LB, EDGE), injections=str(tmp_path / "injections.json"))


def roles(plan: Plan, pair: HaPairSpec, t: float) -> tuple[str, ...]:
    return tuple(ha.role(plan, m, t) for m in pair.members)


def master(plan: Plan, pair: HaPairSpec, t: float) -> str:
    (found,) = [m for m in pair.members if ha.role(plan, m, t) == ha.MASTER]
    return found


def test_each_pair_fails_over_once_a_day_and_the_old_master_is_in_fault_a_while(plan):
    for pair in (LB, EDGE):
        at = ha.scheduled_at(plan, pair.name, DAY)
        assert START <= at < START + ha.DAY_S
        samples = [START + k * 30 for k in range(ha.DAY_S // 30)]
        masters = [master(plan, pair, t) for t in samples]  # exactly one at every instant
        changes = [t for t, a, b in zip(samples[1:], masters, masters[1:], strict=False) if a != b]
        assert len(changes) == 1 and at <= changes[0] < at + 30
        old, new = masters[0], masters[-1]
        assert old != new
        assert ha.role(plan, old, at) == ha.FAULT  # its tracked interface went down
        assert ha.role(plan, old, at + ha.FAULT_S - 1) == ha.FAULT
        assert ha.role(plan, old, at + ha.FAULT_S) == ha.BACKUP  # back, and stays backup
        assert ha.role(plan, new, at + ha.FAULT_S) == ha.MASTER


def test_the_days_alternate_and_the_pairs_fail_over_at_their_own_times(plan):
    """Every day has one failover, so the master at midnight alternates day by day."""
    midnights = [master(plan, LB, START + d * ha.DAY_S) for d in range(4)]
    assert midnights[0] == midnights[2] != midnights[1] == midnights[3]
    assert ha.scheduled_at(plan, "LB", DAY) != ha.scheduled_at(plan, "EDGE", DAY)
    assert ha.scheduled_at(plan, "LB", DAY) != ha.scheduled_at(plan, "LB", DAY + 1)


def test_codes_are_the_mibs(plan):
    at = ha.scheduled_at(plan, "LB", DAY)
    building = Building(plan)
    old = master(plan, LB, at - 1)
    new = next(m for m in LB.members if m != old)
    assert building.value(f"ha/{old}/keepalived", at - 1) == 2.0  # master
    assert building.value(f"ha/{new}/keepalived", at - 1) == 1.0  # backup
    assert building.value(f"ha/{old}/keepalived", at) == 3.0  # fault
    at = ha.scheduled_at(plan, "EDGE", DAY)
    old = master(plan, EDGE, at - 1)
    new = next(m for m in EDGE.members if m != old)
    assert building.value(f"ha/{old}/vrrp", at - 1) == 3.0  # master
    assert building.value(f"ha/{new}/vrrp", at - 1) == 2.0  # backup
    assert building.value(f"ha/{old}/vrrp", at) == 1.0  # initialize
    assert building.knows("ha/LB-01/keepalived") and building.knows("ha/EDGE-02/vrrp")
    assert not building.knows("ha/LB-03/keepalived")  # a typo would serve zeros for ever
    assert not building.knows("ha/LB-01/hsrp")


def test_an_injected_failover_swaps_at_once_and_the_new_master_keeps_the_role(plan):
    at = ha.scheduled_at(plan, "LB", DAY)
    t = at + 3600.0 if at < START + ha.DAY_S - 7200 else START + 60.0
    before = master(plan, LB, t)
    assert ha.inject(plan.injections, "LB", t) == 1
    after = master(plan, LB, t)
    assert after != before
    assert ha.role(plan, before, t) == ha.FAULT
    assert ha.role(plan, before, t + ha.FAULT_S) == ha.BACKUP
    assert master(plan, LB, t + 600) == after  # kept, until the next failover
    assert master(plan, LB, t - 1) == before  # the past is not rewritten
    assert roles(plan, EDGE, t) == roles(replace(plan, injections=""), EDGE, t)  # LB only
    assert ha.inject(plan.injections, "LB", t + 5) == 2
    assert master(plan, LB, t + 5) == before  # a second failover swaps back
    data = json.loads(Path(plan.injections).read_text())
    assert data == {"failovers": {"LB": [t, t + 5]}}


def test_another_process_sees_an_injection_through_the_file(plan, tmp_path):
    """The agent and ``demo_inject`` share nothing but the file the plan names."""
    path = plan.save(tmp_path / "building.json")
    agent_view = Plan.load(path)
    assert agent_view.injections == plan.injections and agent_view.ha_pairs == (LB, EDGE)
    t = START + 12 * 3600.0
    before = master(agent_view, EDGE, t)
    ha.inject(Plan.load(path).injections, "EDGE", t)
    assert master(agent_view, EDGE, t) != before


def test_without_scheduled_faults_the_first_member_is_master_until_injected(plan):
    quiet = replace(plan, faults=False)
    assert {master(quiet, LB, START + k * 3600) for k in range(48)} == {"LB-01"}
    ha.inject(quiet.injections, "LB", START + 100)
    assert master(quiet, LB, START + 200) == "LB-02"


def test_a_pair_with_one_working_member_has_it_master_for_good(plan):
    alone = replace(plan, ha_pairs=(HaPairSpec("LB", "keepalived", ("LB-02",)),))
    assert {ha.role(alone, "LB-02", START + k * 3600) for k in range(48)} == {ha.MASTER}


def test_a_broken_injections_file_means_no_injections_never_a_crash(plan):
    t = START + 3600.0
    before = master(plan, LB, t)
    with open(plan.injections, "w") as f:
        f.write('{"failovers": {"LB": [1, ')  # half written by hand
    assert ha.injected(plan.injections) == {}
    assert master(plan, LB, t) == before
    with open(plan.injections, "w") as f:
        f.write('["not", "an", "object"]')
    assert master(plan, LB, t) == before


def test_asking_is_cheap_whatever_the_date(plan):
    """The agent asks on every poll: no walk over past days, one stat of the file."""
    ha.scheduled_at.cache_clear()
    started = time.perf_counter()
    for k in range(20_000):
        ha.value(plan, "ha/LB-01/keepalived", START + 400 * ha.DAY_S + k)
    elapsed = time.perf_counter() - started
    assert ha.scheduled_at.cache_info().misses <= 4  # today's and yesterday's, per pair
    assert elapsed < 2.0  # ~20 µs a value on a laptop: a stat and a bisect
