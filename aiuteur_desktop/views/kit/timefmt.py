"""Human phrasing of timestamps ("5 minutes ago") for cards and lists."""

from __future__ import annotations

import time
from datetime import datetime


def relative(ts: float, now: float | None = None) -> str:
    if ts <= 0:
        return "never"
    now = time.time() if now is None else now
    delta = max(0.0, now - ts)
    if delta < 45:
        return "just now"
    if delta < 90:
        return "a minute ago"
    if delta < 3600:
        return f"{round(delta / 60)} minutes ago"
    if delta < 5400:
        return "an hour ago"
    if delta < 86400:
        return f"{round(delta / 3600)} hours ago"
    if delta < 172800:
        return "yesterday"
    if delta < 7 * 86400:
        return f"{int(delta // 86400)} days ago"
    return datetime.fromtimestamp(ts).strftime("%d %b %Y")


def stamp(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%d %b %Y, %H:%M")
