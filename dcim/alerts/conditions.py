"""A rule's condition on one number: pure functions, tested without a database."""

from __future__ import annotations

from dcim.alerts.models import Condition


def holds(
    condition: str,
    x: float,
    threshold: float | None,
    high: float | None,
    values: frozenset[float] = frozenset(),
) -> bool:
    """Whether ``x`` (the value, the value minus a reference, a percentage or a rate)
    meets the condition. Counter conditions are given the increase or the rate as ``x``."""
    t = threshold if threshold is not None else 0.0
    if condition in (Condition.GT, Condition.RATE_GT):
        return x > t
    if condition == Condition.GE:
        return x >= t
    if condition == Condition.LT:
        return x < t
    if condition == Condition.LE:
        return x <= t
    if condition == Condition.EQ:
        return x == t
    if condition == Condition.NE:
        return x != t
    if condition == Condition.OUTSIDE:
        return x < t or (high is not None and x > high)
    if condition == Condition.IN:
        return x in values
    if condition == Condition.INCREASE:
        return x > 0
    return False
