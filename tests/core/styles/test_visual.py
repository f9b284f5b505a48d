"""Visual style references: stored, described, and retrieved by look."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from aiuteur_desktop.core.styles.measure import BadImage
from aiuteur_desktop.core.styles.visual import VisualStyles


def picture(seed: int, colour: bool, fmt: str = "PNG") -> bytes:
    """A little scene: sky, ground, a few shapes — in colour or in black and white."""
    rng = np.random.default_rng(seed)
    im = Image.new("RGB", (160, 90), tuple(int(x) for x in rng.integers(60, 200, 3)))
    draw = ImageDraw.Draw(im)
    for _ in range(6):
        x, y = int(rng.integers(0, 140)), int(rng.integers(0, 70))
        fill = tuple(int(c) for c in rng.integers(0, 255, 3))
        draw.rectangle(
            [x, y, x + int(rng.integers(8, 40)), y + int(rng.integers(8, 30))], fill=fill
        )
    if not colour:
        im = im.convert("L").convert("RGB")
    out = io.BytesIO()
    im.save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def visual(aiuteur_home: Path) -> VisualStyles:
    return VisualStyles()


def test_black_and_white_query_finds_the_black_and_white_references(visual: VisualStyles) -> None:
    for i in range(6):
        visual.add("Looks", f"bw-{i}.png", picture(i, colour=False), ["noir"])
        visual.add("Looks", f"colour-{i}.jpg", picture(100 + i, colour=True, fmt="JPEG"), ["pop"])
    found = visual.retrieve("Looks", picture(999, colour=False), k=5)
    assert [r.name.startswith("bw-") for r in found] == [True] * 5
    assert all("noir" in r.tags for r in found)
    found = visual.retrieve("Looks", picture(998, colour=True), k=4)
    assert all(r.name.startswith("colour-") for r in found)


def test_references_keep_a_card_that_can_be_edited_and_files_that_can_be_read(
    visual: VisualStyles,
) -> None:
    ref = visual.add("Looks", "bw.png", picture(1, colour=False))
    assert ref.path.is_file() and "black and white" in ref.card
    visual.set_card(ref.id, "Palette: silver and ink. Lighting: low-key.")
    [again] = visual.references("Looks")
    assert again.card.startswith("Palette: silver and ink")
    visual.remove(ref.id)
    assert visual.references("Looks") == []


def test_wrong_or_broken_files_are_refused(visual: VisualStyles) -> None:
    with pytest.raises(BadImage, match="PNG, JPEG or WebP"):
        visual.add("Looks", "x.gif", picture(1, True, fmt="GIF"))
    with pytest.raises(BadImage, match="not a readable image"):
        visual.add("Looks", "x.png", b"not an image")
    assert visual.references("Looks") == []


def test_libraries_are_created_renamed_and_deleted_with_their_references(
    visual: VisualStyles,
) -> None:
    from aiuteur_desktop.core.app.catalogue import StyleLibraryError

    visual.create("Silver")
    with pytest.raises(StyleLibraryError, match="already"):
        visual.create("silver ")
    ref = visual.add("Silver", "bw.png", picture(1, colour=False), ["noir"])
    visual.add("Pop", "c.png", picture(2, colour=True))  # adding creates the library
    assert visual.libraries() == ["Pop", "Silver"]
    visual.set_tags(ref.id, ["noir", " grain ", ""])
    assert visual.rename("Silver", "Silver screen") == "Silver screen"
    [moved] = visual.references("Silver screen")
    assert moved.tags == ("noir", "grain") and moved.path == ref.path
    visual.delete("Silver screen")
    assert visual.libraries() == ["Pop"] and visual.references("Silver screen") == []


def test_library_card_is_the_most_typical_reference_until_the_user_writes_one(
    visual: VisualStyles,
) -> None:
    for i in range(4):
        visual.add("Looks", f"bw-{i}.png", picture(i, colour=False))
    visual.add("Looks", "odd-one.png", picture(50, colour=True))
    card = visual.library_card("Looks")
    assert "black and white" in card
    visual.set_library_card("Looks", "Silver halide, deep blacks, 1950s studio lighting.")
    assert visual.library_card("Looks").startswith("Silver halide")
    visual.set_library_card("Looks", "")
    assert visual.library_card("Looks") == card
