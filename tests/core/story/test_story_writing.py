"""Story-writing defects a filmmaker met against a local model: an undone edit is no edit,
a regenerated script waits for its approval, the Vault keeps every variant and every earlier version."""

from __future__ import annotations

from pathlib import Path

from aiuteur_desktop.core import story
from aiuteur_desktop.core.pipeline import gates, vault
from aiuteur_desktop.core.store import Project, artifacts, stages, timelines

BEATS = [
    {"id": "b1", "text": "Mara finds the boat adrift at night.", "source": ""},
    {"id": "b2", "text": "She rows it home against the tide.", "source": ""},
]


def script_value(line: str) -> story.ScriptOut:
    return story.ScriptOut.model_validate(
        {
            "title": "Drift",
            "scenes": [{"heading": "EXT. HARBOUR - NIGHT", "beats": [1, 2], "body": line}],
        }
    )


def scripted(tmp_path: Path) -> Project:
    p = Project.create(tmp_path, "Drift")
    p.write(story.BEATS, artifacts.make({"beats": BEATS}))
    story.lock(p, 3, "Confirmed Beat Sheet")
    story.save_generated_script(
        p, script_value("Mara rows."), "Script", model="m", template="script.generate@1", context=[]
    )
    return p


def test_an_edit_undone_is_no_edit(tmp_path: Path) -> None:
    with scripted(tmp_path) as p:
        before = p.read(story.BEATS)
        changed = [dict(BEATS[0], text="Mara finds the boat adrift at dawn."), BEATS[1]]
        story.edit_beats(p, changed)
        assert timelines.beats_changed_since_script(p)  # a real edit: regenerating branches
        story.edit_beats(p, BEATS)  # … and undone
        assert p.read(story.BEATS) == before  # the very version the script was made from
        assert not timelines.beats_changed_since_script(p)
        timelines.check_script_regeneration(p)  # no BranchRequired: nothing changed


def test_editing_confirmed_beats_lets_the_confirmation_lapse_until_confirmed_again(
    tmp_path: Path,
) -> None:
    with Project.create(tmp_path, "Drift") as p:
        story.lock(p, 1, "Setup")
        story.lock(p, 2, "Treatment")
        p.write(story.BEATS, artifacts.make({"beats": BEATS}))
        story.confirm_beats(p)
        assert story.is_locked(p, 3) and gates.gate(p, 4) is None
        story.edit_beats(p, [dict(BEATS[0], text="Mara finds the boat at dawn."), BEATS[1]])
        # The confirmation was of the old beats: Stage 4 waits, and says why.
        assert not story.is_locked(p, 3) and stages.lapsed(p, story.STAGE[3])
        closed = gates.gate(p, 4)
        assert closed is not None and closed.target == 3
        assert "edited after you confirmed it" in closed.reason
        assert stages.count_locked(p) == 2
        story.edit_beats(p, BEATS)  # undoing the edit brings the confirmation back
        assert story.is_locked(p, 3) and gates.gate(p, 4) is None
        story.edit_beats(p, BEATS[:1])
        story.confirm_beats(p)  # the user's click confirms the new beats
        assert story.is_locked(p, 3) and not stages.lapsed(p, story.STAGE[3])
        assert p.log()[0].message == "Confirmed Beat Sheet"


def test_a_regenerated_script_waits_for_approval(tmp_path: Path) -> None:
    with scripted(tmp_path) as p:
        story.approve_script(p)
        assert story.is_locked(p, 4)
        story.save_generated_script(
            p, script_value("Mara rows harder."), "Again", model="m", template="t@1", context=[]
        )
        assert not story.is_locked(p, 4)  # nobody has read it yet
        story.approve_script(p)
        assert story.is_locked(p, 4)


def test_the_vault_lists_every_treatment_variant_and_earlier_versions(tmp_path: Path) -> None:
    with Project.create(tmp_path, "Drift") as p:
        variants = [
            {"title": f"Take {n}", "logline": f"Logline {n}", "text": f"Treatment {n}. " * 40}
            for n in (1, 2, 3)
        ]
        story.save_treatments(
            p, variants, "Three treatments", model="m", template="t@1", context=[]
        )
        p.write(story.BEATS, artifacts.make({"beats": BEATS}))
        p.commit("First beats")
        p.write(story.BEATS, artifacts.make({"beats": BEATS[:1]}))
        p.commit("Second beats")
        entries = vault.collect(p)
        titles = [e.title for e in entries]
        for n in (1, 2, 3):
            assert f"Treatment variant {n}: Take {n}" in titles
        second = next(e for e in entries if e.title == "Treatment variant 2: Take 2")
        assert "Treatment 2." in vault.preview_text(p, second)
        earlier = [e for e in entries if e.path == story.BEATS and e.superseded]
        assert len(earlier) == 1 and earlier[0].title == "Beat Sheet · earlier version"
        assert "She rows it home" in vault.preview_text(p, earlier[0])
        current = next(e for e in entries if e.path == story.BEATS and not e.superseded)
        assert "She rows it home" not in vault.preview_text(p, current)
        assert all(e.created_at for e in entries)  # every entry says when it was made


def test_story_timeline_names_do_not_pile_up(tmp_path: Path) -> None:
    with Project.create(tmp_path, "Names") as p:
        first = p.derived_branch_name("Main", "revised beats")
        assert first == "Main – revised beats"
        p.create_branch(first)
        # From the branch just made, the next one is numbered, not "… – revised beats" again.
        assert p.derived_branch_name(first, "revised beats") == "Main – revised beats 2"
        p.write("x", {"n": 1})
        commit = p.commit("Chose treatment 2 Night ferry in the storm")
        fork = p.fork_from(commit.id)
        assert fork.name == "Main from “Chose treatment 2 Night”"  # whole words, one root
        assert p.derived_branch_name(fork.name, "script edits") == "Main – script edits"
