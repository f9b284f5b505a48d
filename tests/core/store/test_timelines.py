"""Every PRD §7.2–7.3 rule, on a small film with a script, a master asset and three scenes."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiuteur_desktop.core.errors import BranchRequired
from aiuteur_desktop.core.store import Project, artifacts, timelines
from aiuteur_desktop.core.store.status import FlagReason, Status, StatusDeriver
from tests.story import SCENES, derive, script_content

SHOTS_COST, FRAME_COST, VIDEO_COST, ASSET_COST = 0.01, 0.04, 1.2, 0.08


@pytest.fixture
def film(tmp_path: Path) -> Project:
    p = Project.create(tmp_path, "Lighthouse")
    p.write(artifacts.BEATS, artifacts.make({"beats": ["storm", "wreck", "rescue"]}))
    timelines.save_generated_script(p, script_content(), cost=0.02, model="test")
    derive(p, "assets/mara", {"name": "Mara"}, ["stage4/script#scenes/s1"], ASSET_COST)
    for i, s in enumerate(SCENES):
        prev = [f"scenes/{SCENES[i - 1]}/frames/end"] if i else []
        derive(
            p,
            f"scenes/{s}/shots",
            {"shots": [s]},
            [f"stage4/script#scenes/{s}", "assets/mara", *prev],
            SHOTS_COST,
        )
        derive(p, f"scenes/{s}/frames/end", {"f": s}, [f"scenes/{s}/shots"], FRAME_COST)
        derive(p, f"scenes/{s}/videos/01", {"v": s}, [f"scenes/{s}/frames/end"], VIDEO_COST)
    p.commit("Everything made")
    yield p
    p.close()


def statuses(p: Project, branch: str | None = None) -> dict[str, Status]:
    d = StatusDeriver(p, p.branch(branch).draft)
    return {path: d.status(path) for path in d.paths if artifacts.is_phase_b(path)}


def test_fresh_film_is_up_to_date_and_unflagged(film: Project) -> None:
    d = StatusDeriver(film, film.branch().draft)
    assert set(statuses(film).values()) == {Status.UP_TO_DATE}
    assert d.flags() == []
    # Every Phase B artifact recorded the script's derivation id.
    assert all(artifacts.SCRIPT_DERIVATION in film.read(path)["inputs"] for path in statuses(film))


def test_hand_edit_of_beats_flags_the_beat_sheet_without_branching(film: Project) -> None:
    edited = {"beats": ["storm", "wreck", "no rescue"]}
    advice = timelines.advise_edit(film, artifacts.BEATS, edited)
    assert not advice.warn and not advice.recommend_branch
    assert [f.text for f in advice.impact.new_flags] == ["Not up-to-date with current Script"]
    assert film.read(artifacts.BEATS)["beats"][-1] == "rescue"  # advice writes nothing

    timelines.save_edit(film, artifacts.BEATS, edited)
    flags = StatusDeriver(film, film.branch().draft).flags()
    assert [(f.path, f.downstream, f.reason) for f in flags] == [
        (artifacts.BEATS, artifacts.SCRIPT, FlagReason.UPSTREAM_EDITED)
    ]
    assert set(statuses(film).values()) == {Status.UP_TO_DATE}
    assert [b.name for b in film.branches()] == ["Main"]
    assert film.read(artifacts.BEATS)["origin"] == artifacts.MANUAL


def test_regenerating_script_from_edited_beats_requires_a_branch(film: Project) -> None:
    timelines.save_edit(film, artifacts.BEATS, {"beats": ["calm", "wreck", "rescue"]})
    script_before = film.read(artifacts.SCRIPT)
    with pytest.raises(BranchRequired) as err:
        timelines.save_generated_script(film, script_content(s1="INT. LAMP ROOM - DAY"))
    assert "new Story Timeline" in err.value.user_message
    assert err.value.suggested_name == "Main – revised beats"
    assert film.read(artifacts.SCRIPT) == script_before
    assert [b.name for b in film.branches()] == ["Main"]


def test_forced_fork_invalidates_all_of_phase_b_there_and_leaves_main_untouched(
    film: Project,
) -> None:
    main_head_before = film.head("Main")
    timelines.save_edit(film, artifacts.BEATS, {"beats": ["calm", "wreck", "rescue"]})
    with pytest.raises(BranchRequired) as err:
        timelines.save_generated_script(film, script_content())
    main_script = film.read(artifacts.SCRIPT)

    timelines.branch_for_script_regeneration(film, err.value.suggested_name)
    assert film.current_branch == "Main – revised beats"
    # Identical text on purpose: a regenerated script still invalidates all of Phase B.
    timelines.save_generated_script(film, script_content(), cost=0.02)
    new_branch = statuses(film)
    assert new_branch and set(new_branch.values()) == {Status.OUTDATED}
    why = StatusDeriver(film, film.branch().draft).changed_inputs("assets/mara")
    assert why == {artifacts.SCRIPT_DERIVATION: Status.OUTDATED}

    # The original timeline keeps its script and all its work; the edit was saved there.
    main = film.branch("Main")
    assert film.read(artifacts.SCRIPT, branch="Main") == main_script
    assert set(statuses(film, "Main").values()) == {Status.UP_TO_DATE}
    assert film.head("Main").parents == (main_head_before.id,)
    assert film.head("Main").message == "Manual edits to Beat Sheet"
    assert not film.is_dirty("Main") and main.head == film.branch("Main").head

    # Further regenerations from the same beats need no second branch.
    timelines.save_generated_script(film, script_content(s3="EXT. BEACH - NOON"))


def test_regenerating_without_beat_edits_stays_on_the_branch(film: Project) -> None:
    timelines.save_generated_script(film, script_content(s2="EXT. CLIFF - DAWN"))
    assert film.current_branch == "Main"
    assert set(statuses(film).values()) == {Status.OUTDATED}


def test_hand_edit_of_one_script_scene_invalidates_locally(film: Project) -> None:
    content = script_content(s2="EXT. CLIFF - NIGHT\nThe boat hits the rocks hard.")
    advice = timelines.advise_edit(film, artifacts.SCRIPT, content)
    assert advice.warn and not advice.recommend_branch
    assert advice.impact.scenes() == {"s2": Status.OUTDATED, "s3": Status.CONTINUITY_BROKEN}
    assert "assets/mara" not in {i.path for i in advice.impact.invalidated}
    assert advice.impact.cost == pytest.approx(2 * (SHOTS_COST + FRAME_COST + VIDEO_COST))
    assert "$2.50" in advice.impact.summary()
    assert [f.text for f in advice.impact.new_flags] == ["Not up-to-date with current Script"]

    timelines.save_edit(film, artifacts.SCRIPT, content)
    now = statuses(film)
    predicted = {i.path: i.status for i in advice.impact.invalidated}
    assert {p: s for p, s in now.items() if s is not Status.UP_TO_DATE} == predicted
    flags = StatusDeriver(film, film.branch().draft).flags()
    assert [(f.path, f.reason) for f in flags] == [(artifacts.BEATS, FlagReason.DOWNSTREAM_EDITED)]
    assert film.current_branch == "Main"


def test_significant_script_rewrite_recommends_a_branch(film: Project) -> None:
    content = script_content(s1="INT. KITCHEN - DAY\nNobody is home.", s2="EXT. ROAD\nA car.")
    advice = timelines.advise_edit(film, artifacts.SCRIPT, content)
    assert advice.recommend_branch
    assert any("Create" in m or "new Story Timeline" in m for m in advice.messages)


def test_phase_b_edit_in_scene_n_outdates_n_and_breaks_continuity_after(film: Project) -> None:
    draft_before = film.branch().draft
    advice = timelines.advise_edit(film, "scenes/s1/shots", {"shots": ["s1", "insert"]})
    assert film.branch().draft == draft_before
    assert advice.warn
    assert advice.impact.scenes() == {
        "s1": Status.OUTDATED,
        "s2": Status.CONTINUITY_BROKEN,
        "s3": Status.CONTINUITY_BROKEN,
    }
    timelines.save_edit(film, "scenes/s1/shots", {"shots": ["s1", "insert"]})
    d = StatusDeriver(film, film.branch().draft)
    assert d.status("scenes/s1/videos/01") is Status.OUTDATED
    assert d.scene_status("s3") is Status.CONTINUITY_BROKEN
    assert (
        film.read("scenes/s1/shots")["inputs"]
        == film.read("scenes/s1/shots", branch="Main")["inputs"]
    )


def test_edit_with_no_dependants_needs_no_warning(film: Project) -> None:
    advice = timelines.advise_edit(film, "scenes/s3/videos/01", {"v": "take 2"})
    assert not advice.warn and advice.impact.is_empty
    assert advice.impact.summary() == "Nothing else changes."


def test_dry_run_of_a_deletion_reports_what_goes_missing(film: Project) -> None:
    result = timelines.impact(film, film.branch().draft, {"scenes/s3/frames/end": None})
    assert [(i.path, i.status) for i in result.invalidated] == [
        ("scenes/s3/videos/01", Status.OUTDATED)
    ]
    assert result.cost == pytest.approx(VIDEO_COST)


def test_custom_cost_estimator_prices_the_warning(film: Project) -> None:
    result = timelines.impact(
        film,
        film.branch().draft,
        {"scenes/s3/shots": artifacts.make({"shots": []})},
        cost=lambda path, _doc: 3.0 if "/videos/" in path else 0.5,
    )
    assert result.cost == pytest.approx(3.5)


def test_changed_share_counts_words_not_whole_lines() -> None:
    old = ["INT. LAMP ROOM - NIGHT", "Mara trims the wick and watches the sea for a long time."]
    typo = [old[0], old[1].replace("watches", "watched")]
    assert timelines.changed_share(old, typo) < 0.05
    assert timelines.changed_share(old, ["EXT. ROAD - DAY", "A car passes. Nobody looks."]) > 0.5
    assert timelines.changed_share(old, old) == 0.0
    assert timelines.changed_share([], ["new"]) == 1.0
