"""Seconds to build and render each report (figures, charts, HTML, PDF, CSV, the MIME
message) for the demo with its history, and the size of each email."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from django.core.cache import cache

from dcim.inventory.models import Site
from dcim.reports import mail
from dcim.reports.build import BUILDERS, build
from dcim.reports.content import Report

TARGET_MONTHLY_ENERGY_S = 10.0
TARGET_EMAIL_BYTES = 2 * 2**20


def headline(report: Report) -> dict:
    """The report's period and its first section's first figure (the PUE of the energy
    report, the first group's availability...), with its note: the JSON says whether the
    figure was computed or withheld, and why."""
    first = next((s.figures[0] for s in report.sections if s.figures), None)
    return {
        "period": report.period,
        "figure": first.label if first else None,
        "text": first.text if first else None,
        "value": first.value if first else None,
        "note": first.note if first else None,
    }


def measure(site: Site, now: datetime, reps: int = 3, log: Callable[[str], None] = print) -> dict:
    """Per report as of ``now``: the best and the median of ``reps`` cold runs (cache
    cleared: a scheduled send finds no warm page cache), and the email's size in bytes."""
    out: dict = {"reports": {}, "over_target": []}
    for kind in BUILDERS:
        times, size = [], 0
        for _ in range(reps):
            cache.clear()
            t = time.perf_counter()
            report = build(kind, site, now)
            rendered = mail.render(report)
            msg = mail.message(report, rendered, ["bench@example.net"])
            size = mail.size(msg)
            times.append(time.perf_counter() - t)
        times.sort()
        row = {
            "best_s": round(times[0], 3),
            "median_s": round(times[len(times) // 2], 3),
            "email_bytes": size,
            "pdf_bytes": len(rendered.pdf),
            "charts": len(rendered.pngs),
            "csv_files": len(rendered.csvs),
            "headline": headline(report),
        }
        out["reports"][kind] = row
        log(
            f"  {kind:22} best {row['best_s']:6.2f} s  median {row['median_s']:6.2f} s  "
            f"email {size / 1024:7.0f} kB  {row['headline']['figure']}: "
            f"{row['headline']['text']}"
        )
        if size > TARGET_EMAIL_BYTES:
            out["over_target"].append(f"{kind} email {size} B > {TARGET_EMAIL_BYTES} B")
    energy = out["reports"]["monthly_energy"]["median_s"]
    if energy > TARGET_MONTHLY_ENERGY_S:
        out["over_target"].append(f"monthly_energy {energy} s > {TARGET_MONTHLY_ENERGY_S} s")
    out["targets"] = {
        "monthly_energy_s": TARGET_MONTHLY_ENERGY_S,
        "email_bytes": TARGET_EMAIL_BYTES,
    }
    return out
