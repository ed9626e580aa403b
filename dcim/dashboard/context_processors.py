"""The navigation of the operator UI: every section, linked once it exists.

Sections are listed from day one so operators learn where things will be; a section whose
URL name does not resolve yet is rendered as plain text ("not yet available"), never as a
dead link. Apps add their page and the link appears, with no change here.
"""

from django.http import HttpRequest
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


def _is_current(path: str, url: str) -> bool:
    """A section is current on its page and on pages below it (/racks/ on /racks/H1-A01/);
    the root page only on itself, or it would be current everywhere."""
    return path == url or (url != "/" and path.startswith(url))


def navigation(request: HttpRequest) -> dict:
    """``nav_sections``: label, url (None while unbuilt) and active, for signed-in users."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    items = []
    for label, name in SECTIONS:
        try:
            url = reverse(name)
        except NoReverseMatch:
            url = None
        items.append(
            {
                "label": label,
                "url": url,
                "active": url is not None and _is_current(request.path, url),
            }
        )
    return {"nav_sections": items}
