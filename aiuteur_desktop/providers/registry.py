"""The one place a provider is chosen (DESIGN.md "Providers"): by capability and the model id
Settings → Models names ("openai:gpt-image-1.5", "google:…", "local:…", "offline:…").

Everything else — core operations, views — asks here and reads `capabilities`; no other
module compares provider names. Keys come from the OS keyring when a provider is built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiuteur_desktop.core import jobs, secrets
from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.providers import (
    Capabilities,
    ImageProvider,
    TextProvider,
    VideoProvider,
)
from aiuteur_desktop.core.settings import AppSettings
from aiuteur_desktop.providers.connections import (
    GOOGLE,
    LOCAL,
    NO_TEXT_MODEL,
    OPENAI,
    SECRET_NAMES,
)

OFFLINE = "offline"
#: The image model when Settings → Models names none: the offline storyboard engine.
DEFAULT_IMAGE = "offline:storyboard"
#: The offline engines by their model name, as estimates and progress say them.
OFFLINE_ENGINES = {
    "storyboard": "storyboard engine",
    "animatic": "animatic engine",
    "minilm": "text embedder",
    "export": "export",
}
_WHO = {OPENAI: "OpenAI", GOOGLE: "Google Gemini", LOCAL: "the local model server"}

__all__ = ["NO_TEXT_MODEL", "Registry", "image_model", "register_all"]


def _endpoint(settings: AppSettings, connection: str) -> str | None:
    return {
        OPENAI: settings.openai.api_endpoint or None,
        GOOGLE: settings.google.api_endpoint or None,
        LOCAL: settings.local.base_url or None,
    }.get(connection)


def image_model(settings: AppSettings) -> str:
    """The image model id Settings → Models names (offline key cards when none)."""
    return settings.models.image or DEFAULT_IMAGE


class Registry:
    """Providers by capability for the current settings (core's `ProviderSource`)."""

    def __init__(self, settings: AppSettings | None = None) -> None:
        self.settings = settings or AppSettings()

    def warm_up(self) -> None:
        """Load the SDKs the configured connections use, and the shared TLS context, off the
        UI thread after start-up: a cold SDK import on the first job's worker holds the
        interpreter long enough to stall the UI (~55 ms here)."""
        from aiuteur_desktop.providers.connections import tls_context

        s = self.settings
        chosen = {m.partition(":")[0] for m in (s.models.text, s.models.image) if m}
        if s.local.enabled or chosen & {OPENAI, LOCAL} or secrets.has_secret(SECRET_NAMES[OPENAI]):
            import openai  # noqa: F401

            tls_context()
        if GOOGLE in chosen or secrets.has_secret(SECRET_NAMES[GOOGLE]):
            from google import genai  # noqa: F401

    # ----------------------------------------------------------------- image
    def image_capabilities(self, model_id: str) -> Capabilities:
        """What the image model can do, known without building it (no key needed)."""
        connection = model_id.partition(":")[0]
        if connection == OFFLINE:
            from aiuteur_desktop.providers.offline.provider import OfflineStoryboard

            return OfflineStoryboard.capabilities
        from aiuteur_desktop.providers.images import GeminiImages, OpenAIImages

        if connection == OPENAI:
            return OpenAIImages.capabilities
        if connection == GOOGLE:
            return GeminiImages.capabilities
        return Capabilities()

    def endpoint(self, model_id: str) -> str | None:
        """The API endpoint Settings gives the model's connection (None: the default)."""
        return _endpoint(self.settings, model_id.partition(":")[0])

    def image(self, model_id: str, base_url: str | None = None) -> ImageProvider:
        """`base_url` as captured when the operation was made (a worker has no settings)."""
        connection = model_id.partition(":")[0]
        if connection == OFFLINE:
            from aiuteur_desktop.providers.offline.provider import OfflineStoryboard

            return OfflineStoryboard()
        if connection not in (OPENAI, GOOGLE):
            raise ProviderError("bad_request", f"Images through “{connection}” are not available.")
        key = secrets.get_secret(SECRET_NAMES[connection]) or ""
        if not key:
            raise ProviderError(
                "auth",
                f"Add your {_WHO[connection]} API key in Settings → Providers to make images.",
            )
        from aiuteur_desktop.providers.images import GeminiImages, OpenAIImages

        base = base_url or _endpoint(self.settings, connection)
        provider: Any = OpenAIImages(key, base) if connection == OPENAI else GeminiImages(key, base)
        return provider  # type: ignore[no-any-return]

    def is_free(self, model_id: str) -> bool:
        """Runs on this computer at no cost (offline engines)."""
        return model_id.partition(":")[0] == OFFLINE

    def describe(self, model_id: str) -> str:
        """The model in a filmmaker's words, for estimates and progress."""
        connection, _, model = model_id.partition(":")
        if connection == OFFLINE:
            # The same name Settings → Models shows (offline:storyboard), said plainly.
            engine = OFFLINE_ENGINES.get(model, model or "offline")
            return f"the offline {engine} ({model_id}, free, no network)"
        return f"{connection} · {model}"

    # ----------------------------------------------------------------- video
    def video_capabilities(self, model_id: str) -> Capabilities:
        connection = model_id.partition(":")[0]
        if connection == OFFLINE:
            from aiuteur_desktop.providers.offline.provider import OfflineAnimatic

            return OfflineAnimatic.capabilities
        if connection == GOOGLE:
            from aiuteur_desktop.providers.google_video import VeoVideo

            return VeoVideo.capabilities
        return Capabilities()

    def video_models(self) -> list[Any]:
        """The video models a shot can be rendered with here (`prompt_sets.VideoModel`): the
        offline animatic always, and the one Settings → Models names."""
        from aiuteur_desktop.core.prompt_sets import VideoModel

        ids = list(dict.fromkeys(["offline:animatic", self.settings.models.video or ""]))
        out = []
        for model_id in (m for m in ids if m):
            caps = self.video_capabilities(model_id)
            if caps.video:
                label = (
                    "Offline animatic"
                    if model_id.startswith(f"{OFFLINE}:")
                    else model_id.partition(":")[2]
                )
                out.append(VideoModel(model_id, label, caps))
        return out

    def vertex(self) -> dict[str, Any]:
        """Settings → Providers' Vertex AI connection, as a render job keeps it (the
        credentials file's path, never its contents)."""
        g = self.settings.google
        return {
            "project": g.vertex_project,
            "location": g.vertex_location,
            "credentials_file": g.vertex_credentials_file,
        }

    def video(self, model_id: str, vertex: dict[str, Any] | None = None) -> VideoProvider:
        """`vertex`: {project, location, credentials_file, base_url?} as captured when the
        render was asked for (Veo runs on Vertex AI only)."""
        connection = model_id.partition(":")[0]
        if connection == OFFLINE:
            from aiuteur_desktop.providers.offline.provider import OfflineAnimatic

            return OfflineAnimatic()  # type: ignore[return-value]
        if connection != GOOGLE:
            raise ProviderError("bad_request", f"Video through “{connection}” is not available.")
        from aiuteur_desktop.providers.google_video import VeoVideo

        v = vertex or {}
        return VeoVideo(
            v.get("project", ""),
            v.get("location", ""),
            v.get("credentials_file", ""),
            base_url=v.get("base_url"),
            timeout=float(v.get("timeout") or 60.0),
        )

    def animatic_reel(self, rows: list[Any], out_dir: str, **options: Any) -> dict[str, Any]:
        from aiuteur_desktop.providers.offline.jobs import render_reel

        return render_reel(rows, out_dir, **options)

    def animatic_clips(self, rows: list[Any], out_dir: str, **options: Any) -> dict[str, Any]:
        from aiuteur_desktop.providers.offline.jobs import render_clips

        return render_clips(rows, out_dir, **options)

    def scratch_dialogue(
        self, rows: list[Any], out_dir: str, *, seconds: list[float] | None = None
    ) -> list[str | None]:
        from aiuteur_desktop.providers.offline.jobs import scratch_dialogue

        return scratch_dialogue(rows, out_dir, seconds=seconds)

    # ------------------------------------------------------------ embeddings
    def embedder(self, embedder_id: str) -> Any:
        """The text embedder a style library records ("offline:minilm", "openai:<model>",
        "google:<model>", "local:<model>"); cloud ones take the key from the keyring now."""
        from aiuteur_desktop.providers.embedders import CloudEmbedder, label
        from aiuteur_desktop.providers.offline.embedder import MODEL_ID, OfflineEmbedder

        if embedder_id == MODEL_ID:
            return OfflineEmbedder()
        connection, _, model = embedder_id.partition(":")
        if connection not in (OPENAI, GOOGLE, LOCAL) or not model:
            raise ProviderError("bad_request", f"Aiuteur has no embedder called “{embedder_id}”.")
        key = secrets.get_secret(SECRET_NAMES[connection]) or ""
        if connection in (OPENAI, GOOGLE) and not key:
            raise ProviderError(
                "auth",
                f"{label(embedder_id)} needs your {_WHO[connection]} key: add it in "
                "Settings → Providers.",
            )
        base = _endpoint(self.settings, connection)
        return CloudEmbedder(embedder_id, self.text(connection, base), model)

    # ------------------------------------------------------------------ text
    def story_answer(
        self,
        ctx: jobs.JobContext,
        params: dict[str, Any],
        on_each: Callable[[int, dict[str, Any]], None] | None = None,
    ) -> tuple[dict[str, Any], float]:
        from aiuteur_desktop.providers.story_jobs import run_story

        return run_story(ctx, params, on_each)

    def text(
        self, connection: str, base_url: str | None, limits: dict[str, Any] | None = None
    ) -> TextProvider:
        """The provider for a text call; the key is read from the keyring here, at run time.
        `limits`: the connection's timeouts and context window as the request captured them
        (`TextRoute.params`); without them, those in this registry's settings."""
        if connection not in (OPENAI, GOOGLE, LOCAL):
            raise ProviderError("bad_request", f"Text through “{connection}” is not available.")
        key = secrets.get_secret(SECRET_NAMES[connection]) or ""
        if connection == OPENAI and not key:
            raise ProviderError("auth", "Add your OpenAI API key in Settings → Providers first.")
        if connection == GOOGLE:
            from aiuteur_desktop.providers.gemini_text import GeminiText

            return GeminiText(key, base_url)
        from aiuteur_desktop.providers.openai_text import OpenAIText

        got = limits if limits is not None else connection_limits(self.settings, connection)
        if connection == LOCAL:
            return OpenAIText(
                key,
                base_url,
                local=True,
                idle_timeout=float(got.get("idle_timeout") or 0) or None,
                context_window=int(got.get("context_window") or 0),
            )
        return OpenAIText(key, base_url, timeout=float(got.get("timeout") or 120.0))


def connection_limits(settings: AppSettings, connection: str) -> dict[str, Any]:
    """The timeouts and window Settings gives a text connection, as a job carries them."""
    if connection == LOCAL:
        return {
            "idle_timeout": settings.local.idle_timeout_s,
            "context_window": settings.local.context_window,
        }
    if connection == OPENAI:
        return {"timeout": settings.openai.timeout_s}
    return {}


_registered = False


def register_all() -> None:
    """At start-up: every job kind and operation known, with this registry behind them."""
    global _registered
    if _registered:
        return
    from aiuteur_desktop.core import operations
    from aiuteur_desktop.core.operations import (  # noqa: F401
        animatic,
        asset_key,
        editor_export,
        frame_image,
        story_answer,
        video_render,
    )
    from aiuteur_desktop.providers import (  # noqa: F401
        image_jobs,
        story_jobs,
        style_jobs,
        text_jobs,
        video_jobs,
    )
    from aiuteur_desktop.providers.offline import jobs  # noqa: F401

    operations.use_providers(lambda settings: Registry(settings))
    _registered = True


def speech_available() -> bool:
    """Scratch dialogue can be spoken (an OS text-to-speech engine was found)."""
    from aiuteur_desktop.providers.offline import tts

    return tts.available() is not None


# ---------------------------------------------------------------------------------------
# The views' one door into providers/: the job kinds, routes and connection settings they
# name, resolved on first use (the modules behind them build providers through Registry).
_FACADE = {  # name → (module, attribute; "" = the module itself)
    "connections": ("aiuteur_desktop.providers.connections", ""),
    "embedders": ("aiuteur_desktop.providers.embedders", ""),
    "VERTEX": ("aiuteur_desktop.providers.connections", "VERTEX"),
    "text_ready": ("aiuteur_desktop.providers.connections", "text_ready"),
    "STORY_GENERATE": ("aiuteur_desktop.providers.story_jobs", "STORY_GENERATE"),
    "TextRoute": ("aiuteur_desktop.providers.story_jobs", "TextRoute"),
    "text_route": ("aiuteur_desktop.providers.story_jobs", "text_route"),
    "STYLE_INGEST": ("aiuteur_desktop.providers.style_jobs", "STYLE_INGEST"),
    "STYLE_REEMBED": ("aiuteur_desktop.providers.style_jobs", "STYLE_REEMBED"),
    "written_styles": ("aiuteur_desktop.providers.style_jobs", "written_styles"),
}


def __getattr__(name: str) -> Any:
    if name not in _FACADE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module, attr = _FACADE[name]
    value = importlib.import_module(module)
    if attr:
        value = getattr(value, attr)
    globals()[name] = value
    return value


__all__ += [*_FACADE, "GOOGLE", "LOCAL", "OPENAI", "speech_available"]
