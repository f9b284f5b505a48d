"""The Asset Drawer's gestures on the Stage 8 page: a master or a global library asset dragged
into the scene, a scene-only asset made, an instance promoted to a master, an added asset
taken out. What each does is core's (`core.production.visuals`); the page supplies the
project, the scene and how it shows the result (`_after`, `fail`, `message`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QInputDialog

from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.production import visuals
from aiuteur_desktop.core.story import master_script


class DrawerActions:
    """Mixed into the Stage 8 page (a `StageFrame` with `scene_id`, `global_assets`, the
    drawer and the element list)."""

    project: Any
    scene_id: str | None
    global_assets: Any

    def _fill_drawer(self: Any) -> None:
        in_scene = {e.master for e in self.items if e.master}
        self.drawer_panel.fill(self.project, in_scene, self.global_assets)

    def add_dropped(self: Any, keys: list[str]) -> None:
        """Assets dragged in from the drawer (or added with its button) join the scene."""
        if self.project is None or self.scene_id is None or not keys:
            return
        self.flush()
        last = None
        try:
            for key in keys:
                kind, _, ref = key.partition(":")
                if kind == "global" and self.global_assets is not None:
                    master = f"assets/{masters.slug(self.global_assets.get(ref).name)}"
                    if self.project.read(master) is None:
                        master = self.global_assets.use_in(self.project, ref)
                elif kind == "master":
                    master = ref
                else:
                    continue
                last = visuals.add_from_master(self.project, self.scene_id, master).slug
        except AiuteurError as exc:
            self.fail(exc.user_message)
        label = master_script.label_of(self.project, self.scene_id)
        visuals.commit_edits(self.project, self.scene_id, f"Added assets to scene {label}")
        self._fill_drawer()
        self._after(last)

    def new_scene_asset(self: Any) -> None:
        if self.project is None or self.scene_id is None:
            return
        kinds = ["character", "location", "prop"]
        kind, ok = QInputDialog.getItem(
            self, "New Scene Asset", "What kind of asset?", kinds, 2, False
        )
        if not ok:
            return
        name, ok = QInputDialog.getText(self, "New Scene Asset", f"Name of the new {kind}:")
        if not ok or not name.strip():
            return
        try:
            e = visuals.create_scene_asset(self.project, self.scene_id, kind, name)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        visuals.commit_edits(self.project, self.scene_id, f"New scene asset {e.name}")
        self._after(e.slug)

    def promote(self: Any) -> None:
        e = self.element()
        if self.project is None or self.scene_id is None or e is None:
            return
        self.flush()
        try:
            visuals.promote(self.project, self.scene_id, e.slug)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self._fill_drawer()
        self._after(e.slug)
        self.message.emit(f"{e.name} is a master asset now.")

    def remove_added(self: Any) -> None:
        e = self.element()
        if self.project is None or self.scene_id is None or e is None:
            return
        try:
            visuals.remove_added(self.project, self.scene_id, e.slug)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        visuals.commit_edits(self.project, self.scene_id, f"Removed {e.name} from the scene")
        self._after(None)
