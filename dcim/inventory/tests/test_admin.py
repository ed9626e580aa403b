"""The inventory admin as its users meet it: every page loads for an Admin and is closed to
a Viewer, lists cost the same number of queries however long they are, the inlines are
where people look for them, and an edit is recorded with its author and before/after."""

from typing import Any

import pytest
from django.contrib import admin
from django.db import connection, models
from django.forms import CheckboxInput
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from dcim.inventory.models import (
    GPU,
    Device,
    PowerFeed,
    PowerPanel,
    Rack,
    Site,
)
from dcim.inventory.tests.factories import (
    make_device,
    make_one_of_each,
    make_pdu,
    make_rack,
)

pytestmark = pytest.mark.django_db

INVENTORY_MODELS = [
    "site",
    "room",
    "row",
    "rack",
    "manufacturer",
    "devicetype",
    "device",
    "gpu",
    "powerpanel",
    "powerfeed",
    "poweroutlet",
    "powerport",
    "interface",
    "link",
    "credential",
]


def admin_url(obj_or_name: models.Model | str, page: str) -> str:
    if isinstance(obj_or_name, str):
        return reverse(f"admin:inventory_{obj_or_name}_{page}")
    name = obj_or_name._meta.model_name
    return reverse(f"admin:inventory_{name}_{page}", args=[obj_or_name.pk])


def one_of(objects: dict, model_name: str) -> models.Model:
    return next(obj for model, obj in objects.items() if model._meta.model_name == model_name)


def resubmit(response, **changes: Any) -> dict[str, Any]:
    """The POST body a browser sends back for an admin change page, plus ``changes``.

    Built from the rendered forms (main form, then each inline's management form and
    forms), so the test edits exactly what a person would see, inlines included.
    """
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data: dict[str, Any] = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if isinstance(bound.field.widget, CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
            elif value is not None:
                data[bound.html_name] = value
    data.update(changes)
    return data


@pytest.fixture
def objects() -> dict:
    return make_one_of_each()


# -- every page, for each role -----------------------------------------------------------------


def test_every_inventory_model_has_an_admin(objects):
    registered = {
        m._meta.model_name for m in admin.site._registry if m._meta.app_label == "inventory"
    }
    assert registered == set(INVENTORY_MODELS)
    assert {m._meta.model_name for m in objects} == set(INVENTORY_MODELS)


@pytest.mark.parametrize("model_name", INVENTORY_MODELS)
def test_admin_role_opens_list_search_add_change_and_history(
    admin_role_client, objects, model_name
):
    obj = one_of(objects, model_name)
    assert admin_role_client.get(admin_url(model_name, "changelist")).status_code == 200
    assert admin_role_client.get(admin_url(model_name, "changelist"), {"q": "x"}).status_code == 200
    assert admin_role_client.get(admin_url(model_name, "add")).status_code == 200
    change = admin_role_client.get(admin_url(obj, "change"))
    assert change.status_code == 200
    assert change.context["has_change_permission"]
    assert admin_role_client.get(admin_url(obj, "history")).status_code == 200


@pytest.mark.parametrize("model_name", INVENTORY_MODELS)
def test_viewer_role_is_sent_to_the_admin_login(viewer_client, objects, model_name):
    obj = one_of(objects, model_name)
    for url in (
        admin_url(model_name, "changelist"),
        admin_url(model_name, "add"),
        admin_url(obj, "change"),
    ):
        response = viewer_client.get(url)
        login = f"{reverse('admin:login')}?next={url}"
        assertRedirects(response, login, fetch_redirect_response=False)


@pytest.mark.parametrize("model_name", INVENTORY_MODELS)
def test_changelist_queries_do_not_grow_with_rows(admin_role_client, model_name):
    """list_select_related and annotations at work: no query per row (N+1)."""

    def queries_for_changelist() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_role_client.get(admin_url(model_name, "changelist")).status_code == 200
        return len(captured)

    make_one_of_each()
    one_row = queries_for_changelist()
    make_one_of_each()
    make_one_of_each()
    assert queries_for_changelist() == one_row


def test_autocomplete_finds_a_rack_by_name_for_the_device_form(admin_role_client):
    rack = make_rack(name="H1-A07")
    response = admin_role_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "inventory", "model_name": "device", "field_name": "rack", "term": "A07"},
    )
    assert [r["id"] for r in response.json()["results"]] == [str(rack.pk)]


# -- inlines and read-only figures ---------------------------------------------------------------


def inline_models(response) -> set[str]:
    return {f.formset.model._meta.model_name for f in response.context["inline_admin_formsets"]}


def test_device_page_edits_gpus_power_ports_and_interfaces(admin_role_client, objects):
    response = admin_role_client.get(admin_url(objects[Device], "change"))
    assert inline_models(response) == {"gpu", "powerport", "interface"}
    pdu_page = admin_role_client.get(admin_url(make_pdu(), "change"))
    assert "poweroutlet" in inline_models(pdu_page)


def test_rack_page_lists_its_devices_with_links(admin_role_client, objects):
    rack = objects[Rack]
    html = admin_role_client.get(admin_url(rack, "change")).content.decode()
    for device in rack.devices.all():
        assert device.name in html
        assert admin_url(device, "change") in html


def test_site_page_shows_rooms_and_panel_page_shows_feeds(admin_role_client, objects):
    assert "room" in inline_models(admin_role_client.get(admin_url(objects[Site], "change")))
    panel_page = admin_role_client.get(admin_url(objects[PowerPanel], "change"))
    assert "powerfeed" in inline_models(panel_page)


def test_feed_available_power_is_shown_in_kilowatts_and_not_editable(admin_role_client, objects):
    feed = objects[PowerFeed]  # 230 V × 32 A × 80 % = 5888 W
    page = admin_role_client.get(admin_url(feed, "change"))
    assert "5.89 kW" in page.content.decode()
    assert "available_power_w" not in page.context["adminform"].form.fields
    listing = admin_role_client.get(admin_url("powerfeed", "changelist")).content.decode()
    assert "5.89 kW" in listing


def test_import_and_export_are_offered_for_devices_and_racks(admin_role_client):
    for model_name in ("device", "rack"):
        html = admin_role_client.get(admin_url(model_name, "changelist")).content.decode()
        assert admin_url(model_name, "import") in html
        assert admin_url(model_name, "export") in html


# -- history -----------------------------------------------------------------------------------


def test_admin_edit_is_recorded_with_author_and_before_after(admin_role_client, admin_role_user):
    rack = make_rack(status="active", u_height=42)
    make_device(rack, position_u=1)  # so the read-only devices inline is part of the page
    url = admin_url(rack, "change")
    response = admin_role_client.post(
        url, resubmit(admin_role_client.get(url), status="reserved", u_height=48)
    )
    assert response.status_code == 302

    latest, previous = rack.history.all()[:2]
    assert latest.history_user == admin_role_user
    changes = {(c.field, c.old, c.new) for c in latest.diff_against(previous).changes}
    assert changes == {("status", "active", "reserved"), ("u_height", 42, 48)}

    history_page = admin_role_client.get(admin_url(rack, "history")).content.decode()
    assert admin_role_user.username in history_page
    assert "reserved" in history_page and "48" in history_page


def test_inline_edit_is_recorded_with_its_author(admin_role_client, admin_role_user, objects):
    """GPUs edited on the device page: the middleware gives inline saves their author too."""
    gpu = objects[GPU]
    url = admin_url(gpu.device, "change")
    response = admin_role_client.post(
        url, resubmit(admin_role_client.get(url), **{"gpus-0-model": "H100"})
    )
    assert response.status_code == 302
    latest, previous = gpu.history.all()[:2]
    assert latest.history_user == admin_role_user
    assert [(c.field, c.new) for c in latest.diff_against(previous).changes] == [("model", "H100")]
