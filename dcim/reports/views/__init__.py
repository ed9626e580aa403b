"""The Reports page and its JSON twin, its actions, and the browser preview of a report."""

from dcim.reports.views.actions import create_subscription, send_now
from dcim.reports.views.manage import delete_subscription, edit_subscription, set_enabled
from dcim.reports.views.page import archived_pdf, page, page_api
from dcim.reports.views.preview import preview, preview_api, preview_pdf

__all__ = [
    "archived_pdf",
    "create_subscription",
    "delete_subscription",
    "edit_subscription",
    "page",
    "page_api",
    "preview",
    "preview_api",
    "preview_pdf",
    "send_now",
    "set_enabled",
]
