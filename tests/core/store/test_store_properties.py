"""Property tests: no sequence of store operations loses or alters a saved version."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from aiuteur_desktop.core.store import Project

PATHS = ["stage1/config", "stage2/treatment", "stage3/beats", "scenes/s1/shots", "scenes/s2/shots"]
values = st.one_of(
    st.integers(),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=4),
    st.dictionaries(st.sampled_from(["a", "b", "é"]), st.integers(), max_size=3),
)


class StoreMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.dir = Path(tempfile.mkdtemp())
        self.p = Project.create(self.dir, "Prop")
        self.seen: dict[str, tuple[Any, dict[str, Any]]] = {}  # commit -> (row, snapshot)
        self.model_draft: dict[str, dict[str, Any]] = {"Main": {}}
        self._remember()

    def teardown(self) -> None:
        if hasattr(self, "p"):
            self.p.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    def _snapshot(self, tree: str) -> dict[str, Any]:
        return {path: self.p.read_tree(tree, path) for path in self.p.list_paths(tree)}

    def _remember(self) -> None:
        for c in self.p.all_commits():
            if c.id not in self.seen:
                self.seen[c.id] = (c, self._snapshot(c.tree))

    @rule(path=st.sampled_from(PATHS), value=values)
    def write(self, path: str, value: Any) -> None:
        self.p.write(path, value)
        self.model_draft[self.p.current_branch][path] = value

    @rule(path=st.sampled_from(PATHS))
    def delete(self, path: str) -> None:
        self.p.delete(path)
        self.model_draft[self.p.current_branch].pop(path, None)

    @rule(message=st.text(min_size=1, max_size=15))
    def commit(self, message: str) -> None:
        self.p.commit(message)
        self._remember()

    @rule(data=st.data())
    def branch_from_any_commit(self, data: st.DataObject) -> None:
        target = data.draw(st.sampled_from(sorted(self.seen)))
        heads = {b.name: b.head for b in self.p.branches()}
        name = self.p.unique_branch_name("B")
        self.p.create_branch(name, from_commit=target)
        assert {b.name: b.head for b in self.p.branches() if b.name != name} == heads
        self.model_draft[name] = dict(self.seen[target][1])

    @precondition(lambda self: len(self.model_draft) > 1)
    @rule(data=st.data())
    def switch(self, data: st.DataObject) -> None:
        self.p.switch_branch(data.draw(st.sampled_from(sorted(self.model_draft))))

    @rule(data=st.data())
    def switch_to_old_node(self, data: st.DataObject) -> None:
        target = data.draw(st.sampled_from(sorted(self.seen)))
        heads = {b.name: b.head for b in self.p.branches()}
        fork = self.p.fork_from(target)
        assert fork.name not in heads, "switching to an old node always forks"
        assert {b.name: b.head for b in self.p.branches() if b.name != fork.name} == heads
        assert self.p.current_branch == fork.name
        self.model_draft[fork.name] = dict(self.seen[target][1])

    @invariant()
    def every_saved_version_is_intact(self) -> None:
        if not hasattr(self, "p"):
            return
        for cid, (row, snapshot) in self.seen.items():
            again = self.p.commit_by_id(cid)
            assert again == row
            assert self._snapshot(again.tree) == snapshot

    @invariant()
    def drafts_match_the_model(self) -> None:
        if not hasattr(self, "p"):
            return
        for name, expected in self.model_draft.items():
            assert self._snapshot(self.p.branch(name).draft) == expected


StoreMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestStore = StoreMachine.TestCase
