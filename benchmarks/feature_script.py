"""A feature-length screenplay written for measurement (issues "A feature film's screenplay, at
the speed of a short" and "The script read as a script supervisor reads it"): 190 scenes,
about 2,400 shots (one long scene of 50-odd halfway through), forty speaking parts, long
speeches whose sentences run past one shot and break at their commas, action paragraphs of
several sentences, every heading form a published script uses (qualifiers, continuity
words, secondary headings, titles, POV), and characters introduced again at other ages.
Deterministic (seeded).

    .venv/bin/python benchmarks/feature_script.py [OUT.fountain]

prints what it wrote and, from the shot list, how many dialogue and action chunks end in the
middle of a sentence (one that fits in a shot never does).
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path
from typing import Any

SCENES = 190
WORDS = [
    "river",
    "harbour",
    "lamp",
    "rope",
    "tide",
    "gate",
    "ferry",
    "engine",
    "window",
    "kettle",
    "letter",
    "coat",
    "key",
    "stairs",
    "night",
    "boat",
    "bridge",
    "field",
    "road",
    "door",
    "glass",
    "coin",
    "bell",
    "dog",
    "storm",
    "light",
    "smoke",
    "salt",
    "wind",
]
VERBS = [
    "waited",
    "watched",
    "carried",
    "lost",
    "kept",
    "found",
    "called",
    "left",
    "opened",
    "closed",
    "crossed",
    "heard",
]
HEADINGS = (
    "INT. {p} - NIGHT",
    "EXT. {p} - DAY",
    "INT. {p} - (PRESENT) DAY",
    "EXT. {p} - ANOTHER DAY",
    "INT. {p} - DAY [FLASHFORWARD]",
    "INT. {p}, A BIT LATER",
    "EXT. {p} - NIGHT - [THE STORM]",
    "INT. {p} - CONTINUOUS",
    "INT. {p} - DAY / DRIVING",
    "EXT. {p} - DAY TO NIGHT",
    "INT. {p}, SAME",
    "INT. {p} - [THE NEXT] MORNING",
)


def _sentence(rng: random.Random, low: int, high: int) -> str:
    n = rng.randint(low, high)
    words = []
    for i in range(n):
        w = rng.choice(WORDS if i % 3 else VERBS)
        words.append(w + ("," if i and i % rng.randint(5, 9) == 0 and i < n - 2 else ""))
    return words[0].capitalize() + " " + " ".join(words[1:]) + rng.choice(".?!")


def write(scenes: int = SCENES, seed: int = 7) -> str:
    rng = random.Random(seed)
    names = [f"PERSON{n}" for n in range(40)]
    out = ["Title: Feature", "", "# ACT ONE", "", "= The ferry town, before the flood.", ""]
    out += [".OPENING TITLES", ""]
    for n in range(scenes):
        place = f"PLACE {n % 43}"
        out += [HEADINGS[n % len(HEADINGS)].format(p=place), ""]
        a, b = names[n % 40], names[(n * 7 + 3) % 40]
        age = (n // 40) * 10 + 8
        out += [
            f"{a} ({age}, a {rng.choice(WORDS)} coat) {rng.choice(VERBS)} the {rng.choice(WORDS)}.",
            "",
        ]
        out += [" ".join(_sentence(rng, 8, 26) for _ in range(rng.randint(1, 3))), ""]
        # The film's long scene (a confrontation, 50-odd shots), halfway through.
        exchanges = 27 if n == scenes // 2 else rng.randint(3, 6)
        for k in range(exchanges):
            who = a if k % 2 else b
            # Mostly lines of a few words to a shot's worth; now and then a run-on sentence.
            high = 34 if rng.random() < 0.1 else 18
            speech = " ".join(_sentence(rng, 4, high) for _ in range(rng.randint(1, 4)))
            out += [who, speech, ""]
        if n % 17 == 5:
            out += [f".{a}'S POV", "", f"The {rng.choice(WORDS)} in the distance.", ""]
        if n % 23 == 11:
            out += [".BACK IN THE " + place, "", _sentence(rng, 6, 12), ""]
        out += ["CUT TO:", ""]
    out += ["> THE END <", ""]
    return "\n".join(out)


def midsentence(text: str) -> dict[str, int]:
    """How the shot list divides the speeches: `divided` speeches at `cuts` places; `fits`
    speeches divided though their words fit one shot; `inside` cuts inside a sentence that
    fits one shot; `between_words` cuts inside a longer sentence between two words of a
    clause although the sentence has clause punctuation to divide at."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from aiuteur_desktop.core.production.shots import sentences, timing
    from aiuteur_desktop.core.screenplay import elements as sp
    from aiuteur_desktop.core.screenplay import fountain

    play = fountain.read_string(text)
    rows = timing.breakdown(play)
    room = int((timing.MAX_SHOT - timing.LINE_PAUSE) * timing.SPEECH_WORDS_PER_SECOND)
    clause = re.compile(r"(?:[,;:]|--|—|–|\.\.\.|…)[\"'”’)\]]*$")
    out = {"shots": len(rows), "divided": 0, "cuts": 0, "fits": 0, "inside": 0,
           "between_words": 0}  # fmt: skip
    for e in play.elements:
        if e.type != sp.DIALOGUE:
            continue
        speech = sp.plain(e.text)
        pieces = [u.lines[0].text for u in timing._line_units(timing.Line("X", speech))]
        if len(pieces) < 2:
            continue
        out["divided"] += 1
        if len(speech.split()) / timing.SPEECH_WORDS_PER_SECOND <= timing.MAX_SHOT:
            out["fits"] += 1
        words, _seps, spans = sentences.split(speech)
        at = 0
        for piece in pieces[:-1]:
            at += len(piece.split())
            out["cuts"] += 1
            span = next(((a, b) for a, b in spans if a < at < b), None)
            if span is None:
                continue
            if span[1] - span[0] <= room:
                out["inside"] += 1
            elif not clause.search(words[at - 1]) and any(
                clause.search(w) for w in words[span[0] : span[1] - 1]
            ):
                out["between_words"] += 1
    return out


def ready_for_frames(project: object) -> tuple[str, dict[str, int]]:
    """The script's largest scene taken to Stage 10 (shots and looks locked, prompts
    assembled, Quick mode): (its id, every scene's shot count)."""
    from aiuteur_desktop.core.production import frames, prompts, visuals
    from aiuteur_desktop.core.production.shots import shot_list
    from aiuteur_desktop.core.story import master_script

    p: Any = project
    play = master_script.current(p)
    assert play is not None
    sizes = {s.id: len(shot_list.current(p, s.id)) for s in play.scenes()}
    scene = max(sizes, key=lambda k: sizes[k])
    shot_list.lock(p, scene, shot_list.current(p, scene))
    visuals.set_locked(p, scene, [e.slug for e in visuals.elements(p, scene)], True)
    prompts.assemble(p, scene)
    frames.set_mode(p, scene, frames.QUICK)
    p.commit("Ready for frames")
    return scene, sizes


def main() -> int:
    text = write()
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text, encoding="utf-8")
        print(f"wrote {sys.argv[1]}")
    m = midsentence(text)
    print(f"{SCENES} scenes, {m['shots']:,} shots")
    print(f"{m['divided']:,} speeches divided between shots, at {m['cuts']:,} places:")
    print(f"  divided though the speech fits one shot: {m['fits']:,}")
    print(f"  cut inside a sentence that fits one shot: {m['inside']:,}")
    print(f"  cut between two words of a clause of a longer sentence: {m['between_words']:,}")
    from aiuteur_desktop.core.screenplay import fountain

    time_words = re.compile(
        r"\b(?:DAY|NIGHT|MORNING|EVENING|DAWN|DUSK|LATER|SAME|CONTINUOUS|PRESENT|STORY|"
        r"FLASHFORWARD|DRIVING|STORM)\b"
    )
    scenes = fountain.read_string(text).scenes()
    kept = [s.location for s in scenes if time_words.search(s.location)]
    print(f"scene locations keeping a time word or qualifier: {len(kept)} of {len(scenes)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
