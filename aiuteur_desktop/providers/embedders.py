"""Text embedders by id ("offline:minilm", "openai:<model>", "google:<model>", "local:<model>"),
so a style library can record which one built it and be re-embedded with another."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiuteur_desktop.core.settings import AppSettings
from aiuteur_desktop.providers.connections import GOOGLE, LOCAL, OPENAI
from aiuteur_desktop.providers.offline.embedder import MODEL_ID as OFFLINE

LABELS = {OFFLINE: "Offline (MiniLM, on this computer)"}
_WHO = {OPENAI: "OpenAI", GOOGLE: "Google Gemini", LOCAL: "the local model server"}


def label(embedder_id: str) -> str:
    if embedder_id in LABELS:
        return LABELS[embedder_id]
    connection, _, model = embedder_id.partition(":")
    return f"{model} ({_WHO.get(connection, connection)})"


@dataclass
class CloudEmbedder:
    """A provider's embeddings under the id a library records."""

    id: str
    provider: Any
    model: str

    def embed_texts(self, texts: list[str], model: str = "") -> list[list[float]]:
        return list(self.provider.embed_texts(texts, self.model))


def embedder_for(embedder_id: str, settings: AppSettings | None = None) -> Any:
    """The embedder with this id (chosen by the registry; cloud ones take the key now)."""
    from aiuteur_desktop.providers.registry import Registry

    return Registry(settings).embedder(embedder_id)


def choices(settings: AppSettings) -> list[str]:
    """Embedders the user can pick now: offline always, plus the configured default."""
    out = [OFFLINE]
    if settings.models.embeddings and settings.models.embeddings not in out:
        out.append(settings.models.embeddings)
    return out
