"""The words a prompt is made of: text cleaned for a prompt, a character's introduction
without its looks (the anchor frames carry them), and the sound cues an action holds — the
sounds, not the sentences they sit in."""

from __future__ import annotations

import re
from collections.abc import Iterable

from aiuteur_desktop.core.production.shots.sentences import sentences_of
from aiuteur_desktop.core.production.shots.timing import Shot

#: Words that make an action sentence a sound cue (besides a word in capitals).
SOUNDS = re.compile(
    r"\b(thunder\w*|rain\w*|wind|winds|knock\w*|ring\w*|siren\w*|radio|music|footsteps?|"
    r"gunshots?|shots? ring|scream\w*|crash\w*|bang\w*|engine\w*|horns?|bells?|bark\w*|"
    r"waves?|storm\w*|creak\w*|slam\w*|whistl\w*|hum\w*|buzz\w*|beep\w*|explo\w*|splash\w*)\b",
    re.IGNORECASE,
)


def clean(text: str) -> str:
    return " ".join(text.split())


def sentence(text: str) -> str:
    text = clean(text)
    return text if not text or text.endswith((".", "!", "?", "…", '"', "”", ")")) else text + "."


#: A character introduced with their looks: "MARA QUILL (30s, oilskin coat)".
_INTRO = re.compile(r"(\b[A-Z][A-Z'’.-]+(?:\s+[A-Z][A-Z'’.-]+)*)\s*\([^()]{0,300}\)")


def without_looks(text: str) -> str:
    """Action as a video prompt carries it: a character's introduction keeps the name and
    leaves the looks in brackets to the anchor frames."""
    return _INTRO.sub(r"\1", text)


#: Where a clause of an action sentence ends: the sound it holds is said within one.
_CLAUSE = re.compile(r"\s*(?:[,;:—–]|--|\s(?:and|as|while|then|but|when|before|after)\s)\s*")


def _sound_in(clause: str, at: int, end: int) -> str:
    """The few words around a sound (its source before it, what follows it closely):
    "a door SLAMS down the hall", not the whole sentence it sits in."""
    words = clause.split()
    if len(words) <= 8:  # a short clause is the sound as the writer put it
        return clause
    # The word index of the sound's first character.
    first = len(clause[:at].split()) - (0 if at == 0 or clause[at - 1].isspace() else 1)
    last = first + len(clause[at:end].split())
    return " ".join(words[max(0, first - 3) : min(len(words), last + 4)])


def sound_cues(shot: Shot, names: Iterable[str] = ()) -> list[str]:
    """Sound cues from the action: the sounds, not the sentences they sit in — a word in
    capitals that is not a name (the screenplay convention: "Thunder CRACKS.") or a word for
    a sound, with the few words around it that say what makes it."""
    skip = {w for name in names for w in name.upper().split()} | {"I", "A", "INT", "EXT", "OK"}
    out: list[str] = []
    for s in sentences_of(shot.action) if shot.action else []:
        s = clean(without_looks(s)).rstrip(".!?")
        for clause in _CLAUSE.split(s):
            # Runs of words in capitals: a run holding a name is the name ("MARA QUILL").
            runs = [
                m
                for m in re.finditer(r"\b[A-Z][A-Z'’-]+(?:\s+[A-Z][A-Z'’-]+)*\b", clause)
                if not set(m.group().split()) & skip
            ]
            hits = runs or list(SOUNDS.finditer(clause))
            if not hits:
                continue
            cue = _sound_in(clause, hits[0].start(), hits[-1].end())
            for m in runs:
                for w in m.group().split():
                    cue = re.sub(rf"\b{re.escape(w)}\b", w.lower(), cue)
            cue = cue.strip(" ,.;:")
            if cue and cue.lower() not in (c.lower() for c in out):
                out.append(cue[:1].lower() + cue[1:] if out else cue[:1].upper() + cue[1:])
    return out
