"""What Settings → Providers is made of: a connection's panel (its form, Test connection, the
models it lists) and the API-key field that writes only to the OS keyring."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.app import redaction, secrets
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.providers import connection_checks, connections
from aiuteur_desktop.views.jobs.background import run_in_background

if TYPE_CHECKING:
    from aiuteur_desktop.views.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)


def _seconds(value: float, name: str) -> QSpinBox:
    box = QSpinBox()
    box.setObjectName(name)
    box.setRange(5, 3600)
    box.setSuffix(" s")
    box.setValue(round(value))
    return box


def _muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setProperty("muted", True)
    return label


def show_result(label: QLabel, text: str, kind: str) -> None:
    """A Test connection's outcome in `label`: "ok", "error" or busy, styled as such."""
    label.setObjectName({"ok": "statusOk", "error": "statusError"}.get(kind, "statusBusy"))
    label.setText(text)
    label.style().unpolish(label)
    label.style().polish(label)


class KeyField(QWidget):
    """A password field backed by the keyring: shows whether a key is stored, never the key."""

    def __init__(self, secret_name: str, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.secret_name = secret_name
        self.remove_requested = False
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setObjectName(f"key_{secret_name}")
        # Masked in every log and message from the moment it is typed, saved or not (a
        # server may echo it back during Test connection).
        self.edit.textChanged.connect(redaction.register)
        self._placeholder = placeholder
        self.remove = QPushButton("Remove")
        self.remove.setToolTip("Delete the stored key from the OS keyring when you save")
        self.remove.clicked.connect(self._remove)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.remove)
        self._stored = secrets.has_secret(secret_name)
        self._sync()

    def _sync(self) -> None:
        stored = self._stored and not self.remove_requested
        self.edit.setPlaceholderText(
            "Stored in the OS keyring — type a new key to replace it"
            if stored
            else self._placeholder
        )
        self.remove.setEnabled(stored)

    def _remove(self) -> None:
        self.remove_requested = True
        self.edit.clear()
        self._sync()

    def typed(self) -> str | None:
        text = self.edit.text().strip()
        return text or None

    def save(self) -> None:
        """Write to the keyring (raises SecretStoreError when there is no keyring)."""
        if self.typed():
            secrets.set_secret(self.secret_name, self.typed() or "")
            self._stored, self.remove_requested = True, False
            self.edit.clear()
        elif self.remove_requested:
            secrets.delete_secret(self.secret_name)
            self._stored, self.remove_requested = False, False
        self._sync()


class ConnectionPanel(QWidget):
    """One provider connection: what it lights up, its fields and a Test connection button."""

    def __init__(self, conn_id: str, title: str, lights_up: str, dialog: SettingsDialog) -> None:
        super().__init__()
        self.conn_id = conn_id
        self._dialog = dialog
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        heading = QLabel(title)
        heading.setObjectName("sectionTitle")
        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName(f"test_{conn_id}")
        self.test_button.clicked.connect(self.run_test)
        self.result = QLabel()
        self.result.setObjectName(f"result_{conn_id}")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        test_row.addWidget(self.result, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 8, 8, 8)
        layout.addWidget(heading)
        layout.addWidget(_muted(f"Lights up: {lights_up}"))
        layout.addSpacing(8)
        layout.addLayout(self.form)
        layout.addSpacing(8)
        layout.addLayout(test_row)
        layout.addStretch(1)
        self.key_field: KeyField | None = None

    def set_result(self, text: str, kind: str) -> None:
        show_result(self.result, text, kind)

    def run_test(self) -> None:
        settings = self._dialog.collect()
        key = self.key_field.typed() if self.key_field else None
        self.test_button.setEnabled(False)
        self.set_result("Testing…", "busy")

        def work() -> connections.Checked:
            return connection_checks.check_connection(self.conn_id, settings, key)

        def ok(result: connections.Checked) -> None:
            message, models = result
            self.test_button.setEnabled(True)
            self.set_result(f"✓ {message}", "ok")
            self._dialog.offer_models(models)

        def failed(exc: BaseException) -> None:
            self.test_button.setEnabled(True)
            text = exc.user_message if isinstance(exc, AiuteurError) else f"Unexpected error: {exc}"
            self.set_result(f"✗ {text}", "error")

        run_in_background(work, ok, failed, parent=self, waits=True)  # the network
