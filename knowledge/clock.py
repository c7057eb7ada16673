"""The one clock: today's date, read at an entry point's wiring and passed down as a callable.

Library code never calls ``date.today()`` itself; it takes a ``Clock`` (tests pass a fixed one).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

Clock = Callable[[], date]


def system_clock() -> date:
    """Return today's date from the system clock."""
    return date.today()


def fixed_clock(day: date) -> Clock:
    """Return a clock that always says ``day`` (tests, ``--as-of`` replays)."""
    return lambda: day
