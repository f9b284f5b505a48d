"""A writer SIGKILLed at random instants never damages a project (DESIGN.md "Durability")."""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from aiuteur_desktop.core.store import Project

KILLS = 200


def writer(bundle: str, start: int, conn) -> None:  # type: ignore[no-untyped-def]
    """Autosave and commit as fast as possible, reporting each finished step."""
    p = Project.open(Path(bundle))
    media_every = 7
    i = start
    conn.send(("ready", i))
    while True:
        i += 1
        p.write("scenes/s1/draft", {"i": i, "text": "x" * (i % 50)})
        conn.send(("draft", i))
        if i % 3 == 0:
            c = p.commit(f"step {i}")
            conn.send(("commit", c.id, i))
        if i % media_every == 0:
            mid = p.media.put(os.urandom(2048) + str(i).encode(), "application/octet-stream")
            conn.send(("media", mid))


@pytest.mark.skipif(
    sys.platform == "win32" or "fork" not in mp.get_all_start_methods(),
    reason="needs fork + SIGKILL",
)
def test_random_sigkills_never_lose_a_committed_state(tmp_path: Path) -> None:
    Project.create(tmp_path, "Crashy").close()
    bundle = tmp_path / "Crashy.aiuteur"
    ctx = mp.get_context("fork")
    rng = random.Random(1234)
    committed: dict[str, int] = {}
    media: set[str] = set()
    checked: set[str] = set()
    last_draft = 0
    acknowledged = 0

    def take(msg: tuple) -> None:  # type: ignore[type-arg]
        nonlocal acknowledged
        if msg[0] == "draft":
            acknowledged = msg[1]
        elif msg[0] == "commit":
            committed[msg[1]] = msg[2]
        elif msg[0] == "media":
            media.add(msg[1])

    for _ in range(KILLS):
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=writer, args=(str(bundle), last_draft, child), daemon=True)
        proc.start()
        child.close()
        assert parent.poll(10), "writer did not start"
        parent.recv()
        acknowledged = last_draft
        # The kill lands a random number of finished steps in, then a random instant later:
        # measured in the writer's progress, not in wall time, so a slow machine still sees
        # kills before, during and after commits.
        for _step in range(rng.randint(0, 12)):
            assert parent.poll(10), "the writer stalled"
            take(parent.recv())
        time.sleep(rng.uniform(0.0, 0.008))
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(5)
        assert proc.exitcode == -signal.SIGKILL, f"writer ended on its own: {proc.exitcode}"
        while parent.poll():
            try:
                msg = parent.recv()
            except (EOFError, OSError):
                break
            take(msg)
        parent.close()

        con = sqlite3.connect(bundle / "project.db")
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
        with Project.open(bundle) as p:
            draft = p.read("scenes/s1/draft")
            current = draft["i"] if draft else 0
            # At most the in-flight write is lost; an unacknowledged one may have landed.
            assert current in (acknowledged, acknowledged + 1), (current, acknowledged)
            # This round's commits and media now; every earlier one again at the end.
            for cid in committed.keys() - checked:
                assert (
                    p.read_tree(p.commit_by_id(cid).tree, "scenes/s1/draft")["i"] == committed[cid]
                )
            for mid in media - checked:
                assert p.media.verify(mid)
            checked.update(committed, media)
            last_draft = current
    with Project.open(bundle) as p:
        for cid, i in committed.items():
            assert p.read_tree(p.commit_by_id(cid).tree, "scenes/s1/draft")["i"] == i
        for mid in media:
            assert p.media.verify(mid)
    # Kills land before, during and after commits: the test must have seen many of each.
    # Every round waits for up to 12 finished steps (a third of them commits), so the floor
    # holds on a slow machine as on a fast one.
    assert len(committed) >= 100 and last_draft >= 400, (
        f"the writer made too little progress: {len(committed)} commits, {last_draft} drafts"
    )
