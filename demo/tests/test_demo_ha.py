"""The demo's HA pairs: seeded with their targets, served by the demo's SNMP agent from the
building model, failed over by ``manage.py demo_inject`` while the agent runs.

The agent runs as ``make run`` runs it (a subprocess reading the plan the inventory wrote);
``demo_inject`` runs in this process and reaches it only through the injections file the
plan names. States are read back by a plain SNMP GET and by the real collector, which
stores them (``telemetry.polling``) as the demo's poller does.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import tempfile
import time
from pathlib import Path
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from dcim.inventory.choices import DeviceRole
from dcim.inventory.models import Device
from demo import building_plan
from demo.fleet import snmp_devices, write_snmp_fleet
from demo.inventory import seed_demo
from demo.targets import seed_demo_targets
from telemetry import polling, store
from telemetry.collectors import snmp_ber as ber
from telemetry.collectors.profiles.snmp_ha import KEEPALIVED_STATE, VRRP_OPER_STATE
from telemetry.collectors.snmp_engine import SnmpCredentials, SnmpEngine
from telemetry.models import CollectionTarget, Protocol
from telemetry.simulators.building import PLAN_ENV, HaPairSpec, Plan, ha
from telemetry.simulators.snmp import free_udp_port
from telemetry.simulators.snmp.agent import start_agent

SNMP_PORT = free_udp_port()
MEMBERS = ("LB-01", "LB-02", "EDGE-01", "EDGE-02")
# The OID of each member's state, as the demo's agent serves it (instance row 1 / ifIndex 1.
# VRID 10), and the MIB's master code.
STATE_OID = {"LB": (f"{KEEPALIVED_STATE}.1", 2), "EDGE": (f"{VRRP_OPER_STATE}.1.10", 3)}


def snmp_get(port: int, community: str, oid: str) -> int:
    """One SNMP v2c GET of ``oid``: the value the agent answers."""

    async def ask() -> int:
        engine = SnmpEngine()
        try:
            addr = await engine.resolve("127.0.0.1", port)
            creds = SnmpCredentials(community=community)
            _, _, status, _, vbs = await engine.request(
                addr, creds, ber.GET, 0, 0, [ber.enc_oid_body(oid)], 2.0, 1
            )
        finally:
            engine.close()
        assert status == 0 and vbs[0][1] == ber.INTEGER, (status, vbs)
        return vbs[0][2]

    return asyncio.run(ask())


@override_settings(DCIM_SIM_SNMP_PORT=SNMP_PORT)
class DemoHaPairsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        seed_demo()
        cls.report = seed_demo_targets()

    def test_the_seed_places_both_pairs_one_member_per_rack_on_loopback(self):
        devices = {
            d.name: d for d in Device.objects.filter(name__in=MEMBERS).select_related("rack")
        }
        assert set(devices) == set(MEMBERS)
        assert {devices[n].role for n in ("LB-01", "LB-02")} == {DeviceRole.CPU_SERVER}
        assert {devices[n].role for n in ("EDGE-01", "EDGE-02")} == {DeviceRole.ROUTER}
        assert (devices["LB-01"].rack.name, devices["LB-02"].rack.name) == ("H1-A02", "H1-A03")
        assert devices["EDGE-01"].rack_id == devices["LB-01"].rack_id
        assert devices["LB-01"].management_address == "127.10.2.36"
        assert devices["EDGE-02"].management_address == "127.10.3.38"
        for device in devices.values():
            device.full_clean()  # fits its rack's free U, no overlap
            sides = {p.outlet.device.name[-1] for p in device.power_ports.all()}
            assert sides == {"A", "B"}, device  # one PSU on each feed

    def test_each_member_has_an_snmp_target_with_its_pairs_profile(self):
        targets = CollectionTarget.objects.filter(device__name__in=MEMBERS)
        got = {t.device.name: (t.protocol, t.profile, t.interval_s) for t in targets}
        assert got == {
            "LB-01": (Protocol.SNMP, "keepalived", 30),
            "LB-02": (Protocol.SNMP, "keepalived", 30),
            "EDGE-01": (Protocol.SNMP, "if_mib,vrrp_mib", 30),  # its ports on the Network page
            "EDGE-02": (Protocol.SNMP, "if_mib,vrrp_mib", 30),
        }
        for target in targets.select_related("credential"):
            target.full_clean()
            assert target.credential.snmp_community == target.device.name

    def test_seeding_again_creates_nothing(self):
        devices, targets = Device.objects.count(), CollectionTarget.objects.count()
        assert seed_demo().created == 0
        assert sum(seed_demo_targets().created.values()) == 0
        assert (Device.objects.count(), CollectionTarget.objects.count()) == (devices, targets)

    def test_the_plan_holds_both_pairs_and_a_failed_member_leaves_its_partner_alone(self):
        plan = building_plan.build()
        assert plan.ha_pairs == (
            HaPairSpec("LB", "keepalived", ("LB-01", "LB-02")),
            HaPairSpec("EDGE", "vrrp", ("EDGE-01", "EDGE-02")),
        )
        Device.objects.filter(name="EDGE-01").update(status="failed")
        assert building_plan.build().ha_pairs[1] == HaPairSpec("EDGE", "vrrp", ("EDGE-02",))
        assert "EDGE-01" not in {d.name for d in snmp_devices()}  # dark: no data file

    def test_demo_inject_swaps_master_and_backup_in_the_agent_and_the_stored_series(self):
        tmp = self.tmp()
        plan_path = building_plan.write(tmp / "building.json")
        plan = Plan.load(plan_path)
        assert plan.injections == str((tmp / "injections.json").resolve())
        members = [d for d in snmp_devices() if d.name in MEMBERS]
        data = write_snmp_fleet(tmp / "data", members)
        agent = start_agent(data, SNMP_PORT, building=plan_path)
        self.addCleanup(agent.stop)
        stored_before = self.poll_and_store(plan)
        with mock.patch.dict(os.environ, {PLAN_ENV: str(plan_path)}):
            for pair in ("LB", "EDGE"):
                before = self.masters(pair)
                out = io.StringIO()
                call_command("demo_inject", "failover", pair.lower(), stdout=out)
                assert f"{pair}: failover injected, master {before[0]} -> " in out.getvalue()
                after = self.masters(pair)
                assert after[0] != before[0]  # the next answer already has the new master
                time.sleep(1.2)
                assert self.masters(pair) == after  # and keeps it
            with self.assertRaisesMessage(CommandError, "No HA pair 'SPINE'"):
                call_command("demo_inject", "failover", "SPINE")
        stored_after = self.poll_and_store(plan)
        for pair, mib in (("LB", "keepalived"), ("EDGE", "vrrp")):
            codes = ha.CODES[mib]
            [old] = [
                m for m in stored_before if m[:-3] == pair and stored_before[m] == codes[ha.MASTER]
            ]
            [new] = [
                m for m in stored_after if m[:-3] == pair and stored_after[m] == codes[ha.MASTER]
            ]
            assert new != old  # the stored series flipped
            assert stored_after[old] == codes[ha.FAULT]  # the old master is down a while

    def test_demo_inject_refuses_clearly_and_injects_nothing(self):
        tmp = self.tmp()
        cases = [
            (tmp / "absent.json", "No building plan at"),
            (Plan(ha_pairs=(HaPairSpec("LB", "keepalived", ("LB-01", "LB-02")),)), "older demo"),
            (Path(tmp / "broken.json"), "Cannot read the building plan"),
        ]
        (tmp / "broken.json").write_text('{"pdus": [{"feed_w": 1}]}')  # another version's
        Device.objects.filter(name="EDGE-01").update(status="failed")
        cases.append((building_plan.build(), "one working member (EDGE-02)"))
        for n, (plan, message) in enumerate(cases):
            path = plan if isinstance(plan, Path) else plan.save(tmp / f"plan-{n}.json")
            env = mock.patch.dict(os.environ, {PLAN_ENV: str(path)})
            with env, self.assertRaisesMessage(CommandError, message):
                call_command("demo_inject", "failover", "EDGE" if n == 3 else "LB")
        assert not list(tmp.glob("injections*"))

    def masters(self, pair: str) -> list[str]:
        """The members that answer master to a GET of their state (exactly one)."""
        oid, master = STATE_OID[pair]
        names = [f"{pair}-01", f"{pair}-02"]
        found = [n for n in names if snmp_get(SNMP_PORT, n, oid) == master]
        assert len(found) == 1, found
        return found

    def poll_and_store(self, plan: Plan) -> dict[str, float]:
        """One poll of the four members through the real collector, stored as the demo's
        poller stores it; returns each member's stored state, checked against the model."""
        targets = CollectionTarget.objects.filter(device__name__in=MEMBERS)
        results = polling.poll_targets(targets.values_list("pk", flat=True))
        assert all(r.ok for r in results), [r.error for r in results]
        now = time.time()
        stored = {}
        for name, metric, component, mib in (
            ("LB-01", "keepalived_vrrp_instance_state", "VI_API", "keepalived"),
            ("LB-02", "keepalived_vrrp_instance_state", "VI_API", "keepalived"),
            ("EDGE-01", "vrrp_oper_state", "1.10", "vrrp"),
            ("EDGE-02", "vrrp_oper_state", "1.10", "vrrp"),
        ):
            device = Device.objects.get(name=name)
            [latest] = store.latest(metric=metric, device_ids=[device.pk], component=component)
            assert latest.value == ha.CODES[mib][ha.role(plan, name, now)], name
            stored[name] = latest.value
        return stored

    def tmp(self) -> Path:
        path = Path(tempfile.mkdtemp(prefix="demo-ha-"))
        self.addCleanup(shutil.rmtree, path, True)
        return path
