"""The demo's collection targets and the simulated fleet built from them.

The demo inventory is seeded once for the class (about 2 s). The live checks start the
fleet from the database, as `make run` does, and poll demo targets through the real
collectors: a target without a matching agent would fail here, not only in the demo.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path

from django.db.models import Count
from django.test import TestCase, override_settings
from django.utils import timezone

from dcim.inventory.choices import DeviceRole, DeviceStatus
from dcim.inventory.models import Credential, Device
from demo import building_plan
from demo.fleet import modbus_unit_devices, modbus_units, snmp_devices, write_snmp_fleet
from demo.inventory import seed_demo
from demo.inventory.layout import METER_POINTS
from demo.targets import seed_demo_targets
from telemetry import polling, store
from telemetry.collectors.nvml import identify, reconcile
from telemetry.models import CollectionTarget, Protocol
from telemetry.simulators import nvml as nvml_standin
from telemetry.simulators.building import Building, Plan, faults
from telemetry.simulators.modbus import ModbusSimulator
from telemetry.simulators.snmp import free_udp_port
from telemetry.simulators.snmp.agent import start_agent


def free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SNMP_PORT, MODBUS_PORT = free_udp_port(), free_tcp_port()
PROFILE_BY_ROLE = {
    DeviceRole.PDU: "raritan_pdu2",  # every demo PDU is a Raritan PX3
    DeviceRole.SWITCH: "if_mib,entity_sensor",
    DeviceRole.UPS: "ups_mib",
    DeviceRole.CRAH: "crah_stulz",
    DeviceRole.CDU: "cdu_vertiv",
    DeviceRole.CHILLER: "chiller_gateway",
    DeviceRole.ENV_SENSOR: "netbotz_v2",  # every rack's NetBotz, the failed one included
    DeviceRole.POWER_METER: "meter_pm8000",  # every demo power meter is a PM8240
}

# One device of each kind the fleet simulates, and a metric its poll must store.
LIVE_CHECKS = {
    "H1-A01-PDU-B": "pdu_power_watts",
    "SPINE-03": "if_in_bytes_total",
    "UPS-B": "ups_output_power_watts",
    "H2-CRAH-06": "cooling_supply_air_temperature_celsius",
    "H1-CDU-01": "cdu_secondary_supply_temperature_celsius",
    "CHILLER-03": "chiller_supply_water_temperature_celsius",
    "H1-A01-ENV": "env_temperature_celsius",
    "MTR-UTILITY": "meter_active_energy_joules_total",
    "MTR-PV-ROOF": "meter_active_power_watts",
    "MTR-WATER": "water_volume_liters_total",
}


@override_settings(DCIM_SIM_SNMP_PORT=SNMP_PORT, DCIM_SIM_MODBUS_PORT=MODBUS_PORT)
class DemoTargetsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        seed_demo()
        cls.report = seed_demo_targets()

    def test_every_pollable_device_of_a_polled_role_has_one_target(self):
        polled = Device.objects.filter(site__slug="demo").exclude(
            status__in=[DeviceStatus.PLANNED, DeviceStatus.DECOMMISSIONED]
        )
        for role, profile in PROFILE_BY_ROLE.items():
            devices = set(polled.filter(role=role).values_list("pk", flat=True))
            targets = CollectionTarget.objects.filter(device__role=role)
            assert devices and set(targets.values_list("device_id", flat=True)) == devices, role
            assert set(targets.values_list("profile", flat=True)) == {profile}, role
            for target in targets.select_related("credential")[:3]:
                target.full_clean()  # credential kind and profile as the admin demands
        gpu_servers = polled.filter(role=DeviceRole.GPU_SERVER)
        nvml = CollectionTarget.objects.filter(protocol=Protocol.NVML)
        assert sorted(nvml.values_list("address", flat=True)) == sorted(
            gpu_servers.values_list("name", flat=True)
        )
        assert nvml.count() == 252  # 256 DGX, 4 of them planned (the last rack)
        water = CollectionTarget.objects.get(device__name="MTR-WATER")
        assert (water.protocol, water.profile) == (Protocol.MODBUS, "water_mag6000")
        # A failed device keeps its target: only planned and decommissioned ones have none.
        failed = CollectionTarget.objects.get(device__name="H2-D08-ENV")
        assert failed.device.status == DeviceStatus.FAILED and failed.enabled
        # 202 PDUs, switches and UPSes, one NetBotz in each of the 64 racks, 4 HA pair members;
        # 19 cooling units, 5 power meters (utility, UPS A and B outputs, mechanical, PV),
        # water, the standby generator
        assert self.report.created == Counter({"nvml": 252, "snmp": 270, "modbus": 26})

    def test_each_device_has_its_own_credential_named_after_it(self):
        snmp = CollectionTarget.objects.filter(protocol=Protocol.SNMP).select_related(
            "device", "credential"
        )
        for target in snmp:
            assert target.credential.name == f"demo-snmp-{target.device.name}"
            assert target.credential.snmp_community == target.device.name  # decrypted
            assert (target.address, target.port) == ("127.0.0.1", SNMP_PORT)
        modbus = CollectionTarget.objects.filter(protocol=Protocol.MODBUS)
        units = sorted(modbus.values_list("credential__modbus_unit_id", flat=True))
        assert units == list(range(1, 27))
        generator = modbus.get(device__name="GEN-01")  # after the meters: their ids kept
        assert generator.profile == "genset_gateway"
        assert generator.credential.modbus_unit_id == 26
        cooling = modbus.filter(
            device__role__in=[DeviceRole.CRAH, DeviceRole.CDU, DeviceRole.CHILLER]
        )
        assert max(cooling.values_list("credential__modbus_unit_id", flat=True)) == 19  # kept
        shared = CollectionTarget.objects.values("credential").annotate(n=Count("id"))
        assert not shared.filter(credential__isnull=False, n__gt=1).exists()
        stored = Credential.objects.filter(name="demo-snmp-UPS-A").values_list(
            "snmp_community", flat=True
        )
        raw = Credential._meta.get_field("snmp_community")
        assert stored[0] == "UPS-A" and raw.get_prep_value("UPS-A") != "UPS-A"  # encrypted

    def test_second_run_creates_nothing_and_keeps_edits(self):
        tuned = CollectionTarget.objects.filter(protocol=Protocol.SNMP).first()
        tuned.interval_s = 300
        tuned.save()
        before = CollectionTarget.objects.count(), Credential.objects.count()
        report = seed_demo_targets()
        assert sum(report.created.values()) == 0 and report.credentials_created == 0
        assert sum(report.existing.values()) == 548
        assert (CollectionTarget.objects.count(), Credential.objects.count()) == before
        tuned.refresh_from_db()
        assert tuned.interval_s == 300

    def test_first_polls_are_spread_over_the_interval(self):
        nvml = CollectionTarget.objects.filter(protocol=Protocol.NVML)
        times = sorted(nvml.values_list("next_poll_at", flat=True))
        interval = timedelta(seconds=nvml.first().interval_s)
        assert times[-1] - times[0] >= interval * 0.95
        per_second = Counter(t.replace(microsecond=0) for t in times)
        assert max(per_second.values()) <= -(-len(times) // interval.total_seconds()) + 1

    def test_fleet_files_match_the_snmp_targets(self):
        data = write_snmp_fleet(self.tmp() / "data", snmp_devices())
        snmp = CollectionTarget.objects.filter(protocol=Protocol.SNMP)
        communities = set(snmp.values_list("credential__snmp_community", flat=True))
        dark = set(
            snmp.filter(device__status=DeviceStatus.FAILED).values_list(
                "credential__snmp_community", flat=True
            )
        )
        assert dark == {"H2-D08-ENV"}  # a failed device is dark: no data file, no answer
        assert {p.stem for p in data.glob("*.snmprec")} == communities - dark
        leaf = (data / "H1-A01-LEAF.snmprec").read_text()
        ports = Device.objects.get(name="H1-A01-LEAF").interfaces.count()
        assert leaf.count("1.3.6.1.2.1.31.1.1.1.1.") == ports  # one ifName per port
        pdu = (data / "H1-A01-PDU-A.snmprec").read_text()
        outlets = Device.objects.get(name="H1-A01-PDU-A").power_outlets.count()
        assert pdu.count("1.3.6.1.4.1.13742.6.5.4.3.1.4.1.") == outlets * 3  # A, V, W each
        env = {d.name: d for d in snmp_devices()}["H1-A01-ENV"]
        assert (env.kind, env.rack) == ("netbotz", "H1-A01")  # told its rack, for its air
        netbotz = (data / "H1-A01-ENV.snmprec").read_text()
        assert netbotz.count("|Inlet\n") == 2 and netbotz.count("|Outlet\n") == 1
        (data / "gone.snmprec").write_text("")
        write_snmp_fleet(data, snmp_devices())
        assert not (data / "gone.snmprec").exists()  # a removed target's agent goes too

    def test_fleet_modbus_units_match_the_targets(self):
        modbus = CollectionTarget.objects.filter(protocol=Protocol.MODBUS)
        assert modbus_units() == dict(modbus.values_list("credential__modbus_unit_id", "profile"))

    def test_demo_targets_answer_through_the_real_collectors(self):
        agents = [d for d in snmp_devices() if d.name in LIVE_CHECKS]  # all: the test above
        # Modelled records (:model) need the demo's own agent and the building plan.
        plan = building_plan.write(self.tmp() / "building.json")
        data = write_snmp_fleet(self.tmp() / "data", agents)
        sim = start_agent(data, SNMP_PORT, building=plan)
        building = Building(Plan.load(plan))
        snap = building.at(timezone.now().timestamp())  # the site meters read the model
        assert set(snap.meters) == set(METER_POINTS)
        # A UPS on battery (the hourly fault, 150 s) draws nothing from the utility: the
        # site's PUE is read at the last instant no such fault was in force.
        t = timezone.now().timestamp()
        while any(f.kind == "ups_battery" for f in faults.active(building.plan, t)):
            t -= 30
        site = building.at(t).site
        assert 1.1 < site.facility_w / site.it_total_w < 1.6
        try:
            units = modbus_units()
            with ModbusSimulator(
                units, port=MODBUS_PORT, building=building, unit_devices=modbus_unit_devices()
            ):
                targets = CollectionTarget.objects.filter(device__name__in=LIVE_CHECKS)
                results = polling.poll_targets(targets.values_list("pk", flat=True))
        finally:
            sim.stop()
        assert len(results) == len(LIVE_CHECKS)
        assert all(r.ok for r in results), [r.error for r in results]
        for name, metric in LIVE_CHECKS.items():
            device = Device.objects.get(name=name)
            assert store.latest(metric=metric, device_ids=[device.pk]), name

    def test_nvml_standin_gpus_are_the_inventorys(self):
        """No unknown or missing GPUs for any demo host (serials are another matter)."""
        for target in CollectionTarget.objects.filter(protocol=Protocol.NVML).select_related(
            "device"
        ):
            present = identify(nvml_standin, target=target.address)
            recorded = target.device.gpus.values("index", "uuid", "pci_bus_id")
            outcome = reconcile(present, recorded)
            assert not outcome["unknown"] and not outcome["missing"], target.address
            assert all(m["by"] == "uuid" and not m["changes"] for m in outcome["matched"])

    def tmp(self) -> Path:
        path = Path(tempfile.mkdtemp(prefix="demo-fleet-"))
        self.addCleanup(shutil.rmtree, path, True)
        return path
