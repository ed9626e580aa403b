"""Credentials: encrypted at rest, validated per kind, and never shown back by the admin
(change page, changelist, history pages), neither as plaintext nor as ciphertext."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import NoReverseMatch, reverse

from dcim import crypto
from dcim.inventory.choices import CredentialKind, SnmpAuthProtocol, SnmpPrivProtocol
from dcim.inventory.models import Credential
from dcim.inventory.tests.factories import make_credential

pytestmark = pytest.mark.django_db

COMMUNITY = "s3cret-community-7f2a"
AUTH_KEY = "auth-key-91c4e0d"
PRIV_KEY = "priv-key-5b8d2aa"


def raw_column(credential: Credential, column: str) -> str:
    """What the database holds, read past the ORM (so past the decrypting field)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM inventory_credential WHERE id = %s", [credential.pk])  # noqa: S608
        return cursor.fetchone()[0]


def snmp_v3(**fields) -> Credential:
    return make_credential(
        kind=CredentialKind.SNMP_V3,
        snmp_user="monitor",
        auth_protocol=SnmpAuthProtocol.SHA256,
        auth_key=AUTH_KEY,
        priv_protocol=SnmpPrivProtocol.AES128,
        priv_key=PRIV_KEY,
        **fields,
    )


def form_data(credential: Credential, **changes) -> dict[str, str]:
    """The change form as a browser posts it untouched: secret boxes come back blank."""
    data = {
        "name": credential.name,
        "kind": credential.kind,
        "description": credential.description,
        "snmp_user": credential.snmp_user,
        "auth_protocol": credential.auth_protocol,
        "priv_protocol": credential.priv_protocol,
        "modbus_unit_id": credential.modbus_unit_id or "",
        "snmp_community": "",
        "auth_key": "",
        "priv_key": "",
    }
    data.update(changes)
    return data


def change_url(credential: Credential) -> str:
    return reverse("admin:inventory_credential_change", args=[credential.pk])


def assert_no_secret(html: str, credential: Credential) -> None:
    for field, plaintext in (("auth_key", AUTH_KEY), ("priv_key", PRIV_KEY)):
        if getattr(credential, field):
            assert plaintext not in html
            assert raw_column(credential, field) not in html
    assert COMMUNITY not in html
    assert crypto.PREFIX not in html


# -- at rest ---------------------------------------------------------------------------------


def test_secrets_are_stored_encrypted_and_decrypt_back():
    credential = snmp_v3(snmp_community=COMMUNITY)
    for field, plaintext in (
        ("snmp_community", COMMUNITY),
        ("auth_key", AUTH_KEY),
        ("priv_key", PRIV_KEY),
    ):
        stored = raw_column(credential, field)
        assert plaintext not in stored
        assert crypto.decrypt(stored) == plaintext
    assert Credential.objects.get(pk=credential.pk).auth_key == AUTH_KEY


def test_an_empty_secret_is_stored_empty_not_encrypted():
    credential = make_credential(kind=CredentialKind.MODBUS, modbus_unit_id=1)
    assert raw_column(credential, "snmp_community") == ""


# -- rules per kind ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, field_in_error",
    [
        ({"kind": CredentialKind.SNMP_V2C}, "snmp_community"),
        ({"kind": CredentialKind.SNMP_V3}, "snmp_user"),
        (
            {"kind": "snmp_v3", "snmp_user": "u", "auth_protocol": "sha", "auth_key": "short"},
            "auth_key",
        ),
        ({"kind": "snmp_v3", "snmp_user": "u", "priv_protocol": "aes128"}, "priv_protocol"),
        (
            {"kind": "snmp_v3", "snmp_user": "u", "auth_protocol": "sha", "auth_key": AUTH_KEY}
            | {"priv_protocol": "aes128", "priv_key": "short"},
            "priv_key",
        ),
        ({"kind": CredentialKind.MODBUS}, "modbus_unit_id"),
        ({"kind": CredentialKind.MODBUS, "modbus_unit_id": 248}, "modbus_unit_id"),
    ],
)
def test_credential_rules_per_kind(fields, field_in_error):
    with pytest.raises(ValidationError) as exc:
        Credential(name="c", **fields).full_clean()
    assert field_in_error in exc.value.message_dict


@pytest.mark.parametrize(
    "fields, level",
    [
        ({"auth_protocol": "none"}, "noAuthNoPriv"),
        ({"auth_protocol": "sha", "auth_key": AUTH_KEY}, "authNoPriv"),
        (
            {"auth_protocol": "sha", "auth_key": AUTH_KEY, "priv_protocol": "aes128"}
            | {"priv_key": PRIV_KEY},
            "authPriv",
        ),
    ],
)
def test_valid_snmp_v3_credentials_and_their_security_level(fields, level):
    credential = Credential(name="c", kind=CredentialKind.SNMP_V3, snmp_user="u", **fields)
    credential.full_clean()
    assert credential.security_level == level


# -- the admin never renders a secret ------------------------------------------------------------


def test_change_page_shows_only_whether_secrets_are_set(admin_role_client):
    credential = snmp_v3()
    html = admin_role_client.get(change_url(credential)).content.decode()
    assert_no_secret(html, credential)
    assert html.count('type="password"') == 3
    assert html.count("Set (hidden)") == 2  # auth and priv keys; the community is "Not set."


def test_changelist_shows_set_flags_not_secrets(admin_role_client):
    credential = make_credential(snmp_community=COMMUNITY)
    response = admin_role_client.get(reverse("admin:inventory_credential_changelist"))
    html = response.content.decode()
    assert credential.name in html
    assert_no_secret(html, credential)
    row = response.context["cl"].result_list[0]
    assert (row.snmp_community_set, row.auth_key_set) == (True, False)


def test_blank_secret_on_change_keeps_the_stored_value(admin_role_client):
    credential = snmp_v3(description="before")
    response = admin_role_client.post(
        change_url(credential), form_data(credential, description="after")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    credential.refresh_from_db()
    assert (credential.description, credential.auth_key, credential.priv_key) == (
        "after",
        AUTH_KEY,
        PRIV_KEY,
    )


def test_typed_secret_replaces_and_clear_erases(admin_role_client):
    credential = snmp_v3()
    data = form_data(credential, auth_key="a-brand-new-key", priv_protocol="none")
    data["clear_priv_key"] = "on"
    assert admin_role_client.post(change_url(credential), data).status_code == 302
    credential.refresh_from_db()
    assert (credential.auth_key, credential.priv_key) == ("a-brand-new-key", "")


def test_clearing_a_secret_the_kind_needs_is_refused(admin_role_client):
    credential = make_credential(snmp_community=COMMUNITY)
    data = form_data(credential, clear_snmp_community="on")
    response = admin_role_client.post(change_url(credential), data)
    assert response.status_code == 200
    assert "needs a community" in response.content.decode()
    credential.refresh_from_db()
    assert credential.snmp_community == COMMUNITY


def test_a_refused_form_does_not_echo_the_typed_secret(admin_role_client):
    credential = make_credential(snmp_community=COMMUNITY)
    data = form_data(credential, snmp_community="typed-but-refused", clear_snmp_community="on")
    response = admin_role_client.post(change_url(credential), data)
    html = response.content.decode()
    assert "Type a new value or tick" in html
    assert "typed-but-refused" not in html
    assert_no_secret(html, credential)


def test_history_pages_never_show_a_secret(admin_role_client):
    credential = make_credential(snmp_community=COMMUNITY, description="old text")
    data = form_data(credential, snmp_community="n3w-community-x", description="new text")
    assert admin_role_client.post(change_url(credential), data).status_code == 302
    history_url = reverse("admin:inventory_credential_history", args=[credential.pk])
    html = admin_role_client.get(history_url).content.decode()
    assert "old text" in html and "new text" in html  # the page does show changes
    assert "n3w-community-x" not in html
    assert_no_secret(html, credential)
    for record in credential.history.all():
        version_url = reverse(
            "admin:inventory_credential_simple_history", args=[credential.pk, record.pk]
        )
        version_html = admin_role_client.get(version_url).content.decode()
        assert "n3w-community-x" not in version_html
        assert_no_secret(version_html, credential)


def test_credentials_have_no_export():
    with pytest.raises(NoReverseMatch):
        reverse("admin:inventory_credential_export")


def test_a_view_only_staff_user_sees_flags_not_secrets(client, make_user):
    viewer = make_user(role="Viewer")
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(Permission.objects.get(codename="view_credential"))
    client.force_login(viewer)
    credential = snmp_v3(snmp_community=COMMUNITY)
    response = client.get(change_url(credential))
    assert response.status_code == 200 and not response.context["has_change_permission"]
    html = response.content.decode()
    assert_no_secret(html, credential)
    assert 'type="password"' not in html
    assert "Auth key set" in html  # the read-only status line
