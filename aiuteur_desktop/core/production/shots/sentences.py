"""Text cut where a script supervisor would cut it: into sentences (a shot boundary falls
between them), and — only for a sentence longer than a shot — at its clauses. Shared by the
shot timing, the shot tools and the prompts."""

from __future__ import annotations

import re

#: Where a sentence ends: its mark, with any closing quote or bracket after it.
SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*$")


def split(text: str) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """Words, the whitespace after each, and each sentence as a range of word indexes; a
    line break ends a sentence too (verse, lyrics)."""
    toks = re.split(r"(\s+)", text.strip())
    words, seps = toks[0::2], [*toks[1::2], ""]
    spans: list[tuple[int, int]] = []
    start = 0
    for i, word in enumerate(words):
        if SENTENCE_END.search(word) or "\n" in seps[i] or i == len(words) - 1:
            spans.append((start, i + 1))
            start = i + 1
    return words, seps, [s for s in spans if s[1] > s[0] and words[s[0]]]


def _join(words: list[str], seps: list[str], a: int, b: int) -> str:
    return "".join(words[i] + (seps[i] if i < b - 1 else "") for i in range(a, b))


def sentences_of(text: str) -> list[str]:
    """Whole sentences, the pieces a shot is never cut inside (verbatim: closing quotes stay
    with their sentence, line breaks inside one are kept)."""
    words, seps, spans = split(text)
    return [_join(words, seps, a, b) for a, b in spans]


#: Where a sentence too long for one shot may be divided: after a clause's punctuation.
CLAUSE_END = re.compile(r"(?:[,;:]|--|—|–|\.\.\.|…)[\"'”’)\]]*$")


def _even(a: int, b: int, room: int) -> list[tuple[int, int]]:
    """Words a..b in the fewest runs of at most `room`, as even as they come (never a
    one-word tail)."""
    n = b - a
    parts = -(-n // room)
    size = -(-n // parts)
    return [(c, min(b, c + size)) for c in range(a, b, size)]


def _clauses(words: list[str], a: int, b: int, room: int) -> list[tuple[int, int]]:
    """A sentence longer than `room` words in pieces that end at its clause punctuation
    (`,` `;` `--` `...`), joined while they fit; a clause longer than `room` alone is cut
    into even word runs."""
    cuts = [i + 1 for i in range(a, b - 1) if CLAUSE_END.search(words[i])]
    clauses = list(zip([a, *cuts], [*cuts, b], strict=True))
    out: list[tuple[int, int]] = []
    for c, d in clauses:
        pieces = [(c, d)] if d - c <= room else _even(c, d, room)
        for e, f in pieces:
            if out and out[-1][1] == e and f - out[-1][0] <= room:
                out[-1] = (out[-1][0], f)
            else:
                out.append((e, f))
    return out


def fit(text: str, seconds: float, rate: float) -> list[str]:
    """Text in pieces that each fit `seconds` at `rate` words per second, each ending where
    a sentence ends — whole sentences joined while they fit; a sentence longer than that
    alone divided at its clauses (never between two words of one, unless the clause alone
    is too long). The pieces joined by a space give back every word and mark of `text`."""
    room = max(1, int(seconds * rate))
    words, seps, spans = split(text)
    ranges: list[tuple[int, int]] = []
    for a, b in spans:
        pieces = [(a, b)] if b - a <= room else _clauses(words, a, b, room)
        for c, d in pieces:
            if ranges and ranges[-1][1] == c and d - ranges[-1][0] <= room:
                ranges[-1] = (ranges[-1][0], d)
            else:
                ranges.append((c, d))
    return [_join(words, seps, a, b) for a, b in ranges]
