"""The review player's sound output (miniaudio), on miniaudio's Null device: a real output
thread pulling at the real rate, with nothing to hear."""

from __future__ import annotations

import time

import miniaudio
import pytest

from aiuteur_desktop.views.production.player_parts import BYTES_PER_SECOND, Sound


@pytest.fixture
def sound():  # type: ignore[no-untyped-def]
    out = Sound(backends=[miniaudio.Backend.NULL])
    assert out.available
    yield out
    out.close()


def test_the_clock_counts_only_the_sound_that_was_fed(sound: Sound) -> None:
    assert sound.played() == 0.0 and sound.feed(b"\0" * 100) == 0  # not started: nothing taken
    sound.start()
    taken = sound.feed(b"\1" * BYTES_PER_SECOND)  # a second offered: the buffer takes 0.2 s
    assert taken == Sound.BUFFER
    deadline = time.monotonic() + 5
    while sound.played() < 0.2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sound.played() == pytest.approx(0.2)
    time.sleep(0.3)  # the output goes on pulling silence: a gap is not time played
    assert sound.played() == pytest.approx(0.2)
    assert sound.feed(b"\1" * 100) == 100  # room again


def test_stop_forgets_what_was_queued_and_start_counts_from_zero(sound: Sound) -> None:
    sound.start()
    sound.feed(b"\1" * Sound.BUFFER)
    sound.stop()
    assert sound.played() == 0.0 and sound.feed(b"\1") == 0
    sound.start()
    assert sound.played() == 0.0
    sound.close()
    assert not sound.available
    sound.start()  # a closed output opens again on the next start
    assert sound.available and sound.device is not None


def test_no_output_on_this_machine_means_silent_play_not_an_error(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def refuse(*_a: object, **_k: object) -> None:
        raise miniaudio.MiniaudioError("no suitable audio backend found")

    monkeypatch.setattr(miniaudio, "PlaybackDevice", refuse)
    out = Sound()
    assert not out.available
    out.start()
    assert out.feed(b"\1" * 10) == 0 and out.played() == 0.0


def test_the_player_timecode_reads_as_an_editor_reads_it() -> None:
    from aiuteur_desktop.views.production.player_parts import timecode

    assert timecode(13 + 6 / 24, 24) == "00:00:13:06"
    assert timecode(3725.5, 24) == "01:02:05:12"
