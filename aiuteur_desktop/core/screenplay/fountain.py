"""Fountain (https://fountain.io/syntax/) ⇄ Screenplay, OTIO-adapter style: `read_string`,
`write_string`. Notes ([[…]]) and emphasis stay inline in the text; the boneyard is dropped."""

from __future__ import annotations

import dataclasses
import re

from aiuteur_desktop.core.screenplay.elements import (
    ACTION,
    CENTERED,
    CHARACTER,
    DIALOGUE,
    LYRICS,
    PAGE_BREAK,
    PARENTHETICAL,
    SCENE_HEADING,
    SECTION,
    SYNOPSIS,
    TRANSITION,
    Element,
    Screenplay,
)
from aiuteur_desktop.core.screenplay.headings import starts_heading

_NUMBER = re.compile(r"\s*#([\w.\-]+)#\s*$")
_TITLE_KEY = re.compile(r"^([A-Za-z][A-Za-z ]*?):\s*(.*)$")


def _drop_boneyard(text: str) -> str:
    """Remove /* … */ (Fountain's boneyard) in one pass; an unclosed /* keeps the rest as
    text. (A lazy regex retried at every unclosed /* is quadratic.)"""
    out: list[str] = []
    i = 0
    while True:
        start = text.find("/*", i)
        end = text.find("*/", start + 2) if start >= 0 else -1
        if start < 0 or end < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:start])
        i = end + 2


def _is_upper(name: str) -> bool:
    """A cue's name part (before any extension) is in capitals and has a letter."""
    base = name.split("(")[0]
    return any(c.isalpha() for c in base) and base == base.upper()


def _title_page(lines: list[str]) -> tuple[list[tuple[str, str]], int]:
    """Key: value pairs at the very top, up to the first blank line; indented continuation."""
    first = next((i for i, ln in enumerate(lines) if ln.strip()), len(lines))
    if first == len(lines) or not _TITLE_KEY.match(lines[first]):
        return [], 0
    pairs: list[tuple[str, str]] = []
    i = first
    while i < len(lines) and lines[i].strip():
        line = lines[i]
        m = _TITLE_KEY.match(line)
        if m and not line[:1].isspace():
            pairs.append((m.group(1).strip(), m.group(2).strip()))
        elif pairs:
            key, value = pairs[-1]
            pairs[-1] = (key, (value + "\n" + line.strip()).strip("\n"))
        else:
            return [], 0
        i += 1
    return pairs, i


def read_string(text: str) -> Screenplay:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = _drop_boneyard(text)
    lines = text.split("\n")
    title, i = _title_page(lines)
    els: list[Element] = []
    # The last element's text while lines are still being added to it: joined once when
    # the next element starts (a run of lines joined one by one is quadratic).
    tail: list[str] = []

    def flush() -> None:
        if len(tail) > 1:
            els[-1] = dataclasses.replace(els[-1], text="\n".join(tail))
        tail.clear()

    def add(element: Element) -> None:
        flush()
        els.append(element)
        tail.append(element.text)

    def extend(line: str) -> None:
        tail.append(line)

    prev_blank = True
    n = len(lines)

    def blank(j: int) -> bool:
        # Two spaces alone are Fountain's "intentionally empty line" inside dialogue.
        return j >= n or (not lines[j].strip() and lines[j] != "  ")

    while i < n:
        raw = lines[i]
        s = raw.strip()
        if not s:
            prev_blank = True
            i += 1
            continue
        if re.fullmatch(r"={3,}", s):
            add(Element(PAGE_BREAK))
        elif s.startswith("#"):
            depth = len(s) - len(s.lstrip("#"))
            add(Element(SECTION, s[depth:].strip(), depth=depth))
        elif s.startswith("=") and not s.startswith("=="):
            add(Element(SYNOPSIS, s[1:].strip()))
        elif s.startswith(">") and s.endswith("<") and len(s) > 1:
            add(Element(CENTERED, s[1:-1].strip()))
        elif s.startswith(">"):
            add(Element(TRANSITION, s[1:].strip(), forced=True))
        elif s.startswith("~"):
            if els and els[-1].type == LYRICS and not prev_blank:
                extend(s[1:].strip())
            else:
                add(Element(LYRICS, s[1:].strip()))
        elif prev_blank and (
            (s.startswith(".") and not s.startswith("..") and len(s) > 1) or starts_heading(s)
        ):
            forced = s.startswith(".") and not starts_heading(s)
            body = s[1:] if forced else s
            number = ""
            m = _NUMBER.search(body)
            if m:
                number, body = m.group(1), body[: m.start()]
            add(Element(SCENE_HEADING, body.strip(), number=number, forced=forced))
        elif prev_blank and s == s.upper() and s.endswith("TO:") and blank(i + 1):
            add(Element(TRANSITION, s))
        elif (
            prev_blank
            and not blank(i + 1)
            and (s.startswith("@") or (_is_upper(s.rstrip("^").strip()) and not s.startswith("!")))
        ):
            forced = s.startswith("@")
            cue = s[1:] if forced else s
            dual = cue.endswith("^")
            add(Element(CHARACTER, cue.rstrip("^").strip(), dual=dual, forced=forced))
            i += 1
            while not blank(i):
                line = lines[i].strip()
                if not line and els[-1].type == CHARACTER:
                    pass  # a cue kept alive with no words yet
                elif line.startswith("(") and line.endswith(")"):
                    add(Element(PARENTHETICAL, line))
                elif els[-1].type == DIALOGUE:
                    extend(line)
                else:
                    add(Element(DIALOGUE, line))
                i += 1
            prev_blank = False
            continue
        else:
            forced = s.startswith("!")
            line = raw.rstrip()[1:] if forced else raw.strip()
            if els and els[-1].type == ACTION and not prev_blank:
                extend(line)
            else:
                add(Element(ACTION, line, forced=forced))
        prev_blank = False
        i += 1
    flush()
    return Screenplay(tuple(title), tuple(els))


# ---------------------------------------------------------------------- write
_SPECIAL = ("#", "=", ">", "~", "!", "@", ".")


def _action_needs_force(text: str) -> bool:
    first = text.split("\n")[0].strip()
    if not first:
        return False
    if first.startswith(_SPECIAL) or starts_heading(first):
        return True
    if first == first.upper() and any(c.isalpha() for c in first):
        # All capitals: read back as a cue (more lines follow) or a transition.
        return "\n" in text or first.endswith("TO:")
    return False


def write_string(play: Screenplay) -> str:
    out: list[str] = []
    if play.title_page:
        for key, value in play.title_page:
            if "\n" in value:
                out.append(f"{key}:")
                out.extend("    " + v for v in value.split("\n"))
            else:
                out.append(f"{key}: {value}")
        out.append("")
    els = play.elements
    i = 0
    while i < len(els):
        e = els[i]
        if e.type == SCENE_HEADING:
            text = " ".join(e.text.split())
            force = e.forced or not starts_heading(text)
            number = f" #{e.number}#" if e.number else ""
            out.append(("." if force else "") + text + number)
        elif e.type == ACTION:
            force = e.forced or _action_needs_force(e.text)
            lines = e.text.split("\n")
            out.append(("!" if force else "") + lines[0])
            out.extend(lines[1:])
        elif e.type == CHARACTER:
            name = " ".join(e.text.split())
            force = e.forced or not _is_upper(name)
            out.append(("@" if force else "") + name + (" ^" if e.dual else ""))
            j = i + 1
            while j < len(els) and els[j].type in (PARENTHETICAL, DIALOGUE):
                part = els[j]
                if part.type == PARENTHETICAL:
                    t = " ".join(part.text.split())
                    out.append(t if t.startswith("(") else f"({t})")
                else:
                    out.extend(ln if ln.strip() else "  " for ln in part.text.split("\n"))
                j += 1
            if j == i + 1:
                out.append("  ")  # a cue needs a following line to stay a cue
            i = j
            out.append("")
            continue
        elif e.type in (PARENTHETICAL, DIALOGUE):
            # Orphaned from its cue (only a hand-built list can do this): keep it as action.
            out.append("!" + " ".join(e.text.split()))
        elif e.type == TRANSITION:
            text = " ".join(e.text.split())
            plain_ok = text == text.upper() and text.endswith("TO:") and not e.forced
            out.append(text if plain_ok else "> " + text)
        elif e.type == CENTERED:
            out.append(f"> {' '.join(e.text.split())} <")
        elif e.type == SECTION:
            out.append("#" * max(1, e.depth) + " " + e.text)
        elif e.type == SYNOPSIS:
            out.append("= " + e.text)
        elif e.type == LYRICS:
            out.extend("~" + ln for ln in e.text.split("\n"))
        elif e.type == PAGE_BREAK:
            out.append("===")
        out.append("")
        i += 1
    return "\n".join(out).rstrip("\n") + "\n"
