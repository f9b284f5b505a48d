"""How tall someone is beside a grown-up, from how a script describes them: "WILL BLOOM,
AGE 3", "TOMMY (8)", "a 10-year-old girl", "YOUNG EDWARD", "(20s)". The offline storyboard
draws a three-year-old at about half his father's height (issue "Offline storyboards…")."""

from __future__ import annotations

import itertools
import re

#: (age in years, height as a share of a grown-up's) — between two, a straight line.
GROWTH = [(0, 0.3), (1, 0.42), (3, 0.55), (6, 0.66), (10, 0.8), (13, 0.9), (16, 0.97), (18, 1.0)]
_AGE = re.compile(
    r"\bAGED?\s+(\d{1,2})\b|\((\d{1,2})\)|\b(\d{1,2})[- ](?:YEARS?|YRS?|YR)[- ]OLD\b|"
    r"^\s*(\d{1,2})\s*(?:,|$)|,\s*(\d{1,2})\s*(?:,|\)|\.|$)|\b(\d0)'?S\b",
    re.IGNORECASE,
)
_WORDS = [
    (re.compile(r"\b(?:BAB(?:Y|IES)|INFANT|NEWBORN)\b", re.I), 0.32),
    (re.compile(r"\b(?:TODDLER)\b", re.I), 0.5),
    (re.compile(r"\b(?:LITTLE (?:BOY|GIRL)|KID|CHILD|BOY|GIRL)\b", re.I), 0.7),
    (re.compile(r"\b(?:TEEN(?:AGER|AGE)?|ADOLESCENT)\b", re.I), 0.94),
]


def of_age(years: int) -> float:
    """The share of a grown-up's height at `years`."""
    for (a0, h0), (a1, h1) in itertools.pairwise(GROWTH):
        if years <= a1:
            return round(h0 + (h1 - h0) * (max(years, a0) - a0) / (a1 - a0), 3)
    return 1.0


def stature(text: str) -> float:
    """1.0 for a grown-up or anyone whose age the text does not give; less for a child. The
    first age the text gives is theirs (an introduction names its own person first)."""
    m = _AGE.search(text[:400])
    if m:
        years = int(next(g for g in m.groups() if g))
        return of_age(years)
    for words, share in _WORDS:
        if words.search(text[:200]):
            return share
    return 1.0


def in_action(action: str, name: str) -> float | None:
    """A person's stature when the action introduces them with an age ("WILL BLOOM, AGE 3,
    sits up" or "TOMMY (8)" or "a 3-year-old WILL"); None when it says nothing of it."""
    words = r"\s+".join(re.escape(w) for w in name.split())
    # (the name as the line has it, in any case; a surname in capitals may follow it)
    after = re.search(rf"\b(?i:{words})(?:\s+[A-Z][A-Z'’\-]+)?\s*(?i:,\s*AGED?\s+(\d{{1,2}})\b|"
                      rf"\((\d{{1,2}})\)|,\s*(\d{{1,2}})\b)", action)  # fmt: skip
    before = re.search(rf"\b(\d{{1,2}})[- ]years?[- ]old\s+(?:\w+\s+)?{words}\b", action,
                       re.IGNORECASE)  # fmt: skip
    m = after or before
    if m is None:
        return None
    return of_age(int(next(g for g in m.groups() if g)))
