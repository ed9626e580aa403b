"""Writing the demo: model by model, in dependency order, in one transaction.

Each stage turns the layout into rows keyed by natural key (resolving foreign keys through
the primary keys the previous stages returned) and hands them to bulk.create_missing().
bulk_create skips save() and clean(): the rows built here pass full_clean (the tests check a
sample of every model), and PowerFeed.available_power_w is computed with the model's own
function, as PowerFeed.save() would.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.apps import apps
from django.db import connection, models, transaction

from dcim.inventory.choices import (
    DeviceStatus,
    Fabric,
    FeedSide,
    FeedStatus,
    LinkStatus,
    RoomKind,
)
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
from dcim.inventory.models.power import available_power_w
from demo.inventory import catalog, layout, wiring
from demo.inventory.bulk import Key, SeedReport, StageResult, create_missing


def seed_demo(log: Callable[[str], None] | None = None) -> SeedReport:
    """Create whatever part of the demo data centre is missing, in one transaction.

    ``log`` receives one line per stage (model) as it completes.
    """
    started = time.perf_counter()
    seeder = _Seeder(log or (lambda line: None))
    with transaction.atomic():
        seeder.run()
        if seeder.report.created:
            _analyze()
    seeder.report.elapsed_s = time.perf_counter() - started
    return seeder.report


def _analyze() -> None:
    """Refresh the planner's statistics of the tables just filled.

    Without them PostgreSQL takes an empty database's estimates (one row a table) and
    plans nested loops: a cascade delete of one server then ran for more than ten minutes
    instead of milliseconds. Autovacuum would catch up within a minute; a seed that is used
    at once (tests, ``make run``) cannot wait for it. ANALYZE runs inside the transaction
    and counts its own uncommitted rows.
    """
    tables = [m._meta.db_table for m in apps.get_app_config("inventory").get_models()]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


class _Seeder:
    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log
        self.report = SeedReport()
        self.racks = layout.racks()
        self.devices = layout.devices(self.racks)

    def ensure(
        self,
        label: str,
        model: type[models.Model],
        scope: models.QuerySet,
        key_fields: tuple[str, ...],
        wanted: dict[Key, dict],
    ) -> dict[Key, int]:
        """create_missing(), reported as one stage."""
        pks, created = create_missing(model, scope, key_fields, wanted)
        stage = StageResult(label, created=created, wanted=len(wanted))
        self.report.stages.append(stage)
        self.log(str(stage))
        return pks

    def run(self) -> None:
        self.seed_catalog()
        self.seed_places()
        self.seed_devices()
        self.seed_power()
        self.seed_network()

    def seed_catalog(self) -> None:
        credentials = {(c["name"],): c for c in catalog.CREDENTIALS}
        self.ensure(
            "credentials",
            Credential,
            Credential.objects.filter(name__in=[name for (name,) in credentials]),
            ("name",),
            credentials,
        )
        makers = {
            (slug,): {"name": name, "slug": slug} for name, slug in catalog.MANUFACTURERS.items()
        }
        maker_pk = self.ensure(
            "manufacturers",
            Manufacturer,
            Manufacturer.objects.filter(slug__in=catalog.MANUFACTURERS.values()),
            ("slug",),
            makers,
        )
        types = {
            (spec.slug,): {
                **spec.model_fields(),
                "manufacturer_id": maker_pk[(catalog.MANUFACTURERS[spec.manufacturer],)],
            }
            for spec in catalog.DEVICE_TYPES
        }
        type_pk = self.ensure(
            "device types",
            DeviceType,
            DeviceType.objects.filter(slug__in=[slug for (slug,) in types]),
            ("slug",),
            types,
        )
        self.type_pk = {slug: pk for (slug,), pk in type_pk.items()}

    def seed_places(self) -> None:
        slug = layout.SITE["slug"]
        sites = self.ensure(
            "sites", Site, Site.objects.filter(slug=slug), ("slug",), {(slug,): layout.SITE}
        )
        self.site_pk = sites[(slug,)]
        rooms = {
            (self.site_pk, hall.name): {
                "site_id": self.site_pk,
                "name": hall.name,
                "kind": RoomKind.HALL,
                **layout.HALL_GRID,
            }
            for hall in layout.HALLS
        }
        room_pk = self.ensure(
            "rooms", Room, Room.objects.filter(site_id=self.site_pk), ("site_id", "name"), rooms
        )
        self.room_pk = {hall.number: room_pk[(self.site_pk, hall.name)] for hall in layout.HALLS}
        in_halls = {"room_id__in": self.room_pk.values()}
        rows = {
            (self.room_pk[hall.number], row): {"room_id": self.room_pk[hall.number], "name": row}
            for hall in layout.HALLS
            for row in layout.ROWS
        }
        row_pk = self.ensure("rows", Row, Row.objects.filter(**in_halls), ("room_id", "name"), rows)
        racks = {}
        for rack in self.racks:
            room_id = self.room_pk[rack.hall.number]
            racks[(room_id, rack.name)] = {
                "room_id": room_id,
                "row_id": row_pk[(room_id, rack.row)],
                "name": rack.name,
                "u_height": layout.RACK_U,
                "grid_x": rack.grid_x,
                "grid_y": rack.grid_y,
                "power_budget_kw": layout.GPU_RACK_POWER_KW,
                "cooling_budget_kw": layout.GPU_RACK_COOLING_KW,
                "max_weight_kg": layout.RACK_MAX_WEIGHT_KG,
                "asset_tag": f"DEMO-{rack.name}",
            }
        rack_pk = self.ensure(
            "racks", Rack, Rack.objects.filter(**in_halls), ("room_id", "name"), racks
        )
        self.rack_pk = {name: pk for (_, name), pk in rack_pk.items()}

    def seed_devices(self) -> None:
        devices = {(plan.name,): self._device_fields(plan) for plan in self.devices}
        device_pk = self.ensure(
            "devices",
            Device,
            Device.objects.filter(name__in=[name for (name,) in devices]),
            ("name",),
            devices,
        )
        self.device_pk = {name: pk for (name,), pk in device_pk.items()}
        gpus = {}
        for plan in self.devices:
            for gpu in layout.gpus(plan):
                server = self.device_pk[plan.name]
                gpus[(server, gpu["index"])] = {"device_id": server, **gpu}
        self.ensure(
            "GPUs",
            GPU,
            GPU.objects.filter(device_id__in={server for server, _ in gpus}),
            ("device_id", "index"),
            gpus,
        )

    def _device_fields(self, plan: layout.DevicePlan) -> dict:
        return {
            "name": plan.name,
            "device_type_id": self.type_pk[plan.spec.slug],
            "role": plan.spec.role,
            "status": plan.status,
            "site_id": self.site_pk,
            "room_id": self.room_pk[plan.hall.number] if plan.hall else None,
            "rack_id": self.rack_pk[plan.rack.name] if plan.rack else None,
            "position_u": plan.position_u,
            "face": plan.face,
            "serial": plan.serial,
            "asset_tag": plan.asset_tag,
            "purchase_date": plan.purchase_date,
            "warranty_end": plan.warranty_end,
            "management_address": plan.management_address,
            "network_layer": plan.network_layer,
            "fabric": plan.fabric,
            "comments": plan.comments,
        }

    def seed_power(self) -> None:
        panels = {}
        for hall in layout.HALLS:
            for side in FeedSide.values:
                name = layout.panel_name(hall, side)
                panels[(self.site_pk, name)] = {
                    "site_id": self.site_pk,
                    "room_id": self.room_pk[hall.number],
                    "name": name,
                    "upstream_device_id": self.device_pk[layout.ups_name(side)],
                }
        panel_pk = self.ensure(
            "power panels",
            PowerPanel,
            PowerPanel.objects.filter(site_id=self.site_pk),
            ("site_id", "name"),
            panels,
        )
        feeds = {}
        for rack in self.racks:
            feed = layout.feed_rating(rack)
            watts = available_power_w(
                feed["voltage"], feed["amperage"], feed["max_utilization"], feed["phase"]
            )
            for side in FeedSide.values:
                panel = panel_pk[(self.site_pk, layout.panel_name(rack.hall, side))]
                name = layout.feed_name(rack, side)
                feeds[(panel, name)] = {
                    "panel_id": panel,
                    "rack_id": self.rack_pk[rack.name],
                    "name": name,
                    "status": FeedStatus.ACTIVE,
                    "side": side,
                    **feed,
                    "available_power_w": watts,
                }
        feed_pk = self.ensure(
            "power feeds",
            PowerFeed,
            PowerFeed.objects.filter(panel_id__in=panel_pk.values()),
            ("panel_id", "name"),
            feeds,
        )
        self.feed_pk = {name: pk for (_, name), pk in feed_pk.items()}
        self.seed_outlets_and_ports()

    def seed_outlets_and_ports(self) -> None:
        """PDU outlets, then PDU inlets wired to their feed and device PSUs to PDU outlets."""
        outlet_names = [catalog.pdu_outlet_name(n) for n in range(1, catalog.PDU_OUTLETS + 1)]
        pdus = [(rack, side) for rack in self.racks for side in FeedSide.values]
        pdu_pks = [self.device_pk[layout.pdu_name(rack, side)] for rack, side in pdus]
        outlets = {
            (pdu, name): {"device_id": pdu, "name": name}
            for pdu in pdu_pks
            for name in outlet_names
        }
        outlet_pk = self.ensure(
            "power outlets",
            PowerOutlet,
            PowerOutlet.objects.filter(device_id__in=pdu_pks),
            ("device_id", "name"),
            outlets,
        )
        ports = {}
        for (rack, side), pdu in zip(pdus, pdu_pks, strict=True):
            feed = self.feed_pk[layout.feed_name(rack, side)]
            ports[(pdu, "Inlet")] = {"device_id": pdu, "name": "Inlet", "feed_id": feed}
        by_rack: dict[str, list[layout.DevicePlan]] = {rack.name: [] for rack in self.racks}
        for plan in self.devices:
            if plan.rack:
                by_rack[plan.rack.name].append(plan)
        for rack in self.racks:
            for plug in wiring.plugs(rack, by_rack[rack.name]):
                device = self.device_pk[plug.device]
                ports[(device, plug.port)] = {
                    "device_id": device,
                    "name": plug.port,
                    "outlet_id": outlet_pk[(self.device_pk[plug.pdu], plug.outlet)],
                    "maximum_draw_w": plug.maximum_draw_w,
                    "allocated_draw_w": plug.allocated_draw_w,
                }
        self.ensure(
            "power ports",
            PowerPort,
            PowerPort.objects.filter(device_id__in={device for device, _ in ports}),
            ("device_id", "name"),
            ports,
        )

    def seed_network(self) -> None:
        interfaces = {}
        for plan in self.devices:
            if plan.spec is catalog.DGX_H100:
                ports = [
                    (port, f"compute rail {rail} (GPU {rail})")
                    for rail, port in enumerate(catalog.DGX_H100_COMPUTE_PORTS)
                ]
            elif plan.spec is catalog.QM9700:
                ports = [(port, "") for port in catalog.qm9700_ports()]
            else:
                continue
            device = self.device_pk[plan.name]
            for name, description in ports:
                interfaces[(device, name)] = {
                    "device_id": device,
                    "name": name,
                    "kind": Fabric.INFINIBAND,
                    "speed_gbps": catalog.NDR_GBPS,
                    "description": description,
                }
        networked = {device for device, _ in interfaces}
        interface_pk = self.ensure(
            "interfaces",
            Interface,
            Interface.objects.filter(device_id__in=networked),
            ("device_id", "name"),
            interfaces,
        )
        status = {plan.name: plan.status for plan in self.devices}
        links = {}
        for cable in wiring.cables(self.racks):
            a = interface_pk[(self.device_pk[cable.a_device], cable.a_port)]
            b = interface_pk[(self.device_pk[cable.b_device], cable.b_port)]
            planned = DeviceStatus.PLANNED in (status[cable.a_device], status[cable.b_device])
            links[(a,)] = {
                "a_id": a,
                "b_id": b,
                "label": cable.label,
                "speed_gbps": catalog.NDR_GBPS,
                "status": LinkStatus.PLANNED if planned else LinkStatus.CONNECTED,
            }
        self.ensure(
            "links", Link, Link.objects.filter(a__device_id__in=networked), ("a_id",), links
        )
