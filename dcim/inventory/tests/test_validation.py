"""The inventory's placement and consistency rules, as full_clean() (and so the admin and
the CSV import) enforce them. Power and credential rules live in their own test files."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dcim.inventory.choices import DeviceRole, Fabric, NetworkLayer, RackFace
from dcim.inventory.models import GPU, Device, DeviceType, Link, Rack
from dcim.inventory.tests.factories import (
    make_device,
    make_device_type,
    make_gpu,
    make_interface,
    make_link,
    make_pdu,
    make_rack,
    make_room,
    make_row,
    make_site,
)

pytestmark = pytest.mark.django_db


def errors_of(obj) -> dict[str, list[str]]:
    """The field → messages dict full_clean() raises (fails the test if it passes)."""
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    return exc.value.message_dict


def unsaved_device(rack: Rack | None, device_type: DeviceType, **fields) -> Device:
    fields.setdefault("site", rack.room.site if rack else make_site())
    return Device(
        name=fields.pop("name", "new-device"),
        device_type=device_type,
        role=fields.pop("role", device_type.default_role),
        rack=rack,
        **fields,
    )


@pytest.fixture
def rack() -> Rack:
    return make_rack(u_height=42)


@pytest.fixture
def two_u() -> DeviceType:
    return make_device_type(u_height=2, full_depth=True)


@pytest.fixture
def half_depth() -> DeviceType:
    return make_device_type(u_height=1, full_depth=False)


# -- rack units: overlap and fit ---------------------------------------------------------------


def test_devices_overlapping_in_a_rack_are_refused(rack, two_u):
    make_device(rack, two_u, name="gpu-01", position_u=10)  # U10–U11
    errors = errors_of(unsaved_device(rack, two_u, position_u=11))
    assert errors["position_u"] == [f"U11–U11 of {rack} are taken by gpu-01."]


def test_adjacent_devices_do_not_overlap(rack, two_u):
    make_device(rack, two_u, position_u=10)  # U10–U11
    unsaved_device(rack, two_u, position_u=12).full_clean()
    unsaved_device(rack, two_u, position_u=8).full_clean()


def test_half_depth_devices_on_opposite_faces_share_a_unit(rack, half_depth):
    make_device(rack, half_depth, position_u=20, face=RackFace.FRONT)
    unsaved_device(rack, half_depth, position_u=20, face=RackFace.REAR).full_clean()


def test_half_depth_devices_on_the_same_face_overlap(rack, half_depth):
    make_device(rack, half_depth, name="patch-front", position_u=20, face=RackFace.FRONT)
    errors = errors_of(unsaved_device(rack, half_depth, position_u=20, face=RackFace.FRONT))
    assert "patch-front" in errors["position_u"][0]


def test_full_depth_device_blocks_the_rear_face_too(rack, two_u, half_depth):
    make_device(rack, two_u, name="server", position_u=5)
    errors = errors_of(unsaved_device(rack, half_depth, position_u=6, face=RackFace.REAR))
    assert "server" in errors["position_u"][0]


def test_moving_a_device_by_one_unit_does_not_collide_with_itself(rack, two_u):
    device = make_device(rack, two_u, position_u=10)
    device.position_u = 11
    device.full_clean()


def test_device_must_fit_below_the_top_of_the_rack(two_u):
    rack = make_rack(u_height=42)
    unsaved_device(rack, two_u, position_u=41).full_clean()  # U41–U42: fits exactly
    errors = errors_of(unsaved_device(rack, two_u, position_u=42))
    assert "reaches U43, above the top" in errors["position_u"][0]


def test_zero_u_device_with_a_position_is_refused(rack):
    errors = errors_of(unsaved_device(rack, make_device_type(u_height=0), position_u=3))
    assert "zero-U" in errors["position_u"][0]


def test_zero_u_devices_without_position_do_not_take_units(rack, two_u):
    make_pdu(rack)
    make_pdu(rack)
    make_device(rack, two_u, position_u=1)


def test_position_without_a_rack_is_refused(two_u):
    errors = errors_of(unsaved_device(None, two_u, position_u=3))
    assert errors["position_u"] == ["A U position needs a rack."]


def test_device_in_rack_without_position_is_not_checked_for_fit(rack, two_u):
    make_device(rack, two_u, position_u=1)
    unsaved_device(rack, two_u).full_clean()  # "in the rack, not yet placed"


# -- where a device is: rack, room and site agree ---------------------------------------------


def test_room_and_site_follow_the_rack(rack, two_u):
    device = unsaved_device(rack, two_u, site=rack.room.site, position_u=1)
    device.full_clean()
    assert device.room == rack.room


def test_device_room_must_be_the_rack_room(rack, two_u):
    other_room = make_room(site=rack.room.site)
    errors = errors_of(unsaved_device(rack, two_u, room=other_room))
    assert errors["room"] == [f"Rack {rack} is in {rack.room}, not in {other_room}."]


def test_device_site_must_be_the_rack_site(rack, two_u):
    errors = errors_of(unsaved_device(rack, two_u, site=make_site(name="Elsewhere")))
    assert "not in Elsewhere" in errors["site"][0]


def test_device_room_must_be_in_the_device_site(two_u):
    room = make_room()
    errors = errors_of(unsaved_device(None, two_u, room=room, site=make_site()))
    assert "is in site" in errors["room"][0]


def test_rack_row_must_be_in_the_rack_room():
    row = make_row()
    errors = errors_of(Rack(room=make_room(), row=row, name="A01"))
    assert "not in room" in errors["row"][0]


# -- other device fields -------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value", [("network_layer", NetworkLayer.LEAF), ("fabric", Fabric.INFINIBAND)]
)
def test_network_layer_and_fabric_are_for_switches_only(field, value, two_u):
    server = unsaved_device(None, two_u, role=DeviceRole.GPU_SERVER, **{field: value})
    assert errors_of(server)[field] == [
        "Network layer and fabric apply to switches and routers only."
    ]
    unsaved_device(None, two_u, role=DeviceRole.SWITCH, **{field: value}).full_clean()


def test_warranty_cannot_end_before_purchase(two_u):
    device = unsaved_device(
        None, two_u, purchase_date=date(2025, 3, 1), warranty_end=date(2025, 2, 28)
    )
    assert errors_of(device)["warranty_end"] == [
        "The warranty cannot end before the purchase date."
    ]
    device.warranty_end = date(2028, 3, 1)
    device.full_clean()


def test_typical_power_cannot_exceed_rated_power():
    device_type = make_device_type()
    device_type.rated_power_w, device_type.typical_power_w = 10_200, 10_500
    assert "typical_power_w" in errors_of(device_type)


def test_gpu_index_is_unique_per_device():
    gpu = make_gpu(index=0)
    duplicate = GPU(device=gpu.device, index=0)
    assert "already has a GPU with that index" in str(errors_of(duplicate))
    GPU(device=make_device(), index=0).full_clean()  # another device may use index 0
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


# -- racks on the room grid, and their height ---------------------------------------------------


def test_rack_needs_both_grid_coordinates_or_neither():
    room = make_room()
    assert "grid_y" in errors_of(Rack(room=room, name="A01", grid_x=3))
    assert "grid_x" in errors_of(Rack(room=room, name="A01", grid_y=3))
    Rack(room=room, name="A01").full_clean()


def test_rack_must_stand_inside_the_room_grid():
    room = make_room(grid_columns=20, grid_rows=10)
    Rack(room=room, name="corner", grid_x=19, grid_y=9).full_clean()
    errors = errors_of(Rack(room=room, name="outside", grid_x=20, grid_y=10))
    assert errors["grid_x"] == ["Column 20 is outside the room grid (0–19)."]
    assert errors["grid_y"] == ["Row 10 is outside the room grid (0–9)."]


def test_two_racks_cannot_stand_on_one_tile():
    first = make_rack(grid_x=2, grid_y=3)
    assert errors_of(Rack(room=first.room, name="second", grid_x=2, grid_y=3))


def test_rack_cannot_shrink_below_its_highest_device(rack, two_u):
    make_device(rack, two_u, position_u=39)  # up to U40
    rack.u_height = 39
    assert errors_of(rack)["u_height"] == [
        "Devices are mounted up to U40; the rack must be at least that tall."
    ]
    rack.u_height = 40
    rack.full_clean()


# -- links ---------------------------------------------------------------------------------


def test_link_ends_must_be_on_different_devices():
    device = make_device()
    link = Link(a=make_interface(device), b=make_interface(device))
    assert errors_of(link)["b"] == ["Both ends are on the same device."]


def test_an_interface_takes_part_in_one_link_only():
    existing = make_link()
    # The far end (b) of an existing cable used as the near end (a) of a new one.
    link = Link(a=existing.b, b=make_interface())
    assert "is already cabled" in errors_of(link)["a"][0]


def test_a_link_needs_two_different_interfaces_in_the_database_too():
    interface = make_interface()
    with pytest.raises(IntegrityError), transaction.atomic():
        Link.objects.create(a=interface, b=interface)
