"""Stage 10 after a change: an approval shown at once and stored by the writer thread in the
order asked, and — when frame jobs land or an approval is stored — one refresh for a burst,
the scene's slots and the pictures about to be shown worked out on a worker. A mixin of
`Stage10Page`, which holds the widgets and the page state."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.production import frames
from aiuteur_desktop.core.production.frames import Slot
from aiuteur_desktop.views.jobs.background import run_in_background, write_in_background
from aiuteur_desktop.views.production.frame_mode import decode_ahead, keep_pictures, neighbours


class FrameSettling:
    """`approve`, `_settled` and the refresh they lead to (`settling` while due)."""

    project: Any
    scene_id: str | None
    items: list[Slot]
    changed: Any
    message: Any
    edit_button: Any
    _refresh: Any  # a single-shot timer: one refresh for a burst of landings
    _landed: str | None
    _deriving: int
    _writing: int
    _loaded: bool
    _seen: Any
    _derived_for: dict[str, tuple[Any, str | None]]
    # (and the page's own methods, typed loosely: this mixin sits before it in the MRO)
    _grid_shown: Any
    _acting_on: Any
    _fill: Any
    select_key: Any
    current_key: Any
    mode: Any
    fail: Any
    fail_with: Any
    keys_settled: Any

    def approve(self) -> None:
        if self.project is None or self.scene_id is None:
            return
        on_grid = self._grid_shown()
        project, scene = self.project, self.scene_id
        todo = [s for s in self._acting_on() if s.made and not s.approved]
        # Shown approved at once from what the page holds; stored by the writer thread, in
        # the order asked (a commit on a feature film's store waited on the workers), and
        # the scene's slots derived again on a worker once it is (`_settled`).
        done = {(s.shot, s.which): replace(s, approved=True) for s in todo}

        def write() -> list[str]:
            refused = []
            for s in todo:
                try:
                    frames.approve(project, scene, s.shot, s.which, shown=s)
                except AiuteurError as exc:
                    refused.append(exc.user_message)
            return refused

        def written(refused: list[str]) -> None:
            self._writing -= 1
            if refused:
                self.fail(refused[0])
            self._settled(None)
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self._writing -= 1
            self.fail_with(exc)
            self._settled(None)

        if todo:
            self._writing += 1
            write_in_background(write, written, failed, parent=self)
        self.items = [done.get((s.shot, s.which), s) for s in self.items]
        nxt = None if on_grid else frames.next_of(self.items)
        # Control: on to the next frame.
        self._fill(select=f"{nxt.shot}/{nxt.which}" if nxt is not None else None)
        if done:
            self.message.emit(f"Approved {len(done)} frame{'s' * (len(done) != 1)}.")

    def _settled(self, key: str | None = None) -> None:
        """A frame job ended: one refresh for a burst of them (a timer), its slots derived on
        a worker, so a hundred frames landing never hold the window."""
        self.keys_settled(key)
        self._landed = key or self._landed
        self._refresh.start()  # (which marks the page loaded as of the draft it reads)

    @property
    def settling(self) -> bool:
        """A refresh after finished frames is due or being derived."""
        return self._refresh.isActive() or self._deriving > 0 or self._writing > 0

    def _refresh_now(self) -> None:
        if self._writing:  # an approval being stored: derived after it, not before
            self._refresh.start()
            return
        project, scene, key, self._landed = self.project, self.scene_id, self._landed, None
        if project is None or scene is None:
            return

        shown, mode = self.current_key(), self.mode()

        found: dict[str, tuple[Any, str | None]] = {}
        seen: list[Any] = []  # the draft it was read from
        pictures: list[Any] = []  # decoded there, kept here

        def derive() -> list[Slot]:  # the slots, and what showing the one shown reads
            seen.append((project.current_branch, project.branch().draft))
            items = frames.slots(project, scene)
            nxt = frames.next_of(items) or (items[0] if items else None)
            wanted = {key, shown, f"{nxt.shot}/{nxt.which}" if nxt else None}
            for s in items:
                if f"{s.shot}/{s.which}" in wanted:
                    found[f"{s.shot}/{s.which}"] = neighbours(project, scene, s, mode)
            focus = [s for s in items if f"{s.shot}/{s.which}" in wanted]
            links = [link for link, _reason in found.values()]
            pictures.append(decode_ahead(project, items, focus, links))
            return items

        def apply(items: list[Slot]) -> None:
            self._deriving -= 1
            if project is not self.project or scene != self.scene_id:
                return
            keep_pictures(pictures[0])
            self.items, self._derived_for = items, found  # shown as derived, not derived again
            self._loaded, self._seen = True, seen[0]
            if key is not None:
                self.edit_button.setChecked(False)
            self._fill(select=key)
            self._derived_for = {}

        def failed(exc: BaseException) -> None:
            self._deriving -= 1
            self.fail_with(exc)

        self._deriving += 1
        run_in_background(derive, apply, failed, parent=self)
