"""The energy admin as its users meet it: every page loads for an Admin and is closed to
Viewers and Operators, meters show their ledger status, import and export CSV by names
(a bad file imports nothing and names its rows), and the ledger rebuilds on request."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
import tablib
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertRedirects

from dcim.accounts.roles import ADMIN, OPERATOR, VIEWER
from dcim.energy.ledger import update_ledger
from dcim.energy.models import (
    Allocation,
    CarbonFactor,
    EnergyHour,
    Meter,
    MeterKind,
    RenewableCertificate,
    Tariff,
    TariffBand,
    Tenant,
)
from dcim.energy.resources import MeterResource
from dcim.energy.tasks import LEDGER_LOCK_KEY
from dcim.energy.tests.samples import every, write
from dcim.inventory.tests.factories import make_device, make_rack, make_room, make_site

pytestmark = pytest.mark.django_db

ENERGY_ADMINS = ["meter", "carbonfactor", "tariff", "renewablecertificate", "tenant"]
POWER = "meter_active_power_watts"
HEADER = "name,kind,site,room,parent,device,metric,component,counter_bits,enabled\n"


def admin_url(obj_or_name: models.Model | str, page: str) -> str:
    if isinstance(obj_or_name, str):
        return reverse(f"admin:energy_{obj_or_name}_{page}")
    return reverse(f"admin:energy_{obj_or_name._meta.model_name}_{page}", args=[obj_or_name.pk])


@pytest.fixture
def objects(site, make_meter) -> dict[str, models.Model]:
    """One of each energy model with an admin, in the energy test site."""
    tariff = Tariff.objects.create(
        site=site,
        name="Grid 2026",
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        price_per_kwh=Decimal("0.21"),
    )
    TariffBand.objects.create(
        tariff=tariff,
        name="peak",
        weekdays="12345",
        start=time(8),
        end=time(20),
        price_per_kwh=Decimal("0.30"),
    )
    tenant = Tenant.objects.create(name="Acme AI")
    Allocation.objects.create(
        tenant=tenant, rack=make_rack(make_room(site)), start=datetime(2026, 1, 1, tzinfo=UTC)
    )
    return {
        "meter": make_meter("UTIL-A", MeterKind.UTILITY, POWER),
        "carbonfactor": CarbonFactor.objects.create(
            site=site, valid_from=datetime(2026, 1, 1, tzinfo=UTC), kg_co2_per_kwh=0.35
        ),
        "tariff": tariff,
        "renewablecertificate": RenewableCertificate.objects.create(
            site=site,
            start=datetime(2026, 1, 1).date(),
            end=datetime(2026, 12, 31).date(),
            kwh=1e6,
        ),
        "tenant": tenant,
    }


# -- pages and roles ---------------------------------------------------------------------


def test_every_energy_model_people_edit_has_an_admin():
    registered = {m._meta.model_name for m in admin.site._registry if m._meta.app_label == "energy"}
    assert registered == set(ENERGY_ADMINS)


@pytest.mark.parametrize("model_name", ENERGY_ADMINS)
def test_admin_role_opens_list_search_add_change_and_history(
    admin_role_client, objects, model_name
):
    obj = objects[model_name]
    assert admin_role_client.get(admin_url(model_name, "changelist")).status_code == 200
    assert admin_role_client.get(admin_url(model_name, "changelist"), {"q": "x"}).status_code == 200
    assert admin_role_client.get(admin_url(model_name, "add")).status_code == 200
    change = admin_role_client.get(admin_url(obj, "change"))
    assert change.status_code == 200
    assert change.context["has_change_permission"]
    assert admin_role_client.get(admin_url(obj, "history")).status_code == 200


@pytest.mark.parametrize("client_fixture", ["viewer_client", "operator_client"])
@pytest.mark.parametrize("model_name", ENERGY_ADMINS)
def test_viewers_and_operators_are_sent_to_the_admin_login(
    request, objects, model_name, client_fixture
):
    client = request.getfixturevalue(client_fixture)
    for url in (
        admin_url(model_name, "changelist"),
        admin_url(model_name, "add"),
        admin_url(objects[model_name], "change"),
        admin_url(model_name, "import") if model_name == "meter" else admin_url(model_name, "add"),
    ):
        login = f"{reverse('admin:login')}?next={url}"
        assertRedirects(client.get(url), login, fetch_redirect_response=False)


def test_viewers_and_operators_may_view_energy_models_and_only_admins_change_them(db):
    def perms(role: str) -> set[str]:
        return set(
            Group.objects.get(name=role)
            .permissions.filter(content_type__app_label="energy")
            .values_list("codename", flat=True)
        )

    for role in (VIEWER, OPERATOR):
        assert {"view_meter", "view_tariff", "view_tenant"} <= perms(role)
        assert not {p for p in perms(role) if not p.startswith("view_")}
    assert {"add_meter", "change_meter", "delete_meter", "change_tariff"} <= perms(ADMIN)


def test_tariff_page_edits_its_bands_and_tenant_page_its_allocations(admin_role_client, objects):
    def inlines(obj) -> set[str]:
        page = admin_role_client.get(admin_url(obj, "change"))
        return {f.formset.model._meta.model_name for f in page.context["inline_admin_formsets"]}

    assert inlines(objects["tariff"]) == {"tariffband"}
    assert inlines(objects["tenant"]) == {"allocation"}


def test_autocomplete_finds_a_parent_meter_by_name(admin_role_client, objects):
    response = admin_role_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "energy", "model_name": "meter", "field_name": "parent", "term": "UTIL"},
    )
    assert [r["id"] for r in response.json()["results"]] == [str(objects["meter"].pk)]


# -- the meter list: series and ledger status ------------------------------------------------


def test_meter_list_shows_series_last_ledger_hour_and_coverage(admin_role_client, site, make_meter):
    now = timezone.now()
    hi = now.replace(minute=0, second=0, microsecond=0)
    fed = make_meter("UTIL-A", MeterKind.UTILITY, POWER)
    make_meter("IT-NONE", MeterKind.IT_UPS_OUTPUT, POWER)  # no data: no series
    # 30 h of history, with the last 12 complete hours missing: 12 of 24 hours covered.
    start = hi - timedelta(hours=30)
    write(fed.device, POWER, "watts", every(start, hi - timedelta(hours=12), 60, 1000.0))
    update_ledger(now=now)
    fed.refresh_from_db()
    last = EnergyHour.objects.filter(series_id=fed.series_id).latest("hour").hour

    page = admin_role_client.get(admin_url("meter", "changelist"))
    rows = {m.name: m for m in page.context["cl"].result_list}
    html = page.content.decode()
    assert rows["UTIL-A"].ledger_status.coverage_24h == pytest.approx(0.5, abs=0.01)
    assert rows["IT-NONE"].ledger_status is None
    assert f"{last:%Y-%m-%d %H:00}" in html and "50%" in html
    assert html.count('alt="True"') == 3 and html.count('alt="False"') == 1
    change = admin_role_client.get(admin_url(fed, "change")).content.decode()
    assert "50%" in change


def test_meter_list_queries_do_not_grow_with_rows(admin_role_client, site):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_role_client.get(admin_url("meter", "changelist")).status_code == 200
        return len(captured)

    def add_meters(n: int) -> None:
        for _ in range(n):
            k = Meter.objects.count()
            device = make_device(site=site, name=f"pm-{k}")
            Meter.objects.create(
                name=f"M{k}",
                kind=MeterKind.IT_PDU_OUTPUT,
                site=site,
                device=device,
                metric=POWER,
                series_id=1000 + k,
            )

    add_meters(1)
    one = queries()
    add_meters(3)
    assert queries() == one


# -- the rebuild action ----------------------------------------------------------------------


def test_rebuild_action_recomputes_the_selected_meters(admin_role_client, site, make_meter):
    now = timezone.now()
    hi = now.replace(minute=0, second=0, microsecond=0)
    fed = make_meter("UTIL-A", MeterKind.UTILITY, POWER)
    silent = make_meter("IT-NONE", MeterKind.IT_UPS_OUTPUT, POWER)
    write(fed.device, POWER, "watts", every(hi - timedelta(hours=3), hi, 60, 2000.0))
    response = admin_role_client.post(
        admin_url("meter", "changelist"),
        {"action": "rebuild_ledger", "_selected_action": [fed.pk, silent.pk]},
        follow=True,
    )
    fed.refresh_from_db()
    hours = EnergyHour.objects.filter(series_id=fed.series_id)
    assert hours.count() == 3
    assert sum(h.quantity for h in hours) == pytest.approx(6.0)  # 2 kW × 3 h
    shown = [str(m) for m in response.context["messages"]]
    assert shown[0].startswith("Ledger rebuilt for 1 meter(s): 3 hours")
    assert "No series in the store yet" in shown[1] and "IT-NONE" in shown[1]


def test_rebuild_waits_for_a_ledger_run_in_progress(admin_role_client, site, make_meter):
    hi = timezone.now().replace(minute=0, second=0, microsecond=0)
    fed = make_meter("UTIL-A", MeterKind.UTILITY, POWER)
    write(fed.device, POWER, "watts", every(hi - timedelta(hours=3), hi, 60, 2000.0))
    other = connections.create_connection("default")  # the beat run's session
    try:
        with other.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", [LEDGER_LOCK_KEY])
            response = admin_role_client.post(
                admin_url("meter", "changelist"),
                {"action": "rebuild_ledger", "_selected_action": [fed.pk]},
                follow=True,
            )
    finally:
        other.close()  # ends the session, and its lock
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["A ledger run is in progress: try again in a minute."]
    assert not EnergyHour.objects.exists()


# -- CSV import and export -------------------------------------------------------------------


def dataset(csv_text: str) -> tablib.Dataset:
    return tablib.Dataset().load(csv_text, format="csv")


def admin_import(client, csv_text: str):
    """Step one of the admin import: upload, dry run, and the preview (or the errors)."""
    upload = SimpleUploadedFile("meters.csv", csv_text.encode(), "text/csv")
    return client.post(
        admin_url("meter", "import"), {"import_file": upload, "format": "0", "resource": "0"}
    )


@pytest.fixture
def plant(site, room):
    """Power meters' devices in the energy test site (room "Hall 1"), and another site."""
    for name in ("pm-incomer", "pm-ups", "pm-pdu-a"):
        make_device(site=site, name=name)
    make_device(site=make_site(name="Other", slug="other"), name="pm-elsewhere")
    return site


GOOD = HEADER + (
    "UTIL-A,utility,energy-test,,,pm-incomer,meter_active_energy_joules_total,,64,true\n"
    "UPS-OUT,it_ups_output,energy-test,,UTIL-A,pm-ups,ups_output_power_watts,,,\n"
    "PDU-A,it_pdu_output,energy-test,Hall 1,UPS-OUT,pm-pdu-a,pdu_power_watts,inlet:I1,,0\n"
)


def test_meters_import_through_the_admin_in_two_steps(admin_role_client, admin_role_user, plant):
    preview = admin_import(admin_role_client, GOOD)
    assert preview.context["result"].totals["new"] == 3
    assert not Meter.objects.exists()  # the preview was a dry run
    confirm = preview.context["confirm_form"]
    response = admin_role_client.post(admin_url("meter", "process_import"), confirm.initial)
    assert response.status_code == 302

    util, ups, pdu = (Meter.objects.get(name=n) for n in ("UTIL-A", "UPS-OUT", "PDU-A"))
    assert (util.kind, util.counter_bits, util.enabled, util.room) == ("utility", 64, True, None)
    assert (ups.parent, ups.device.name, ups.enabled) == (util, "pm-ups", True)  # blank: on
    assert (pdu.parent, pdu.room.name, pdu.component, pdu.enabled) == (
        ups,
        "Hall 1",
        "inlet:I1",
        False,
    )
    assert util.history.get().history_user == admin_role_user


BAD = HEADER + (
    "UTIL-A,utility,energy-test,,,pm-incomer,meter_active_power_watts,,,\n"  # 1: good
    "UPS-OUT,it_ups_output,energy-test,,,pm-elsewhere,ups_output_power_watts,,,\n"  # 2: site
    "PDU-A,it_pdu_output,energy-test,Hall 9,,pm-pdu-a,pdu_power_watts,,,\n"  # 3: no room
    "WATER,water,energy-test,,,pm-ups,ups_output_power_watts,,,\n"  # 4: metric for kind
    "PDU-B,it_pdu_output,energy-test,,NOPE,pm-ups,pdu_energy_joules_total,,,yes\n"  # 5
)


def test_a_file_with_a_bad_row_imports_nothing_and_names_each_row(plant):
    result = MeterResource().import_data(dataset(BAD), dry_run=False)
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(errors) == {2, 3, 4, 5}
    assert errors[2]["device"] == ["The device is in another site."]
    assert errors[3]["room"] == ["No room 'Hall 9' in site 'energy-test'."]
    assert "water meter reads litres" in errors[4]["metric"][0]
    assert errors[5]["parent"] == ["No meter 'NOPE'."]
    assert "'yes' is not true or false" in errors[5]["enabled"][0]
    assert not Meter.objects.exists()  # not even the good row 1


def test_a_bad_file_through_the_admin_shows_its_rows_and_writes_nothing(admin_role_client, plant):
    response = admin_import(admin_role_client, BAD)
    assert "confirm_form" not in response.context
    html = response.content.decode()
    for number, column in ((2, "device"), (3, "room"), (4, "metric"), (5, "parent")):
        assert f"<td>{number} </td>" in html
        assert column in html
    assert "The device is in another site." in html
    assert not Meter.objects.exists()


def test_exported_meters_reimport_cleanly(admin_role_client, plant):
    MeterResource().import_data(dataset(GOOD), dry_run=False)
    exported = MeterResource().export().csv
    assert "PDU-A,it_pdu_output,energy-test,Hall 1,UPS-OUT,pm-pdu-a" in exported
    result = MeterResource().import_data(dataset(exported), dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == 3
    html = admin_role_client.get(admin_url("meter", "changelist")).content.decode()
    assert admin_url("meter", "import") in html and admin_url("meter", "export") in html
