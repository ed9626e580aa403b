"""The engine alert summary templates run in: Django's syntax, a smaller vocabulary.

A summary template is typed by an Admin and rendered into text every Viewer reads, so it
must not be a way to read what Admins themselves cannot see (credentials are never shown
back). With the full engine it was: ``{% url rule.device.… %}`` puts the value it was given
into the NoReverseMatch message, which admin validation showed. So templates here get the
default filters and only the tags that format (if, for, with, firstof, now, …), never
``url``, ``load``, ``include``, ``extends`` or ``debug`` (which dumps the context); and the
context holds plain values, never model instances to walk from (``plain_rule``).
"""

from __future__ import annotations

from typing import Any

from django.template import Context, Engine, Library, Template, defaulttags

SAFE_TAGS = (
    "autoescape",
    "comment",
    "cycle",
    "filter",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "now",
    "regroup",
    "spaceless",
    "templatetag",
    "verbatim",
    "widthratio",
    "with",
)

# Engine(builtins=...) imports this module by name and reads its ``register`` library.
register = Library()
for _name in SAFE_TAGS:
    register.tag(_name, defaulttags.register.tags[_name])


class SummaryEngine(Engine):
    """Engine's ``builtins`` argument adds to its defaults (url among them): replace them."""

    default_builtins = ["django.template.defaultfilters", "dcim.alerts.summary_template"]


ENGINE = SummaryEngine(dirs=[], app_dirs=False, loaders=[], libraries={})


def compile_summary(text: str) -> Template:
    """Compile a summary template (raises TemplateSyntaxError, e.g. for a url tag)."""
    return ENGINE.from_string(text)


def render_summary_text(template: Template, context: dict[str, Any]) -> str:
    return template.render(Context(context))


def plain_rule(rule: Any) -> dict[str, Any]:
    """What ``{{ rule.… }}`` may read: the rule's own plain attributes, no relations."""
    return {
        name: getattr(rule, name, None)
        for name in ("id", "name", "severity", "metric", "condition", "threshold", "labels")
    } | {"high": getattr(rule, "high", getattr(rule, "threshold_high", None))}
