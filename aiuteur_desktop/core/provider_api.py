"""What core asks of model providers (DESIGN.md "Providers"): protocols, requests, capabilities.

`providers/` implements these for OpenAI, Google, local OpenAI-compatible
servers and the offline engines. Nothing outside `providers/` may ask which
service it is talking to; it reads `capabilities` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from aiuteur_desktop.core import jobs

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Capabilities:
    """What a provider/model can do; views and stages decide from this, never from names."""

    text: bool = False
    structured: bool = False
    streaming: bool = False
    image: bool = False
    mask_edit: bool = False
    max_references: int = 0
    video: bool = False
    end_frame: bool = False
    max_duration: float = 0.0
    audio: bool = False
    embeddings: bool = False


@dataclass(frozen=True)
class Usage:
    """What a call consumed, as the API reported it (or as estimated when it did not)."""

    input_tokens: int = 0
    output_tokens: int = 0
    images: int = 0
    video_seconds: float = 0.0


@dataclass(frozen=True)
class TextRequest:
    prompt: str
    model: str
    system: str = ""
    max_tokens: int = 2048
    temperature: float | None = None
    #: Template id/version and retrieved context ids, recorded in provenance.
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TextResult:
    text: str
    model: str
    usage: Usage
    finish_reason: str = ""


@dataclass(frozen=True)
class StructuredResult:
    value: BaseModel
    model: str
    usage: Usage
    #: How the provider got valid JSON: "json_schema", "json_object", "json_mode", "retry".
    method: str = "json_schema"


class TextProvider(Protocol):
    id: str
    capabilities: Capabilities

    def models(self) -> list[str]: ...

    def complete(
        self, request: TextRequest, on_delta: Callable[[str], None] | None = None
    ) -> TextResult: ...

    def structured(
        self,
        request: TextRequest,
        schema: type[BaseModel],
        on_delta: Callable[[str], None] | None = None,
    ) -> StructuredResult:
        """A validated answer; `on_delta` hears the text as it arrives where the provider
        streams it (a local server), for progress and cancelling."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ImageSubject:
    """What a picture is of, for engines that draw from structure rather than prose (the
    offline key cards); cloud models read the prompt and ignore it."""

    kind: str
    name: str
    description: str = ""
    #: A frame's shot as the offline engines draw it (`ShotSpec` as JSON), and which anchor
    #: ("start" / "end"); None for keys and cards.
    spec: dict[str, Any] | None = None
    which: str = ""


@dataclass(frozen=True)
class ImageResult:
    png: bytes
    model: str
    usage: Usage


class ImageProvider(Protocol):
    id: str
    capabilities: Capabilities

    def generate(
        self,
        prompt: str,
        model: str,
        references: list[bytes] | None = None,
        *,
        subject: ImageSubject | None = None,
    ) -> ImageResult: ...

    def edit(
        self,
        image: bytes,
        mask: bytes,
        prompt: str,
        model: str,
        references: list[bytes] | None = None,
        *,
        subject: ImageSubject | None = None,
    ) -> ImageResult:
        """Change only the white area of `mask` as `prompt` says; every pixel outside it
        stays as it was (providers composite the original back)."""
        ...


class EmbeddingProvider(Protocol):
    id: str
    capabilities: Capabilities

    def embed_texts(self, texts: list[str], model: str) -> list[list[float]]: ...


@dataclass(frozen=True)
class VideoRequest:
    prompt: str
    model: str
    start_frame: bytes
    end_frame: bytes | None = None
    duration: float = 8.0
    audio: bool = True
    aspect_ratio: str = "16:9"
    resolution: str = "720p"
    seed: int | None = None
    #: The shot as the offline engines draw it (ShotSpec JSON); cloud models read the prompt.
    spec: dict[str, Any] | None = None


@dataclass(frozen=True)
class Spoken:
    """One line in a cloud voice: 16-bit mono PCM WAV at the provider's rate."""

    wav: bytes
    seconds: float


class SpeechProvider(Protocol):
    """A cloud voice (OpenAI, Gemini, ElevenLabs text-to-speech): one request per line,
    paid. `voice` is the provider's voice name or id; `style` how it is said (the Voice
    Gallery's description), for models that take it."""

    def speak(self, text: str, voice: str, model: str, *, style: str = "") -> Spoken: ...


class VideoProvider(Protocol):
    """Long-running renders: the handle is plain JSON so it survives a restart."""

    id: str
    capabilities: Capabilities

    def submit(self, request: VideoRequest) -> dict[str, Any]: ...

    def poll(self, handle: dict[str, Any]) -> tuple[bool, float]:
        """(done, progress 0–1)."""
        ...

    def download(self, handle: dict[str, Any]) -> tuple[bytes, str]:
        """(video bytes, mime type) of a finished render."""
        ...


class ProviderSource(Protocol):
    """What operations ask of the provider registry (`providers/registry.py`)."""

    def endpoint(self, model_id: str) -> str | None: ...
    def image(self, model_id: str, base_url: str | None = None) -> ImageProvider: ...
    def image_capabilities(self, model_id: str) -> Capabilities: ...
    def is_free(self, model_id: str) -> bool: ...
    def describe(self, model_id: str) -> str: ...
    def text(self, connection: str, base_url: str | None) -> TextProvider: ...
    def video(self, model_id: str, vertex: dict[str, Any] | None = None) -> VideoProvider: ...
    def video_capabilities(self, model_id: str) -> Capabilities: ...
    def vertex(self) -> dict[str, Any]:
        """The Vertex AI connection a render captures when it is asked for."""
        ...

    def speech(self, model_id: str, base_url: str | None = None) -> SpeechProvider:
        """The cloud voice of `model_id` ("openai:gpt-4o-mini-tts", "google:…-tts",
        "elevenlabs:eleven_multilingual_v2"); `base_url` as captured when the line was
        priced."""
        ...

    def animatic_reel(self, rows: list[Any], out_dir: str, **options: Any) -> dict[str, Any]:
        """The whole film as an offline animatic with its timelines, into `out_dir`."""
        ...

    def animatic_clips(self, rows: list[Any], out_dir: str, **options: Any) -> dict[str, Any]:
        """The shots as offline animatic clips only, into `out_dir/clips`: {"clips": [{"shot",
        "path", "frames"}] in the rows' order, "fps", "size", "speech"}."""
        ...

    def scratch_dialogue(
        self,
        rows: list[Any],
        out_dir: str,
        *,
        seconds: list[float] | None = None,
        voices: dict[str, dict[str, Any]] | None = None,
    ) -> list[str | None]:
        """Each shot's scratch voices (`voices`: the characters' offline voices by name, as
        `core.assets.voices.offline_voices` gives them) as a WAV in `out_dir`, the shot's length (or
        `seconds[i]`): a path per row, None where nothing is spoken or no speech engine is
        installed."""
        ...

    def speak_line(self, text: str, voice: dict[str, Any], *, speaker: str = "") -> bytes | None:
        """One line spoken in an offline voice ({"slot", "pitch", "speed"}, as
        `core.assets.voices.OfflineVoice.to_json` gives it; no slot: the one renders choose
        for `speaker`) as 16-bit mono WAV at 48 kHz; None when the machine has no speech
        engine."""
        ...

    def story_answer(
        self,
        ctx: jobs.JobContext,
        params: dict[str, Any],
        on_each: Callable[[int, dict[str, Any]], None] | None = None,
    ) -> tuple[dict[str, Any], float]:
        """One validated structured answer for a Phase A request (`story.Ask.params()` plus
        the text route); the spend is in the ledger. Returns (result, cost). Several asked
        at once: `on_each(index, result)` hears each as it is written, on this thread."""
        ...
