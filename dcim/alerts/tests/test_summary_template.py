"""Summary templates cannot reach what their author cannot see (issue 15): no url tag whose
error message quotes its argument, no debug dump, no walking from the rule to credentials."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dcim.alerts.models import Rule
from dcim.alerts.models.rule import sample_context
from dcim.alerts.summary_template import compile_summary, render_summary_text
from dcim.inventory.tests.factories import make_credential
from telemetry.models import CollectionTarget

pytestmark = pytest.mark.django_db
COMMUNITY = "topsecret-community-42"
PATH = "rule.device.collection_targets.first.credential.snmp_community"


@pytest.fixture
def device_with_credential(gpu_server):
    CollectionTarget.objects.create(
        device=gpu_server,
        protocol="snmp",
        address="127.0.0.1",
        credential=make_credential(snmp_community=COMMUNITY),
    )
    return gpu_server


def scoped_rule(device, template: str) -> Rule:
    return Rule(
        name="leaky",
        metric="gpu_temperature_celsius",
        condition="gt",
        threshold=80,
        device=device,
        summary_template=template,
    )


@pytest.mark.parametrize(
    "template",
    [
        f"{{% url {PATH} %}}",
        f"{{% url 'alerts:detail' {PATH} %}}",
        "{% debug %}",
        "{% load static %}{% static 'x' %}",
        "{% include 'alerts/detail.html' %}",
    ],
)
def test_admin_validation_never_quotes_a_credential(device_with_credential, template):
    rule = scoped_rule(device_with_credential, template)
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    message = " ".join(caught.value.message_dict["summary_template"])
    assert COMMUNITY not in message
    assert message.startswith("Template error: Invalid block tag")


def test_the_rule_in_a_template_has_no_relations_to_walk(device_with_credential):
    rule = scoped_rule(device_with_credential, f"[{{{{ {PATH} }}}}] {{{{ rule.name }}}}")
    rule.full_clean()  # renders: nothing to refuse, and nothing leaks
    shown = render_summary_text(compile_summary(rule.summary_template), sample_context(rule))
    assert shown == "[] leaky"


def test_formatting_tags_and_filters_still_work():
    template = compile_summary(
        "{% if value > 80 %}hot{% endif %} {{ value|floatformat:1 }} "
        "{% widthratio value 1 1 %} {% for k, v in labels.items %}{{ k }}={{ v }}{% endfor %}"
    )
    text = render_summary_text(template, {"value": 91.24, "labels": {"room": "A"}})
    assert text == "hot 91.2 91 room=A"
