"""Style samples are cut along natural boundaries and labelled by kind."""

from __future__ import annotations

from aiuteur_desktop.core.styles.chunks import chunk_text, looks_like_screenplay, task_kind

SCREENPLAY = """INT. DINER - NIGHT

Rain streaks the glass. A neon sign buzzes and dies. MARA slides into the booth, shaking water off her coat, eyes on the door.

MARA
You're late.

ADE
You're early. There's a difference.

MARA
Not tonight there isn't.

CUT TO:

EXT. PARKING LOT - CONTINUOUS

Ade bolts across the lot, vaults a hood, hits the fence hard and scrambles over as headlights swing after him.
"""

PROSE = "\n\n".join(
    f"Paragraph {i}: the sea was quiet that morning and the keeper walked the length of the "
    f"gallery twice before he let himself look at the horizon again."
    for i in range(12)
)


def test_screenplay_is_cut_into_action_and_dialogue_exchanges() -> None:
    assert looks_like_screenplay(SCREENPLAY) and not looks_like_screenplay(PROSE)
    chunks = chunk_text(SCREENPLAY, "diner.fountain")
    assert [c.kind for c in chunks] == ["action", "dialogue", "action"]
    exchange = chunks[1].text
    assert exchange.count("MARA") == 2 and "ADE" in exchange
    assert "INT. DINER" not in "".join(c.text for c in chunks)  # headings carry no style
    assert "CUT TO" not in "".join(c.text for c in chunks)
    assert [c.position for c in chunks] == [0, 1, 2]
    assert {c.source for c in chunks} == {"diner.fountain"}


def test_prose_is_grouped_by_paragraphs_under_a_size() -> None:
    chunks = chunk_text(PROSE, "novel.txt")
    assert len(chunks) > 1 and {c.kind for c in chunks} == {"prose"}
    assert all(c.words <= 180 for c in chunks)
    assert "".join(c.text for c in chunks).count("Paragraph") == 12


def test_tasks_name_the_kind_they_need() -> None:
    assert task_kind("Write the dialogue for scene 3") == "dialogue"
    assert task_kind("Describe the action of the shot") == "action"
    assert task_kind("Write three treatments") == "prose"
    assert task_kind("Something else") is None
