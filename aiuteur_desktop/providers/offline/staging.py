"""Staging for the offline storyboard: where each person of a shot stands, how big, which
way they face and in what pose, at the shot's start and at its end — shot size, blocking
(`blocking`), the action (`poses`), statures (a child beside a grown-up) and the close shots'
framings (the eyes of one in an ECU, over the listener's shoulder in a dialogue's MCU or CU).
Everything in frame units (0–1 across the frame's width and height)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from aiuteur_desktop.core.assets import stature
from aiuteur_desktop.core.production.shots.spec import Angle, Character, ShotSize, ShotSpec
from aiuteur_desktop.providers.offline import blocking, figures, poses

#: Foreground figure height (× frame height) and where its head top sits, per shot size.
FIGURE_SCALE: dict[ShotSize, tuple[float, float]] = {
    ShotSize.EWS: (0.20, 0.58),
    ShotSize.WS: (0.72, 0.18),
    ShotSize.MS: (1.9, 0.13),
    ShotSize.MCU: (2.8, 0.11),
    ShotSize.CU: (4.3, 0.08),
    ShotSize.ECU: (8.5, -0.12),
}
DEPTH_SCALE = {"foreground": 1.0, "midground": 0.72, "background": 0.5}
POSITION_X = {"left": 0.27, "center": 0.5, "centre": 0.5, "right": 0.73}


@dataclass(frozen=True)
class Figure:
    """Where a character is drawn: centre x, head top y and full height, in frame units."""

    name: str
    x: float
    top: float
    height: float
    facing: str
    depth: str
    image: str | None = None
    pose: str = poses.STAND
    #: Seen from behind as the near shoulder of an over-the-shoulder shot.
    shoulder: bool = False

    @property
    def bottom(self) -> float:
        return self.top + self.height


def layout(spec: ShotSpec, moment: str = "start") -> list[Figure]:
    """Each character's place in the frame at the shot's start or end: shot size sets scale,
    blocking sets position and depth, the action sets pose and where they have walked to."""
    base_h, base_top = FIGURE_SCALE[spec.shot_size]
    if spec.angle is Angle.HIGH:
        base_h, base_top = base_h * 0.9, base_top + 0.06
    elif spec.angle is Angle.LOW:
        base_top -= 0.04
    placed = []
    counts: dict[str, int] = {}
    people = blocking.blocked(spec)
    parts = poses.acting(spec.action, [c.name for c in people])
    tall = _statures(spec, people)
    for c in people:
        pos = "center" if c.position == "centre" else c.position
        counts[pos] = counts.get(pos, 0) + 1
        nudge = (counts[pos] - 1) * 0.08 * (-1 if pos == "right" else 1)
        scale = DEPTH_SCALE[c.depth]
        height = base_h * scale
        if spec.shot_size is ShotSize.EWS:
            top = base_top + (1 - scale) * 0.05
        else:
            # Smaller figures further back stand higher in frame, near the horizon.
            top = base_top + (1 - scale) * 0.22
        # A child beside a grown-up is shorter, feet on the same ground (close up, the
        # camera drops for them: their head stays in frame).
        shorter = min(height * (1 - tall[c.name]), 0.45 if height > 1 else 1.0)
        top, height = top + shorter, height - shorter
        x = POSITION_X[pos] + nudge
        if c.depth != "foreground":
            x = 0.5 + (x - 0.5) * 0.8
        part = parts[c.name]
        facing = c.facing
        if part.side_on and facing not in ("left", "right"):
            facing = "left" if pos == "right" else "right"  # moving or reaching, side on
        way = -1 if facing == "left" else 1
        if part.enters and moment == "start":  # half in, at the edge behind them
            x = 0.5 - way * 0.52
        elif part.exits and moment == "end":  # half out, at the edge ahead of them
            x = 0.5 + way * 0.52
        elif part.travel:
            x += way * part.travel * (-0.5 if moment == "start" else 0.5)
        if part.turns_away and moment == "end":
            facing = "away"
        placed.append(
            Figure(c.name.upper(), x, top, height, facing, c.depth, c.image, part.pose(moment))
        )
    # Background first, so nearer figures overlap them.
    order = {"background": 0, "midground": 1, "foreground": 2}
    framed = _over_the_shoulder(spec, sorted(placed, key=lambda f: order[f.depth]))
    # Close enough (taller than the frame) that the camera follows a head that sits or lies.
    standing = figures.skeleton(poses.STAND, "camera")[0].head[1]
    return [
        replace(
            f, top=f.top - (standing - figures.skeleton(f.pose, f.facing)[0].head[1]) * f.height
        )
        if f.height > 1
        else f
        for f in framed
    ]


def _statures(spec: ShotSpec, people: list[Character]) -> dict[str, float]:
    """Each person's height beside the tallest in the shot (1.0 for them): from their
    description, or an age the action gives them ("WILL BLOOM, AGE 3")."""
    own = {
        c.name: stature.in_action(spec.action, c.name) or c.stature for c in people
    }  # fmt: skip
    tallest = max(own.values(), default=1.0)
    return {name: s / tallest for name, s in own.items()}


def _over_the_shoulder(spec: ShotSpec, placed: list[Figure]) -> list[Figure]:
    """A close shot (MCU, CU) of a dialogue's two people is over the listener's shoulder:
    the speaker faces us on their own side, the listener is the back of a head and a
    shoulder at the near edge of the frame, nearest of all."""
    front = [f for f in placed if f.depth == "foreground"]
    first = " ".join(spec.dialogue[0].character.upper().split()) if spec.dialogue else ""
    if spec.shot_size is ShotSize.ECU and front:  # the eyes of one: the speaker's
        one = next((f for f in front if f.name == first), front[0])
        return [replace(one, x=0.5, facing="camera", pose=poses.STAND)]
    if spec.shot_size not in (ShotSize.MCU, ShotSize.CU) or len(front) != 2 or not spec.dialogue:
        return placed
    speaker = next((f for f in front if f.name == first), front[0])
    listener = next(f for f in front if f is not speaker)
    left = listener.x < speaker.x or (listener.x == speaker.x and speaker.facing == "left")
    near = replace(listener, x=0.08 if left else 0.92, top=listener.top + listener.height * 0.06,
                   height=listener.height * 1.15, facing="away", pose=poses.STAND,
                   shoulder=True)  # fmt: skip
    talking = replace(speaker, x=0.62 if left else 0.38, facing="camera")
    rest = [f for f in placed if f not in (speaker, listener)]
    return [*rest, talking, near]
