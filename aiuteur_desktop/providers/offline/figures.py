"""People in the offline storyboard, drawn in a pose (issue "Offline storyboards…"): a
skeleton per pose — standing, walking, running, sitting, lying, kneeling, reaching, driving —
seen from the front or side on, fleshed out as limbs, torso and head. Each person has a
silhouette of their own (build and hair, from their name) and, close up, a face.

Joints are in standing heights: x across the frame (positive the way a side-on figure
faces), y up from the feet. A seated or kneeling person is lower, a lying one long and flat.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass

from PIL import ImageDraw

from aiuteur_desktop.providers.offline import poses

Colour = tuple[int, int, int]
Pt = tuple[float, float]


@dataclass(frozen=True)
class Skeleton:
    head: Pt
    shoulder: Pt
    hip: Pt
    arms: tuple[tuple[Pt, Pt], tuple[Pt, Pt]]  # (elbow, hand): far or left, near or right
    legs: tuple[tuple[Pt, Pt], tuple[Pt, Pt]]  # (knee, foot)
    seat: bool = False  # sat on something: a chair is drawn under them


def _sk(head: Pt, shoulder: Pt, hip: Pt, a1: tuple[Pt, Pt], a2: tuple[Pt, Pt],
        l1: tuple[Pt, Pt], l2: tuple[Pt, Pt], seat: bool = False) -> Skeleton:  # fmt: skip
    return Skeleton(head, shoulder, hip, (a1, a2), (l1, l2), seat)


#: Seen side on (facing +x).
SIDE: dict[str, Skeleton] = {
    poses.STAND: _sk((0.01, 0.935), (0, 0.85), (0, 0.5), ((-0.01, 0.65), (0.01, 0.49)),
                     ((0.01, 0.65), (0.03, 0.49)), ((0, 0.26), (0, 0)), ((0.01, 0.26), (0.02, 0))),
    poses.WALK: _sk((0.02, 0.935), (0.01, 0.85), (0, 0.5), ((-0.06, 0.66), (-0.1, 0.52)),
                    ((0.06, 0.66), (0.13, 0.54)), ((-0.04, 0.26), (-0.13, 0.02)),
                    ((0.07, 0.27), (0.12, 0))),
    poses.RUN: _sk((0.1, 0.9), (0.07, 0.82), (0, 0.5), ((-0.09, 0.7), (-0.14, 0.58)),
                   ((0.12, 0.66), (0.2, 0.76)), ((-0.08, 0.28), (-0.22, 0.1)),
                   ((0.17, 0.38), (0.12, 0.16))),
    poses.SIT: _sk((0.01, 0.745), (0, 0.66), (0, 0.31), ((0.03, 0.47), (0.15, 0.38)),
                   ((0.04, 0.47), (0.17, 0.38)), ((0.21, 0.31), (0.2, 0)),
                   ((0.22, 0.31), (0.23, 0)), seat=True),
    poses.DRIVE: _sk((0.02, 0.745), (0, 0.66), (0, 0.31), ((0.1, 0.5), (0.22, 0.58)),
                     ((0.11, 0.5), (0.23, 0.58)), ((0.21, 0.31), (0.22, 0.02)),
                     ((0.22, 0.31), (0.24, 0.02))),
    poses.KNEEL: _sk((0.01, 0.765), (0, 0.68), (0, 0.33), ((0.02, 0.49), (0.05, 0.34)),
                     ((0.03, 0.49), (0.07, 0.34)), ((0.05, 0.03), (-0.2, 0.01)),
                     ((0.07, 0.03), (-0.18, 0.01))),
    poses.REACH: _sk((0.02, 0.935), (0, 0.85), (0, 0.5), ((-0.01, 0.65), (0.01, 0.49)),
                     ((0.15, 0.78), (0.31, 0.79)), ((0, 0.26), (0, 0)),
                     ((0.01, 0.26), (0.02, 0))),
    poses.LIE: _sk((-0.43, 0.075), (-0.33, 0.065), (0, 0.065), ((-0.16, 0.05), (-0.02, 0.04)),
                   ((-0.16, 0.085), (0.0, 0.09)), ((0.24, 0.06), (0.47, 0.05)),
                   ((0.24, 0.09), (0.47, 0.1))),
}  # fmt: skip
#: Seen from the front (or the back): arms and legs left then right.
FRONT: dict[str, Skeleton] = {
    poses.STAND: _sk((0, 0.938), (0, 0.85), (0, 0.5), ((-0.15, 0.65), (-0.16, 0.48)),
                     ((0.15, 0.65), (0.16, 0.48)), ((-0.065, 0.26), (-0.07, 0)),
                     ((0.065, 0.26), (0.07, 0))),
    poses.SIT: _sk((0, 0.745), (0, 0.66), (0, 0.31), ((-0.15, 0.47), (-0.1, 0.34)),
                   ((0.15, 0.47), (0.1, 0.34)), ((-0.08, 0.27), (-0.08, 0)),
                   ((0.08, 0.27), (0.08, 0)), seat=True),
    poses.KNEEL: _sk((0, 0.765), (0, 0.68), (0, 0.33), ((-0.15, 0.49), (-0.15, 0.33)),
                     ((0.15, 0.49), (0.15, 0.33)), ((-0.08, 0.03), (-0.09, 0.02)),
                     ((0.08, 0.03), (0.09, 0.02))),
}  # fmt: skip
HAIR = ("short", "long", "bun", "crop", "bald")


@dataclass(frozen=True)
class Body:
    """A silhouette of one's own: how broad the shoulders are, and the hair."""

    build: float = 1.0
    hair: str = "short"


def body_of(name: str) -> Body:
    """The same build and hair for a name in every shot, different from most other names'."""
    digest = hashlib.sha256(name.upper().encode()).digest()
    return Body(0.86 + digest[0] / 255 * 0.3, HAIR[digest[1] % len(HAIR)])


def skeleton(pose: str, facing: str) -> tuple[Skeleton, int]:
    """The joints for `pose` seen as the person faces, and the way x runs (+1/-1; 0 when
    seen from the front or the back)."""
    side_on = facing in ("left", "right") or pose not in FRONT
    if not side_on:
        return FRONT[pose], 0
    return SIDE.get(pose, SIDE[poses.STAND]), -1 if facing == "left" else 1


def _mix(a: Colour, b: Colour, t: float) -> Colour:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t),
            round(a[2] + (b[2] - a[2]) * t))  # fmt: skip


@dataclass(frozen=True)
class Drawn:
    """Where a figure landed, in pixels: its box and the top of its head."""

    left: float
    top: float
    right: float
    bottom: float
    head_top: float


def draw(
    d: ImageDraw.ImageDraw,
    cx: float,
    base: float,
    h: float,
    *,
    pose: str = poses.STAND,
    facing: str = "camera",
    fill: Colour,
    outline: Colour,
    body: Body = Body(),
    hair: Colour | None = None,
    face: bool = True,
) -> Drawn:
    """A person standing `h` pixels tall with their feet at (cx, base), in `pose`."""
    sk, sign = skeleton(pose, facing)
    build = body.build

    def at(p: Pt) -> Pt:
        return cx + p[0] * h * (sign or 1), base - p[1] * h

    lw = max(1, round(h * 0.006))
    far = _mix(fill, outline, 0.18)
    head = at(sk.head)
    shoulder, hip = at(sk.shoulder), at(sk.hip)
    arm_w, leg_w = h * 0.052 * build**0.5, h * 0.072 * build**0.5
    if sign:  # side on: a narrow torso, the far limbs behind it
        sw, hw = h * 0.058 * build, h * 0.062 * build
    else:
        sw, hw = h * 0.13 * build, h * 0.092 * build
    if sk.seat and facing != "away":
        _chair(d, at, sign, h, outline)

    def limb(points: list[Pt], width: float, colour: Colour) -> None:
        d.line(points, fill=outline, width=round(width + 2 * lw), joint="curve")
        for x, y in (points[0], points[-1]):
            r = width / 2 + lw
            d.ellipse([x - r, y - r, x + r, y + r], fill=outline)
        d.line(points, fill=colour, width=round(width), joint="curve")
        for x, y in (points[0], points[-1]):
            r = width / 2
            d.ellipse([x - r, y - r, x + r, y + r], fill=colour)

    def shoulder_of(i: int) -> Pt:
        if sign:
            return shoulder[0], shoulder[1] + arm_w * 0.4
        return shoulder[0] + (-1 if i == 0 else 1) * (sw - arm_w * 0.45), shoulder[1] + arm_w * 0.4

    def hip_of(i: int) -> Pt:
        if sign:
            return hip
        return hip[0] + (-1 if i == 0 else 1) * (hw - leg_w * 0.5), hip[1]

    # The spine's direction sets the torso's sides (a lying body's run along the ground).
    sx, sy = hip[0] - shoulder[0], hip[1] - shoulder[1]
    n = max(1e-6, math.hypot(sx, sy))
    px, py = -sy / n, sx / n
    torso = [(shoulder[0] - px * sw, shoulder[1] - py * sw), (shoulder[0] + px * sw, shoulder[1] + py * sw),
             (hip[0] + px * hw, hip[1] + py * hw), (hip[0] - px * hw, hip[1] - py * hw)]  # fmt: skip
    (e0, h0), (e1, h1) = sk.arms
    (k0, f0), (k1, f1) = sk.legs
    hair_colour = hair or _mix(fill, (0, 0, 0), 0.45)
    if body.hair == "long" and facing != "away":  # long hair falls behind the shoulders
        hx, hy = head
        r = h * 0.066
        d.rounded_rectangle([hx - r, hy - r * 0.6, hx + r, hy + r * 2.3], radius=r * 0.6,
                            fill=hair_colour, outline=outline, width=lw)  # fmt: skip
    if sign:
        limb([shoulder_of(0), at(e0), at(h0)], arm_w, far)
        limb([hip_of(0), at(k0), at(f0)], leg_w, far)
    else:
        limb([hip_of(0), at(k0), at(f0)], leg_w, fill)
        limb([hip_of(1), at(k1), at(f1)], leg_w, fill)
    d.polygon(torso, fill=fill, outline=outline, width=lw)
    for c in () if sign else (-1, 1):  # rounded shoulders, seen from the front
        x, y = shoulder[0] + c * (sw - arm_w * 0.45), shoulder[1] + arm_w * 0.45
        r = arm_w * 0.62
        d.ellipse([x - r, y - r, x + r, y + r], fill=fill)
    if sign:
        limb([hip_of(1), at(k1), at(f1)], leg_w, fill)
    # the neck, then the head
    d.line([(shoulder[0], shoulder[1]), head], fill=fill, width=round(h * 0.045))
    top = _head(d, head, h, sign, facing, fill, outline, lw, body, hair_colour, face)
    if sign:
        limb([shoulder_of(1), at(e1), at(h1)], arm_w, fill)
    else:
        limb([shoulder_of(0), at(e0), at(h0)], arm_w, fill)
        limb([shoulder_of(1), at(e1), at(h1)], arm_w, fill)
    xs = [p[0] for p in (head, shoulder, hip, at(h0), at(h1), at(f0), at(f1))]
    ys = [p[1] for p in (shoulder, hip, at(h0), at(h1), at(f0), at(f1))]
    return Drawn(min(xs) - sw, top, max(xs) + sw, max(ys) + leg_w / 2, top)


def hand(pose: str, facing: str, cx: float, base: float, h: float) -> Pt:
    """Where the near (or right) hand is, in pixels: what a person holds is drawn there."""
    sk, sign = skeleton(pose, facing)
    x, y = sk.arms[1][1]
    return cx + x * h * (sign or 1), base - y * h


def _chair(
    d: ImageDraw.ImageDraw, at: Callable[[Pt], Pt], sign: int, h: float, outline: Colour
) -> None:
    """A plain chair under a seated person (side on: seat and back; front: the back behind);
    `at` maps the figure's joints to pixels."""
    wood = (104, 80, 60)

    def box(x0: float, y0: float, x1: float, y1: float) -> None:
        (ax, ay), (bx, by) = at((x0, y0)), at((x1, y1))
        d.rectangle([min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)], fill=wood,
                    outline=outline, width=max(1, round(h * 0.004)))  # fmt: skip

    if sign:
        box(-0.1, 0.62, -0.075, 0.0)  # the back and its back leg
        box(-0.1, 0.29, 0.16, 0.25)  # the seat
        box(0.13, 0.25, 0.155, 0.0)  # the front leg
    else:
        box(-0.15, 0.68, 0.15, 0.31)  # the back, behind the sitter
        box(-0.17, 0.31, 0.17, 0.26)
        box(-0.165, 0.26, -0.14, 0.0)
        box(0.14, 0.26, 0.165, 0.0)


def _head(
    d: ImageDraw.ImageDraw,
    at: Pt,
    h: float,
    sign: int,
    facing: str,
    fill: Colour,
    outline: Colour,
    lw: int,
    body: Body,
    hair: Colour,
    face: bool,
) -> float:
    """The head at `at` with hair and — facing us or side on — a face; returns its top."""
    x, y = at
    rx, ry = h * 0.05, h * 0.062
    d.ellipse([x - rx, y - ry, x + rx, y + ry], fill=fill, outline=outline, width=lw)
    away = facing == "away"
    if away:  # the back of a head: hair over it
        if body.hair != "bald":
            d.ellipse([x - rx, y - ry, x + rx, y + ry * 0.9], fill=hair, outline=outline, width=lw)
    elif body.hair in ("short", "long", "crop"):
        deep = 0.35 if body.hair == "crop" else 0.75
        d.chord([x - rx * 1.04, y - ry * 1.06, x + rx * 1.04, y + ry * deep], 180, 360,
                 fill=hair, outline=outline, width=lw)  # fmt: skip
    elif body.hair == "bun":
        d.chord([x - rx * 1.04, y - ry * 1.06, x + rx * 1.04, y + ry * 0.5], 180, 360, fill=hair)
        bx = x - sign * rx * 0.7 if sign else x
        r = rx * 0.42
        d.ellipse([bx - r, y - ry * 1.15 - r, bx + r, y - ry * 1.15 + r], fill=hair,
                  outline=outline, width=lw)  # fmt: skip
    if not face or away:
        return y - ry * (1.5 if body.hair == "bun" else 1.06)
    close = rx > 28  # big enough on screen for a face's features
    light = _mix(fill, (255, 255, 255), 0.45)
    if sign:  # side on: a nose, one eye, a mouth
        nx = x + sign * rx
        d.polygon([(nx - sign * rx * 0.05, y - ry * 0.15), (nx + sign * rx * 0.28, y + ry * 0.2),
                   (nx - sign * rx * 0.05, y + ry * 0.3)], fill=fill, outline=outline)  # fmt: skip
        eyes = [x + sign * rx * 0.5]
    else:
        eyes = [x - rx * 0.38, x + rx * 0.38]
    er = max(1.0, rx * (0.16 if close else 0.12))
    for ex in eyes:
        if close:
            d.ellipse(
                [ex - er * 1.6, y - er * 0.8, ex + er * 1.6, y + er * 0.8], fill=(232, 230, 222)
            )
            d.ellipse([ex - er * 0.7, y - er * 0.7, ex + er * 0.7, y + er * 0.7], fill=(40, 34, 30))
            d.line([(ex - er * 1.7, y - er * 2.1), (ex + er * 1.6, y - er * 2.4)], fill=hair,
                   width=max(1, round(er * 0.5)))  # fmt: skip
        else:
            d.ellipse([ex - er, y - er, ex + er, y + er], fill=_mix(fill, outline, 0.7))
    if close:
        mx = x + sign * rx * 0.45 if sign else x
        if not sign:
            d.line([(x, y + ry * 0.05), (x - rx * 0.1, y + ry * 0.35), (x + rx * 0.08, y + ry * 0.38)],
                   fill=light, width=max(1, round(er * 0.3)))  # fmt: skip
        d.line([(mx - rx * 0.25, y + ry * 0.6), (mx + rx * 0.25, y + ry * 0.6)], fill=light,
               width=max(1, round(er * 0.35)))  # fmt: skip
    return y - ry * (1.5 if body.hair == "bun" else 1.06)
