"""Work-order actions (Operators; POST with CSRF): an item's result, completion, the
assignee, attachments; and attachment downloads (anyone logged in)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from dcim.maintenance.forms import AttachmentForm, ItemForm
from dcim.maintenance.models import Attachment, ChecklistItem, WorkOrder
from dcim.maintenance.views.access import WORK, require


@require_POST
def item(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, WORK, "Completing checklists")
    row = get_object_or_404(ChecklistItem.objects.select_related("work_order"), pk=pk)
    form = ItemForm(request.POST, instance=row, prefix=f"i{row.pk}")
    if form.is_valid():
        row = form.save(commit=False)
        row.checked_by, row.checked_at = request.user, timezone.now()
        row.save()
        messages.success(request, f"Recorded “{row.text}”: {row.get_result_display()}.")
    else:
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, f"“{row.text}” not saved: {errors}")
    return redirect("maintenance:detail", pk=row.work_order.window_id)


@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, WORK, "Completing work orders")
    order = get_object_or_404(WorkOrder, window_id=pk)
    order.summary = request.POST.get("summary", order.summary)[:5000]
    try:
        order.complete(request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        failed = order.items.filter(result="fail").count()
        messages.success(
            request,
            f"Work order completed by {request.user}"
            + (f", with {failed} failed item(s) kept on record." if failed else "."),
        )
    return redirect("maintenance:detail", pk=pk)


@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, WORK, "Assigning work orders")
    order = get_object_or_404(WorkOrder, window_id=pk)
    name = request.POST.get("assignee", "").strip()
    user = get_user_model().objects.filter(username=name, is_active=True).first() if name else None
    if name and user is None:
        messages.error(request, f"No active user named {name}.")
    else:
        order.assignee = user
        order.save()
        messages.success(request, f"Assigned to {user}." if user else "Unassigned.")
    return redirect("maintenance:detail", pk=pk)


@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, WORK, "Adding attachments")
    order = get_object_or_404(WorkOrder, window_id=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, f"Attachment refused: {errors}")
        return redirect("maintenance:detail", pk=pk)
    f = form.cleaned_data["file"]
    Attachment.objects.create(
        work_order=order,
        file=f,
        content_type=form.content_type,
        size=f.size,
        description=form.cleaned_data["description"],
        uploaded_by=request.user,
    )
    messages.success(request, f"Attached {f.name}.")
    return redirect("maintenance:detail", pk=pk)


@require_safe
def download(request: HttpRequest, pk: int) -> FileResponse:
    """Served through Django after login (attachments are not public media); as a
    download with the stored type, so a browser never renders it as a page."""
    a = get_object_or_404(Attachment, pk=pk)
    response = FileResponse(a.file.open("rb"), as_attachment=True, filename=str(a))
    response["Content-Type"] = a.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response
