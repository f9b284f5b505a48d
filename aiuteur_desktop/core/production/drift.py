"""The Continuity Drift Detector (PRD §9.5): deterministic scores of how far a new start frame
has drifted from the frame it follows, and each character's region from their scene key.
Advice only — it flags, it never blocks.

Measures (OpenCV / NumPy, on images scaled to 320 pixels wide, so a 1280×720 pair takes a
few milliseconds):

- **structure**: the structural similarity (SSIM) of the two grey images, 1 = the same;
- **colour**: the Bhattacharyya distance of their hue–saturation histograms, 0 = the same;
- **features**: the share of ORB keypoints that find a match (Lowe's ratio 0.75), 1 = all.

A frame is flagged when its **colour** distance passes `COLOUR_LIMIT` — the place or the
light changed (another set, dawn for night) — or when its structure is under
`STRUCTURE_LIMIT` with few matching features and a colour distance past `SHIFT_LIMIT` (the
same palette, another picture). A cut to another angle of the same set keeps its colours
(0.28 for a wide shot to a close-up of the offline storyboard) and is not flagged; another
set at night scores 0.95, dawn after night 0.99. A character is flagged when the colour distance of
their region (their third of the frame, from the shot's blocking) to their key passes
`CHARACTER_LIMIT`, with the colours named: "MARA's colours differ from her key: red → blue".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

COLOUR_LIMIT = 0.6
STRUCTURE_LIMIT = 0.25
FEATURE_LIMIT = 0.05
SHIFT_LIMIT = 0.35
CHARACTER_LIMIT = 0.5
WIDTH = 320
#: The horizontal band of a character by their place in the blocking (fractions of width).
BANDS = {"left": (0.0, 0.42), "center": (0.29, 0.71), "right": (0.58, 1.0)}


@dataclass(frozen=True)
class Drift:
    structure: float
    colour: float
    features: float
    flags: tuple[str, ...] = field(default=())

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def to_json(self) -> dict[str, Any]:
        return {
            "structure": round(self.structure, 3),
            "colour": round(self.colour, 3),
            "features": round(self.features, 3),
            "flags": list(self.flags),
        }


def _decode(data: bytes) -> Any:
    import cv2
    import numpy as np

    from aiuteur_desktop.core.media.imaging import open_image

    with open_image(data) as im:  # a bomb is refused from its header, as everywhere
        rgb = np.asarray(im.convert("RGB"))
    h, w = rgb.shape[:2]
    scale = WIDTH / max(1, w)
    small = cv2.resize(rgb, (WIDTH, max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_RGB2BGR)


def _ssim(a: Any, b: Any) -> float:
    import cv2
    import numpy as np

    x = cv2.cvtColor(a, cv2.COLOR_BGR2GRAY).astype(np.float64)
    y = cv2.cvtColor(b, cv2.COLOR_BGR2GRAY).astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    blur = lambda m: cv2.GaussianBlur(m, (11, 11), 1.5)  # noqa: E731
    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    ssim = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(ssim.mean())


def _hist(bgr: Any) -> Any:
    import cv2

    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    h = cv2.calcHist([hsv], [0, 1], None, [30, 16], [0, 180, 0, 256])
    cv2.normalize(h, h, 1.0, 0.0, cv2.NORM_L1)
    return h


def _colour(a: Any, b: Any) -> float:
    import cv2

    return float(cv2.compareHist(_hist(a), _hist(b), cv2.HISTCMP_BHATTACHARYYA))


def _features(a: Any, b: Any) -> float:
    import cv2

    orb = cv2.ORB.create(nfeatures=300)
    ga, gb = cv2.cvtColor(a, cv2.COLOR_BGR2GRAY), cv2.cvtColor(b, cv2.COLOR_BGR2GRAY)
    ka, da = orb.detectAndCompute(ga, None)
    kb, db = orb.detectAndCompute(gb, None)
    if da is None or db is None or not len(ka) or not len(kb):
        # Flat images (a title card, a blank set) have no keypoints: say they match when
        # both are flat, not when one is.
        return 1.0 if (da is None) == (db is None) else 0.0
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(da, db, k=2)
    good = sum(1 for p in pairs if len(p) == 2 and p[0].distance < 0.75 * p[1].distance)
    return good / max(1, min(len(ka), len(kb)))


def colour_name(bgr: Any) -> str:
    """The dominant colour of an image region in a word (red, blue, grey …)."""
    import cv2
    import numpy as np

    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV).reshape(-1, 3)
    vivid = hsv[(hsv[:, 1] > 70) & (hsv[:, 2] > 50)]
    if len(vivid) < 0.08 * len(hsv):
        value = float(np.median(hsv[:, 2]))
        return "black" if value < 60 else "white" if value > 200 else "grey"
    hue = int(np.bincount(vivid[:, 0].astype(np.int64), minlength=180).argmax())
    for top, name in (
        (8, "red"), (20, "orange"), (33, "yellow"), (80, "green"), (97, "cyan"),
        (128, "blue"), (148, "purple"), (168, "pink"), (180, "red"),
    ):  # fmt: skip
        if hue < top:
            return name
    return "red"


def compare(previous: bytes, frame: bytes) -> Drift:
    """How far `frame` (a shot's new start frame) has drifted from `previous` (the frame it
    follows)."""
    a, b = _decode(previous), _decode(frame)
    if a.shape != b.shape:
        import cv2

        b = cv2.resize(b, (a.shape[1], a.shape[0]), interpolation=cv2.INTER_AREA)
    structure, colour, features = _ssim(a, b), _colour(a, b), _features(a, b)
    flags: list[str] = []
    if colour > COLOUR_LIMIT or (
        structure < STRUCTURE_LIMIT and features < FEATURE_LIMIT and colour > SHIFT_LIMIT
    ):
        flags.append(
            f"The frame looks unlike the one before it (colours {colour_name(a)} → "
            f"{colour_name(b)}): a new place or light — check it is meant."
        )
    return Drift(structure, colour, features, tuple(flags))


def character(frame: bytes, key: bytes, name: str, position: str = "center") -> str | None:
    """A flag when the character's region of `frame` (their band, from the blocking) has
    colours unlike their key's middle, else None."""
    f, k = _decode(frame), _decode(key)
    left, right = BANDS.get(position, BANDS["center"])
    h, w = f.shape[:2]
    region = f[int(h * 0.15) : int(h * 0.95), int(w * left) : int(w * right)]
    kh, kw = k.shape[:2]
    middle = k[int(kh * 0.2) : int(kh * 0.9), int(kw * 0.25) : int(kw * 0.75)]
    if not region.size or not middle.size:
        return None
    if _colour(region, middle) <= CHARACTER_LIMIT:
        return None
    was, now = colour_name(middle), colour_name(region)
    change = f": {was} → {now}" if was != now else ""
    return f"{name.upper()}'s colours differ from their key{change}."
