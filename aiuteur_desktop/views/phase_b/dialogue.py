"""A shot's lines as the Stage 7 table shows and edits them: "NAME: line", one a row, and
typed text read back into lines without mistaking a colon inside a line for a name."""

from __future__ import annotations

from aiuteur_desktop.core.shots import Line, Shot


def dialogue_text(shot: Shot) -> str:
    return "\n".join(
        f"{d.character}: {d.parenthetical + ' ' if d.parenthetical else ''}{d.text}"
        for d in shot.dialogue
    )


def parse_dialogue(text: str, before: tuple[Line, ...]) -> tuple[Line, ...]:
    """Dialogue typed as `NAME: (parenthetical) words`, one line each, back into lines. A
    name is written in capitals or is one of the shot's speakers (any case); a line without
    one belongs to the speaker of the line before it (or of the line it replaces)."""
    known = {d.character.upper() for d in before}
    out: list[Line] = []
    for i, raw in enumerate(t for t in text.splitlines() if t.strip()):
        name, sep, words = raw.partition(":")
        name = name.strip()
        if not sep or not name or not (name.isupper() or name.upper() in known):
            who = out[-1].character if out else (before[i].character if i < len(before) else "")
            name, words = who, raw
        words = words.strip()
        paren = ""
        if words.startswith("(") and ")" in words:
            paren, words = words[: words.index(")") + 1], words[words.index(")") + 1 :].strip()
        if name and words:
            out.append(Line(name.upper(), words, paren))
    return tuple(out)
