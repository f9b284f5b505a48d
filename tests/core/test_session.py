"""The session model: pages hear which project, scene or documents changed, and only then."""

from __future__ import annotations

from pathlib import Path

from aiuteur_desktop.core.session import Changes, Event, Session
from aiuteur_desktop.core.store import Project


def test_listeners_hear_what_changed_and_can_stop(tmp_path: Path) -> None:
    session = Session()
    heard: list[Event] = []
    stop = session.subscribe(heard.append)
    with Project.create(tmp_path, "Drift") as p:
        session.open(p)
        assert session.project is p and heard[-1].project and heard[-1].scene
        session.select_scene("s3")
        session.select_scene("s3")  # the same scene again is no news
        assert session.scene == "s3" and len(heard) == 2 and heard[-1].scene
        session.changed(Changes())  # nothing changed: nobody is woken
        session.changed(Changes(paths=("assets/mara",), stages=(5,)))
        assert heard[-1].changes.stages == (5,) and not heard[-1].project
        stop()
        session.changed(Changes(library=("assets",)))
        assert len(heard) == 3


def test_a_broken_listener_does_not_silence_the_others() -> None:
    session = Session()
    heard: list[Event] = []

    def broken(_event: Event) -> None:
        raise RuntimeError("a page fell over")

    session.subscribe(broken)
    session.subscribe(heard.append)
    session.changed(Changes(library=("assets",)))
    assert heard and heard[0].changes.library == ("assets",)
