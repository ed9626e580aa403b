"""The admin: every availability model's list and add pages open for an Admin; a webhook
source gets its token on save, shown once, with only the hash kept."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from dcim.availability.models import WebhookSource
from dcim.availability.models.failover import hash_token

MODELS = ["redundancygroup", "memberstatechange", "failover", "webhooksource", "drplan",
          "drillrecord", "followupaction"]  # fmt: skip


@pytest.mark.parametrize("model", MODELS)
def test_lists_and_add_pages_open(admin_role_client, ha, model):
    assert (
        admin_role_client.get(reverse(f"admin:availability_{model}_changelist")).status_code == 200
    )
    assert admin_role_client.get(reverse(f"admin:availability_{model}_add")).status_code == 200


def test_a_new_webhook_source_shows_its_token_once(admin_role_client, ha):
    r = admin_role_client.post(
        reverse("admin:availability_webhooksource_add"),
        {"name": "pcmk", "group": ha.lb.pk, "kind": "pacemaker", "enabled": "on"},
        follow=True,
    )
    assert r.status_code == 200
    token = re.search(r"shown once, only its hash is kept\): (\S+)", r.content.decode()).group(1)
    assert WebhookSource.objects.get(name="pcmk").token_sha256 == hash_token(token)
