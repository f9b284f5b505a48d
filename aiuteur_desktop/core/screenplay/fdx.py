"""Final Draft (.fdx) ⇄ Screenplay: `read_string`, `write_string`.

Final Draft has no sections or free-standing synopses; they are written as paragraphs of
Aiuteur's own types ("Section", "Synopsis"), which Final Draft shows as plain text, and a
synopsis right after a scene heading goes into the scene's Summary as Final Draft does.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _safe_fromstring

from aiuteur_desktop.core.errors import AiuteurError
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

_TO_FDX = {
    SCENE_HEADING: "Scene Heading",
    ACTION: "Action",
    CHARACTER: "Character",
    PARENTHETICAL: "Parenthetical",
    DIALOGUE: "Dialogue",
    TRANSITION: "Transition",
    CENTERED: "Action",
    SECTION: "Section",
    SYNOPSIS: "Synopsis",
    LYRICS: "Lyrics",
}
_FROM_FDX = {v: k for k, v in _TO_FDX.items() if k != CENTERED}
_FROM_FDX.update({"Shot": ACTION, "General": ACTION, "Cast List": ACTION, "New Act": SECTION})
_TITLE_KEY = "AiuteurKey"


class FdxError(AiuteurError):
    """The file is not a Final Draft document Aiuteur can read."""


#: Dual dialogue holds two speeches; a DualDialogue inside one is not Final Draft's.
MAX_NESTING = 2
#: Section levels Aiuteur keeps (Fountain writes one # a level).
MAX_LEVEL = 6
#: What XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    """Text as XML 1.0 can carry it: the characters it cannot hold are dropped."""
    return _NOT_XML.sub("", text)


def _level(value: str | None) -> int:
    """A section's Level: a number from 1 to MAX_LEVEL whatever the file says."""
    try:
        return max(1, min(MAX_LEVEL, int(str(value or "1").strip())))
    except ValueError:
        return 1


def _text(p: ET.Element) -> str:
    return "".join(t.text or "" for t in p.findall("Text"))


def _paragraphs(parent: ET.Element, out: list[Element], depth: int = 0) -> None:
    if depth >= MAX_NESTING:
        raise FdxError(
            "This Final Draft file has dual dialogue nested inside dual dialogue; Aiuteur "
            "reads two speeches side by side, not more. Re-save it from Final Draft."
        )
    for p in parent.findall("Paragraph"):
        dual = p.find("DualDialogue")
        if p.get("StartsNewPage") == "Yes" and out:
            out.append(Element(PAGE_BREAK))
        if dual is not None:
            inner: list[Element] = []
            _paragraphs(dual, inner, depth + 1)
            cues = [i for i, e in enumerate(inner) if e.type == CHARACTER]
            if len(cues) >= 2:
                second = cues[1]
                inner[second] = Element(CHARACTER, inner[second].text, dual=True)
            out.extend(inner)
            continue
        kind = p.get("Type", "Action")
        text = _text(p)
        if kind == "Scene Heading":
            out.append(Element(SCENE_HEADING, text, number=p.get("Number", "")))
            summary = p.find("SceneProperties/Summary")
            if summary is not None:
                for sp in summary.findall("Paragraph"):
                    if _text(sp).strip():
                        out.append(Element(SYNOPSIS, _text(sp)))
        elif kind == "Section" or kind == "New Act":
            out.append(Element(SECTION, text, depth=_level(p.get("Level"))))
        elif kind == "Action" and p.get("Alignment") == "Center":
            out.append(Element(CENTERED, text))
        else:
            out.append(Element(_FROM_FDX.get(kind, ACTION), text))


def read_string(data: str | bytes) -> Screenplay:
    try:
        root = _safe_fromstring(data, forbid_dtd=False)
    except DefusedXmlException as exc:
        raise FdxError(
            "This Final Draft file declares XML entities or outside files; Aiuteur does not "
            "expand them. Re-save it from Final Draft."
        ) from exc
    except ET.ParseError as exc:
        raise FdxError(f"This Final Draft file is damaged (XML error: {exc}).") from exc
    except (LookupError, ValueError) as exc:  # a bogus encoding declaration, say
        raise FdxError(f"This Final Draft file cannot be decoded ({exc}).") from exc
    if root.tag != "FinalDraft":
        raise FdxError("This is XML but not a Final Draft script (no <FinalDraft> root).")
    content = root.find("Content")
    els: list[Element] = []
    if content is not None:
        _paragraphs(content, els)
    title: list[tuple[str, str]] = []
    tp = root.find("TitlePage/Content")
    if tp is not None:
        loose: list[str] = []
        keyed: list[tuple[str, list[str]]] = []  # lines joined once at the end (linear)
        for p in tp.findall("Paragraph"):
            text = _text(p).strip()
            if not text:
                continue
            key = p.get(_TITLE_KEY)
            if key:
                if keyed and keyed[-1][0] == key:
                    keyed[-1][1].append(text)
                else:
                    keyed.append((key, [text]))
            else:
                loose.append(text)
        title = [(key, "\n".join(lines)) for key, lines in keyed]
        if loose and not title:
            title = _guess_title_page(loose)
    return Screenplay(tuple(title), tuple(els))


def _guess_title_page(lines: list[str]) -> list[tuple[str, str]]:
    """A title page written by Final Draft itself: title, credit, author, then the rest."""
    out = [("Title", lines[0])]
    rest = lines[1:]
    if rest and rest[0].lower() in ("by", "written by", "screenplay by", "story by"):
        out.append(("Credit", rest[0]))
        rest = rest[1:]
        if rest:
            out.append(("Author", rest[0]))
            rest = rest[1:]
    if rest:
        out.append(("Contact", "\n".join(rest)))
    return out


def _para(parent: ET.Element, kind: str, text: str, **attrs: str) -> ET.Element:
    clean = {k: _xml_text(v) for k, v in attrs.items()}
    p = ET.SubElement(parent, "Paragraph", {"Type": kind, **clean})
    ET.SubElement(p, "Text").text = _xml_text(text)
    return p


def write_string(play: Screenplay) -> str:
    root = ET.Element("FinalDraft", DocumentType="Script", Template="No", Version="5")
    content = ET.SubElement(root, "Content")
    els = play.elements
    i = 0
    new_page = False
    while i < len(els):
        e = els[i]
        attrs = {"StartsNewPage": "Yes"} if new_page else {}
        new_page = False
        if e.type == PAGE_BREAK:
            new_page = True
            i += 1
            continue
        if e.type == CHARACTER and i + 1 < len(els):
            # Dual dialogue: this speech and the next (whose cue carries `dual`) side by side.
            j = i + 1
            while j < len(els) and els[j].type in (PARENTHETICAL, DIALOGUE):
                j += 1
            if j < len(els) and els[j].type == CHARACTER and els[j].dual:
                k = j + 1
                while k < len(els) and els[k].type in (PARENTHETICAL, DIALOGUE):
                    k += 1
                holder = ET.SubElement(content, "Paragraph", attrs)
                dual = ET.SubElement(holder, "DualDialogue")
                for part in els[i:k]:
                    _para(dual, _TO_FDX[part.type], part.text)
                i = k
                continue
        if e.type == SCENE_HEADING:
            if e.number:
                attrs["Number"] = e.number
            p = _para(content, "Scene Heading", e.text, **attrs)
            j = i + 1
            summaries = []
            while j < len(els) and els[j].type == SYNOPSIS:
                summaries.append(els[j].text)
                j += 1
            if summaries:
                props = ET.SubElement(p, "SceneProperties")
                summary = ET.SubElement(props, "Summary")
                for s in summaries:
                    _para(summary, "General", s)
            i = j
            continue
        if e.type == CENTERED:
            _para(content, "Action", e.text, Alignment="Center", **attrs)
        elif e.type == SECTION:
            _para(content, "Section", e.text, Level=str(max(1, e.depth)), **attrs)
        else:
            _para(content, _TO_FDX.get(e.type, "Action"), e.text, **attrs)
        i += 1
    if play.title_page:
        tp = ET.SubElement(ET.SubElement(root, "TitlePage"), "Content")
        for key, value in play.title_page:
            align = "Center" if key.lower() in ("title", "credit", "author", "source") else "Left"
            for line in value.split("\n"):
                p = ET.SubElement(tp, "Paragraph", {"Alignment": align, _TITLE_KEY: _xml_text(key)})
                ET.SubElement(p, "Text").text = _xml_text(line)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n' + body + "\n"
