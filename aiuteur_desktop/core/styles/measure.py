"""Measurable style of a reference image (PRD §2.2): palette, contrast, saturation, key, grain,
edges — computed with OpenCV — and the plain-words style card that prompts use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import UnidentifiedImageError

from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.media.imaging import ImageTooLarge, open_image, unreadable

if TYPE_CHECKING:
    import numpy as np

ACCEPTED = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
ANALYSIS_SIDE = 512


class BadImage(AiuteurError):
    """A reference image that cannot be used (wrong type, corrupt, empty)."""


@dataclass(frozen=True)
class Swatch:
    rgb: tuple[int, int, int]
    share: float

    @property
    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)


@dataclass(frozen=True)
class Descriptors:
    palette: tuple[Swatch, ...]
    contrast: float  # std of lightness, 0–1
    saturation: float  # mean HSV saturation, 0–1
    brightness: float  # mean lightness, 0–1
    grain: float  # high-frequency noise level, 0–1 (roughly)
    edge_density: float  # share of edge pixels, 0–1
    monochrome: bool

    @property
    def key(self) -> str:
        if self.brightness < 0.35:
            return "low-key"
        if self.brightness > 0.65:
            return "high-key"
        return "mid-key"


def load_rgb(data: bytes) -> np.ndarray:
    """Decode PNG/JPEG/WebP bytes to RGB; anything else is refused with a reason."""
    try:
        with open_image(data) as im:
            kind = im.format
            if kind not in ACCEPTED:
                raise BadImage(
                    f"{kind or 'This file'} images are not accepted: use PNG, JPEG or WebP."
                )
            im.draft("RGB", (ANALYSIS_SIDE, ANALYSIS_SIDE))  # a JPEG decodes small at once
            im.load()
            rgb = im if im.mode == "RGB" else im.convert("RGB")  # no second whole copy
    except ImageTooLarge as exc:
        raise BadImage(exc.user_message) from exc
    except (UnidentifiedImageError, OSError, ValueError, EOFError) as exc:
        raise BadImage(unreadable("This file", exc)) from exc
    if rgb.width < 8 or rgb.height < 8:
        raise BadImage("This image is too small to say anything about a style.")
    rgb.thumbnail((ANALYSIS_SIDE, ANALYSIS_SIDE))
    import numpy as np

    return np.asarray(rgb)


def _palette(rgb: np.ndarray, k: int = 5) -> tuple[Swatch, ...]:
    import cv2  # OpenCV and NumPy load on first use, not at start-up
    import numpy as np

    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).reshape(-1, 3).astype(np.float32)
    step = max(1, len(lab) // 20000)
    sample = lab[::step]
    k = min(k, len(np.unique(sample, axis=0)))
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 0.5)
    cv2.setRNGSeed(7)  # deterministic palettes
    best = np.zeros((len(sample), 1), np.int32)
    _c, labels, centres = cv2.kmeans(sample, k, best, criteria, 3, cv2.KMEANS_PP_CENTERS)
    counts = np.bincount(labels.ravel(), minlength=k).astype(float)
    order = np.argsort(-counts)
    swatches = []
    for i in order:
        lab_px = np.clip(centres[i], 0, 255).astype(np.uint8).reshape(1, 1, 3)
        r, g, b = cv2.cvtColor(lab_px, cv2.COLOR_LAB2RGB)[0, 0]
        swatches.append(Swatch((int(r), int(g), int(b)), round(float(counts[i] / counts.sum()), 3)))
    return tuple(swatches)


def describe(data: bytes) -> Descriptors:
    import cv2  # OpenCV and NumPy load on first use, not at start-up
    import numpy as np

    rgb = load_rgb(data)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    lightness = lab[..., 0].astype(np.float32) / 255.0
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    saturation = float(hsv[..., 1].mean() / 255.0)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    # Grain: what a median filter removes, measured where the image is otherwise smooth.
    residual = np.abs(grey.astype(np.float32) - cv2.medianBlur(grey, 3).astype(np.float32))
    grain = float(min(1.0, residual.mean() / 20.0))
    edges = cv2.Canny(cv2.GaussianBlur(grey, (5, 5), 0), 60, 160)
    chroma = np.abs(lab[..., 1:].astype(np.float32) - 128.0).mean()
    return Descriptors(
        palette=_palette(rgb),
        contrast=round(float(lightness.std()), 4),
        saturation=round(saturation, 4),
        brightness=round(float(lightness.mean()), 4),
        grain=round(grain, 4),
        edge_density=round(float((edges > 0).mean()), 4),
        monochrome=bool(chroma < 3.0),
    )


def style_card(d: Descriptors) -> str:
    """The editable text card a prompt uses: palette, lighting, contrast, texture, lens feel."""
    colour = (
        "black and white"
        if d.monochrome
        else (
            "muted colour"
            if d.saturation < 0.25
            else "rich, saturated colour"
            if d.saturation > 0.55
            else "natural colour"
        )
    )
    contrast = (
        "high contrast"
        if d.contrast > 0.28
        else "low contrast"
        if d.contrast < 0.12
        else "moderate contrast"
    )
    texture = (
        "heavy film grain"
        if d.grain > 0.45
        else "fine grain"
        if d.grain > 0.15
        else "clean, grain-free"
    )
    detail = (
        "busy, detailed frames"
        if d.edge_density > 0.12
        else "simple, open compositions"
        if d.edge_density < 0.03
        else "balanced detail"
    )
    lens = (
        "soft, shallow-focus lens feel"
        if d.edge_density < 0.03 and d.grain < 0.15
        else "crisp lens feel"
    )
    swatches = ", ".join(s.hex for s in d.palette[:5])
    return (
        f"Palette: {colour}; dominant tones {swatches}.\n"
        f"Lighting: {d.key}.\n"
        f"Contrast: {contrast}.\n"
        f"Texture: {texture}; {detail}.\n"
        f"Lens feel: {lens}."
    )


def style_vector(rgb: np.ndarray) -> list[float]:
    """A small, comparable 'look' vector for retrieval without any model: colourfulness,
    tone and texture, plus a coarse hue/lightness histogram. Compared by plain distance (not
    normalised), so "has no colour at all" stays the loudest difference."""
    import cv2  # OpenCV and NumPy load on first use, not at start-up
    import numpy as np

    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    lightness = lab[..., 0].astype(np.float32) / 255.0
    chroma = np.abs(lab[..., 1:].astype(np.float32) - 128.0).mean() / 64.0
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    residual = np.abs(grey.astype(np.float32) - cv2.medianBlur(grey, 3).astype(np.float32))
    edges = cv2.Canny(cv2.GaussianBlur(grey, (5, 5), 0), 60, 160)
    summary = np.array(
        [
            # Colour against black and white matters most for a look; the square roots make
            # even a little colour count clearly.
            3.0 * min(1.0, float(np.sqrt(chroma))),
            2.0 * float(np.sqrt(hsv[..., 1].mean() / 255.0)),
            float(lightness.std()) * 2.0,
            float(lightness.mean()),
            min(1.0, float(residual.mean() / 20.0)),
            float((edges > 0).mean()) * 4.0,
        ],
        dtype=np.float32,
    )
    weights = hsv[..., 1].astype(np.float32).ravel() / 255.0
    hue_hist, _ = np.histogram(hsv[..., 0].ravel(), bins=6, range=(0, 180), weights=weights)
    light_hist, _ = np.histogram(lightness.ravel(), bins=4, range=(0, 1))
    hue_hist = hue_hist / max(1.0, float(len(weights)))
    light_hist = light_hist / max(1.0, float(lightness.size))
    vector = np.concatenate(
        [summary, hue_hist.astype(np.float32), 0.5 * light_hist.astype(np.float32)]
    )
    return [float(x) for x in vector]
