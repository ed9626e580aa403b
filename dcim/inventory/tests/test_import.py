"""CSV import and export of racks and devices: names instead of ids, every row validated
by the model (against the rows before it in the same file), and all-or-nothing files."""

from datetime import date

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dcim.inventory.models import Device, DeviceType, Rack
from dcim.inventory.resources import DeviceResource, RackResource
from dcim.inventory.tests.factories import (
    make_device,
    make_device_type,
    make_rack,
    make_room,
    make_row,
    make_site,
)

pytestmark = pytest.mark.django_db

DEVICE_HEADER = "name,device_type,role,site,room,rack,position_u,face,serial\n"


def dataset(csv_text: str) -> tablib.Dataset:
    return tablib.Dataset().load(csv_text, format="csv")


def row_errors(result) -> dict[int, set[str]]:
    """Row number (1 = first data row) → the columns named in that row's errors."""
    return {row.number: set(row.error_dict) for row in result.invalid_rows}


def admin_import(client, model_name: str, csv_text: str):
    """Step one of the admin import: upload, dry run, and the preview (or the errors)."""
    upload = SimpleUploadedFile(f"{model_name}s.csv", csv_text.encode(), "text/csv")
    return client.post(
        reverse(f"admin:inventory_{model_name}_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )


def admin_confirm(client, model_name: str, preview) -> None:
    """Step two: post the confirm form of the preview, as the "Confirm import" button does."""
    confirm = preview.context["confirm_form"]
    response = client.post(reverse(f"admin:inventory_{model_name}_process_import"), confirm.initial)
    assert response.status_code == 302


def admin_export(client, model_name: str) -> str:
    """The CSV the admin's export page sends back with every column ticked."""
    url = reverse(f"admin:inventory_{model_name}_export")
    form = client.get(url).context["form"]
    columns = {name for name, field in form.fields.items() if hasattr(field, "resource_name")}
    response = client.post(url, {"format": "0", "resource": "0"} | dict.fromkeys(columns, "on"))
    assert response["Content-Type"].startswith("text/csv")
    return response.content.decode()


@pytest.fixture
def hall():
    """A site "Paris" with hall "H1", a row "A" and two racks, and a 2U server type."""
    room = make_room(make_site(name="Paris"), name="H1")
    make_row(room, name="A")
    make_rack(room, name="H1-A01")
    make_rack(room, name="H1-A02")
    make_device_type(slug="gpu-8x", u_height=2, default_role="gpu_server")
    return room


# -- success -----------------------------------------------------------------------------------


def test_racks_import_through_the_admin_in_two_steps(admin_role_client, hall):
    csv_text = (
        "site,room,row,name,u_height,grid_x,grid_y\n"
        "Paris,H1,A,H1-A03,48,3,0\n"
        "Paris,H1,,H1-B01,42,,\n"
    )
    preview = admin_import(admin_role_client, "rack", csv_text)
    assert preview.context["result"].totals["new"] == 2
    assert not Rack.objects.filter(name="H1-A03").exists()  # the preview was a dry run
    admin_confirm(admin_role_client, "rack", preview)

    a03 = Rack.objects.get(name="H1-A03")
    assert (a03.room, a03.row.name, a03.u_height, a03.grid_x) == (hall, "A", 48, 3)
    assert Rack.objects.get(name="H1-B01").row is None


def test_devices_import_through_the_admin_with_their_author(
    admin_role_client, admin_role_user, hall
):
    csv_text = DEVICE_HEADER + (
        "gpu-001,gpu-8x,,Paris,,H1-A01,10,front,SN1\ngpu-002,gpu-8x,,Paris,H1,H1-A02,10,,SN2\n"
    )
    preview = admin_import(admin_role_client, "device", csv_text)
    admin_confirm(admin_role_client, "device", preview)

    gpu1 = Device.objects.get(name="gpu-001")
    assert (gpu1.rack.name, gpu1.room, gpu1.position_u) == ("H1-A01", hall, 10)
    assert gpu1.role == "gpu_server"  # blank role: the device type's default
    assert gpu1.history.get().history_user == admin_role_user


def test_devices_import_through_the_resource(hall):
    csv_text = DEVICE_HEADER + "sw-01,gpu-8x,switch,Paris,H1,H1-A01,40,rear,\n"
    result = DeviceResource().import_data(dataset(csv_text), dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors()
    switch = Device.objects.get(name="sw-01")
    assert (switch.role, switch.face, switch.asset_tag) == ("switch", "rear", None)


def test_rack_name_is_resolved_within_the_site(hall):
    make_rack(make_room(make_site(name="Lyon"), name="H1"), name="H1-A01")  # same names
    csv_text = DEVICE_HEADER + "gpu-001,gpu-8x,,Lyon,,H1-A01,1,,\n"
    DeviceResource().import_data(dataset(csv_text), dry_run=False)
    assert Device.objects.get(name="gpu-001").site.name == "Lyon"


def test_an_ambiguous_rack_name_asks_for_the_room(hall):
    make_rack(make_room(hall.site, name="H2"), name="H1-A01")  # same name, other room
    csv_text = DEVICE_HEADER + "gpu-001,gpu-8x,,Paris,,H1-A01,1,,\n"
    result = DeviceResource().import_data(dataset(csv_text), dry_run=False)
    [invalid] = result.invalid_rows
    assert invalid.error_dict["rack"] == [
        "Several racks are named 'H1-A01' in site 'Paris': fill in the room column."
    ]
    fixed = DEVICE_HEADER + "gpu-001,gpu-8x,,Paris,H2,H1-A01,1,,\n"
    DeviceResource().import_data(dataset(fixed), dry_run=False)
    assert Device.objects.get(name="gpu-001").room.name == "H2"


# -- failure: nothing imported, every bad row and column named ----------------------------------

BAD_DEVICES = DEVICE_HEADER + (
    "gpu-001,gpu-8x,,Paris,H1,H1-A01,10,,\n"  # 1: good
    "gpu-002,gpu-8x,,Paris,H1,H1-A01,11,,\n"  # 2: overlaps row 1 (U11)
    "gpu-003,no-such-type,,Paris,H1,H1-A02,1,,\n"  # 3: unknown device type
    "gpu-004,gpu-8x,,Paris,H1,H9-Z99,1,,\n"  # 4: unknown rack
    "gpu-005,gpu-8x,,Paris,H1,H1-A02,42,,\n"  # 5: 2U at U42 of a 42U rack
)


def test_a_file_with_bad_rows_imports_nothing_through_the_resource(hall):
    result = DeviceResource().import_data(dataset(BAD_DEVICES), dry_run=False)
    columns = row_errors(result)
    assert set(columns) == {2, 3, 4, 5}
    # Each row names its culprit (and what follows from it: no type, no role to take).
    assert columns[2] == {"position_u"} and columns[5] == {"position_u"}
    assert "device_type" in columns[3] and "rack" in columns[4]
    assert not Device.objects.exists()  # not even the good row 1
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert "taken by gpu-001" in errors[2]["position_u"][0]
    assert errors[3]["device_type"] == ["No device type 'no-such-type'."]
    assert errors[4]["rack"] == ["No rack 'H9-Z99' in site 'Paris', room 'H1'."]


def test_a_file_with_bad_rows_imports_nothing_through_the_admin(admin_role_client, hall):
    response = admin_import(admin_role_client, "device", BAD_DEVICES)
    assert "confirm_form" not in response.context
    html = response.content.decode()
    for number, column in ((2, "position_u"), (3, "device_type"), (4, "rack"), (5, "position_u")):
        assert f"<td>{number} </td>" in html
        assert column in html
    assert "No device type &#x27;no-such-type&#x27;." in html
    assert not Device.objects.exists()


def test_a_device_overlapping_one_already_in_the_rack_is_refused(hall):
    make_device(Rack.objects.get(name="H1-A01"), name="old", position_u=20)
    csv_text = DEVICE_HEADER + "new,gpu-8x,,Paris,H1,H1-A01,20,,\n"
    result = DeviceResource().import_data(dataset(csv_text), dry_run=False)
    assert row_errors(result) == {1: {"position_u"}}


def test_a_bad_rack_row_rolls_back_the_good_ones(hall):
    csv_text = (
        "site,room,row,name,grid_x,grid_y\n"
        "Paris,H1,A,H1-A03,5,0\n"
        "Paris,H9,,H9-A01,,\n"  # unknown room
        "Paris,H1,,H1-A04,5,\n"  # half a grid position
    )
    result = RackResource().import_data(dataset(csv_text), dry_run=False)
    assert row_errors(result) == {2: {"room"}, 3: {"grid_y"}}
    assert not Rack.objects.filter(name="H1-A03").exists()


# -- round trip ------------------------------------------------------------------------------


def test_exported_devices_reimport_cleanly(admin_role_client, hall):
    a01 = Rack.objects.get(name="H1-A01")
    gpu_type = DeviceType.objects.get(slug="gpu-8x")
    make_device(
        a01,
        gpu_type,
        name="gpu-001",
        position_u=1,
        serial="SN1",
        asset_tag="AT-1",
        purchase_date=date(2025, 1, 31),
        warranty_end=date(2028, 1, 31),
    )
    make_device(a01, name="sw-001", role="switch", position_u=40, network_layer="leaf")
    make_device(site=hall.site, name="spare-001", comments='has "quotes", commas')
    exported = admin_export(admin_role_client, "device")
    assert exported.splitlines()[1].startswith("gpu-001,gpu-8x,gpu_server,active,Paris,H1,H1-A01,1")

    # Over the same data: every row unchanged, nothing to fix.
    result = DeviceResource().import_data(dataset(exported), dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == 3

    # Into an empty inventory, through the admin: the same devices come back.
    Device.objects.all().delete()
    admin_confirm(admin_role_client, "device", admin_import(admin_role_client, "device", exported))
    assert admin_export(admin_role_client, "device") == exported


def test_exported_racks_reimport_cleanly(hall):
    make_rack(make_room(make_site(name="Lyon"), name="H1"), name="H1-A01", grid_x=0, grid_y=0)
    exported = RackResource().export().csv
    assert "Lyon,H1,,H1-A01" in exported and "Paris,H1,,H1-A01" in exported
    result = RackResource().import_data(dataset(exported), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == 3
