"""The Network page and its JSON twin, on switch port readings written through the store:
port counts, throughput and utilization from counter rates, errors and discards per second,
the ports down while enabled, links to each switch's device page, and the empty states."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dcim.dashboard.tests.conftest import add_device, ingest
from dcim.dashboard.tests.html import table_links, table_rows, tile
from dcim.inventory.models import Device, Rack
from dcim.ui.tables import unpooled
from telemetry.readings import Reading

pytestmark = pytest.mark.django_db

GBIT = 1e9


def port(name: str, **values: float) -> list[Reading]:
    """One port's readings as the IF-MIB profile names them (component ``if:<name>``)."""
    units = {"if_speed_bits_per_second": "bits_per_second"}
    units |= {m: "bytes" for m in ("if_in_bytes_total", "if_out_bytes_total")}
    return [Reading(m, v, units.get(m, ""), f"if:{name}") for m, v in values.items()]


@pytest.fixture
def fabric(inventory, device_types) -> dict[str, Device]:
    """sw-01 (leaf, rack A02) reporting four ports over two polls 10 s apart:

    - Ethernet1: up at 100 Gb/s; 12.5 GB in and 6.25 GB out in 10 s (10 and 5 Gb/s, so 10 %
      busy), 30 input errors and 5 input discards (3/s and 0.5/s);
    - Ethernet2: enabled but down, 2 input errors (0.2/s);
    - Ethernet3: disabled (admin down) and down: not a fault;
    - Ethernet10: lowerLayerDown, admin status not reported: counted as down.

    spine-01 (spine, rack A01) has not reported anything.
    """
    leaf = Device.objects.get(name="sw-01")
    Device.objects.filter(pk=leaf.pk).update(network_layer="leaf")
    a01 = Rack.objects.get(name="A01")
    spine = add_device("spine-01", device_types["switch"], a01.room.site, a01)
    Device.objects.filter(pk=spine.pk).update(network_layer="spine")
    now = timezone.now().replace(microsecond=0)
    first, second = now - timedelta(seconds=25), now - timedelta(seconds=15)
    counters = {  # port -> metric -> (first poll, second poll)
        "Ethernet1": {
            "if_in_bytes_total": (1e12, 1e12 + 12.5e9),
            "if_out_bytes_total": (5e11, 5e11 + 6.25e9),
            "if_in_errors_total": (100, 130),
            "if_out_errors_total": (0, 0),
            "if_in_discards_total": (10, 15),
            "if_out_discards_total": (0, 0),
        },
        "Ethernet2": {"if_in_errors_total": (0, 2)},
    }
    for i, at in enumerate((first, second)):
        readings = []
        for name, metrics in counters.items():
            readings += port(name, **{m: pair[i] for m, pair in metrics.items()})
        ingest(leaf, readings, ts=at)
    speed = 100 * GBIT
    status = (
        port("Ethernet1", if_oper_status=1, if_admin_status=1, if_speed_bits_per_second=speed)
        + port("Ethernet2", if_oper_status=2, if_admin_status=1, if_speed_bits_per_second=speed)
        + port("Ethernet3", if_oper_status=2, if_admin_status=2)
        + port("Ethernet10", if_oper_status=7)
    )
    ingest(leaf, status, ts=second)
    return {"leaf": leaf, "spine": spine}


def device_url(device: Device) -> str:
    return f"/devices/{device.pk}/"


def test_switch_rows_show_ports_load_and_errors_with_units(viewer_client, fabric):
    html = viewer_client.get("/network/").content.decode()
    # Switch, Rack, Layer, Status, Ports up, Down, In, Out, Busiest port, Errors, Discards
    assert table_rows(html, "switches") == [
        ["spine-01", "A01", "Spine", "Active", "—", "—", "—", "—", "—", "—", "—"],
        [
            "sw-01",
            "A02",
            "Leaf",
            "Active",
            "1",
            "2",
            "10.0 Gb/s",
            "5.0 Gb/s",
            "10.0 %",
            "3.20/s",
            "0.50/s",
        ],
    ]
    assert table_links(html, "switches") == [
        [device_url(fabric["spine"])] + [None] * 10,
        [device_url(fabric["leaf"])] + [None] * 10,
    ]
    assert '<span class="badge badge-ok" data-status="active">Active</span>' in html


def test_tiles_count_switches_ports_and_throughput(viewer_client, fabric):
    html = viewer_client.get("/network/").content.decode()
    assert tile(html, "switches") == "2"
    assert tile(html, "ports_up") == "1"
    assert tile(html, "ports_down") == "2"  # Ethernet2 and Ethernet10, not disabled Ethernet3
    assert tile(html, "throughput") == "0.01 Tb/s in"  # 10 Gb/s
    assert tile(html, "no_data") == ""


def test_down_ports_are_the_enabled_ones_in_natural_order(viewer_client, fabric):
    html = viewer_client.get("/network/").content.decode()
    assert table_rows(html, "down_ports") == [
        ["sw-01", "Ethernet2", "Down", "admin up, oper not up"],
        ["sw-01", "Ethernet10", "Down", "admin up, oper not up"],
    ]
    assert [r[0] for r in table_links(html, "down_ports")] == [device_url(fabric["leaf"])] * 2
    assert '<span class="badge badge-crit" data-status="down">Down</span>' in html


def test_error_ports_worst_first_as_rates(viewer_client, fabric):
    html = viewer_client.get("/network/").content.decode()
    assert table_rows(html, "error_ports") == [
        ["sw-01", "Ethernet1", "3.00/s", "0.50/s"],
        ["sw-01", "Ethernet2", "0.20/s", "0.00/s"],
    ]
    assert [r[0] for r in table_links(html, "error_ports")] == [device_url(fabric["leaf"])] * 2


def test_the_json_twin_carries_the_same_values_and_links(viewer_client, fabric):
    html = viewer_client.get("/network/").content.decode()
    assert 'data-live-url="/api/network/"' in html
    data = viewer_client.get("/api/network/").json()
    for table in ("switches", "down_ports", "error_ports"):
        rows = unpooled(data["tables"][table])
        assert [[c["t"] for c in r] for r in rows] == table_rows(html, table), table
        assert [r[0].get("h") for r in rows] == [r[0] for r in table_links(html, table)]
    leaf = unpooled(data["tables"]["switches"])[1]
    assert leaf[6]["v"] == 10e9 and leaf[6]["n"] == 1  # sorts by the raw value, bits/s
    assert leaf[6]["t"] == "10.0 Gb/s" and leaf[6]["ti"] == "10,000,000,000 b/s"  # on hover
    assert data["tiles"] == {
        "switches": "2",
        "ports_up": "1",
        "ports_down": "2",
        "throughput": "0.01 Tb/s in",
        "no_data": "",
    }


def test_empty_fleet_says_no_data_yet(viewer_client, inventory):
    assert "No data yet" in viewer_client.get("/api/network/").json()["tiles"]["no_data"]


def test_a_switch_without_readings_shows_dashes_and_says_no_data(viewer_client, inventory):
    html = viewer_client.get("/network/").content.decode()
    assert tile(html, "no_data") == "No data yet: no switch has reported its ports."
    assert table_rows(html, "switches") == [
        ["sw-01", "A02", "—", "Active", "—", "—", "—", "—", "—", "—", "—"]
    ]
    assert table_rows(html, "down_ports") == [["No enabled port is down."]]
    assert table_rows(html, "error_ports") == [["No port has errors or discards now."]]
    # No port data: no throughput figure that would read as a measured zero.
    assert tile(html, "ports_up") == "0" and tile(html, "throughput") == "—"


def test_no_switches_says_so_instead_of_breaking(viewer_client, db):
    response = viewer_client.get("/network/")
    assert response.status_code == 200
    html = response.content.decode()
    assert table_rows(html, "switches") == [["No switches yet."]]
    assert tile(html, "switches") == "0"
    assert tile(html, "no_data") == "No data yet: no switch has reported its ports."
    data = viewer_client.get("/api/network/").json()
    assert all(data["tables"][t]["rows"] == [] for t in ("switches", "down_ports", "error_ports"))
    assert data["tiles"]["switches"] == "0" and data["tiles"]["ports_down"] == "0"
