"""The Context Manager contract: global context always, local context only for the active scene."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiuteur_desktop.core.context import ContextManager, ContextTooLarge, StyleChunk
from aiuteur_desktop.core.store import Project, artifacts

SENTINEL = "ZEBRA-SENTINEL-7731"
SCENES = [f"s{i}" for i in range(1, 7)]


@pytest.fixture
def film(tmp_path: Path) -> Project:
    p = Project.create(tmp_path, "Film")
    p.write(
        "stage1/config",
        {
            "constraints": "Runtime 3 minutes. No gore.",
            "summary": "A keeper keeps a lamp lit through a storm.",
            "written_style": "Spare, present tense.",
        },
    )
    p.write(artifacts.BEATS, artifacts.make({"beats": ["Storm rises", "Boat wrecks", "Rescue"]}))
    scenes = []
    for s in SCENES:
        text = f"INT. ROOM {s} - NIGHT\nAction of {s}."
        if s == "s2":
            text += f" {SENTINEL} hides here."
        scenes.append({"id": s, "text": text})
    p.write(artifacts.SCRIPT, artifacts.make({"scenes": scenes}, new_derivation=True))
    p.write("assets/mara", {"name": "Mara", "kind": "character", "description": "Keeper, 60."})
    p.write("assets/lamp", {"name": "Lamp", "kind": "prop", "description": "Brass."})
    for s in SCENES:
        p.write(f"scenes/{s}/shots", {"shots": [f"{s} shot 1", f"{s} shot 2"]})
        p.write(f"scenes/{s}/end_state", {"text": f"END-OF-{s}: Mara at the window."})
    yield p
    p.close()


def test_no_phase_b_request_sees_another_scenes_script(film: Project) -> None:
    cm = ContextManager(film)
    for scene in SCENES:
        text = cm.for_scene(scene, budget=8000).render()
        assert (SENTINEL in text) == (scene == "s2"), scene
    ctx = cm.for_scene("s5", budget=8000)
    text = ctx.render()
    assert "END-OF-s4" in text and "Action of s5." in text
    assert "END-OF-s3" not in text and "Action of s4." not in text
    assert "s5 shot 1" in text and "s4 shot 1" not in text
    assert "Storm rises" in text and "No gore" in text and "Keeper, 60." in text
    assert "Brass" not in text  # props are not master characters
    assert "stage4/script#scenes/s5/text" in ctx.sources()
    assert not any(
        src.startswith("stage4/script#scenes/s") and src.endswith(("s2", "s4"))
        for src in ctx.sources()
    )


def test_first_scene_has_no_previous_end_state(film: Project) -> None:
    ctx = ContextManager(film).for_scene("s1", budget=8000)
    assert "END-OF" not in ctx.render()


def test_story_context_has_no_scene_at_all(film: Project) -> None:
    text = ContextManager(film).for_story(budget=8000).render()
    assert "Action of" not in text and "END-OF" not in text and SENTINEL not in text
    assert "Storm rises" in text and "Spare, present tense." in text


def test_style_chunks_go_first_least_relevant_first(film: Project) -> None:
    style = [
        StyleChunk("lib:1", "weak exemplar " * 40, 0.2),
        StyleChunk("lib:2", "strong exemplar " * 40, 0.9),
    ]
    cm = ContextManager(film)
    roomy = cm.for_scene("s3", budget=8000, style=style)
    assert {"style:lib:1", "style:lib:2"} <= {p.key for p in roomy.pieces}
    tight_budget = roomy.tokens - 100
    tight = cm.for_scene("s3", budget=tight_budget, style=style)
    assert tight.dropped == ("style:lib:1",) and tight.tokens <= tight_budget
    assert "strong exemplar" in tight.render() and "Action of s3." in tight.render()


def test_required_context_is_never_cut_and_too_little_room_says_so(film: Project) -> None:
    cm = ContextManager(film)
    small = cm.for_scene("s3", budget=60)
    text = small.render()
    assert "Action of s3." in text and "No gore" in text and small.tokens <= 60
    with pytest.raises(ContextTooLarge, match="larger context"):
        cm.for_scene("s3", budget=5)


def test_unknown_scene_is_a_clear_error(film: Project) -> None:
    from aiuteur_desktop.core.errors import GateClosed

    with pytest.raises(GateClosed, match="no scene s99"):
        ContextManager(film).for_scene("s99", budget=8000)
