"""How far a long job is, in words a person reads: the step (n of N, what is being worked
on), the time it has taken and the time it has left. Shared by the command line's meter, the
job windows and the Jobs page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """A countable job's place: `done` of `total` finished, `current` being worked on."""

    done: int
    total: int
    current: str = ""


def clock(seconds: float) -> str:
    """4:07, or 1:02:07 past an hour."""
    s = max(0, round(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def time_left(elapsed: float, fraction: float) -> float | None:
    """Seconds left at the pace so far; None until there is a pace to go by."""
    if fraction <= 0.01 or elapsed < 1.0 or fraction >= 1.0:
        return None if fraction < 1.0 else 0.0
    return elapsed * (1.0 - fraction) / fraction


def describe(step: Step | None, fraction: float, elapsed: float) -> str:
    """ "Shot 12B · 37 of 1,537 · 2:10 so far · about 4:12 left"."""
    parts = []
    if step is not None:
        if step.current:
            parts.append(step.current)
        parts.append(f"{min(step.done + 1, step.total):,} of {step.total:,}")
    elif fraction > 0:
        parts.append(f"{round(fraction * 100)} %")
    parts.append(f"{clock(elapsed)} so far")
    left = time_left(elapsed, fraction)
    if left is not None and fraction < 1.0:
        parts.append(f"about {clock(left)} left")
    return " · ".join(parts)
