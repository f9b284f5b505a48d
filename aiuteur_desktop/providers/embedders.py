"""Text embedders by id ("offline:minilm", "openai:<model>", "google:<model>", "local:<model>"),
so a style library can record which one built it and be re-embedded with another."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.app.settings import AppSettings
from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.providers.connections import GOOGLE, LOCAL, OPENAI, SECRET_NAMES, WHO
from aiuteur_desktop.providers.offline.embedder import MODEL_ID as OFFLINE

LABELS = {OFFLINE: "Offline (MiniLM, on this computer)"}


def label(embedder_id: str) -> str:
    if embedder_id in LABELS:
        return LABELS[embedder_id]
    connection, _, model = embedder_id.partition(":")
    return f"{model} ({WHO.get(connection, connection)})"


@dataclass
class CloudEmbedder:
    """A provider's embeddings under the id a library records."""

    id: str
    provider: Any
    model: str

    def embed_texts(self, texts: list[str], model: str = "") -> list[list[float]]:
        return list(self.provider.embed_texts(texts, self.model))


def embedder_for(embedder_id: str, settings: AppSettings | None = None) -> Any:
    """The text embedder a style library records ("offline:minilm", "openai:<model>",
    "google:<model>", "local:<model>"); cloud ones take the key from the keyring now and
    embed through the text provider the registry builds."""
    from aiuteur_desktop.providers.offline.embedder import OfflineEmbedder
    from aiuteur_desktop.providers.registry import Registry

    if embedder_id == OFFLINE:
        return OfflineEmbedder()
    connection, _, model = embedder_id.partition(":")
    if connection not in (OPENAI, GOOGLE, LOCAL) or not model:
        raise ProviderError("bad_request", f"Aiuteur has no embedder called “{embedder_id}”.")
    key = secrets.get_secret(SECRET_NAMES[connection]) or ""
    if connection in (OPENAI, GOOGLE) and not key:
        raise ProviderError(
            "auth",
            f"{label(embedder_id)} needs your {WHO[connection]} key: add it in "
            "Settings → Providers.",
        )
    registry = Registry(settings)
    return CloudEmbedder(
        embedder_id, registry.text(connection, registry.endpoint(embedder_id)), model
    )


def choices(settings: AppSettings) -> list[str]:
    """Embedders the user can pick now: offline always, plus the configured default."""
    out = [OFFLINE]
    if settings.models.embeddings and settings.models.embeddings not in out:
        out.append(settings.models.embeddings)
    return out
