"""``manage.py energy --site SITE (--period KIND | --start ISO --end ISO) [--boundary ROOM]
[--json]``: a site's (or one room's) PUE and its family over a period.

The JSON is ``dcim.energy.report.figures_json``, the call the Power & PUE page makes, so a
figure can be checked from a shell (or a cron job's mail) against the page exactly.
Times without an offset are the site's local time, as on the page.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from dcim.energy.periods import KINDS, Period, PeriodError, period
from dcim.energy.report import figures_json
from dcim.inventory.models import Room, Site

NAMED_KINDS = [k for k in KINDS if k != "custom"]


def _iso(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{option} {value!r} is not an ISO 8601 time (e.g. 2026-03-01 or "
            "2026-03-01T06:00, or with an offset: 2026-03-01T06:00+01:00)."
        ) from None


class Command(BaseCommand):
    help = "PUE, pPUE, DCiE, CUE, WUE, REF and cost of a site or room over a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--site", required=True, help="Site slug or name.")
        parser.add_argument("--period", choices=NAMED_KINDS, help="A named period.")
        parser.add_argument(
            "--start",
            help="ISO 8601 start (no offset: site time). With --period day/week/month/year: "
            "picks the day, week, month or year that holds it.",
        )
        parser.add_argument("--end", help="ISO 8601 end, exclusive (no offset: site time).")
        parser.add_argument("--boundary", metavar="ROOM", help="A room (pPUE): its name.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        site = self._site(options["site"])
        room = self._room(site, options["boundary"]) if options["boundary"] else None
        now = timezone.now()
        the_period = self._period(site, options, now)
        data = figures_json(site, the_period, room=room, now=now)
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2))
        else:
            self._table(data)
            for r in data.get("rooms", []):
                self.stdout.write("")
                self._table(r)

    def _site(self, value: str) -> Site:
        site = Site.objects.filter(Q(slug=value) | Q(name__iexact=value)).first()
        if site is None:
            known = ", ".join(Site.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"No site {value!r}. Sites: {known or 'none'}.")
        return site

    def _room(self, site: Site, value: str) -> Room:
        room = Room.objects.filter(site=site, name__iexact=value).first()
        if room is None:
            known = ", ".join(Room.objects.filter(site=site).values_list("name", flat=True))
            raise CommandError(f"No room {value!r} in {site}. Rooms: {known or 'none'}.")
        return room

    def _period(self, site: Site, options: dict, now: datetime) -> Period:
        start = _iso(options["start"], "--start")
        end = _iso(options["end"], "--end")
        kind = options["period"]
        try:
            if kind:
                if end is not None:
                    raise CommandError("--end goes with --start, not with --period.")
                on = None
                if start is not None and kind not in ("day", "week", "month", "year"):
                    raise CommandError(f"--period {kind} ends today: it takes no --start.")
                if start is not None:
                    zone = ZoneInfo(site.timezone)
                    on = (start if start.tzinfo else start.replace(tzinfo=zone)).astimezone(zone)
                    on = on.date()
                return period(kind, site.timezone, now=now, on=on)
            if start is None or end is None:
                raise CommandError("Give --period, or both --start and --end.")
            return period("custom", site.timezone, now=now, start=start, end=end)
        except PeriodError as exc:
            raise CommandError(str(exc)) from None

    def _table(self, d: dict) -> None:
        def num(v: float | None, fmt: str = ",.3f", unit: str = "") -> str:
            return "—" if v is None else f"{v:{fmt}}{unit}"

        self.stdout.write(f"{d['site']} / {d['boundary']}  {d['start']} – {d['end']} ({d['tz']})")
        figure = num(d["pue"])
        if d["withheld"]:
            figure = f"withheld: {d['withheld']}"
        self.stdout.write(f"  {d['label']:<8} {figure}")
        rows = [
            ("category", d["category_words"] or "—"),
            ("coverage", f"{d['coverage']:.1%} ({d['covered_hours']} of {d['elapsed_hours']} h)"),
            ("E_DC", num(d["e_dc_kwh"], ",.1f", " kWh")),
            ("E_IT", num(d["e_it_kwh"], ",.1f", " kWh")),
            ("DCiE", num(d["dcie_percent"], ".1f", " %")),
            ("CUE", num(d["cue_kg_per_kwh"], ".3f", " kgCO2/kWh")),
            ("WUE", num(d["wue_l_per_kwh"], ".3f", " L/kWh")),
            ("REF", num(d["ref"], ".3f")),
            ("cost", num(d["cost"], ",.2f", f" {d['currency'] or ''}".rstrip())),
        ]
        for name, value in rows:
            self.stdout.write(f"  {name:<8} {value}")
        for kind, e in d["energy_by_kind"].items():
            self.stdout.write(
                f"  {kind:<12} {e['quantity']:>14,.1f} {e['unit']:<3} coverage {e['coverage']:.1%}"
            )
        for note in d["notes"]:
            self.stdout.write(f"  note: {note}")
