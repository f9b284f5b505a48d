"""What the scene stages share: the Rearview Mirror (PRD §5.3), how the scene before ends."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QLabel

from aiuteur_desktop.core.production.shots.timing import Shot


class RearviewMirror(QLabel):
    """The end state of the previous scene, above a scene stage's work."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("rearviewMirror")
        self.setWordWrap(True)  # (its look: QLabel#rearviewMirror in the theme)

    def show_end(self, previous: Shot | None, note: str = "") -> None:
        """How the scene before ends (its last shot), or that this is the first scene."""
        if previous is None:
            self.setText("<b>Rearview Mirror</b> — this is the first scene.")
        else:
            what = previous.summary(quoted=True) or previous.heading
            self.setText(
                f"<b>Rearview Mirror</b> — scene {previous.scene_label} ends on shot "
                f"{previous.label} ({previous.shot_size}): {html.escape(what)}"
                + (f" <i>{html.escape(note)}</i>" if note else "")
            )
        self.show()
