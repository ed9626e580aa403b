"""Which site a per-site page shows: one rule for every such page."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from dcim.inventory.models import Site


def chosen_site(request: HttpRequest) -> Site | None:
    """``?site=<slug>``, else the first site by name (None when there is none yet); an
    unknown slug is a 404, not a silent fall back to another site's figures."""
    slug = request.GET.get("site")
    if slug:
        site = Site.objects.filter(slug=slug).first()
        if site is None:
            raise Http404(f"No site {slug!r}.")
        return site
    return first_site()


def first_site() -> Site | None:
    return Site.objects.order_by("name").first()
