"""Settings → Studio: the studio's PostgreSQL server this member works on (issue "Studio…"):
its address, who this member is to it, the password (only in the keyring), the folder every
member reaches for the pictures, and a Test connection that lists the server's projects."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.app.settings import AppSettings
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.store import bucket
from aiuteur_desktop.core.store.studio import PASSWORD_SECRET
from aiuteur_desktop.views.jobs.background import run_in_background
from aiuteur_desktop.views.settings_panels import KeyField, _muted, show_result


class StudioTab(QWidget):
    def __init__(self, s: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.server = QLineEdit(s.studio.server)
        self.server.setObjectName("studioServer")
        self.server.setPlaceholderText("postgresql://you@studio-server:5432/films")
        self.user = QLineEdit(s.studio.user)
        self.user.setObjectName("studioUser")
        self.user.setPlaceholderText("Your login name")
        self.password = KeyField(PASSWORD_SECRET, "The server's password for you (if it asks)")
        self.media = QLineEdit(s.studio.media)
        self.media.setObjectName("studioMedia")
        self.media.setPlaceholderText(
            "A folder every member reaches (a NAS), or s3://bucket/folder"
        )
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        media_row = QHBoxLayout()
        media_row.addWidget(self.media, 1)
        media_row.addWidget(browse)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Server", self.server)
        form.addRow("Your name", self.user)
        form.addRow("Password", self.password)
        form.addRow("Pictures", media_row)
        self.s3_endpoint = QLineEdit(s.studio.s3_endpoint)
        self.s3_endpoint.setObjectName("studioS3Endpoint")
        self.s3_endpoint.setPlaceholderText("Amazon S3 — or your service's address (MinIO, R2…)")
        self.s3_key_id = KeyField(bucket.KEY_ID_SECRET, "Your access key id (for s3:// pictures)")
        self.s3_secret = KeyField(bucket.SECRET_SECRET, "Your secret access key")
        form.addRow("S3 endpoint", self.s3_endpoint)
        form.addRow("S3 key id", self.s3_key_id)
        form.addRow("S3 secret", self.s3_secret)

        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName("test_studio")
        self.test_button.clicked.connect(self.run_test)
        self.result = QLabel()
        self.result.setObjectName("result_studio")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        test_row.addWidget(self.result, 1)

        heading = QLabel("Studio")
        heading.setObjectName("sectionTitle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 12, 12)
        layout.addWidget(heading)
        layout.addWidget(
            _muted(
                "Work on one project with your team: it lives on the studio's PostgreSQL "
                "server, each person's unsaved edits stay their own, and two people saving "
                "the same Story Timeline at once never overwrite each other — the second "
                "version lands on a timeline of its own. Publish a project with "
                "`aiuteur studio publish`; open one as studio:NAME. Your API keys and your "
                "spending stay yours; the project's cap is shared."
            )
        )
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addLayout(test_row)
        layout.addStretch(1)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "The studio's pictures folder")
        if chosen:
            self.media.setText(chosen)

    def collect_into(self, s: AppSettings) -> None:
        s.studio.server = _without_password(self.server.text().strip())
        s.studio.user = self.user.text().strip()
        s.studio.media = self.media.text().strip()
        s.studio.s3_endpoint = self.s3_endpoint.text().strip()

    def save_secret(self) -> None:
        """The password to the keyring: the one typed, or one typed into the address."""
        embedded = _password_in(self.server.text().strip())
        if embedded and not self.password.typed():
            secrets.set_secret(PASSWORD_SECRET, embedded)
        for field in (self.password, self.s3_key_id, self.s3_secret):
            field.save()

    def _set_result(self, text: str, kind: str) -> None:
        show_result(self.result, text, kind)

    def run_test(self) -> None:
        server = self.server.text().strip()
        if not server:
            self._set_result("✗ Type the server's address first.", "error")
            return
        typed = self.password.typed()
        self.test_button.setEnabled(False)
        self._set_result("Testing…", "busy")

        def work() -> list[str]:
            from aiuteur_desktop.core.store import studio

            return [p.name for p in studio.projects(server, password=typed)]

        def ok(names: list[str]) -> None:
            self.test_button.setEnabled(True)
            listed = ", ".join(names[:6]) + (" …" if len(names) > 6 else ".")
            said = f"{len(names)} project(s) on it: {listed}" if names else "no projects yet."
            self._set_result(f"✓ Connected — {said}", "ok")

        def failed(exc: BaseException) -> None:
            self.test_button.setEnabled(True)
            text = exc.user_message if isinstance(exc, AiuteurError) else f"Unexpected error: {exc}"
            self._set_result(f"✗ {text}", "error")

        run_in_background(work, ok, failed, parent=self, waits=True)  # the network


def _without_password(address: str) -> str:
    """The address as saved in settings: a password typed into it goes to the keyring."""
    if not _password_in(address):
        return address
    url = make_url(address)
    return url._replace(password=None).render_as_string(hide_password=False)


def _password_in(address: str) -> str:
    try:
        return str(make_url(address).password or "")
    except ArgumentError:
        return ""
