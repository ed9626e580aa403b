"""The preview of a report in the browser: the same content as the email (charts as
inline data URLs instead of Content-IDs), its JSON twin, and its PDF."""

from __future__ import annotations

import base64

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from dcim.inventory.models import Site
from dcim.reports import charts, mail, pdf
from dcim.reports.build import BUILDERS, build
from dcim.reports.choices import ReportKind
from dcim.reports.content import Report
from dcim.ui.json_twin import json_response


def _report(report: str, site: str) -> Report:
    if report not in BUILDERS:
        raise Http404(f"No report {report!r}: one of {', '.join(ReportKind.values)}.")
    return build(report, get_object_or_404(Site, slug=site), timezone.now())


@require_safe
def preview(request: HttpRequest, report: str, site: str) -> HttpResponse:
    r = _report(report, site)
    sources = {
        c.name: "data:image/png;base64," + base64.b64encode(charts.png(c)).decode()
        for c in r.charts()
    }
    return render(
        request,
        "reports/preview.html",
        {"report": r, "sections": mail.with_images(r, sources), "kind": report, "slug": site},
    )


@require_safe
def preview_api(request: HttpRequest, report: str, site: str) -> JsonResponse:
    """JSON of the preview: every figure and table of the report, raw values."""
    return json_response(request, _report(report, site).as_dict())


@require_safe
def preview_pdf(request: HttpRequest, report: str, site: str) -> HttpResponse:
    r = _report(report, site)
    body = pdf.render(r, {c.name: charts.png(c) for c in r.charts()})
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{r.kind}-{r.site_slug}.pdf"'
    return response
