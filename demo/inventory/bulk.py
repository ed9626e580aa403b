"""Create what is missing, by natural key, in bulk: the seed's idempotence in one place.

Why this shape: a second run must create nothing and change nothing, and a run on a partly
seeded database (someone deleted a server) must put back exactly what is missing with the
same serials and UUIDs. Keys come from the layout, never from database state, so both hold.
Existing rows are never updated, so hand edits to demo objects survive a re-run (and a port
unplugged by deleting its outlet stays unplugged).

Speed: model instances are built only for missing rows, inserted in batches (PostgreSQL
returns the new primary keys). History rows are written too, with simple-history's
bulk_create_with_history, so the admin's history pages show where demo objects came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from simple_history.utils import bulk_create_with_history

BATCH_SIZE = 2_000
CHANGE_REASON = "seed_demo"
Key = tuple


def create_missing(
    model: type[models.Model],
    scope: models.QuerySet,
    key_fields: tuple[str, ...],
    wanted: dict[Key, dict],
) -> tuple[dict[Key, int], int]:
    """Create the rows of ``wanted`` (natural key → field values) whose key ``scope`` lacks.

    ``key_fields`` are the attribute names the key is made of, in order (``device_id``, not
    ``device``). Returns (natural key → primary key for every wanted row, rows created).
    """
    existing = {tuple(row[:-1]): row[-1] for row in scope.values_list(*key_fields, "pk")}
    missing = [model(**values) for key, values in wanted.items() if key not in existing]
    if missing:
        bulk_create_with_history(
            missing, model, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON
        )
        for obj in missing:
            existing[tuple(getattr(obj, name) for name in key_fields)] = obj.pk
    return {key: existing[key] for key in wanted}, len(missing)


@dataclass(frozen=True)
class StageResult:
    """What one stage (one model) did: a line of the command's progress output."""

    label: str
    created: int
    wanted: int

    def __str__(self) -> str:
        line = f"{self.label}: {self.created:,} created"
        if self.created < self.wanted:
            line += f", {self.wanted - self.created:,} already there"
        return line


@dataclass
class SeedReport:
    stages: list[StageResult] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def created(self) -> int:
        return sum(stage.created for stage in self.stages)

    @property
    def wanted(self) -> int:
        return sum(stage.wanted for stage in self.stages)
