"""Settings: keys go to the keyring only; Test connection never freezes the window."""

from __future__ import annotations

import logging
from pathlib import Path

import keyring
from keyring.backends import fail
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel

from aiuteur_desktop.core.app.logs import setup_logging
from aiuteur_desktop.views.main_window import MainWindow
from aiuteur_desktop.views.settings_dialog import SettingsDialog
from tests.conftest import all_file_bytes, assert_nowhere
from tests.fakes.openai_fake import FakeOpenAI, openai_error
from tests.views.conftest import wait_for_window

KEY = "sk-live-ThisIsASecretKey0123456789"


def open_settings(qtbot, window: MainWindow) -> SettingsDialog:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.settings_button, Qt.MouseButton.LeftButton)
    return wait_for_window(qtbot, SettingsDialog)


def test_key_round_trip_through_the_keyring_and_nowhere_else(
    qtbot,
    window: MainWindow,
    memory_keyring,
    aiuteur_home: Path,  # type: ignore[no-untyped-def]
) -> None:
    setup_logging()
    dialog = open_settings(qtbot, window)
    field = dialog.panels["openai"].key_field
    assert field is not None
    qtbot.keyClicks(field.edit, KEY)
    qtbot.keyClicks(dialog.local_url, "")  # untouched fields keep their defaults
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert memory_keyring.store[("Aiuteur", "openai.api_key")] == KEY
    logging.getLogger("aiuteur.test").warning("used key %s", KEY)
    for handler in logging.getLogger().handlers:
        handler.flush()

    files = list(all_file_bytes(aiuteur_home))
    assert any(p.name == "library.db" for p, _ in files)
    assert any(p.suffix == ".log" for p, _ in files)
    for path, data in files:
        assert KEY.encode() not in data, f"the key leaked into {path}"

    again = open_settings(qtbot, window)
    field = again.panels["openai"].key_field
    assert field is not None
    assert field.edit.text() == "", "a stored key is never shown"
    assert "Stored in the OS keyring" in field.edit.placeholderText()
    qtbot.mouseClick(field.remove, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not again.isVisible())
    assert ("Aiuteur", "openai.api_key") not in memory_keyring.store


def test_other_settings_round_trip(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    dialog = open_settings(qtbot, window)
    dialog.local_enabled.setChecked(True)
    dialog.local_url.clear()
    qtbot.keyClicks(dialog.local_url, "http://localhost:1234/v1")
    dialog.local_model.setCurrentText("qwen2.5:7b")
    dialog.show_provider("local")
    for box, typed in ((dialog.local_idle, "600"), (dialog.local_window, "8192")):
        box.setFocus()
        box.selectAll()
        qtbot.keyClicks(box, typed)
    dialog.monthly_cap.setValue(40.0)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    saved = window.library.load_settings()
    assert (saved.local.enabled, saved.local.base_url, saved.local.model) == (
        True,
        "http://localhost:1234/v1",
        "qwen2.5:7b",
    )
    assert saved.budget.monthly_cap_usd == 40.0 and saved.budget.project_cap_usd is None
    assert (saved.local.idle_timeout_s, saved.local.context_window) == (600.0, 8192)
    reopened = open_settings(qtbot, window)
    assert reopened.local_model.currentText() == "qwen2.5:7b"
    assert reopened.local_window.text() == "8,192 tokens"
    assert reopened.monthly_cap.value() == 40.0
    reopened.reject()


def test_test_connection_reports_an_error_without_freezing(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    with FakeOpenAI() as fake:
        slow = openai_error(401, "Incorrect API key provided.", "invalid_api_key")
        slow.delay = 1.0
        fake.fault = slow
        dialog = open_settings(qtbot, window)
        dialog.openai_endpoint.setText(fake.base_url)
        panel = dialog.panels["openai"]
        assert panel.key_field is not None
        qtbot.keyClicks(panel.key_field.edit, "sk-wrong-0123456789abcdef")

        ticks = []
        heartbeat = QTimer()
        heartbeat.timeout.connect(lambda: ticks.append(1))
        heartbeat.start(10)
        qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
        assert panel.result.text() == "Testing…"
        assert not panel.test_button.isEnabled()
        qtbot.waitUntil(lambda: "rejected" in panel.result.text(), timeout=10_000)
        heartbeat.stop()

    # The event loop kept running during the one-second request.
    assert len(ticks) >= 30
    assert panel.result.text().startswith("✗ OpenAI rejected the API key (401)")
    assert panel.result.objectName() == "statusError"
    assert panel.test_button.isEnabled()
    assert len(fake.requests) == 1
    dialog.reject()


def test_successful_local_test_shows_the_model(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    with FakeOpenAI(models=["llama3.1:8b"]) as fake:
        dialog = open_settings(qtbot, window)
        dialog.show_provider("local")
        dialog.local_url.setText(fake.base_url)
        dialog.local_model.setCurrentText("llama3.1:8b")
        panel = dialog.panels["local"]
        qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.result.text().startswith("✓"), timeout=10_000)
    assert "using llama3.1:8b" in panel.result.text()
    dialog.reject()


def test_no_keyring_is_explained_and_nothing_is_lost(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    keyring.set_keyring(fail.Keyring())
    dialog = open_settings(qtbot, window)
    warnings = [w.text() for w in dialog.findChildren(QLabel) if "No OS keyring" in w.text()]
    assert warnings, "the dialog says up front that keys cannot be saved"
    panel = dialog.panels["openai"]
    assert panel.key_field is not None
    qtbot.keyClicks(panel.key_field.edit, KEY)
    dialog.monthly_cap.setValue(12.0)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible(), "the dialog stays open so nothing typed is lost"
    assert "No OS keyring" in dialog.error.text()
    assert panel.key_field.edit.text() == KEY
    dialog.reject()


def test_edit_my_prices_creates_the_override_file_and_it_wins(
    qtbot,
    window: MainWindow,
    aiuteur_home: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    from PySide6.QtGui import QDesktopServices

    from aiuteur_desktop.core.money.prices import PriceTable

    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True
    )
    dialog = open_settings(qtbot, window)
    dialog.tabs.setCurrentIndex(2)
    qtbot.mouseClick(dialog.prices_button, Qt.MouseButton.LeftButton)
    price_file = aiuteur_home / "pricing.toml"
    assert opened == [str(price_file)] and "Example" in price_file.read_text()
    assert (
        PriceTable.load().video("google:veo-3.1-generate-001", 8, True) == 3.2
    )  # example is commented
    price_file.write_text(
        price_file.read_text() + '\n[video."google:veo-3.1-generate*"]\nper_second_audio = 0.5\n'
    )
    assert PriceTable.load().video("google:veo-3.1-generate-001", 8, True) == 4.0
    qtbot.mouseClick(dialog.prices_button, Qt.MouseButton.LeftButton)
    assert "per_second_audio = 0.5" in price_file.read_text()  # never overwritten
    dialog.reject()


def test_successful_test_offers_the_accounts_models(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    models = ["gpt-5.1", "gpt-image-2.5", "text-embedding-3-small", "whisper-1", "tts-1"]
    with FakeOpenAI(models=models) as fake:
        dialog = open_settings(qtbot, window)
        dialog.openai_endpoint.setText(fake.base_url)
        panel = dialog.panels["openai"]
        assert panel.key_field is not None
        qtbot.keyClicks(panel.key_field.edit, "sk-good-0123456789abcdef")
        qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.result.text().startswith("✓"), timeout=10_000)

    def choices(cap: str) -> list[str]:
        box = dialog.model_boxes[cap]
        return [box.itemText(i) for i in range(box.count())]

    assert choices("text") == ["openai:gpt-5.1"]
    assert choices("image") == ["offline:storyboard", "openai:gpt-image-2.5"]
    assert choices("embeddings") == ["offline:minilm", "openai:text-embedding-3-small"]
    assert dialog.model_boxes["image"].currentText() == "offline:storyboard"  # choice kept
    assert not any("whisper" in c or "tts" in c for cap in dialog.model_boxes for c in choices(cap))
    dialog.reject()


def test_a_typed_unsaved_key_echoed_by_the_server_reaches_no_file(
    qtbot, window: MainWindow, aiuteur_home: Path
) -> None:  # type: ignore[no-untyped-def]
    typed = "sk-typed-NeverSaved0123456789abcdefXY"
    setup_logging()
    with FakeOpenAI() as fake:
        # The server answers with the key and pieces of it in its error text.
        fake.fault = openai_error(
            400, f"Key {typed} is malformed (starts {typed[:14]}, ends {typed[-12:]}).", "bad"
        )
        dialog = open_settings(qtbot, window)
        dialog.openai_endpoint.setText(fake.base_url)
        panel = dialog.panels["openai"]
        assert panel.key_field is not None
        qtbot.keyClicks(panel.key_field.edit, typed)
        qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.result.text().startswith("✗"), timeout=10_000)
    assert typed[:14] not in panel.result.text() and typed[-12:] not in panel.result.text()
    logging.getLogger("aiuteur.test").error("server said %s", fake.fault.body)
    for handler in logging.getLogger().handlers:
        handler.flush()
    dialog.reject()
    assert_nowhere(aiuteur_home, typed, typed[:14], typed[-12:])


def test_local_test_reports_the_context_window_the_server_tells(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from tests.fakes.local_fake import FakeLocalServer

    with FakeLocalServer(lambda _s: "OK", window=8192, models=["gemma3:4b"]) as fake:
        dialog = open_settings(qtbot, window)
        dialog.show_provider("local")
        dialog.local_url.setText(fake.base_url)
        dialog.local_model.setCurrentText("gemma3:4b")
        assert dialog.local_window.text() == "As the server says"
        panel = dialog.panels["local"]
        qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.result.text().startswith("✓"), timeout=10_000)
    assert "context window 8,192 tokens (as the server says)" in panel.result.text()
    dialog.reject()


def test_a_fal_key_is_tested_saved_and_lights_up_its_video_models(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    from aiuteur_desktop.core.app import secrets
    from tests.fakes.fal_fake import KEY as FAL_KEY
    from tests.fakes.fal_fake import FakeFal

    with FakeFal() as fake:
        url = fake.url
        dialog = open_settings(qtbot, window)
        names = [dialog.provider_list.item(i).text() for i in range(dialog.provider_list.count())]
        dialog.provider_list.setCurrentRow(names.index("fal.ai"))
        dialog.fal_endpoint.setText(fake.url)
        panel = dialog.panels["fal"]
        assert panel.key_field is not None and panel.isVisible()
        qtbot.keyClicks(panel.key_field.edit, "fal-wrong:0000")
        qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.result.text().startswith("✗"), timeout=10_000)
        assert "fal.ai rejected the API key (401)" in panel.result.text()
        panel.key_field.edit.clear()
        qtbot.keyClicks(panel.key_field.edit, FAL_KEY)
        qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.result.text().startswith("✓"), timeout=10_000)
        assert "fal.ai accepted the key" in panel.result.text()
        box = dialog.model_boxes["video"]
        offered = [box.itemText(i) for i in range(box.count())]
        assert "fal:fal-ai/kling-video/v4/image-to-video" in offered
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert secrets.get_secret("fal.api_key") == FAL_KEY
    assert window.library.load_settings().fal.api_endpoint == url
    again = open_settings(qtbot, window)
    box = again.model_boxes["video"]
    assert "fal:bytedance/seedance-2.0/image-to-video" in [
        box.itemText(i) for i in range(box.count())
    ]
    again.reject()


def test_a_minimax_key_is_tested_and_saved_and_its_endpoint_kept(
    qtbot, window: MainWindow, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Settings → Providers → MiniMax: a wrong key is said (MiniMax's own 1004 answer), the
    right one accepted, the key saved to the keyring only; Hailuo 02 is offered as a video
    model."""
    from aiuteur_desktop.core.app import secrets
    from tests.fakes.minimax_fake import KEY as MM_KEY
    from tests.fakes.minimax_fake import FakeMiniMax

    with FakeMiniMax() as fake:
        dialog = open_settings(qtbot, window)
        names = [dialog.provider_list.item(i).text() for i in range(dialog.provider_list.count())]
        qtbot.mouseClick(
            dialog.provider_list.viewport(),
            Qt.MouseButton.LeftButton,
            pos=dialog.provider_list.visualItemRect(
                dialog.provider_list.item(names.index("MiniMax"))
            ).center(),
        )
        panel = dialog.panels["minimax"]
        assert panel.key_field is not None and panel.isVisible()
        qtbot.keyClicks(dialog.minimax_endpoint, fake.url)
        qtbot.keyClicks(panel.key_field.edit, "mm-wrong")
        qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.result.text().startswith("✗"), timeout=10_000)
        assert "MiniMax rejected the API key (1004)" in panel.result.text()
        panel.key_field.edit.clear()
        qtbot.keyClicks(panel.key_field.edit, MM_KEY)
        qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.result.text().startswith("✓"), timeout=10_000)
        assert "MiniMax accepted the key" in panel.result.text()
        dialog.resize(dialog.minimumSize())
        dialog.grab().save(str(tmp_path / "settings-minimax.png"))
        box = dialog.model_boxes["video"]
        assert "minimax:MiniMax-Hailuo-02" in [box.itemText(i) for i in range(box.count())]
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        url = fake.url
    assert secrets.get_secret("minimax.api_key") == MM_KEY
    assert window.library.load_settings().minimax.api_endpoint == url


def test_settings_studio_tests_the_server_and_keeps_the_password_in_the_keyring(
    qtbot,
    window: MainWindow,
    memory_keyring,
    studio_server: str,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    dialog = open_settings(qtbot, window)
    dialog.tabs.setCurrentWidget(dialog.studio_tab)
    tab = dialog.studio_tab
    # A server that does not answer: one clear sentence, the window never waits.
    qtbot.keyClicks(tab.server, f"postgresql://nobody@/x?host={tmp_path}&port=1")
    qtbot.mouseClick(tab.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.result.text().startswith("✗"), timeout=15_000)
    assert "did not answer" in tab.result.text()
    # The studio's server, a password typed into the address: connected, projects listed.
    tab.server.clear()
    with_password = studio_server.replace("aiuteur@", "aiuteur:pw-in-address@")
    qtbot.keyClicks(tab.server, with_password.replace("postgresql+psycopg", "postgresql"))
    qtbot.keyClicks(tab.user, "ana")
    qtbot.keyClicks(tab.media, str(tmp_path / "nas"))
    qtbot.keyClicks(tab.s3_endpoint, "http://minio.studio:9000")
    qtbot.keyClicks(tab.s3_key_id.edit, "AKIAMEMBER0000000001")
    qtbot.keyClicks(tab.s3_secret.edit, "s3-secret-of-ana")
    qtbot.mouseClick(tab.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.result.text().startswith("✓ Connected"), timeout=15_000)
    dialog.resize(dialog.minimumSize())
    dialog.grab().save(str(tmp_path / "settings-studio.png"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    saved = window.library.load_settings().studio
    assert (saved.user, saved.media) == ("ana", str(tmp_path / "nas"))
    assert "pw-in-address" not in saved.server and saved.server.startswith("postgresql://aiuteur@")
    assert memory_keyring.store[("Aiuteur", "studio.password")] == "pw-in-address"
    assert saved.s3_endpoint == "http://minio.studio:9000"
    assert memory_keyring.store[("Aiuteur", "studio.s3_access_key_id")] == "AKIAMEMBER0000000001"
    assert memory_keyring.store[("Aiuteur", "studio.s3_secret_access_key")] == "s3-secret-of-ana"
    settings_file_bytes = b"".join(data for _p, data in all_file_bytes(tmp_path))
    assert b"s3-secret-of-ana" not in settings_file_bytes
