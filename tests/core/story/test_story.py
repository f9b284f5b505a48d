"""Phase A rules without the UI: setup validation, Mode B chunking, schemas, gates, flags."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from aiuteur_desktop.core import story
from aiuteur_desktop.core.app import prompt_templates
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.pipeline import gates
from aiuteur_desktop.core.store import Project, artifacts
from aiuteur_desktop.core.store.status import StatusDeriver
from aiuteur_desktop.core.story import mode_d


def flags(p: Project) -> list[tuple[str, str]]:
    return [(f.path, f.text) for f in StatusDeriver(p, p.branch().draft).flags()]


def test_setup_problems_follow_the_mode() -> None:
    s = story.Setup(tonal_precision="short")
    assert s.problems()[0] == "Tonal precision needs at least 10 characters."
    s = story.Setup(tonal_precision="Wry and melancholy", idea="A ferry in a storm, told twice.")
    assert s.problems() == []
    assert "Tone: Wry and melancholy" in s.constraints() and "3:00 to 5:00" in s.constraints()
    b = s.model_copy(update={"mode": "B"})
    assert b.problems() == ["Add the source text and designate it as the Primary Input."]
    two = [story.StagedFile(name=n, role=story.PRIMARY, text="x") for n in ("a", "b")]
    assert "exactly one Primary Input" in b.model_copy(update={"files": two}).problems()[0]
    d = s.model_copy(
        update={"mode": "D", "files": [story.StagedFile(name="n.txt", role=story.PRIMARY)]}
    )
    assert d.problems() == ["Add a Fountain or Final Draft screenplay as the Primary Input."]
    audio = s.model_copy(update={"project_type": story.PROJECT_TYPES[2]})
    assert "no dialogue" in audio.constraints()


def test_chunks_keep_every_word_within_the_budget() -> None:
    text = "\n\n".join(
        f"Paragraph {i}. " + "The sea was black. " * (i % 40 + 1) for i in range(400)
    )
    text += "\n\n" + "x" * 9000  # one endless "sentence"
    parts = story.chunks(text, 500)
    assert all(len(p) <= 2000 for p in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", ""
    )


def test_schemas_reject_what_cannot_be_applied() -> None:
    with pytest.raises(ValidationError):
        story.BeatSheetOut.model_validate({"beats": [{"text": "Only one beat", "source": ""}]})
    with pytest.raises(ValidationError, match=r"INT\. or EXT\."):
        story.SceneOut.model_validate({"heading": "KITCHEN", "beats": [1], "body": "Hi."})
    scene = story.SceneOut.model_validate(
        {"heading": "int. kitchen - night", "beats": [1], "body": "Hi."}
    )
    assert scene.heading == "INT. KITCHEN - NIGHT"


def test_every_template_renders_with_an_id_and_version() -> None:
    for name in ("treatment.generate", "beats.generate", "script.generate", "rewrite.selection"):
        t = prompt_templates.load(name)
        assert t.ref == f"{name}@1" and t.system and "$" in t.user
    with pytest.raises(KeyError):
        prompt_templates.load("beat.add").render(
            context="c"
        )  # a missing value is an error, not blank


def test_gates_and_mode_d(tmp_path: Path) -> None:
    with Project.create(tmp_path, "Gates") as p:
        first = gates.gate(p, 2)
        assert first == gates.Gate("Lock the Project Setup in Stage 1 first.", 1)
        # Every later stage waits on the same first step, and its button goes there.
        assert all(g is not None and g.target == 1 for g in (gates.gate(p, n) for n in (3, 4, 7)))
        setup = story.Setup(
            tonal_precision="Dry and tender", idea="A ferry crosses a stormy strait at night."
        )
        story.lock_setup(p, setup)
        assert gates.gate(p, 2) is None
        third = gates.gate(p, 3)
        assert third is not None and "treatment" in third.reason and third.target == 2
        fourth = gates.gate(p, 4)
        assert fourth is not None and fourth.target == 2  # the treatment comes before beats
    with Project.create(tmp_path, "Sheet") as p:
        bad = story.StagedFile(name="cast.json", text="{not json", kind="sheet")
        play_file = story.StagedFile(
            name="s.fountain", role=story.PRIMARY, kind="screenplay", text="INT. A - DAY\n\nHi.\n"
        )
        setup = story.Setup(tonal_precision="Dry and tender", mode="D", files=[play_file, bad])
        from aiuteur_desktop.core.screenplay import fountain

        with pytest.raises(GateClosed, match=r"cast\.json is not a definition sheet"):
            mode_d.import_script(p, setup, fountain.read_string(play_file.text), "s.fountain")
        assert p.read(story.SCRIPT) is None and not story.is_locked(p, 1)  # nothing half-done


def test_flags_pair_neighbours_and_clear_when_revised(tmp_path: Path) -> None:
    with Project.create(tmp_path, "Flags") as p:
        p.write(story.TREATMENT, artifacts.make({"text": "T"}))
        tree = p.branch().draft
        from aiuteur_desktop.core.store.status import fingerprint

        p.write(
            story.BEATS,
            artifacts.make({"beats": ["a"]}, inputs=fingerprint(p, tree, [story.TREATMENT])),
        )
        tree = p.branch().draft
        p.write(
            story.SCRIPT,
            artifacts.make(
                {"scenes": []}, inputs=fingerprint(p, tree, [story.BEATS, story.TREATMENT])
            ),
        )
        p.commit("all")
        assert flags(p) == []
        # The treatment changing never flags it against the script (not neighbours).
        story.revise_treatment(
            p,
            story.TreatmentOut(title="t", logline="l", text="x" * 200),
            "rev",
            model=None,
            template="t@1",
            context=[],
        )
        # Revised from the beats as they are: in step with them, and not flagged against the
        # script either (only neighbours flag each other).
        assert flags(p) == []
        # A hand edit of the beats flags the treatment; revising it again clears the flag.
        story.edit_beats(p, [story.new_beat("b")])
        assert flags(p) == [
            (story.TREATMENT, "Not up-to-date with current Beat Sheet"),
            (story.BEATS, "Not up-to-date with current Script"),  # PRD §7.2: edited after it
        ]
        story.revise_treatment(
            p,
            story.TreatmentOut(title="t", logline="l", text="y" * 200),
            "rev",
            model=None,
            template="t@1",
            context=[],
        )
        assert (story.TREATMENT, "Not up-to-date with current Beat Sheet") not in flags(p)


def test_every_request_kind_has_its_template_and_schema() -> None:
    from aiuteur_desktop.core.story.asks import KINDS

    for template, kind in KINDS.items():
        assert prompt_templates.load(template).ref.startswith(template)
        assert kind.schema in story.SCHEMAS, template
