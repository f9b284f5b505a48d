"""`aiuteur models`: the catalogue of video and image models with their connections, what
they take, their prices and whether they are set up here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def models(home: Path, keys: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AIUTEUR_HOME": str(home),
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "PYTHON_KEYRING_BACKEND": "tests.fakes.file_keyring.FileKeyring",
        "AIUTEUR_TEST_KEYRING": str(keys),
    }
    return subprocess.run(
        [sys.executable, "-m", "aiuteur_desktop", "models", *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
    )  # fmt: skip


def test_models_lists_each_connection_with_capabilities_prices_and_readiness(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    keys = tmp_path / "keyring.json"
    done = models(aiuteur_home, keys, "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    by_id = {m["id"]: m for m in out["models"]}
    api, vertex = by_id["google:veo-3.1-generate-preview"], by_id["google:veo-3.1-generate-001"]
    assert (api["via"], api["connection"], api["configured"]) == (
        "gemini-api", "Gemini API key", False
    )  # fmt: skip
    assert vertex["via"] == "vertex" and not vertex["configured"]
    assert api["capabilities"]["end_frame"] and api["capabilities"]["audio"] == "always"
    assert api["price"]["shot_8s"] == 3.2 and api["price"]["shot_8s_silent"] is None
    assert vertex["price"] == {"shot_8s": 3.2, "shot_8s_silent": 1.6}
    assert by_id["google:veo-3.1-fast-generate-preview"]["price"]["shot_8s"] < 3.2
    assert not by_id["google:veo-3.1-lite-generate-001"]["capabilities"]["end_frame"]
    fal = [m for m in out["models"] if m["via"] == "fal"]
    assert len(fal) >= 3 and sum(1 for m in fal if "shot_8s" in m["price"]) >= 3
    endpoint = by_id["openai-videos:MODEL"]  # the gateway of Settings → Providers, not set up
    assert (
        endpoint["connection"] == "OpenAI-style /v1/videos endpoint" and not endpoint["configured"]
    )
    assert by_id["openai:gpt-image-2"]["capabilities"]["mask_edit"]
    assert by_id["google:gemini-3-pro-image"]["capabilities"]["references"] == 14
    # Retired models are named, and never offered or a default.
    assert "openai:sora-2" in out["retired"] and "google:gemini-2.5-flash-image" in out["retired"]
    assert not set(out["retired"]) & set(by_id)
    defaults = [m["id"] for m in out["models"] if m["default"]]
    assert defaults == ["offline:animatic", "offline:storyboard"]
    # With a Gemini API key stored, the API-key models are ready; Vertex still is not.
    keys.write_text(json.dumps({"Aiuteur/google.api_key": "AIza-test"}))
    ready = {m["id"]: m for m in json.loads(models(aiuteur_home, keys, "--json").stdout)["models"]}
    assert ready["google:veo-3.1-generate-preview"]["configured"]
    assert not ready["google:veo-3.1-generate-001"]["configured"]
    text = models(aiuteur_home, keys).stdout
    assert "google:veo-3.1-generate-preview" in text and "$3.20 an 8-s shot" in text
    assert "needs a Vertex AI connection" in text


def test_the_users_models_file_adds_a_model_and_a_broken_one_is_said_in_one_line(
    aiuteur_home: Path, tmp_path: Path
) -> None:
    aiuteur_home.mkdir(parents=True, exist_ok=True)
    (aiuteur_home / "models.toml").write_text(
        '[[model]]\nid = "google:veo-3.2-generate-preview"\nkind = "video"\nvia = "gemini-api"\n'
        'start_frame = true\nend_frame = true\ndurations = [8]\naudio = "always"\n'
        'source = "my notes"\n'
    )
    out = json.loads(models(aiuteur_home, tmp_path / "k.json", "--json").stdout)
    added = next(m for m in out["models"] if m["id"] == "google:veo-3.2-generate-preview")
    assert added["source"] == "my notes" and added["capabilities"]["durations"] == [8.0]
    assert added["price"] == {"unknown": True}  # no price yet: never shown as free
    (aiuteur_home / "models.toml").write_text("[[model]\nid = ")
    broken = models(aiuteur_home, tmp_path / "k.json")
    assert broken.returncode == 2 and len(broken.stderr.strip().splitlines()) == 1
    assert "models.toml cannot be read" in broken.stderr
