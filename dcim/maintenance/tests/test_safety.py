"""The safety check before scheduling: A+B feeds of a rack, the last working cooling unit
of a room, and checks other apps register."""

from __future__ import annotations

import pytest

from dcim.inventory.choices import DeviceStatus
from dcim.maintenance.safety import register_safety_check, unregister_safety_check, warnings_for

pytestmark = pytest.mark.django_db


def ids(*objs):
    return {o.pk for o in objs}


def test_taking_both_feeds_of_a_rack_warns(hall):
    got = warnings_for({"power_feeds": ids(hall.feed_a, hall.feed_b)})
    assert got == ["Rack M01 loses both its A and its B feed: every device in it goes down."]


def test_one_feed_is_concurrently_maintainable(hall):
    assert warnings_for({"power_feeds": ids(hall.feed_a)}) == []
    assert warnings_for({"power_panels": ids(hall.panel_b)}) == []


def test_a_panel_and_the_other_sides_pdu_also_cut_both_sides(hall):
    got = warnings_for({"power_panels": ids(hall.panel_a), "devices": ids(hall.pdu_b)})
    assert got and got[0].startswith("Rack M01 loses both")


def test_naming_the_rack_itself_is_meant_and_not_warned(hall):
    assert warnings_for({"racks": ids(hall.rack)}) == []


def test_the_last_working_cooling_unit_of_a_room_warns(hall):
    assert warnings_for({"cooling_units": ids(hall.crahs[0])}) == []
    hall.crahs[1].status = DeviceStatus.FAILED
    hall.crahs[1].save()
    got = warnings_for({"cooling_units": ids(hall.crahs[0])})
    assert got == [
        "Room Hall M loses its last working cooling unit: nothing cools it during the work."
    ]


def test_registered_checks_get_the_devices_taken_down(hall):
    seen = []

    def ha_pair(down: set[int]) -> list[str]:
        seen.append(down)
        return ["both members of HA group X"] if hall.servers[0].pk in down else []

    register_safety_check(ha_pair)
    try:
        assert warnings_for({"power_feeds": ids(hall.feed_a)}) == ["both members of HA group X"]
    finally:
        unregister_safety_check(ha_pair)
    assert ids(hall.pdu_a, *hall.servers) <= seen[0]
