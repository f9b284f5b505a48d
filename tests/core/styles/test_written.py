"""Written style libraries on LanceDB with the shipped offline embedder."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from aiuteur_desktop.core.styles.written import StyleLibraryError, WrittenStyles
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


def test_rename_and_delete_carry_or_drop_the_passages(styles: WrittenStyles) -> None:
    styles.create("Noir")
    styles.add_document("Noir", "diner.fountain", NOIR)
    n = styles.count("Noir")
    styles.create("Other")
    with pytest.raises(StyleLibraryError, match="already"):
        styles.rename("Noir", "other")
    styles.rename("Noir", "Rain City")
    assert [lib.name for lib in styles.libraries()] == ["Other", "Rain City"]
    assert styles.count("Rain City") == n
    assert styles.retrieve("Rain City", "a chase over rooftops", k=1)[0].id.startswith("Rain City/")
    styles.delete("Rain City")
    assert [lib.name for lib in styles.libraries()] == ["Other"]
    styles.create("Rain City")
    assert styles.count("Rain City") == 0  # nothing of the deleted library comes back


def test_neutral_library_is_shipped_once_and_stays_deleted(styles: WrittenStyles) -> None:
    from aiuteur_desktop.core.styles.written import NEUTRAL
    from aiuteur_desktop.views.styles.written_page import neutral_samples

    assert styles.ensure_neutral(neutral_samples())
    assert not styles.ensure_neutral(neutral_samples())
    kinds = {c["kind"] for c in styles.chunks(NEUTRAL)}
    assert kinds == {"prose", "dialogue", "action"}
    styles.delete(NEUTRAL)
    assert not styles.ensure_neutral(neutral_samples())
    assert NEUTRAL not in [lib.name for lib in styles.libraries()]


def test_switching_embedder_re_embeds_every_passage(
    aiuteur_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiuteur_desktop.core.styles import written
    from aiuteur_desktop.core.styles.written import IngestCancelled, table_name
    from aiuteur_desktop.providers.embedders import CloudEmbedder
    from aiuteur_desktop.providers.openai_text import OpenAIText
    from tests.fakes.openai_fake import FakeEmbeddings

    with FakeEmbeddings(bag=True) as fake:
        cloud = CloudEmbedder("openai:emb-test", OpenAIText("sk-test", fake.base_url), "emb-test")
        styles = WrittenStyles(OfflineEmbedder(), resolve=lambda eid: cloud)
        styles.create("Noir")
        styles.add_document("Noir", "diner.fountain", NOIR)
        texts = sorted(c["text"] for c in styles.chunks("Noir"))

        # A cancel half-way leaves the library exactly as it was.
        monkeypatch.setattr(written, "BATCH", 2)
        with pytest.raises(IngestCancelled):
            styles.reembed("Noir", cloud, cancelled=lambda: bool(fake.embedded))
        assert len(fake.embedded) == 2 < len(texts)
        assert styles.info("Noir").embedder == "offline:minilm"
        assert "leaps" in styles.retrieve("Noir", "a chase over rooftops", k=1)[0].text
        fake.embedded.clear()

        seen: list[float] = []
        assert styles.reembed("Noir", cloud, progress=seen.append) == len(texts)
        assert sorted(fake.embedded) == texts  # every passage, once
        assert seen[-1] == 1.0
        info = styles.info("Noir")
        assert info.embedder == "openai:emb-test"
        assert sorted(c["text"] for c in styles.chunks("Noir")) == texts
        old = styles._db.open_table(table_name("offline:minilm"))
        assert old.count_rows("library = 'Noir'") == 0
        # Queries now go through the cloud embedder, and still find the right passage.
        found = styles.retrieve("Noir", "Did you get the money?", k=1)
        assert fake.embedded[-1] == "Did you get the money?"
        assert "money" in found[0].text
        # New samples are embedded by the library's embedder too.
        styles.add_document("Noir", "more.txt", "The harbour lights went out one by one.")
        assert fake.embedded[-1].startswith("The harbour lights")
        # And back to the offline embedder.
        styles.reembed("Noir", OfflineEmbedder())
        assert styles.info("Noir").embedder == "offline:minilm"
        assert styles.count("Noir") == len(texts) + 1
