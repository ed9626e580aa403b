"""Search: devices by name, serial or asset tag; GPUs by UUID."""

import pytest

from dcim.inventory.models import Device
from dcim.ui.tables import unpooled

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("q", ["gpu-01", "GPU-1234abcd", "DEMO-none"])
def test_search_by_name_serial_tag_or_uuid(viewer_client, live, q):
    Device.objects.filter(name="sw-01").update(serial="SN-XYZ", asset_tag="TAG-7")
    rows = unpooled(viewer_client.get(f"/api/search/?q={q}").json()["tables"]["results"])
    names = [r[0]["t"] for r in rows]
    expected = {"gpu-01": ["gpu-01"], "GPU-1234abcd": ["gpu-01 GPU1"], "DEMO-none": []}[q]
    assert names == expected
    tagged = viewer_client.get("/api/search/?q=TAG-7").json()["tables"]["results"]
    assert unpooled(tagged)[0][0]["t"] == "sw-01"
