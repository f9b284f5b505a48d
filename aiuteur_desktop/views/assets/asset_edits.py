"""Stage 5's edits of the master asset list (`self` is the page): add, rename, merge, remove,
Promote to Global and an asset started from the Asset Library — each one commit, the list
refilled on the asset it leaves chosen."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QInputDialog, QMessageBox

from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.session import Changes
from aiuteur_desktop.views.kit.dialogs import confirm


class AssetEdits:
    """The list's edits; the page brings `project`, `jobs`, `global_assets`, `changed`,
    `message`, `fail`, `flush`, `current_path` and `_fill_list`."""

    project: Any
    jobs: Any
    global_assets: Any
    changed: Any
    message: Any
    fail: Any
    flush: Any
    current_path: Any
    _fill_list: Any

    def add_asset(self) -> None:
        kinds = ["Character", "Location", "Prop"]
        kind, ok = QInputDialog.getItem(self, "Add Asset", "Kind", kinds, 2, False)
        if not ok:
            return
        name, ok = QInputDialog.getText(self, "Add Asset", f"Name of the {kind.lower()}")
        if ok:
            self.add_new(kind.lower(), name)

    def add_new(self, kind: str, name: str) -> None:
        if self.project is not None:
            self._try(lambda: self._after(masters.add(self.project, kind, name), f"Added {name}"))  # type: ignore[arg-type]

    def _after(self, path: str | None, message: str) -> None:
        assert self.project is not None
        masters.save_edits(self.project, message)
        self._fill_list(path)
        self.changed.emit()
        self.message.emit(message)

    def _try(self, fn: Any) -> None:
        try:
            fn()
        except AiuteurError as exc:
            self.fail(exc.user_message)

    def _ask(
        self,
        name: str,
        title: str,
        label: str,
        done: Any,
        *,
        text: str = "",
        items: list[str] | None = None,
    ) -> None:
        """A small window-modal question (the page stays responsive; tests can answer it)."""
        dialog = QInputDialog(self)
        dialog.setObjectName(name)
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        if items is not None:
            dialog.setComboBoxItems(items)
            dialog.setComboBoxEditable(False)
        else:
            dialog.setTextValue(text)
        dialog.textValueSelected.connect(done)
        dialog.open()

    def rename_asset(self) -> None:
        path = self.current_path()
        if self.project is None or path is None:
            return
        old = masters.read(self.project, path)["name"]

        def rename(name: str) -> None:
            self._try(
                lambda: (
                    masters.rename(self.project, path, name),
                    self._after(path, f"Renamed {old} to {name}"),
                )
            )  # type: ignore[arg-type]

        self._ask("renameAsset", "Rename Asset", "New name", rename, text=old)

    def merge_asset(self) -> None:
        path = self.current_path()
        if self.project is None or path is None:
            return
        me = masters.read(self.project, path)
        others = [
            a
            for a in masters.kept_assets(self.project)
            if a["kind"] == me["kind"] and a["path"] != path
        ]
        if not others:
            self.fail(f"There is no other {me['kind']} to merge into {me['name']}.")
            return
        names = [a["name"] for a in others]

        def merge(name: str) -> None:
            other = others[names.index(name)]["path"]
            self._try(
                lambda: (
                    masters.merge(self.project, path, other),
                    self._after(path, f"Merged {name} into {me['name']}"),
                )
            )  # type: ignore[arg-type]

        self._ask(
            "mergeAsset",
            "Merge Assets",
            f"Merge into {me['name']} (it becomes an alias):",
            merge,
            items=names,
        )

    def remove_asset(self) -> None:
        path = self.current_path()
        if self.project is None or path is None:
            return
        name = masters.read(self.project, path)["name"]
        confirm(
            self,
            "removeAsset",
            QMessageBox.Icon.Warning,
            "Remove Asset",
            f"Remove {name} from this project's master assets? Version History keeps it.",
            "Remove",
            QMessageBox.ButtonRole.DestructiveRole,
            lambda: self._try(
                lambda: (masters.remove(self.project, path), self._after(None, f"Removed {name}"))
            ),  # type: ignore[arg-type]
        )

    def promote(self) -> None:
        path = self.current_path()
        if self.project is None or path is None:
            return
        self.flush()
        try:
            g = self.global_assets.promote(self.project, path)
        except AiuteurError as exc:
            self.fail(exc.user_message)
            return
        self.message.emit(f"{g.name} is now in the Asset Library.")
        self.jobs.session.changed(Changes(library=("assets",)))

    def use_global(self) -> None:
        items = self.global_assets.all()
        if not items:
            self.fail(
                "The Asset Library is empty: promote an asset, or create one in the Asset Library."
            )
            return
        labels = [f"{a.name} ({a.kind})" for a in items]
        label, ok = QInputDialog.getItem(
            self, "From Asset Library", "Start an asset from:", labels, 0, False
        )
        if ok:
            self.add_from_library(items[labels.index(label)].id)

    def add_from_library(self, aid: str) -> None:
        if self.project is None:
            return
        g = self.global_assets.get(aid)
        self._try(
            lambda: self._after(
                self.global_assets.use_in(self.project, aid),
                f"Added {g.name} from the Asset Library",
            )
        )  # type: ignore[arg-type]
