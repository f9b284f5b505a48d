"""What each person of a shot does, read from its action (issue "Offline storyboards…"):
a pose at the start of the shot and one at its end, and how far they travel across it.

"MARA walks to the table and sits down." — Mara is walking at the start, seated at the end,
and has crossed a quarter of the frame to her place. A verb belongs to the person named last
before it in its sentence, else to the one named last before that sentence (he, she, they),
else — when the shot has one person — to them. A person whose action says nothing stands.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

STAND, WALK, RUN, SIT, LIE, KNEEL, REACH, DRIVE = (
    "stand", "walk", "run", "sit", "lie", "kneel", "reach", "drive",
)  # fmt: skip
#: The poses drawn side on, whichever way the person faced: a walk seen from the front
#: reads as standing.
SIDE_ON = frozenset({WALK, RUN, REACH, DRIVE, KNEEL})
#: How far across the frame (in frame widths) a walk and a run carry someone in a shot.
TRAVEL = {WALK: 0.22, RUN: 0.4}

_P = "(?:his|her|their|its)"
#: Verb phrases → (pose at the start, pose at the end, enters/exits/turns away). The first
#: phrase of a kind in a clause wins; transitions are listed before the states they end in.
VERBS: list[tuple[re.Pattern[str], str, str, str]] = [
    (
        re.compile(
            rf"\b(?:sits?|sat|sinks?|sank|slumps?|drops?|flops?) (?:down|into|onto|back)\b|"
            rf"\btakes? a seat\b|\bsits? {_P}self\b"
        ),
        STAND,
        SIT,
        "",
    ),
    (
        re.compile(
            rf"\b(?:stands?|gets?|jumps?|springs?|leaps?) up\b|\brises\b|\brose\b|"
            rf"\bgets? to {_P} feet\b|\bstands\b(?! (?:still|there|alone|by|in|at|over))"
        ),
        SIT,
        STAND,
        "",
    ),
    (
        re.compile(
            r"\b(?:falls?|fell) (?:down|over|back|forward|flat|to the (?:floor|ground))\b|"
            r"\b(?:collapses?|crumples?|keels? over|topples? over|faints?)\b|"
            r"\blies? down\b|\bdrops? to the (?:floor|ground)\b"
        ),
        STAND,
        LIE,
        "",
    ),
    (
        re.compile(
            rf"\b(?:kneels? down|drops? to {_P} knees|falls? to {_P} knees|crouch(?:es)? down)\b"
        ),
        STAND,
        KNEEL,
        "",
    ),
    (
        re.compile(
            r"\b(?:enters?|comes? in|walks? in(?:to)?|steps? in(?:to)?|arrives?|"
            r"appears? in the doorway)\b"
        ),
        WALK,
        STAND,
        "enter",
    ),
    (
        re.compile(
            r"\b(?:exits?|leaves|left the room|walks? (?:out|off|away)|storms? out|"
            r"goes? out|heads? out|disappears?)\b"
        ),
        STAND,
        WALK,
        "exit",
    ),
    (re.compile(rf"\bturns? (?:away|{_P} back)\b|\blooks? away\b"), STAND, STAND, "away"),
    (
        re.compile(r"\b(?:drives?|driving|drove|steers?|steering|at the wheel|behind the wheel)\b"),
        DRIVE,
        DRIVE,
        "",
    ),
    (
        re.compile(
            r"\b(?:runs?|running|ran|sprints?|sprinting|dashes|"
            r"flees|fleeing|chases?|chasing|bolts?|charges?|rushes)\b"
        ),
        RUN,
        RUN,
        "",
    ),
    (
        re.compile(
            r"\b(?:walks?|walking|strides?|striding|paces?|pacing|crosses (?:the|to|over)|wanders?|"
            r"approaches|approaching|strolls?|trudges?|marches|limps?|heads? (?:to|for|toward)|"
            r"moves? (?:to|toward|across))\b"
        ),
        WALK,
        WALK,
        "",
    ),
    (
        re.compile(
            r"\b(?:lies|lying|sleeps?|sleeping|asleep|sprawled|unconscious|"
            r"dead on|slumped on)\b"
        ),
        LIE,
        LIE,
        "",
    ),
    (
        re.compile(r"\b(?:kneels?|kneeling|knelt|crouch(?:es|ing)?|squat(?:s|ting)?)\b"),
        KNEEL,
        KNEEL,
        "",
    ),
    (re.compile(r"\b(?:sits?|sitting|seated|sat|perched)\b"), SIT, SIT, ""),
    (
        re.compile(
            r"\b(?:reach(?:es|ing)?|grabs?|grabbing|seizes?|snatch(?:es)?|picks? up|"
            r"takes?|hands? (?:him|her|them|it|over)|offers?|points?|pointing|raises?|lifts?|opens?|knocks?|"
            r"pours?|pouring)\b"
        ),
        STAND,
        REACH,
        "",
    ),
    (
        re.compile(
            r"\b(?:holds?|holding|clutch(?:es|ing)?|grips?|gripping|carr(?:ies|ying)|"
            r"aims?|aiming|brandish(?:es|ing)?)\b"
        ),
        REACH,
        REACH,
        "",
    ),
]
_SENTENCE = re.compile(r"(?<=[.!?;])\s+")


@dataclass(frozen=True)
class Acting:
    """One person's part in a shot: their pose at its start and end, how far they travel (in
    frame widths, along the way they face), and whether they come in, go out or turn away."""

    start: str = STAND
    end: str = STAND
    travel: float = 0.0
    enters: bool = False
    exits: bool = False
    turns_away: bool = False

    def pose(self, moment: str) -> str:
        return self.start if moment == "start" else self.end

    @property
    def side_on(self) -> bool:
        return self.start in SIDE_ON or self.end in SIDE_ON or self.travel > 0


def _names(name: str) -> list[str]:
    """The ways an action line names someone: MARA QUILL, Mara, Quill."""
    words = name.split()
    return list(dict.fromkeys([name, *(w for w in (words[:1] + words[-1:]) if len(w) > 2)]))


def named_in(action: str, people: list[str]) -> Iterator[tuple[str, list[tuple[int, str]]]]:
    """Each sentence of `action`, with where in it each of `people` is named (position,
    person), in order — what a verb or a prop is matched to its person by."""
    spotted = [
        (re.compile(r"\b(?:" + "|".join(re.escape(n) for n in _names(p)) + r")\b", re.I), p)
        for p in people
    ]
    for sentence in _SENTENCE.split(" ".join(action.split())):
        yield sentence, sorted((m.start(), p) for rx, p in spotted for m in rx.finditer(sentence))


def acting(action: str, people: list[str]) -> dict[str, Acting]:
    """Each of `people` (their names as the shot has them) → what the action has them do;
    linear in the action's length."""
    found: dict[str, list[tuple[str, str, str]]] = {p: [] for p in people}
    last = people[0] if len(people) == 1 else None
    for sentence, marks in named_in(action, people):
        verbs = []
        for rx, start, end, how in VERBS:
            verbs += [(m.start(), m.end(), start, end, how) for m in rx.finditer(sentence)]
        taken: list[tuple[int, int]] = []
        for at, stop, start, end, how in sorted(verbs, key=lambda v: (v[0], -v[1])):
            if any(a <= at < b for a, b in taken):  # "sits down" is not also "sits"
                continue
            taken.append((at, stop))
            before = [p for pos, p in marks if pos < at]
            who = before[-1] if before else last
            if who is not None:
                found[who].append((start, end, how))
        if marks:
            last = marks[-1][1]
    out = {}
    for person, parts in found.items():
        if not parts:
            out[person] = Acting()
            continue
        hows = {how for _s, _e, how in parts}
        # (turning away changes where they look, not how they stand)
        parts = [part for part in parts if part[2] != "away"] or [(STAND, STAND, "")]
        moving = [TRAVEL[p] for s, e, _h in parts for p in (s, e) if p in TRAVEL]
        out[person] = Acting(
            start=parts[0][0],
            end=parts[-1][1],
            travel=max(moving, default=0.0),
            enters="enter" in hows,
            exits="exit" in hows and "enter" not in hows,
            turns_away="away" in hows,
        )
    return out
