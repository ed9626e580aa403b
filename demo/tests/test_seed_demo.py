"""The demo data centre keeps its physical promises, and seeding it is idempotent and repeatable.

Most checks derive what must hold from the data itself (U positions, feed ratings, links)
rather than from demo constants, so a change to the layout that breaks physics fails here.
The class seeds once (setUpTestData); each test runs in a savepoint rolled back after it.
"""

import ipaddress
import re
from collections import Counter, defaultdict
from io import StringIO

from django.core.management import call_command
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.test import TestCase

from dcim.inventory.choices import DeviceRole, DeviceStatus, Fabric, NetworkLayer, RackFace
from dcim.inventory.models import (
    GPU,
    Credential,
    Device,
    DeviceType,
    Interface,
    Link,
    Manufacturer,
    PowerFeed,
    PowerOutlet,
    PowerPanel,
    PowerPort,
    Rack,
    Room,
    Row,
    Site,
)
from dcim.inventory.models.power import available_power_w, redundant_sides
from demo.inventory import layout, seed_demo

NVML_UUID = re.compile(r"^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PCI_BUS_ID = re.compile(r"^[0-9A-F]{8}:[0-9A-F]{2}:[0-9A-F]{2}\.[0-7]$")

# How each model is named without its primary key: the dump compares rows across databases.
NATURAL_KEYS = {
    Manufacturer: ["slug"],
    DeviceType: ["slug"],
    Site: ["slug"],
    Room: ["site", "name"],
    Row: ["room", "name"],
    Rack: ["room", "name"],
    Device: ["name"],
    GPU: ["device", "index"],
    PowerPanel: ["site", "name"],
    PowerFeed: ["panel", "name"],
    PowerOutlet: ["device", "name"],
    PowerPort: ["device", "name"],
    Interface: ["device", "name"],
    Link: ["a"],
    Credential: ["name"],
}
VOLATILE = {"created", "updated"}  # timestamps: the moment of the run, not demo data


def _key_lookups(model, prefix: str) -> list[str]:
    lookups = []
    for name in NATURAL_KEYS[model]:
        field = model._meta.get_field(name)
        if field.is_relation:
            lookups += _key_lookups(field.related_model, f"{prefix}{name}__")
        else:
            lookups.append(prefix + name)
    return lookups


def _lookups(model) -> list[str]:
    lookups = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in VOLATILE:
            continue
        if field.is_relation:
            lookups += _key_lookups(field.related_model, f"{field.name}__")
        else:
            lookups.append(field.name)
    return lookups


def dump() -> dict[str, list[tuple]]:
    """Every inventory row as values, foreign keys replaced by natural keys, sorted."""
    return {
        model.__name__: sorted(model.objects.values_list(*_lookups(model)), key=repr)
        for model in NATURAL_KEYS
    }


class SeededDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.lines = []
        cls.report = seed_demo(log=cls.lines.append)

    def test_first_run_reports_a_line_per_stage(self):
        assert self.report.created == self.report.wanted > 0
        assert "racks: 64 created" in self.lines
        assert "GPUs: 2,048 created" in self.lines
        assert len(self.lines) == len(self.report.stages)

    def test_one_site_two_halls_of_racks_in_rows_on_the_grid(self):
        site = Site.objects.get(slug="demo")
        site.full_clean()
        halls = list(Room.objects.filter(site=site).order_by("name"))
        assert [h.name for h in halls] == ["Hall 1", "Hall 2"]
        racks = list(Rack.objects.filter(room__site=site).select_related("room", "row"))
        assert len(racks) == 64
        assert len({r.name for r in racks}) == 64, "rack names are unique across the site"
        for rack in racks:
            assert rack.row is not None and rack.row.room_id == rack.room_id
            assert 0 <= rack.grid_x < rack.room.grid_columns
            assert 0 <= rack.grid_y < rack.room.grid_rows
        tiles = Counter((r.room_id, r.grid_x, r.grid_y) for r in racks)
        assert max(tiles.values()) == 1, "two racks on one tile"
        per_row = Counter(r.row_id for r in racks)
        assert len(per_row) == 8 and set(per_row.values()) == {8}

    def test_rack_devices_fit_and_do_not_overlap(self):
        by_rack = defaultdict(list)
        placed = Device.objects.filter(position_u__isnull=False).select_related(
            "device_type", "rack"
        )
        for device in placed:
            by_rack[device.rack_id].append(device)
        assert len(by_rack) == 64
        for devices in by_rack.values():
            used: dict[tuple[int, str], str] = {}
            for device in devices:
                units = device.occupied_units()
                assert units, f"{device} is placed but takes no U"
                assert units.start >= 1 and units.stop - 1 <= device.rack.u_height, device
                for u in units:
                    for face in device.occupied_faces():
                        assert (u, face) not in used, f"{device} overlaps {used[(u, face)]} at U{u}"
                        used[(u, face)] = device.name
        unplaced = Device.objects.filter(rack__isnull=False, position_u__isnull=True)
        heights = set(unplaced.values_list("device_type__u_height", flat=True))
        assert heights == {0}, "only zero-U gear (PDUs, sensors) is left without a U position"

    def test_about_256_gpu_servers_with_eight_distinct_h100s_each(self):
        servers = Device.objects.filter(role=DeviceRole.GPU_SERVER).select_related("device_type")
        assert servers.count() == 256
        assert Counter(s.rack_id for s in servers).most_common(1)[0][1] == 4
        gpus = defaultdict(list)
        for gpu in GPU.objects.all():
            gpus[gpu.device_id].append(gpu)
        for server in servers:
            mine = gpus[server.pk]
            assert sorted(g.index for g in mine) == list(range(8)), server
            assert len({g.pci_bus_id for g in mine}) == 8
            assert all(PCI_BUS_ID.match(g.pci_bus_id) for g in mine)
            assert all(g.memory_gb == 80 and g.tdp_w == 700 for g in mine)
            assert sum(g.tdp_w for g in mine) < server.device_type.rated_power_w
        everything = list(GPU.objects.values_list("uuid", "serial"))
        assert len(everything) == 2048
        assert all(NVML_UUID.match(uuid) for uuid, _ in everything)
        assert len({uuid for uuid, _ in everything}) == 2048
        assert len({serial for _, serial in everything}) == 2048

    def test_every_server_and_switch_is_a_b_redundant_through_its_own_rack_pdus(self):
        devices = Device.objects.filter(
            role__in=[DeviceRole.GPU_SERVER, DeviceRole.SWITCH]
        ).prefetch_related("power_ports__feed", "power_ports__outlet__device__power_ports__feed")
        assert len(devices) == 256 + 64 + 8
        for device in devices:
            assert redundant_sides(device) == {"A", "B"}, device
            for port in device.power_ports.all():
                assert port.outlet.device.role == DeviceRole.PDU
                assert port.outlet.device.rack_id == device.rack_id, port

    def test_each_rack_has_two_zero_u_pdus_on_its_a_and_b_feeds(self):
        pdus = Device.objects.filter(role=DeviceRole.PDU).select_related("device_type")
        per_rack = defaultdict(list)
        for pdu in pdus.prefetch_related("power_ports__feed", "power_outlets"):
            per_rack[pdu.rack_id].append(pdu)
            assert pdu.device_type.u_height == 0 and pdu.position_u is None
            (inlet,) = pdu.power_ports.all()
            assert inlet.feed.rack_id == pdu.rack_id
            assert pdu.power_outlets.all(), f"{pdu} has no outlets"
        assert len(per_rack) == 64
        for pair in per_rack.values():
            assert sorted(p.power_ports.all()[0].feed.side for p in pair) == ["A", "B"]

    def test_gpu_racks_have_40_kw_budgets_and_one_feed_carries_the_whole_rack(self):
        """Except on the few racks the layout leaves on undersized (63 A) feeds."""
        rated = defaultdict(int)
        servers_rated = defaultdict(int)
        for device in Device.objects.filter(rack__isnull=False).select_related("device_type"):
            rated[device.rack_id] += device.device_type.rated_power_w or 0
            if device.role == DeviceRole.GPU_SERVER:
                servers_rated[device.rack_id] += device.device_type.rated_power_w
        feeds = defaultdict(dict)
        for feed in PowerFeed.objects.all():
            feeds[feed.rack_id][feed.side] = feed
            assert feed.available_power_w == available_power_w(
                feed.voltage, feed.amperage, feed.max_utilization, feed.phase
            )
        gpu_racks = Rack.objects.filter(pk__in=servers_rated)
        assert gpu_racks.count() == 64
        for rack in gpu_racks:
            assert rack.power_budget_kw >= 40
            assert rack.cooling_budget_kw >= rack.power_budget_kw
            assert rated[rack.pk] <= rack.power_budget_kw * 1000, rack
            assert set(feeds[rack.pk]) == {"A", "B"}
            for feed in feeds[rack.pk].values():
                if rack.name in layout.UNDERSIZED_FEED_RACKS:
                    # Older 63 A circuits: both sides share the rack, one alone cannot carry
                    # it (what the demo's feed failover shows), yet each carries most of it.
                    assert feed.amperage == 63, rack
                    assert 0.8 * rated[rack.pk] <= feed.available_power_w < rated[rack.pk]
                    continue
                # 2N: either side alone carries every device and the whole budget.
                assert feed.available_power_w >= servers_rated[rack.pk]
                assert feed.available_power_w >= rated[rack.pk]
                assert feed.available_power_w >= rack.power_budget_kw * 1000

    def test_power_chain_runs_from_a_2n_ups_pair_through_hall_panels(self):
        ups = Device.objects.filter(role=DeviceRole.UPS)
        assert ups.count() == 2 and not ups.filter(rack__isnull=False).exists()
        for feed in PowerFeed.objects.select_related("panel__upstream_device", "rack"):
            assert feed.panel.room_id == feed.rack.room_id, "a feed comes from its hall's panel"
            assert feed.panel.upstream_device.role == DeviceRole.UPS
        sides_per_ups = defaultdict(set)
        for feed in PowerFeed.objects.select_related("panel"):
            sides_per_ups[feed.panel.upstream_device_id].add(feed.side)
        assert sorted(map(tuple, sides_per_ups.values())) == [("A",), ("B",)]

    def test_cooling_plant_and_meters(self):
        halls = set(Room.objects.values_list("pk", flat=True))
        for role in (DeviceRole.CRAH, DeviceRole.CDU):
            plant = Device.objects.filter(role=role)
            assert not plant.filter(rack__isnull=False).exists()
            assert set(plant.values_list("room_id", flat=True)) == halls, role
        chillers = Device.objects.filter(role=DeviceRole.CHILLER)
        assert chillers.exists() and not chillers.filter(room__isnull=False).exists()
        meters = Device.objects.filter(role=DeviceRole.POWER_METER)
        assert meters.filter(comments__startswith="Facility").exists()
        assert meters.filter(comments__startswith="IT").exists()
        pv, water = Device.objects.get(name="MTR-PV-ROOF"), Device.objects.get(name="MTR-WATER")
        assert pv.device_type == meters.get(name="MTR-UTILITY").device_type
        assert water.device_type.manufacturer.slug == "siemens"
        # Added after the first release: numbered last, so every older device keeps its tag
        # and a database seeded before them takes them in on a re-seed.
        assert (pv.asset_tag, water.asset_tag) == ("DEMO-00546", "DEMO-00547")
        assert Device.objects.get(name="H1-CRAH-01").asset_tag == "DEMO-00010"

    def test_fabric_servers_to_their_leaf_and_every_leaf_to_every_spine(self):
        spines = set(
            Device.objects.filter(network_layer=NetworkLayer.SPINE).values_list("name", flat=True)
        )
        assert len(spines) >= 2
        leaves = Device.objects.filter(network_layer=NetworkLayer.LEAF)
        assert leaves.count() == 64 and len({leaf.rack_id for leaf in leaves}) == 64
        assert set(
            Device.objects.filter(role=DeviceRole.SWITCH).values_list("fabric", flat=True)
        ) == {Fabric.INFINIBAND}
        uplinks = defaultdict(list)
        server_ports = defaultdict(list)
        for link in Link.objects.select_related("a__device", "b__device"):
            a, b = link.a.device, link.b.device
            assert a.pk != b.pk
            if a.role == DeviceRole.GPU_SERVER:
                assert b.network_layer == NetworkLayer.LEAF and b.rack_id == a.rack_id, link
                server_ports[a.pk].append(link.a.name)
            else:
                assert a.network_layer == NetworkLayer.LEAF, link
                uplinks[a.pk].append(b.name)
        assert len(server_ports) == 256
        assert all(len(set(ports)) == 8 for ports in server_ports.values())
        assert len(uplinks) == 64
        assert all(sorted(up) == sorted(spines) for up in uplinks.values())
        unlinked_server_ports = Interface.objects.filter(
            device__role=DeviceRole.GPU_SERVER, link_as_a__isnull=True, link_as_b__isnull=True
        )
        assert not unlinked_server_ports.exists()

    def test_management_addresses_are_loopback_only_and_unique(self):
        addresses = list(Device.objects.values_list("management_address", flat=True))
        assert all(ipaddress.ip_address(a).is_loopback for a in addresses)
        assert len(set(addresses)) == len(addresses)

    def test_statuses_are_mostly_active_with_a_few_of_each_other_kind(self):
        counts = Counter(Device.objects.values_list("status", flat=True))
        assert counts[DeviceStatus.ACTIVE] > 0.95 * sum(counts.values())
        for status in (DeviceStatus.MAINTENANCE, DeviceStatus.FAILED, DeviceStatus.PLANNED):
            assert 1 <= counts[status] <= 10, status
        planned_links = Link.objects.filter(a__device__status=DeviceStatus.PLANNED)
        assert planned_links.exists()
        assert set(planned_links.values_list("status", flat=True)) == {"planned"}

    def test_credentials_are_valid_and_encrypted_at_rest(self):
        creds = {c.name: c for c in Credential.objects.all()}
        assert len(creds) == 3
        for cred in creds.values():
            cred.full_clean()
        assert creds["demo-snmp-v2c"].snmp_community == "demo-public"
        assert creds["demo-snmp-v3"].security_level == "authPriv"
        assert creds["demo-modbus"].modbus_unit_id == 1
        stored = (
            Credential.objects.filter(name="demo-snmp-v2c")
            .values_list(Cast("snmp_community", TextField()), flat=True)  # no decryption
            .get()
        )
        assert stored.startswith("fernet:") and "demo-public" not in stored

    def test_a_sample_of_every_model_passes_full_clean(self):
        for model in NATURAL_KEYS:
            rows = list(model.objects.order_by("pk").values_list("pk", flat=True))
            assert rows, model
            sample = {rows[0], rows[len(rows) // 2], rows[-1]}
            for obj in model.objects.filter(pk__in=sample):
                obj.full_clean()
        for role in DeviceRole.values:  # and one device of every role the demo has
            device = Device.objects.filter(role=role).order_by("name").last()
            if device:
                device.full_clean()

    def test_feed_saved_through_the_model_keeps_its_stored_power(self):
        feed = PowerFeed.objects.order_by("name").first()
        before = feed.available_power_w
        feed.save()
        feed.refresh_from_db()
        assert feed.available_power_w == before

    def test_second_run_creates_nothing_and_changes_nothing(self):
        before = dump()
        report = seed_demo()
        assert report.created == 0
        assert report.wanted == self.report.wanted
        assert dump() == before

    def test_a_partly_deleted_demo_is_completed_identically(self):
        before = dump()
        deleted = [
            Device.objects.filter(name="H1-A01-DGX01").delete(),  # GPUs, ports, links cascade
            Device.objects.filter(name="H2-C03-ENV").delete(),
            # As a database seeded before the PV and water meters were added to the demo.
            Device.objects.filter(name__in=["MTR-PV-ROOF", "MTR-WATER"]).delete(),
            Link.objects.filter(a__device__name="H1-B02-LEAF").delete(),  # its eight uplinks
            # Free outlets only: deleting a used one unplugs (SET_NULL) a port that exists,
            # and the seed never updates existing rows.
            PowerOutlet.objects.filter(device__name="H2-D08-PDU-B", connected_port=None).delete(),
        ]
        report = seed_demo()
        assert report.created == sum(count for count, _ in deleted) > 0
        assert dump() == before

    def test_command_on_a_complete_demo_says_there_was_nothing_to_do(self):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        lines = out.getvalue().splitlines()
        assert "racks: 0 created, 64 already there" in lines
        assert lines[-1].startswith("Nothing to do") and lines[-1].endswith(" s.")
        quiet = StringIO()
        call_command("seed_demo", "--quiet", stdout=quiet)
        assert len(quiet.getvalue().splitlines()) == 1


class FreshRunTests(TestCase):
    def test_two_fresh_runs_give_identical_data(self):
        with transaction.atomic():
            seed_demo()
            first = dump()
            transaction.set_rollback(True)
        assert not Device.objects.exists()
        seed_demo()
        assert dump() == first
        # The simulated NVML derives the same UUIDs: they are a contract, not a detail.
        gpu = GPU.objects.get(device__name="H1-A01-DGX01", index=0)
        assert gpu.uuid == "GPU-d2895c47-d692-5b2f-8dc2-ac046860b2cd"
        assert gpu.pci_bus_id == "00000000:18:00.0"

    def test_command_prints_a_line_per_stage_and_the_elapsed_time(self):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        lines = out.getvalue().splitlines()
        assert "racks: 64 created" in lines
        assert "devices: 552 created" in lines  # 547, the two HA pairs, the generator
        generator = Device.objects.get(name="GEN-01")
        assert generator.role == DeviceRole.GENERATOR and generator.asset_tag == "DEMO-00552"
        assert re.fullmatch(r"Demo ready: [\d,]+ rows created in \d+\.\d\d s\.", lines[-1])
        server = Device.objects.get(name="H1-A01-DGX01")
        assert server.face == RackFace.FRONT and server.position_u == 2
