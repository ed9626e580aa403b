"""What every inventory admin shares: change history, and CSV import/export for some."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from dcim.csv_safe import FileTooLarge, SafeCSV


class HistoryAdmin(SimpleHistoryAdmin):
    """An admin whose every change is recorded with who and when, before and after.

    SimpleHistoryAdmin stores the request user on the saved object (and the
    HistoryRequestMiddleware covers inline saves), and its history page lists the changed
    fields with their old and new values.
    """

    list_per_page = 100
    show_full_result_count = False  # a second COUNT(*) per page is wasted on big tables


class ImportExportHistoryAdmin(ImportExportModelAdmin, HistoryAdmin):
    """History plus CSV import (two steps: preview, then confirm) and export.

    Importing creates and changes objects, so it needs both permissions; exporting reads
    them, so it needs view. (django-import-export allows both to any staff user by default.)
    """

    # Formulas escaped on export, imports of a bounded size (dcim/csv_safe.py).
    import_formats = [SafeCSV]
    export_formats = [SafeCSV]

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def add_data_read_fail_error_to_form(self, form, e: Exception) -> None:
        """A file over the size limit says so (the library's message names only the
        exception's type and suggests the wrong format)."""
        if isinstance(e, FileTooLarge):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)


class ReadOnlyInline(admin.TabularInline):
    """A list of related objects, each linking to its own change page; edited there."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
