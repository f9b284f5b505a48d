"""Whether a prompt set fits its shot and the video model it will be rendered with (PRD §9.4):
warnings — never a block — where a prompt's intent and its use disagree (looks in the video
prompt, a line missing, a character named who is not in the shot, a shot longer than the
model renders), and which configured models can take the shot as it is."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiuteur_desktop.core.production.prompt_text import clean as _clean
from aiuteur_desktop.core.production.prompt_text import sentence as _sentence
from aiuteur_desktop.core.production.prompt_text import without_looks as _without_looks
from aiuteur_desktop.core.production.shots.sentences import sentences_of
from aiuteur_desktop.core.production.shots.timing import Shot
from aiuteur_desktop.core.provider_api import Capabilities

if TYPE_CHECKING:
    from aiuteur_desktop.core.production.prompts import PromptSet

#: How many anchor frames a shot takes.
START_ONLY, START_END = "start", "start+end"
_LOOKS = re.compile(
    r"\b(wearing|dressed in|hair|eyes|skin|complexion|wardrobe|outfit|lit by|lighting|"
    r"red|blue|green|yellow|grey|gray|black|white|brown|blond\w*|golden|silver|crimson)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class VideoModel:
    """A configured video model and what it can take (from the provider registry)."""

    id: str
    label: str
    caps: Capabilities


def sanity(
    s: PromptSet,
    shot: Shot,
    cast: dict[str, str],
    model: VideoModel | None,
    generated: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """Warnings — never a block — where a prompt's intent and its use disagree. `cast` maps
    each character name and alias (capitals) to the character's name in the shots;
    `generated` is the text Aiuteur itself put in the frame prompts (the looks of the
    elements in the shot), which names nobody the user wrote in."""
    out: list[str] = []
    # Looks words in the video prompt, outside its quoted lines and the shot's own action.
    spoken = re.sub(r'"[^"]*"', "", s.video)
    for sentence in sentences_of(_without_looks(shot.action)) if shot.action else []:
        spoken = spoken.replace(_sentence(sentence), "").replace(_clean(sentence), "")
    looks = sorted({m.group(0).lower() for m in _LOOKS.finditer(spoken)})
    if looks:
        out.append(
            f"The video prompt describes looks ({', '.join(looks[:4])}): the anchor frames "
            "carry them; keep the video prompt to action, sound and timing."
        )
    missing = [d for d in shot.dialogue if d.text not in s.video]
    if missing:
        out.append(
            f"The video prompt is missing {len(missing)} line{'s' * (len(missing) != 1)} of "
            f"dialogue: “{_clean(missing[0].text)[:60]}”."
        )
    frames = [s.start_frame, s.end_frame or ""]
    if any(d.text.strip() and d.text in f for d in shot.dialogue for f in frames):
        out.append("A frame prompt quotes dialogue: lines belong in the video prompt only.")
    in_shot = {cast.get(c.upper(), c.upper()) for c in shot.characters}
    # A name inside the shot's own place (BRICK'S PATIO) or inside what Aiuteur wrote into
    # the prompt (an element's look) is not a character put in the frame by hand.
    ours = sorted(
        {t for t in (shot.place, shot.location, *generated) if t and t.strip()},
        key=len,
        reverse=True,
    )
    written = []
    for f in frames:
        for text in ours:
            f = re.sub(re.escape(text), " ", f, flags=re.I)
        written.append(f)
    lowered = [f.casefold() for f in written]  # (a name not in the text needs no pattern)
    strays = sorted(
        {
            who
            for name, who in cast.items()
            if who not in in_shot
            and any(
                name.casefold() in low
                and re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", f, re.I)
                for f, low in zip(written, lowered, strict=True)
            )
        }
    )
    if strays:
        names = ", ".join(strays)
        out.append(
            f"The frame prompt names {names}, not in this shot: add them to the shot's "
            "characters in Stage 7, or take the name out of the prompt."
        )
    if model is not None:
        if model.caps.max_duration and shot.duration > model.caps.max_duration:
            out.append(
                f"{model.label} renders at most {model.caps.max_duration:g} s; this shot is "
                f"{shot.duration} s."
            )
        if s.frames == START_END and not model.caps.end_frame:
            out.append(
                f"{model.label} takes a start frame only: the end frame will not be used. "
                "Make the shot start-frame-only, or choose a model that takes end frames."
            )
        if shot.dialogue and not model.caps.audio:
            out.append(f"{model.label} makes no sound: this shot's lines will not be heard.")
    return tuple(out)


def compatible(shot: Shot, frames: str, models: Iterable[VideoModel]) -> tuple[str, ...]:
    """The configured video models that can take the shot as it is."""
    return tuple(
        m.id
        for m in models
        if (not m.caps.max_duration or shot.duration <= m.caps.max_duration)
        and (frames == START_ONLY or m.caps.end_frame)
        and (not shot.dialogue or m.caps.audio)
    )
