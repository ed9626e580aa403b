"""The power chain: feed capacity, physical limits (in Python and in the database),
which devices may have outlets, and A/B redundancy of a server behind two PDUs."""

import math
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dcim.inventory.choices import DeviceRole, FeedPhase, FeedSide, FeedSupply
from dcim.inventory.models import PowerFeed, PowerOutlet, PowerPanel, PowerPort
from dcim.inventory.models.power import redundant_sides
from dcim.inventory.tests.factories import (
    make_device,
    make_device_type,
    make_pdu,
    make_power_feed,
    make_power_outlet,
    make_power_panel,
    make_power_port,
    make_rack,
    make_room,
)

pytestmark = pytest.mark.django_db


def errors_of(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    return exc.value.message_dict


def stored_available_power(feed: PowerFeed) -> int:
    return PowerFeed.objects.values_list("available_power_w", flat=True).get(pk=feed.pk)


# -- available power ---------------------------------------------------------------------


def test_single_phase_feed_available_power_is_v_times_a_times_80_percent():
    feed = make_power_feed(voltage=230, amperage=32, max_utilization=80)
    assert stored_available_power(feed) == 230 * 32 * 0.80 == 5888
    assert feed.available_power_kw == Decimal("5.888")


def test_three_phase_feed_available_power_includes_root_three():
    feed = make_power_feed(phase=FeedPhase.THREE, voltage=415, amperage=32, max_utilization=80)
    exact = 415 * 32 * 0.80 * math.sqrt(3)  # 18 401.3 W with line-to-line voltage
    assert stored_available_power(feed) == round(exact) == 18401


def test_available_power_is_recomputed_on_every_save():
    feed = make_power_feed(amperage=32)
    feed.amperage = 16
    feed.save()
    assert stored_available_power(feed) == 2944
    feed.max_utilization = 100  # a 100 %-rated breaker
    feed.save()
    assert stored_available_power(feed) == 3680


# -- physical limits: validators for the forms, check constraints for everything else ----------


@pytest.mark.parametrize(
    "field, value",
    [
        ("voltage", 11),
        ("voltage", 1001),
        ("amperage", 0),
        ("amperage", 4001),
        ("max_utilization", 0),
        ("max_utilization", 101),
    ],
)
def test_feed_numbers_must_be_physical(field, value):
    feed = PowerFeed(panel=make_power_panel(), name="F1", **{field: value})
    assert field in errors_of(feed)
    with pytest.raises(IntegrityError), transaction.atomic():
        feed.save()  # no full_clean: the database refuses it on its own


def test_dc_feed_cannot_be_three_phase():
    feed = PowerFeed(
        panel=make_power_panel(), name="DC1", supply=FeedSupply.DC, phase=FeedPhase.THREE
    )
    assert errors_of(feed)["phase"] == ["A DC feed has no phases: choose single."]
    feed.phase = FeedPhase.SINGLE
    feed.full_clean()


def test_feed_rack_must_be_in_the_panel_site():
    feed = PowerFeed(panel=make_power_panel(), name="F1", rack=make_rack())
    assert "not in the panel's site" in errors_of(feed)["rack"][0]


def test_panel_room_must_be_in_the_panel_site():
    panel = PowerPanel(site=make_power_panel().site, name="RPP-1", room=make_room())
    assert "is not in site" in errors_of(panel)["room"][0]


# -- outlets and ports -------------------------------------------------------------------------


def test_only_pdus_and_upss_have_outlets():
    server = make_device(device_type=make_device_type(default_role=DeviceRole.GPU_SERVER))
    assert errors_of(PowerOutlet(device=server, name="1"))["device"] == [
        "Only PDUs and UPSs have power outlets."
    ]
    PowerOutlet(device=make_pdu(), name="1").full_clean()


def test_a_pdu_cannot_be_plugged_into_itself():
    outlet = make_power_outlet()
    port = PowerPort(device=outlet.device, name="inlet", outlet=outlet)
    assert errors_of(port)["outlet"] == ["A device cannot be plugged into its own outlet."]


def test_allocated_draw_cannot_exceed_maximum_draw():
    port = PowerPort(device=make_device(), name="PSU1", maximum_draw_w=2000, allocated_draw_w=2500)
    assert "allocated_draw_w" in errors_of(port)


def test_a_power_port_has_one_upstream_only():
    port = PowerPort(
        device=make_device(), name="PSU1", outlet=make_power_outlet(), feed=make_power_feed()
    )
    assert "an outlet or a feed, not both" in str(errors_of(port))
    with pytest.raises(IntegrityError), transaction.atomic():
        port.save()


# -- redundancy ----------------------------------------------------------------------------


def test_server_on_pdu_a_and_pdu_b_is_redundant():
    rack = make_rack()
    panel = make_power_panel(site=rack.room.site)
    server = make_device(rack, position_u=10)
    for side in (FeedSide.A, FeedSide.B):
        feed = make_power_feed(panel, side=side, rack=rack)
        pdu = make_pdu(rack, name=f"pdu-{side}-{rack.name}")
        make_power_port(pdu, name="inlet", feed=feed)
        make_power_port(server, name=f"PSU-{side}", outlet=make_power_outlet(pdu))
    assert redundant_sides(server) == {"A", "B"}


def test_server_with_both_supplies_on_one_pdu_is_not_redundant():
    rack = make_rack()
    pdu = make_pdu(rack)
    make_power_port(pdu, name="inlet", feed=make_power_feed(side=FeedSide.A))
    server = make_device(rack, position_u=1)
    for psu in ("PSU1", "PSU2"):
        make_power_port(server, name=psu, outlet=make_power_outlet(pdu))
    assert redundant_sides(server) == {"A"}
    assert redundant_sides(make_device()) == set()  # nothing plugged in
