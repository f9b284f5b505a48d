"""The per-project cost ledger: where the money went, by stage, scene, provider and branch."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiuteur_desktop.core.money import ledger
from aiuteur_desktop.core.store import Project


def spend(**kw: object) -> ledger.Spend:
    base = dict(
        at=1.0,
        job=None,
        provider="google:veo",
        model="veo-3.1-generate-001",
        kind="video",
        stage=12,
        scene="s1",
        branch="Main",
        estimate=3.2,
        actual=3.2,
    )
    return ledger.Spend(**{**base, **kw})  # type: ignore[arg-type]


def test_ledger_groups_spend_and_survives_reopen(tmp_path: Path) -> None:
    with Project.create(tmp_path, "Film") as p:
        ledger.record(p, spend())
        ledger.record(p, spend(scene="s2", actual=3.0))
        ledger.record(
            p,
            spend(
                provider="openai",
                model="gpt-5.1",
                kind="text",
                stage=4,
                scene=None,
                estimate=0.02,
                actual=0.013,
            ),
        )
        ledger.record(p, spend(branch="Darker ending", scene="s1", actual=1.6))
    with Project.open(tmp_path / "Film.aiuteur") as p:
        assert ledger.total(p) == pytest.approx(7.813)
        assert ledger.by(p, "stage") == {4: pytest.approx(0.013), 12: pytest.approx(7.8)}
        assert ledger.by(p, "scene") == {
            None: pytest.approx(0.013),
            "s1": pytest.approx(4.8),
            "s2": pytest.approx(3.0),
        }
        assert ledger.by(p, "provider")["openai"] == pytest.approx(0.013)
        assert ledger.by(p, "branch")["Darker ending"] == pytest.approx(1.6)
        assert [e.kind for e in ledger.entries(p)] == ["video", "video", "text", "video"]
        with pytest.raises(ValueError):
            ledger.by(p, "prompt")
