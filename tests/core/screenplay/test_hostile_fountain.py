"""Fountain from anywhere (issue "Hostile input"): the inputs that were quadratic read
right (their time against size is `benchmarks/parse_bench.py`'s to print)."""

from __future__ import annotations

from aiuteur_desktop.core.screenplay import fountain
from aiuteur_desktop.core.screenplay.elements import ACTION, CHARACTER, DIALOGUE, cue_name


def test_boneyards_closed_are_dropped_and_unclosed_ones_stay_text() -> None:
    play = fountain.read_string("INT. ROOM - DAY\n\nRain /* a note\nover lines */falls.\n")
    assert [e.text for e in play.elements if e.type == ACTION] == ["Rain falls."]
    unclosed = "INT. ROOM - DAY\n\n" + "/* an unclosed note\n" * 5000
    (action,) = [e for e in fountain.read_string(unclosed).elements if e.type == ACTION]
    assert action.text.count("\n") == 4999 and action.text.startswith("/* an unclosed note")


def test_a_long_run_of_action_lines_is_one_element_with_every_line() -> None:
    lines = [f"Line {i}." for i in range(20_000)]
    play = fountain.read_string("INT. ROOM - DAY\n\n" + "\n".join(lines) + "\n\nMARA\nHi.\n")
    action = next(e for e in play.elements if e.type == ACTION)
    assert action.text.split("\n") == lines
    assert [e.type for e in play.elements][-2:] == [CHARACTER, DIALOGUE]


def test_a_cue_of_a_hundred_thousand_brackets_reads_as_a_name() -> None:
    assert cue_name("BOB" + "(" * 100_000) == "BOB" + "(" * 100_000
    assert cue_name("JOHN (V.O.) (CONT'D) ^") == "JOHN"
    assert cue_name("JOHN" + " ()" * 50_000) == "JOHN"
    play = fountain.read_string("INT. ROOM - DAY\n\nBOB" + "(" * 50_000 + "\nHello.\n")
    assert [e.type for e in play.elements][1:] == [CHARACTER, DIALOGUE]
