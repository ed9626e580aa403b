"""``{% status_badge %}``: a status shown as words and a colour, never colour alone.

Every page that shows a status (device, rack, feed, link, alert, maintenance window) uses
this one tag, so a given state looks the same everywhere and colour-blind operators and
screen readers still get the word. Usage::

    {% load status %}
    {% status_badge device.status device.get_status_display %}
    {% status_badge "failed" %}               {# label defaults to the value, capitalised #}
    {% status_badge alert.state tone="crit" %} {# force a tone for a value not listed #}
"""

from django import template
from django.utils.html import escape, format_html

from dcim.ui.status import TONE_NAMES, tone_for

register = template.Library()


@register.simple_tag
def status_badge(value: object, label: object = None, tone: str | None = None) -> str:
    """A ``<span class="badge badge-TONE" data-status=VALUE>Label</span>``.

    Value and label are always escaped, even when marked safe: a badge is words only.
    """
    if tone not in TONE_NAMES:
        tone = tone_for(value)
    text = label if label not in (None, "") else str(value).replace("_", " ").capitalize()
    return format_html(
        '<span class="badge badge-{}" data-status="{}">{}</span>', tone, escape(value), escape(text)
    )


@register.filter
def status_tone(value: object) -> str:
    """The tone alone, for things drawn beside a badge (bars, row markers)."""
    return tone_for(value)
