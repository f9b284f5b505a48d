"""The offline text embedder: a static model2vec model shipped in resources/ (no PyTorch,
no download, no network). Built reproducibly by packaging/models/build_offline_embedder.py.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from aiuteur_desktop.core.app.resources import resource
from aiuteur_desktop.core.provider_api import Capabilities

MODEL_ID = "offline:minilm"
_lock = threading.Lock()
_model: Any = None


def _load() -> Any:
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the Hub
            from model2vec import StaticModel

            _model = StaticModel.from_pretrained(str(resource("models", "minilm-m2v")))
        return _model


class OfflineEmbedder:
    """`EmbeddingProvider` that works on a plane: 256-d unit vectors, thousands of chunks/s."""

    id = MODEL_ID
    capabilities = Capabilities(embeddings=True)
    dims = 256

    def embed_texts(self, texts: list[str], model: str = MODEL_ID) -> list[list[float]]:
        if not texts:
            return []
        import numpy as np  # loads with the model, not at start-up

        vectors = np.asarray(_load().encode(texts), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms == 0, 1, norms)
        return [list(map(float, v)) for v in vectors]
