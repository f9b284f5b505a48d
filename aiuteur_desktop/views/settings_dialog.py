"""Settings: provider connections (keys in the OS keyring), default models, budgets, data."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from aiuteur_desktop.core.app import paths, secrets
from aiuteur_desktop.core.app.settings import AppSettings
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.money import prices
from aiuteur_desktop.providers import connection_checks, connections
from aiuteur_desktop.providers.connections import (
    ELEVENLABS,
    FAL,
    GOOGLE,
    LOCAL,
    MINIMAX,
    OPENAI,
    VERTEX,
    VIDEOS,
)
from aiuteur_desktop.views.settings_panels import ConnectionPanel, KeyField, _muted, _seconds
from aiuteur_desktop.views.settings_studio import StudioTab

log = logging.getLogger(__name__)

_OFFLINE_CHOICES = {
    "text": [],
    "image": ["offline:storyboard"],
    "video": ["offline:animatic"],
    "embeddings": ["offline:minilm"],
}


class SettingsDialog(QDialog):
    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        self.setMinimumSize(820, 560)
        self._library = library
        self._settings = library.load_settings()
        s = self._settings

        self.tabs = QTabWidget()
        self.tabs.addTab(self._providers_tab(s), "Providers")
        self.tabs.addTab(self._models_tab(s), "Models")
        self.tabs.addTab(self._budget_tab(s), "Budget")
        self.tabs.addTab(self._data_tab(s), "Data")
        self.studio_tab = StudioTab(s)
        self.tabs.addTab(self.studio_tab, "Studio")

        self.error = QLabel()
        self.error.setObjectName("statusError")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Save
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("primary")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    # ----------------------------------------------------------------- providers
    def _providers_tab(self, s: AppSettings) -> QWidget:
        self.panels: dict[str, ConnectionPanel] = {}
        info = {i.id: i for i in connections.describe(s)}

        # OpenAI
        p = ConnectionPanel(OPENAI, "OpenAI", info[OPENAI].lights_up, self)
        p.key_field = KeyField(connections.SECRET_NAMES[OPENAI], "sk-…")
        self.openai_endpoint = QLineEdit(s.openai.api_endpoint)
        self.openai_endpoint.setPlaceholderText("Leave blank for api.openai.com")
        p.form.addRow("API key", p.key_field)
        p.form.addRow("API endpoint", self.openai_endpoint)
        p.form.addRow("", _muted("Change the endpoint only for a proxy or gateway."))
        self.openai_timeout = _seconds(s.openai.timeout_s, "openaiTimeout")
        p.form.addRow("Request timeout", self.openai_timeout)
        self.panels[OPENAI] = p

        # Google Gemini API
        p = ConnectionPanel(GOOGLE, "Google Gemini API", info[GOOGLE].lights_up, self)
        p.key_field = KeyField(connections.SECRET_NAMES[GOOGLE], "AIza…")
        self.google_endpoint = QLineEdit(s.google.api_endpoint)
        self.google_endpoint.setPlaceholderText("Leave blank for the Google endpoint")
        p.form.addRow("API key", p.key_field)
        p.form.addRow("API endpoint", self.google_endpoint)
        p.form.addRow(
            "",
            _muted(
                "The key also renders Veo video (always with sound). Once Google Vertex AI is "
                "set up, Veo renders go through Vertex instead."
            ),
        )
        self.panels[GOOGLE] = p

        # Vertex AI
        p = ConnectionPanel(VERTEX, "Google Vertex AI", info[VERTEX].lights_up, self)
        self.vertex_project = QLineEdit(s.google.vertex_project)
        self.vertex_project.setPlaceholderText("my-gcp-project")
        self.vertex_location = QLineEdit(s.google.vertex_location)
        self.vertex_credentials = QLineEdit(s.google.vertex_credentials_file)
        self.vertex_credentials.setPlaceholderText("service-account key (.json)")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_credentials)
        cred_row = QHBoxLayout()
        cred_row.addWidget(self.vertex_credentials, 1)
        cred_row.addWidget(browse)
        p.form.addRow("Project id", self.vertex_project)
        p.form.addRow("Location", self.vertex_location)
        p.form.addRow("Credentials file", cred_row)
        p.form.addRow(
            "",
            _muted(
                "Only the file's location is saved; its contents never enter a project or a log."
            ),
        )
        self.panels[VERTEX] = p

        # fal.ai
        p = ConnectionPanel(FAL, "fal.ai", info[FAL].lights_up, self)
        p.key_field = KeyField(connections.SECRET_NAMES[FAL], "key-id:key-secret")
        self.fal_endpoint = QLineEdit(s.fal.api_endpoint)
        self.fal_endpoint.setPlaceholderText("Leave blank for queue.fal.run")
        p.form.addRow("API key", p.key_field)
        p.form.addRow("Queue endpoint", self.fal_endpoint)
        p.form.addRow(
            "",
            _muted(
                "Renders with Kling, Seedance, MiniMax and Luma; once the key is saved they are "
                "in the Models tab. Change the endpoint only for a proxy."
            ),
        )
        self.panels[FAL] = p

        # MiniMax's own API
        p = ConnectionPanel(MINIMAX, "MiniMax", info[MINIMAX].lights_up, self)
        p.key_field = KeyField(connections.SECRET_NAMES[MINIMAX], "the MiniMax API key")
        self.minimax_endpoint = QLineEdit(s.minimax.api_endpoint)
        self.minimax_endpoint.setPlaceholderText("Leave blank for api.minimax.io")
        p.form.addRow("API key", p.key_field)
        p.form.addRow("API endpoint", self.minimax_endpoint)
        p.form.addRow(
            "", _muted("Renders with Hailuo 02 from a start and an end frame (no sound).")
        )
        self.panels[MINIMAX] = p

        # ElevenLabs (cloud voices)
        p = ConnectionPanel(ELEVENLABS, "ElevenLabs", info[ELEVENLABS].lights_up, self)
        p.key_field = KeyField(connections.SECRET_NAMES[ELEVENLABS], "the ElevenLabs API key")
        self.elevenlabs_endpoint = QLineEdit(s.elevenlabs.api_endpoint)
        self.elevenlabs_endpoint.setPlaceholderText("Leave blank for api.elevenlabs.io")
        p.form.addRow("API key", p.key_field)
        p.form.addRow("API endpoint", self.elevenlabs_endpoint)
        p.form.addRow(
            "",
            _muted(
                "Voices for characters' dialogue: choose one per character in Stage 5's "
                "Voice Gallery by its voice id."
            ),
        )
        self.panels[ELEVENLABS] = p

        # An OpenAI-style /v1/videos endpoint
        p = ConnectionPanel(VIDEOS, "Video endpoint", info[VIDEOS].lights_up, self)
        p.key_field = KeyField(connections.SECRET_NAMES[VIDEOS], "the gateway's key")
        self.videos_url = QLineEdit(s.videos.base_url)
        self.videos_url.setPlaceholderText("https://gateway.example/v1")
        self.videos_model = QLineEdit(s.videos.model)
        self.videos_model.setPlaceholderText("the model name the gateway gives")
        p.form.addRow("Address", self.videos_url)
        p.form.addRow("Model", self.videos_model)
        p.form.addRow("API key", p.key_field)
        self.panels[VIDEOS] = p

        # Local server
        p = ConnectionPanel(LOCAL, "Local model server", info[LOCAL].lights_up, self)
        self.local_enabled = QCheckBox("Use a local OpenAI-compatible server for story text")
        self.local_enabled.setChecked(s.local.enabled)
        self.local_url = QLineEdit(s.local.base_url)
        self.local_url.setObjectName("localUrl")
        self.local_url.setPlaceholderText(
            "http://localhost:11434/v1 (Ollama) · http://localhost:1234/v1 (LM Studio)"
        )
        self.local_model = QComboBox()
        self.local_model.setEditable(True)
        self.local_model.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.local_model.setCurrentText(s.local.model)
        self.local_model.lineEdit().setPlaceholderText(
            "e.g. llama3.1:8b — Test connection lists them"
        )
        p.key_field = KeyField(
            connections.SECRET_NAMES[LOCAL], "optional; most local servers need none"
        )
        p.form.addRow("", self.local_enabled)
        p.form.addRow("Server address", self.local_url)
        p.form.addRow("Model", self.local_model)
        p.form.addRow("API key", p.key_field)
        self.local_idle = _seconds(s.local.idle_timeout_s, "localIdleTimeout")
        p.form.addRow("Idle timeout", self.local_idle)
        self.local_window = QSpinBox()
        self.local_window.setObjectName("localWindow")
        self.local_window.setRange(0, 1_048_576)
        self.local_window.setSingleStep(1024)
        self.local_window.setGroupSeparatorShown(True)
        self.local_window.setSuffix(" tokens")
        self.local_window.setSpecialValueText("As the server says")
        self.local_window.setValue(s.local.context_window)
        p.form.addRow("Context window", self.local_window)
        p.form.addRow(
            "",
            _muted(
                "A local request has no deadline while the model keeps writing; it stops after "
                "the idle timeout with nothing received (reading a long prompt on a laptop can "
                "take minutes). Set the context window to what the server runs with (Ollama's "
                "num_ctx, llama.cpp's -c) when it does not say."
            ),
        )
        self.panels[LOCAL] = p

        self.provider_list = QListWidget()
        self.provider_list.setObjectName("providerList")
        self.provider_list.setFixedWidth(210)
        self.provider_list.setStyleSheet("QListWidget::item { padding: 8px 10px; }")
        self.provider_stack = QStackedWidget()
        for conn_id, panel in self.panels.items():
            item = QListWidgetItem(info[conn_id].label)
            item.setToolTip(info[conn_id].detail)
            self.provider_list.addItem(item)
            self.provider_stack.addWidget(panel)
        self.provider_list.currentRowChanged.connect(self.provider_stack.setCurrentIndex)
        self.provider_list.setCurrentRow(0)

        tab = QWidget()
        row = QHBoxLayout(tab)
        row.addWidget(self.provider_list)
        row.addWidget(self.provider_stack, 1)
        if not secrets.backend_available():
            warning = QLabel(
                "No OS keyring was found, so API keys cannot be saved on this computer. "
                "Offline work is unaffected. Linux: install and unlock GNOME Keyring or KWallet."
            )
            warning.setWordWrap(True)
            warning.setObjectName("statusError")
            outer = QWidget()
            v = QVBoxLayout(outer)
            v.addWidget(warning)
            v.addWidget(tab, 1)
            return outer
        return tab

    def show_provider(self, conn_id: str) -> None:
        self.tabs.setCurrentIndex(0)
        self.provider_list.setCurrentRow(list(self.panels).index(conn_id))

    def _browse_credentials(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Service-account credentials", "", "JSON key files (*.json);;All files (*)"
        )
        if chosen:
            self.vertex_credentials.setText(chosen)

    # -------------------------------------------------------------------- models
    def _models_tab(self, s: AppSettings) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(
            _muted(
                "Default model for each capability, written provider:model (for example "
                "openai:gpt-5.1, google:gemini-3-pro-image, local:llama3.1:8b). Model names change "
                "often: Test connection on the Providers tab shows what your account offers. "
                "Offline engines cost nothing and work without a network."
            )
        )
        form = QFormLayout()
        self.model_boxes: dict[str, QComboBox] = {}
        labels = {
            "text": "Story text",
            "image": "Images (keys, frames)",
            "video": "Video",
            "embeddings": "Embeddings (style search)",
        }
        for cap, label in labels.items():
            box = QComboBox()
            box.setEditable(True)
            box.setObjectName(f"model_{cap}")
            known = list(_OFFLINE_CHOICES[cap])
            if cap in ("video", "image"):  # the catalogue's, for the connections set up
                known += [m for m in connections.ready_models(s, cap) if m not in known]
            box.addItems(known)
            box.setCurrentText(getattr(s.models, cap))
            if cap == "text":
                box.lineEdit().setPlaceholderText("none — connect a provider or a local server")
            self.model_boxes[cap] = box
            form.addRow(label, box)
        layout.addLayout(form)
        layout.addStretch(1)
        return tab

    def offer_models(self, models: list[str]) -> None:
        """Add what a successful Test connection found to the Models tab's choices."""
        for cap, found in connection_checks.models_by_capability(models).items():
            box = self.model_boxes[cap]
            have = {box.itemText(i) for i in range(box.count())}
            current = box.currentText()
            box.addItems([m for m in found if m not in have])
            box.setCurrentText(current)

    # -------------------------------------------------------------------- budget
    def _budget_tab(self, s: AppSettings) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        # The library's record of spend was lost: paid work waits for the user's word.
        stopped = self._library.jobs.paid_work_stopped()
        self.stopped_note = QLabel(stopped)
        self.stopped_note.setObjectName("paidWorkStopped")
        self.stopped_note.setWordWrap(True)
        self.stopped_note.setStyleSheet("color:#e0b050")
        self.resume_button = QPushButton("I have checked the spend: allow paid work again")
        self.resume_button.setObjectName("resumePaidWork")
        self.resume_button.clicked.connect(self._resume_paid_work)
        for w in (self.stopped_note, self.resume_button):
            w.setVisible(bool(stopped))
            layout.addWidget(w)
        layout.addWidget(
            _muted(
                "Aiuteur refuses to start a paid job that would take spending past a cap, and "
                "says so before anything is charged. 0 means no cap."
            )
        )
        form = QFormLayout()
        self.monthly_cap = self._money(s.budget.monthly_cap_usd)
        self.monthly_cap.setObjectName("monthlyCap")
        self.project_cap = self._money(s.budget.project_cap_usd)
        self.project_cap.setObjectName("projectCap")
        form.addRow("Monthly cap (all projects)", self.monthly_cap)
        form.addRow("Per-project cap", self.project_cap)
        layout.addLayout(form)
        layout.addSpacing(12)
        layout.addWidget(
            _muted(
                "Prices come from a dated table shipped with Aiuteur; each entry names its "
                "source. If your contract differs, or a new model appears, put your own prices "
                "in your price file: its entries win."
            )
        )
        self.prices_button = QPushButton("Edit my prices…")
        self.prices_button.setObjectName("editPrices")
        self.prices_button.clicked.connect(self._edit_prices)
        row = QHBoxLayout()
        row.addWidget(self.prices_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        return tab

    def _resume_paid_work(self) -> None:
        self._library.jobs.resume_paid_work()
        self.stopped_note.hide()
        self.resume_button.hide()

    def _edit_prices(self) -> None:
        """Create the user's price file (with a worked example) if needed and open it."""
        path = prices.user_price_file(self._library.home)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    @staticmethod
    def _money(value: float | None) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(0, 1_000_000)
        box.setDecimals(2)
        box.setPrefix("$ ")
        box.setSpecialValueText("No cap")
        box.setValue(value or 0.0)
        box.setMinimumWidth(160)
        return box

    # ---------------------------------------------------------------------- data
    def _data_tab(self, s: AppSettings) -> QWidget:
        tab = QWidget()
        form = QFormLayout(tab)
        self.projects_dir = QLineEdit(s.projects_dir or str(paths.default_projects_dir()))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_projects_dir)
        row = QHBoxLayout()
        row.addWidget(self.projects_dir, 1)
        row.addWidget(browse)
        form.addRow("New projects go to", row)
        for label, path in (
            ("App library (styles, assets, jobs)", paths.app_home()),
            ("Logs", paths.log_dir()),
        ):
            form.addRow(label, self._path_row(path))
        form.addRow("Keyring", QLabel(secrets.backend_name()))
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        form.addRow(line)
        form.addRow(
            "",
            _muted(
                f"Set the {paths.HOME_ENV} environment variable to keep the app library "
                "somewhere else (for example on an external drive)."
            ),
        )
        return tab

    def _path_row(self, path: Path) -> QWidget:
        w = QWidget()
        row = QHBoxLayout(w)
        row.setContentsMargins(0, 0, 0, 0)
        label = QLabel(str(path))
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        show = QPushButton("Show")
        show.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.ensure_dir(path))))
        )
        row.addWidget(label, 1)
        row.addWidget(show)
        return w

    def _browse_projects_dir(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "Folder for new projects", self.projects_dir.text()
        )
        if chosen:
            self.projects_dir.setText(chosen)

    # --------------------------------------------------------------------- save
    def collect(self) -> AppSettings:
        """The settings as currently typed (unsaved); secrets are not part of them."""
        s = self._settings.model_copy(deep=True)
        s.openai.api_endpoint = self.openai_endpoint.text().strip()
        s.google.api_endpoint = self.google_endpoint.text().strip()
        s.google.vertex_project = self.vertex_project.text().strip()
        s.google.vertex_location = self.vertex_location.text().strip()
        s.google.vertex_credentials_file = self.vertex_credentials.text().strip()
        s.fal.api_endpoint = self.fal_endpoint.text().strip()
        s.minimax.api_endpoint = self.minimax_endpoint.text().strip()
        s.elevenlabs.api_endpoint = self.elevenlabs_endpoint.text().strip()
        s.videos.base_url = self.videos_url.text().strip()
        s.videos.model = self.videos_model.text().strip()
        s.local.enabled = self.local_enabled.isChecked()
        s.local.base_url = self.local_url.text().strip()
        s.local.model = self.local_model.currentText().strip()
        s.local.idle_timeout_s = float(self.local_idle.value())
        s.local.context_window = int(self.local_window.value())
        s.openai.timeout_s = float(self.openai_timeout.value())
        for cap, box in self.model_boxes.items():
            setattr(s.models, cap, box.currentText().strip())
        s.budget.monthly_cap_usd = self.monthly_cap.value() or None
        s.budget.project_cap_usd = self.project_cap.value() or None
        default_dir = str(paths.default_projects_dir())
        typed_dir = self.projects_dir.text().strip()
        s.projects_dir = "" if typed_dir in ("", default_dir) else typed_dir
        self.studio_tab.collect_into(s)
        return s

    def save(self) -> None:
        settings = self.collect()
        try:
            for panel in self.panels.values():
                if panel.key_field is not None:
                    panel.key_field.save()
            self.studio_tab.save_secret()
        except AiuteurError as exc:
            self.error.setText(exc.user_message)
            self.error.show()
            return
        self._library.save_settings(settings)
        self._settings = settings
        self.accept()
