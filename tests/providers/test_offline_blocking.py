"""Blocking of the offline storyboard (issue "Offline storyboards…"): a dialogue's two people
face each other, on the same sides in every shot of their scene."""

from __future__ import annotations

from aiuteur_desktop.core.production.shots.spec import ShotSpec
from aiuteur_desktop.providers.offline import panels


def spec(lines: list[tuple[str, str]], **kw: object) -> ShotSpec:
    return ShotSpec(
        heading="INT. KITCHEN - DAY",
        characters=kw.pop("characters", [{"name": "MARA"}, {"name": "TOM"}]),  # type: ignore[arg-type]
        dialogue=[{"character": who, "text": text} for who, text in lines],
        **kw,  # type: ignore[arg-type]
    )


def test_a_dialogue_s_two_people_face_each_other_on_sides_kept_across_the_scene() -> None:
    one = panels.layout(spec([("MARA", "You came."), ("TOM", "I said I would.")]))
    two = panels.layout(spec([("TOM", "Well?"), ("MARA", "Sit down.")]))  # Tom speaks first
    for figures in (one, two):
        by_name = {f.name: f for f in figures}
        left, right = sorted(figures, key=lambda f: f.x)
        assert (left.facing, right.facing) == ("right", "left")  # toward each other
        assert by_name["MARA"].x < by_name["TOM"].x  # the same sides in every shot
    # Without dialogue, or placed and turned on purpose, nobody is moved.
    still = panels.layout(spec([]))
    assert {f.facing for f in still} == {"camera"}
    placed = panels.layout(
        spec(
            [("MARA", "Go.")],
            characters=[
                {"name": "MARA", "position": "right", "facing": "away"},
                {"name": "TOM", "position": "left"},
            ],
        )
    )
    assert {f.name: f.facing for f in placed}["MARA"] == "away"


def test_facing_each_other_changes_the_panel() -> None:
    facing = panels.render_anchor(spec([("MARA", "You came.")]))
    front = panels.render_anchor(spec([]))
    assert facing.tobytes() != front.tobytes()


def test_a_push_in_s_end_frame_is_closer_than_its_start() -> None:
    import numpy as np

    shot = spec([], move="push-in")
    start = np.asarray(panels.render_anchor(shot, "start"), float)
    end = np.asarray(panels.render_anchor(shot, "end"), float)
    assert np.abs(start - end).mean() > 10  # not the same picture twice
    # Closer: the figures (drawn in the day's figure colour) fill more of the end frame.
    figure = np.array(panels.palette_for(shot).figure, float)

    def filled(img: np.ndarray) -> float:
        return float((np.abs(img - figure).max(axis=2) < 12).mean())

    assert filled(end) > filled(start) * 1.2


def test_a_character_whose_key_is_an_offline_card_wears_its_colours_not_the_card(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    import numpy as np

    from aiuteur_desktop.providers.offline import cards

    card = cards.render_card("character", "Mara", "A keeper in a red coat", palette=["#b4262c"])
    key = tmp_path / "mara.png"
    key.write_bytes(cards.card_png(card))
    shot = ShotSpec(heading="EXT. BEACH - DAY", width=480, shot_size="MS",
                    characters=[{"name": "MARA", "image": str(key)}])  # fmt: skip
    img = np.asarray(panels.render_anchor(shot), float)
    fig = panels.layout(shot)[0]
    h, w = img.shape[:2]
    region = img[int(fig.top * h) + 5 : min(h, int(fig.bottom * h)),
                 int((fig.x - 0.08) * w) : int((fig.x + 0.08) * w)]  # fmt: skip
    red = (np.abs(region - np.array([180, 38, 44])).max(axis=2) < 20).mean()
    paper = (np.abs(region - np.array([246, 244, 238])).max(axis=2) < 6).mean()
    assert red > 0.35  # the card's colour is the figure's
    assert paper < 0.01  # and no piece of the paper card is pasted on the body
