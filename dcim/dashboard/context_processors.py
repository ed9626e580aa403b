"""The navigation of the operator UI: every section, linked once it exists."""

from django.urls import NoReverseMatch, reverse

# (label, url name). A section whose page is not built yet is shown but not linked.
SECTIONS = (
    ("Overview", "dashboard:overview"),
    ("Floor", "dashboard:floor"),
    ("Racks", "dashboard:racks"),
    ("GPUs", "dashboard:gpus"),
    ("Network", "dashboard:network"),
    ("Power & PUE", "energy:overview"),
    ("Cooling", "dashboard:cooling"),
    ("Alerts", "alerts:list"),
    ("Maintenance", "maintenance:list"),
    ("HA", "availability:list"),
    ("Reports", "reports:list"),
)


def navigation(request) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    items = []
    for label, name in SECTIONS:
        try:
            url = reverse(name)
        except NoReverseMatch:
            url = None
        items.append(
            {"label": label, "url": url, "active": url is not None and request.path == url}
        )
    return {"nav_sections": items}
