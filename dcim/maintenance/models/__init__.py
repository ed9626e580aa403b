"""Maintenance windows, recurring schedules, work orders with checklists, calendar tokens."""

from dcim.maintenance.models.calendar import CalendarToken
from dcim.maintenance.models.schedule import ChecklistTemplate, ChecklistTemplateItem, Schedule
from dcim.maintenance.models.window import MaintenanceWindow, TransitionError
from dcim.maintenance.models.workorder import Attachment, ChecklistItem, WorkOrder

__all__ = [
    "Attachment",
    "CalendarToken",
    "ChecklistItem",
    "ChecklistTemplate",
    "ChecklistTemplateItem",
    "MaintenanceWindow",
    "Schedule",
    "TransitionError",
    "WorkOrder",
]
