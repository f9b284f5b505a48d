"""Written style libraries on LanceDB with the shipped offline embedder."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from aiuteur_desktop.core.style_library import StyleLibraryError, WrittenStyles
from aiuteur_desktop.providers.offline.embedder import OfflineEmbedder

NOIR = """INT. DINER - NIGHT

Rain streaks the glass. The neon sign sputters and dies.

MARA
You're late.

ADE
You're early. There's a difference.

MARA
Not tonight there isn't.

ADE
Then let's not waste it arguing.

EXT. ROOFTOPS - NIGHT

Ade sprints across the wet roof, leaps the gap between buildings, slams into a chimney and rolls as a searchlight sweeps over the tiles behind him.

INT. STAIRWELL - CONTINUOUS

He crashes through the door, takes the stairs four at a time, ducks under a swinging pipe and vaults the rail to the landing below.

INT. OFFICE - NIGHT

VERA
Did you get it?

ADE
I got it. Did you get the money?

VERA
Half. You'll get the rest when I see it.
"""


@pytest.fixture
def styles(aiuteur_home: Path) -> WrittenStyles:
    return WrittenStyles(OfflineEmbedder())


def test_dialogue_and_action_tasks_get_the_right_kind_of_chunk(styles: WrittenStyles) -> None:
    styles.create("Noir", "Hard-boiled, terse.")
    assert styles.add_document("Noir", "diner.fountain", NOIR) >= 4
    talk = styles.retrieve(
        "Noir", "two people trade short sharp lines", k=2, task="Write the dialogue"
    )
    assert talk and ("MARA" in talk[0].text or "VERA" in talk[0].text)
    assert all("\n" in c.text and c.text.split("\n")[0].isupper() for c in talk)
    action = styles.retrieve(
        "Noir", "a chase over rooftops and down stairs", k=1, task="Describe the action of the shot"
    )
    assert "leaps" in action[0].text or "vaults" in action[0].text
    # Without a task hint the embedding alone still finds the chase for a chase query.
    plain = styles.retrieve("Noir", "running, jumping, a chase at night", k=1)
    assert "rooftops" in plain[0].id or "leaps" in plain[0].text or "vaults" in plain[0].text
    assert 0 < plain[0].score <= 1


def test_documents_can_be_removed_and_libraries_are_listed(styles: WrittenStyles) -> None:
    styles.create("Noir")
    styles.add_document("Noir", "diner.fountain", NOIR)
    assert styles.info("Noir").documents == ("diner.fountain",)
    assert {c["kind"] for c in styles.chunks("Noir")} == {"dialogue", "action"}
    styles.remove_document("Noir", "diner.fountain")
    assert styles.chunks("Noir") == [] and styles.info("Noir").documents == ()
    with pytest.raises(StyleLibraryError, match="already"):
        styles.create("noir")
    with pytest.raises(StyleLibraryError, match="no text"):
        styles.add_document("Noir", "empty.txt", "   \n\n ")


def test_the_embedder_works_with_the_network_unplugged(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: object, **_k: object) -> None:
        raise OSError("network is unreachable (test)")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    vectors = OfflineEmbedder().embed_texts(["a storm at sea", "a storm over the ocean", "tax law"])
    assert len(vectors) == 3 and len(vectors[0]) == 256
    near = sum(a * b for a, b in zip(vectors[0], vectors[1], strict=True))
    far = sum(a * b for a, b in zip(vectors[0], vectors[2], strict=True))
    assert near > far
