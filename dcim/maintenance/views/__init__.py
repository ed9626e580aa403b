"""The Maintenance page and its JSON twin, window forms and actions, work orders, and the
iCalendar feed."""

from dcim.maintenance.views.actions import transition
from dcim.maintenance.views.detail import detail
from dcim.maintenance.views.ics import feed, revoke, tokens
from dcim.maintenance.views.page import page, page_api
from dcim.maintenance.views.windows import create, edit
from dcim.maintenance.views.workorder import assign, complete, download, item, upload

__all__ = [
    "assign",
    "complete",
    "create",
    "detail",
    "download",
    "edit",
    "feed",
    "item",
    "page",
    "page_api",
    "revoke",
    "tokens",
    "transition",
    "upload",
]
