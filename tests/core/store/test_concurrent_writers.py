"""Two instances of one bundle writing at once — two jobs of a batch applying their results
(each opens the project when the window does not have it open), or two processes: every
document written reaches the timeline, every commit gets its own number; nothing is lost."""

from __future__ import annotations

import threading
from pathlib import Path

from aiuteur_desktop.core.store import Project

COMMITS = 60


def test_two_instances_committing_at_once_lose_nothing(tmp_path: Path) -> None:
    bundle = Project.create(tmp_path, "Race").path
    errors: list[BaseException] = []
    go = threading.Barrier(2)

    def writer(who: str) -> None:
        try:
            with Project.open(bundle) as p:
                go.wait()
                for n in range(COMMITS):
                    p.write(f"notes/{who}/{n}", {"n": n})
                    p.commit(f"{who} {n}")
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(who,)) for who in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    with Project.open(bundle) as p:
        # Every note is on the timeline (one writer's commit may carry the other's note: the
        # draft is the timeline's own), and every commit has a number of its own.
        head = p.head()
        for who in ("a", "b"):
            for n in range(COMMITS):
                assert p.read_tree(head.tree, f"notes/{who}/{n}") == {"n": n}, (who, n)
        chain, at = [], head
        while at.parents:
            chain.append(at)
            at = p.commit_by_id(at.parents[0])
        assert len({c.seq for c in chain}) == len(chain) >= COMMITS
