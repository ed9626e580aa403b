"""Operator pages, one module per page; each page has a JSON twin (see views.common)."""

from dcim.dashboard.views.overview import health

__all__ = ["health"]
