"""Version History layout and the Artifact Vault's grouping, origins, costs and previews."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from aiuteur_desktop.core.media.thumbnails import thumbnail_png
from aiuteur_desktop.core.pipeline import vault
from aiuteur_desktop.core.store import Project, history, stages
from tests.story import build_film


@pytest.fixture
def film(tmp_path: Path) -> Project:
    p = build_film(tmp_path)
    yield p
    p.close()


def test_graph_puts_every_commit_on_a_row_and_each_timeline_in_a_lane(film: Project) -> None:
    graph = history.load_graph(film)
    commits = film.all_commits()
    assert len(graph.nodes) == len(commits)
    assert [n.row for n in graph.nodes] == list(range(len(commits)))
    assert graph.nodes[0].commit.id == commits[-1].id  # newest first
    lanes = {n.commit.branch: n.lane for n in graph.nodes}
    assert lanes["Main"] == 0
    assert len({lanes["Main"], lanes["Darker ending"], lanes["Comedy pass"]}) == 3
    assert graph.lanes == 3
    # Forks are drawn: an edge leaves Main's lane for each experiment.
    cross = {(e.parent_lane, e.child_lane) for e in graph.edges if e.parent_lane != e.child_lane}
    assert cross == {(0, lanes["Darker ending"]), (0, lanes["Comedy pass"])}
    heads = {name for n in graph.nodes for name in n.heads}
    assert heads == {"Main", "Darker ending", "Comedy pass"}
    assert graph.head_branch(film.head("Main").id) == "Main"
    assert graph.head_branch(commits[0].id) is None


def test_lanes_are_reused_when_timelines_do_not_overlap(tmp_path: Path) -> None:
    with Project.create(tmp_path, "Film") as p:
        root = p.head().id
        for i in range(3):
            p.create_branch(f"Try {i}", from_commit=root)
            p.write("x", {"i": i})
            p.commit(f"try {i}")
            p.switch_branch("Main")
            p.write("main", {"i": i})
            p.commit(f"main {i}")
        graph = history.load_graph(p)
        # Each try spans down to the root commit, so they overlap and need their own lanes.
        assert graph.lanes == 4
    with Project.create(tmp_path / "b", "Film") as p:
        for i in range(3):
            p.write("main", {"i": i})
            p.commit(f"main {i}")
            p.create_branch(f"Try {i}")
            p.write("x", {"i": i})
            p.commit(f"try {i}")
            p.switch_branch("Main")
        graph = history.load_graph(p)
        assert graph.lanes == 2  # short side branches one after another share a lane


def test_graph_marks_unsaved_drafts(film: Project) -> None:
    film.write("stage1/config", {"tone": "grim"})
    assert history.load_graph(film).dirty == frozenset({"Main"})


def test_vault_groups_every_artifact_by_branch_stage_and_scene(film: Project) -> None:
    entries = vault.collect(film)
    main = [e for e in entries if e.branch == "Main"]
    assert [e.branch for e in entries][: len(main)] == ["Main"] * len(main)
    by_path = {e.path: e for e in main}
    assert by_path["stage4/script"].title == "Master Script"
    assert by_path["stage4/script"].stage == stages.ALL[3]
    assert by_path["assets/mara"].title == "Mara" and by_path["assets/mara"].stage.number == 5
    video = by_path["scenes/s1/videos/01"]
    assert (video.scene, video.stage.number, video.title) == ("s1", 12, "Video 01")
    assert video.cost == pytest.approx(1.2) and video.media_kind == "video"
    assert by_path["scenes/s2/frames/end"].media_kind == "image"
    assert by_path["scenes/s2/shots"].stage.number == 7
    assert video.created_at is not None
    assert not any(e.path.startswith("timeline/") or e.path.endswith("/lock") for e in entries)


def test_vault_origin_is_the_timeline_an_artifact_was_made_on(film: Project) -> None:
    entries = {
        (e.branch, e.path): e for e in vault.collect(film) if not e.superseded and not e.part
    }
    assert entries[("Darker ending", "stage4/script")].origin_branch == "Main"
    assert entries[("Darker ending", "stage3/beats")].origin_branch == "Darker ending"
    assert entries[("Comedy pass", "stage1/config")].origin_branch == "Comedy pass"
    assert entries[("Comedy pass", "stage3/beats")].origin_branch == "Main"
    # The fork was made before the script existed: it has no script at all.
    assert ("Comedy pass", "stage4/script") not in entries


def test_vault_preview_text_reads_like_the_document(film: Project) -> None:
    entry = next(e for e in vault.collect(film) if e.path == "stage4/script")
    text = vault.preview_text(film, entry)
    assert "Mara trims the wick." in text and "INT. LAMP ROOM - NIGHT" in text
    assert "inputs" not in text and "derivation" not in text


def test_thumbnails_of_images_and_videos_and_garbage(film: Project, tmp_path: Path) -> None:
    entries = {e.path: e for e in vault.collect(film) if e.branch == "Main" and not e.superseded}
    for path in ("assets/mara", "scenes/s1/videos/01"):
        e = entries[path]
        data = thumbnail_png(film.media.path(e.media_id), e.media_mime, 100)
        assert data is not None
        with Image.open(__import__("io").BytesIO(data)) as im:
            assert max(im.size) <= 100
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    assert thumbnail_png(bad, "video/mp4") is None
    assert thumbnail_png(bad, "image/png") is None


def test_artifact_details_explain_what_a_generation_saw(tmp_path: Path) -> None:
    from aiuteur_desktop.core.pipeline import vault
    from aiuteur_desktop.core.store import Project, artifacts

    with Project.create(tmp_path, "Explain") as p:
        p.write(
            artifacts.TREATMENT,
            artifacts.make(
                {"text": "A keeper, a storm."},
                model="gpt-test",
                template="stage2.treatment v1",
                context=[
                    "stage1/config",
                    "style:Noir/diner.fountain#2",
                    "style:Noir/diner.fountain#0",
                ],
            ),
        )
        p.commit("Treatment", kind="generate", stage=2)
        [entry] = [e for e in vault.collect(p) if e.path == artifacts.TREATMENT]
        text = vault.explain(p, entry)
        assert text.splitlines() == [
            "Generated · model gpt-test · template stage2.treatment v1",
            "Context: stage1/config",
            "Retrieved style passages (2): Noir/diner.fountain#2, Noir/diner.fountain#0",
        ]
        assert "context" not in artifacts.content_of(p.get_object(entry.object_id))


def test_the_vault_in_two_passes_lists_what_one_pass_does(film: Project) -> None:
    """What the Vault shows at once plus its second pass (earlier versions, first-saved times)
    is exactly the full listing, on every timeline; and the log read in one query walks the
    same first-parent chain as commit by commit."""
    from aiuteur_desktop.core.store import artifacts

    beats = film.read(artifacts.BEATS)
    for n in (1, 2):
        film.write(artifacts.BEATS, {**beats, "note": f"pass {n}"})
        film.commit(f"Beats pass {n}")
    for branch in vault.branch_order(film):
        full = vault.collect(film, [branch])
        first = vault.collect(film, [branch], earlier=False)
        second = vault.earlier_versions(film, branch)
        assert all(e.superseded or e.part for e in second.entries)
        assert second.entries or branch != film.current_branch
        dated = [
            e if e.created_at else replace(e, created_at=second.created.get(e.path)) for e in first
        ]
        assert sorted(dated + second.entries, key=vault.order_key) == full
        chain, cid = [], film.branch(branch).head
        while cid:
            chain.append(cid)
            parents = film.commit_by_id(cid).parents
            cid = parents[0] if parents else None
        assert [c.id for c in film.log(branch)] == chain
        assert [c.id for c in film.log(branch, limit=2)] == chain[:2]
