"""An AI agent's spending request in the window: the plan shown, Approve and Decline decide it
in the library the MCP server reads — by clicks, and Enter never spends."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from aiuteur_desktop.core.library import Library
from aiuteur_desktop.views.jobs import agent_spending


def ask(library: Library, total: float | None = 6.4):  # type: ignore[no-untyped-def]
    return library.approvals.ask(
        agent="agent Claude",
        what="render_scene",
        project="/films/Storm.aiuteur",
        scene="s2",
        request={"model": "google:veo-3.1-generate-001", "audio": True},
        plan={
            "title": "render 2 shots of scene 2 with google:veo-3.1-generate-001",
            "lines": [{"shot": "2A", "price": 3.2}, {"shot": "2B", "price": 3.2}],
            "total": total,
            "caps_room": 40.0,
        },
        total=total,
    )


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(agent_spending, "POLL_MS", 50)


def test_the_window_shows_an_agents_plan_and_approve_decides_it(
    window, qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    window.agent_spending.timer.setInterval(50)
    asked = ask(library)
    qtbot.waitUntil(lambda: asked.id in window.agent_spending.dialogs, timeout=10_000)
    dialog = window.agent_spending.dialogs[asked.id]
    qtbot.waitExposed(dialog)
    assert "agent Claude asks to spend $6.40" in dialog.findChild(type(dialog.total)).text()
    assert [dialog.lines.text(r, 0) for r in range(dialog.lines.row_count())] == ["2A", "2B"]
    assert dialog.lines.text(1, 1) == "$3.20"
    assert dialog.total.text() == "Total $6.40 · the caps leave $40.00"
    assert dialog.approve_button.text() == "Approve $6.40"
    assert window.notifier.toast.isVisible()
    dialog.grab().save(str(tmp_path / "agent-spend.png"))
    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    assert library.approvals.get(asked.id).state == "approved"
    assert not dialog.isVisible()
    # Shown once: the next look leaves it alone.
    qtbot.wait(200)
    assert asked.id not in window.agent_spending.dialogs


def test_enter_declines_and_decline_is_final(window, qtbot, library: Library) -> None:  # type: ignore[no-untyped-def]
    window.agent_spending.timer.setInterval(50)
    unknown = ask(library, total=None)
    asked = ask(library)
    qtbot.waitUntil(lambda: asked.id in window.agent_spending.dialogs, timeout=10_000)
    blind = window.agent_spending.dialogs[unknown.id]
    assert blind.approve_button.text() == "Approve price unknown"
    assert not blind.approve_button.isEnabled()  # an unknown price is never approved as $0
    dialog = window.agent_spending.dialogs[asked.id]
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert library.approvals.get(asked.id).state == "declined"
    from aiuteur_desktop.core.money.approvals import NotApproved

    with pytest.raises(NotApproved, match="already declined"):
        library.approvals.decide(asked.id, True)
