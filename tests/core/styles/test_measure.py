"""Visual style descriptors on synthetic images, and the style card's words."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from aiuteur_desktop.core.styles.measure import BadImage, describe, style_card


def encode(arr: np.ndarray, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.fromarray(arr.astype(np.uint8)).save(out, format=fmt)
    return out.getvalue()


def test_grey_image_has_no_saturation_and_is_monochrome() -> None:
    d = describe(encode(np.full((64, 64, 3), 128)))
    assert d.saturation == 0 and d.monochrome and d.contrast < 0.01 and d.grain < 0.01
    assert d.key == "mid-key" and "black and white" in style_card(d)


def test_noise_image_has_high_grain() -> None:
    rng = np.random.default_rng(3)
    noisy = np.clip(128 + rng.normal(0, 40, (128, 128, 1)), 0, 255).repeat(3, axis=2)
    clean = np.tile(np.linspace(0, 255, 128), (128, 1))[..., None].repeat(3, axis=2)
    assert describe(encode(noisy)).grain > 0.5 > describe(encode(clean)).grain
    assert "heavy film grain" in style_card(describe(encode(noisy)))


def test_saturated_low_key_and_high_contrast_images() -> None:
    red = np.zeros((64, 64, 3))
    red[..., 0] = 220
    d = describe(encode(red))
    assert d.saturation > 0.8 and not d.monochrome
    assert d.palette[0].rgb[0] > 180 and d.palette[0].share == 1.0
    dark = np.full((64, 64, 3), 20)
    assert describe(encode(dark)).key == "low-key"
    split = np.zeros((64, 64, 3))
    split[:, 32:] = 255
    assert describe(encode(split)).contrast > 0.4
    assert "high contrast" in style_card(describe(encode(split)))


def test_descriptors_are_deterministic_and_jpeg_webp_are_accepted() -> None:
    rng = np.random.default_rng(5)
    img = rng.integers(0, 255, (80, 120, 3))
    assert describe(encode(img)) == describe(encode(img))
    describe(encode(img, "JPEG"))
    describe(encode(img, "WEBP"))


def test_other_formats_and_corrupt_files_are_refused_clearly() -> None:
    with pytest.raises(BadImage, match="PNG, JPEG or WebP"):
        describe(encode(np.zeros((16, 16, 3)), "BMP"))
    with pytest.raises(BadImage, match="not a readable image"):
        describe(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    with pytest.raises(BadImage, match="too small"):
        describe(encode(np.zeros((4, 4, 3))))
