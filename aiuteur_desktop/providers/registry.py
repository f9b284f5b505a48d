"""The one place a provider is chosen (DESIGN.md "Providers"): by capability and the model id
Settings → Models names ("openai:gpt-image-1.5", "google:…", "local:…", "offline:…").

Everything else — core operations, views — asks here and reads `capabilities`; no other
module compares provider names. Keys come from the OS keyring when a provider is built.
"""

from __future__ import annotations

from typing import Any

from aiuteur_desktop.core.app import secrets
from aiuteur_desktop.core.app.settings import AppSettings
from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.provider_api import (
    Capabilities,
    ImageProvider,
    SpeechProvider,
    TextProvider,
    VideoProvider,
)
from aiuteur_desktop.providers.connections import (
    ELEVENLABS,
    FAL,
    GOOGLE,
    LOCAL,
    MINIMAX,
    NO_TEXT_MODEL,
    OPENAI,
    SECRET_NAMES,
    VIDEOS,
    WHO,
    connection_limits,
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

__all__ = ["NO_TEXT_MODEL", "Registry", "image_model"]


def _endpoint(settings: AppSettings, connection: str) -> str | None:
    return {
        OPENAI: settings.openai.api_endpoint or None,
        GOOGLE: settings.google.api_endpoint or None,
        LOCAL: settings.local.base_url or None,
        ELEVENLABS: settings.elevenlabs.api_endpoint or None,
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
                f"Add your {WHO[connection]} API key in Settings → Providers to make images.",
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
        if connection == FAL:
            from aiuteur_desktop.providers.fal_video import capabilities

            return capabilities(model_id)
        if connection == MINIMAX:
            from aiuteur_desktop.providers import minimax_video

            return minimax_video.capabilities(model_id)
        if connection == VIDEOS:
            from aiuteur_desktop.providers.openai_videos import OpenAIVideos

            return OpenAIVideos.capabilities
        return Capabilities()

    def video_models(self) -> list[Any]:
        """The video models a shot can be rendered with here (`prompt_sets.VideoModel`): the
        offline animatic always, the one Settings → Models names, and every model of the
        catalogue whose connection is set up (a Gemini key's Veo, fal.ai's…)."""
        from aiuteur_desktop.core.app.models_catalogue import current
        from aiuteur_desktop.core.errors import GateClosed
        from aiuteur_desktop.core.production.prompt_fit import VideoModel
        from aiuteur_desktop.providers.connections import ready_models

        chosen = ["offline:animatic", self.settings.models.video or ""]
        ids = list(dict.fromkeys([*chosen, *ready_models(self.settings, "video")]))
        try:
            names = {m.id: m.name for m in current().models}
        except GateClosed:
            names = {}
        out = []
        for model_id in (m for m in ids if m):
            caps = self.video_capabilities(model_id)
            if caps.video:
                label = (
                    "Offline animatic"
                    if model_id.startswith(f"{OFFLINE}:")
                    else names.get(model_id) or model_id.partition(":")[2]
                )
                out.append(VideoModel(model_id, label, caps))
        return out

    def vertex(self) -> dict[str, Any]:
        """Settings → Providers' Vertex AI connection, as a render job keeps it (the
        credentials file's path, never its contents)."""
        g = self.settings.google
        out = {
            "project": g.vertex_project,
            "location": g.vertex_location,
            "credentials_file": g.vertex_credentials_file,
        }
        # Where the Gemini API is reached when there is no Vertex connection (its key stays
        # in the keyring; the job reads it when it runs).
        extra = {"api_endpoint": g.api_endpoint} if g.api_endpoint else {}
        if self.settings.fal.api_endpoint:
            extra["fal_endpoint"] = self.settings.fal.api_endpoint
        if self.settings.minimax.api_endpoint:
            extra["minimax_endpoint"] = self.settings.minimax.api_endpoint
        if self.settings.videos.base_url:
            extra["videos_endpoint"] = self.settings.videos.base_url
        return out | extra | ({"base_url": g.vertex_endpoint} if g.vertex_endpoint else {})

    def video(self, model_id: str, vertex: dict[str, Any] | None = None) -> VideoProvider:
        """`vertex`: {project, location, credentials_file, base_url?} as captured when the
        render was asked for: Veo on Vertex AI when it names a project and credentials,
        else Veo through the Gemini API key (its endpoint captured as `api_endpoint`)."""
        connection = model_id.partition(":")[0]
        if connection == OFFLINE:
            from aiuteur_desktop.providers.offline.provider import OfflineAnimatic

            return OfflineAnimatic()  # type: ignore[return-value]
        v = vertex or {}
        if connection == FAL:
            from aiuteur_desktop.providers.fal_video import FalVideo

            return FalVideo(
                secrets.get_secret(SECRET_NAMES[FAL]) or "",
                model_id,
                base_url=v.get("fal_endpoint") or self.settings.fal.api_endpoint or None,
            )
        if connection == MINIMAX:
            from aiuteur_desktop.providers.minimax_video import MiniMaxVideo

            return MiniMaxVideo(
                secrets.get_secret(SECRET_NAMES[MINIMAX]) or "",
                model_id,
                base_url=v.get("minimax_endpoint") or self.settings.minimax.api_endpoint or None,
            )
        if connection == VIDEOS:
            from aiuteur_desktop.providers.openai_videos import OpenAIVideos

            return OpenAIVideos(
                v.get("videos_endpoint") or self.settings.videos.base_url,
                secrets.get_secret(SECRET_NAMES[VIDEOS]) or "",
            )
        if connection != GOOGLE:
            raise ProviderError("bad_request", f"Video through “{connection}” is not available.")
        if not (v.get("project") and v.get("credentials_file")):
            # No Vertex AI connection when the render was asked for: the Gemini API key.
            from aiuteur_desktop.providers.gemini_video import GeminiVeoVideo

            return GeminiVeoVideo(
                secrets.get_secret(SECRET_NAMES[GOOGLE]) or "",
                base_url=v.get("api_endpoint") or self.settings.google.api_endpoint or None,
                timeout=float(v.get("timeout") or 60.0),
            )
        from aiuteur_desktop.providers.google_video import VeoVideo

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
        self,
        rows: list[Any],
        out_dir: str,
        *,
        seconds: list[float] | None = None,
        voices: dict[str, dict[str, Any]] | None = None,
    ) -> list[str | None]:
        from aiuteur_desktop.providers.offline.jobs import scratch_dialogue

        return scratch_dialogue(rows, out_dir, seconds=seconds, voices=voices)

    def speech(self, model_id: str, base_url: str | None = None) -> SpeechProvider:
        """A cloud voice's provider, with its key from the keyring (`base_url` as captured
        when the line was priced: a worker reads no settings)."""
        from aiuteur_desktop.providers import speech

        connection = model_id.partition(":")[0]
        if connection not in (OPENAI, GOOGLE, ELEVENLABS):
            raise ProviderError("bad_request", f"Voices through “{connection}” are not available.")
        key = secrets.get_secret(SECRET_NAMES[connection]) or ""
        who = {ELEVENLABS: "ElevenLabs"}.get(connection) or WHO[connection]
        if not key:
            raise ProviderError("auth", f"Add your {who} API key in Settings → Providers.")
        base = base_url or _endpoint(self.settings, connection)
        if connection == OPENAI:
            return speech.OpenAISpeech(key, base)
        if connection == GOOGLE:
            return speech.GeminiSpeech(key, base)
        return speech.ElevenLabsSpeech(key, base)

    def speak_line(self, text: str, voice: dict[str, Any], *, speaker: str = "") -> bytes | None:
        """One line in an offline voice ({"slot", "pitch", "speed"}; no slot: the speaker's
        own, as renders choose it) as 16-bit mono WAV at 48 kHz, or None when the machine
        has no speech engine."""
        from aiuteur_desktop.providers.offline import tts

        engine = tts.available()
        if engine is None:
            return None
        slot = voice.get("slot")
        samples = tts.speak(
            text,
            tts.voice_index(speaker) if slot is None else int(slot),
            engine,
            pitch=voice.get("pitch"),
            speed=voice.get("speed"),
        )
        return None if samples is None else tts.wav_bytes(samples)

    # ------------------------------------------------------------------ text
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
