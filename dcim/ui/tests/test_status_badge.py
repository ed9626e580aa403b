"""``{% status_badge %}``: one look per state across every page, always with the word."""

import pytest
from django.template import Context, Template

from dcim.inventory.choices import DeviceStatus
from dcim.inventory.tests.factories import make_device


def render(source: str, **context) -> str:
    return Template("{% load status %}" + source).render(Context(context))


def badge(tone: str, status: str, text: str) -> str:
    return f'<span class="badge badge-{tone}" data-status="{status}">{text}</span>'


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ('"active" "Active"', badge("ok", "active", "Active")),
        ('"connected"', badge("ok", "connected", "Connected")),
        ('"planned"', badge("info", "planned", "Planned")),
        ('"reserved"', badge("info", "reserved", "Reserved")),
        ('"maintenance"', badge("warn", "maintenance", "Maintenance")),
        ('"failed"', badge("crit", "failed", "Failed")),
        ('"offline"', badge("crit", "offline", "Offline")),
        ('"decommissioned"', badge("muted", "decommissioned", "Decommissioned")),
        ('"weird_state"', badge("muted", "weird_state", "Weird state")),
        ('"x" "Firing" tone="crit"', badge("crit", "x", "Firing")),
        ('"active" tone="no-such-tone"', badge("ok", "active", "Active")),
    ],
)
def test_tone_and_words(tag, expected):
    assert render("{% status_badge " + tag + " %}") == expected


def test_markup_is_escaped_even_in_template_literals():
    assert render('{% status_badge "<b>" %}') == badge("muted", "&lt;b&gt;", "&lt;b&gt;")
    html = render("{% status_badge s label %}", s="<i>", label="<script>")
    assert html == badge("muted", "&lt;i&gt;", "&lt;script&gt;")


def test_tone_filter_for_bars_beside_a_badge():
    assert render('{{ "failed"|status_tone }} {{ "FAILED"|status_tone }}') == "crit crit"


@pytest.mark.django_db
def test_from_a_model_field():
    device = make_device(status=DeviceStatus.FAILED)
    html = render("{% status_badge d.status d.get_status_display %}", d=device)
    assert html == badge("crit", "failed", "Failed")
