"""A character's voice (Stage 5's Voice Gallery): what the video model is told ("low,
gravelly, slow; Scottish"), the offline voice the animatic and the scratch stems speak with
— one of the offline engine's voices, its pitch and its speed — and optionally a cloud voice
(a provider's speech model and voice) for Dialogue with cloud voices.

Stored on the character's master asset: `voice` (the description, as before),
`voice_offline` ({"slot", "pitch", "speed"}; empty: chosen from the name, as before) and
`voice_cloud` ({"model", "voice"}; empty: none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.provider_api import ProviderSource
from aiuteur_desktop.core.store import Project

T = TypeVar("T")

#: The offline engine's voices, in its order (providers/offline/tts.py maps each to an
#: engine voice: espeak-ng's variants, macOS's and Windows' own voices).
SLOTS = (
    "Woman, British, bright",
    "Man, American",
    "Man, British, low",
    "Woman, American, high",
    "Man, neutral",
    "Woman, American",
    "Man, low",
    "Woman, British",
)
PITCH_RANGE = (0, 99)  # espeak-ng's scale: 50 is a voice's middle
SPEED_RANGE = (80, 320)  # words per minute
DEFAULT_SPEED = 165


@dataclass(frozen=True)
class OfflineVoice:
    """None where the profile leaves it to the voice: the slot chosen from the name (a
    scene partner with the same one gets the next), the slot's own pitch."""

    slot: int | None = None
    pitch: int | None = None
    speed: int = DEFAULT_SPEED

    @property
    def automatic(self) -> bool:
        return self.slot is None and self.pitch is None and self.speed == DEFAULT_SPEED

    def to_json(self) -> dict[str, Any]:
        if self.automatic:
            return {}
        return {"slot": self.slot, "pitch": self.pitch, "speed": self.speed}

    @classmethod
    def from_json(cls, doc: Any) -> OfflineVoice:
        """A stored profile, whatever a hand or an older version wrote: out-of-range values
        are brought into range, anything unreadable is left to the voice."""
        if not isinstance(doc, dict):
            return cls()
        return cls(
            slot=_int(doc.get("slot"), 0, len(SLOTS) - 1),
            pitch=_int(doc.get("pitch"), *PITCH_RANGE),
            speed=_int(doc.get("speed"), *SPEED_RANGE) or DEFAULT_SPEED,
        )


def _int(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return max(low, min(high, int(value)))


@dataclass(frozen=True)
class CloudVoice:
    """A provider's voice for "Dialogue with cloud voices": the speech model
    ("openai:gpt-4o-mini-tts", "google:gemini-2.5-flash-preview-tts",
    "elevenlabs:eleven_multilingual_v2") and its voice ("coral", "Kore", a voice id)."""

    model: str = ""
    voice: str = ""

    @property
    def chosen(self) -> bool:
        return bool(self.model and self.voice)

    def to_json(self) -> dict[str, Any]:
        return {"model": self.model, "voice": self.voice} if self.chosen else {}

    @classmethod
    def from_json(cls, doc: Any) -> CloudVoice:
        if not isinstance(doc, dict):
            return cls()
        model, voice = doc.get("model"), doc.get("voice")
        if not isinstance(model, str) or not isinstance(voice, str) or ":" not in model:
            return cls()
        return cls(" ".join(model.split())[:200], " ".join(voice.split())[:200])


@dataclass(frozen=True)
class Profile:
    """A character's voice: the description for the video model, the offline voice and,
    optionally, a cloud voice."""

    description: str = ""
    offline: OfflineVoice = OfflineVoice()
    cloud: CloudVoice = CloudVoice()


def of(asset: dict[str, Any]) -> Profile:
    """The voice profile of a master asset's content."""
    return Profile(
        " ".join(str(asset.get("voice") or "").split()),
        OfflineVoice.from_json(asset.get("voice_offline")),
        CloudVoice.from_json(asset.get("voice_cloud")),
    )


def save(project: Project, path: str, profile: Profile) -> bool:
    """The character's voice profile saved to the draft; False when nothing changed (the
    page commits, as for every hand edit of Stage 5)."""
    profile = Profile(" ".join(profile.description.split()), profile.offline, profile.cloud)
    if of(masters.read(project, path)) == profile:
        return False
    masters.update(
        project,
        path,
        voice=profile.description,
        voice_offline=profile.offline.to_json(),
        voice_cloud=profile.cloud.to_json(),
    )
    return True


def _by_every_name(
    project: Project, branch: str | None, pick: Callable[[Profile], T | None]
) -> dict[str, T]:
    """What `pick` takes from each character's profile (None: nothing), by every name the
    script calls them — name and aliases in capitals, as cues spell them."""
    chosen: dict[str, T] = {}
    for a in masters.all_assets(project, branch):
        found = pick(of(a)) if a.get("kind") == "character" else None
        if found is None:
            continue
        for name in [a["name"], *(a.get("aliases") or [])]:
            chosen.setdefault(" ".join(str(name).upper().split()), found)
    return chosen


def cloud_voices(project: Project, branch: str | None = None) -> dict[str, Profile]:
    """The characters with a cloud voice, by every name the script calls them."""
    return _by_every_name(project, branch, lambda p: p if p.cloud.chosen else None)


def offline_voices(project: Project, branch: str | None = None) -> dict[str, dict[str, Any]]:
    """The offline voices chosen in Stage 5, by every name the script calls each character:
    {"slot", "pitch", "speed"} for renders. A character left to the name's voice is absent."""
    return _by_every_name(
        project, branch, lambda p: None if p.offline.automatic else p.offline.to_json()
    )


#: What a preview says when the script gives the character no line.
NO_LINE = "Hello. This is how I sound."
PREVIEW_WORDS = 40


def line_of(project: Project, path: str) -> str:
    """A line of the character's from the Master Script (their first of a few words or
    more), for the Voice Gallery's preview; a stock line when they never speak."""
    from aiuteur_desktop.core.screenplay import elements as sp
    from aiuteur_desktop.core.story import master_script

    asset = masters.read(project, path)
    names = {" ".join(str(n).upper().split()) for n in [asset["name"], *asset.get("aliases", [])]}
    play = master_script.current(project)
    found: list[str] = []
    speaking = False
    for e in play.elements if play is not None else ():
        if e.type == sp.CHARACTER:
            speaking = " ".join(sp.cue_name(e.text).upper().split()) in names
        elif e.type == sp.DIALOGUE and speaking and e.text.strip():
            found.append(" ".join(e.text.split()))
            if len(found[-1].split()) >= 4:
                break
        elif e.type != sp.PARENTHETICAL:
            speaking = False
    if not found:
        return NO_LINE
    words = max(found, key=lambda t: len(t.split())).split()
    return " ".join(words[:PREVIEW_WORDS]) + (" …" if len(words) > PREVIEW_WORDS else "")


@dataclass(frozen=True)
class Preview:
    """What the Voice Gallery plays: the line, and its sound as the review player's PCM
    (16-bit stereo at 48 kHz); `pcm` empty when the machine has no speech engine."""

    text: str
    pcm: bytes
    seconds: float


def preview(project: Project, path: str, voice: OfflineVoice, source: ProviderSource) -> Preview:
    """A line of the character's spoken in `voice` (on a worker: the engine takes a moment)."""
    text = line_of(project, path)
    wanted = {"slot": voice.slot, "pitch": voice.pitch, "speed": voice.speed}
    wav = source.speak_line(text, wanted, speaker=masters.read(project, path)["name"])
    return as_preview(text, wav)


def as_preview(text: str, wav_bytes: bytes | None) -> Preview:
    """A spoken line (WAV at any rate) as the player's PCM; empty when there is none."""
    from aiuteur_desktop.core.media import playback, wav

    if not wav_bytes:
        return Preview(text, b"", 0.0)
    mono = wav.read_mono(wav_bytes, playback.RATE)
    pcm = (mono * 32767).astype("<i2")
    stereo = pcm.repeat(playback.CHANNELS)  # (interleaved: each sample on both channels)
    return Preview(text, stereo.tobytes(), len(pcm) / playback.RATE)


#: The cloud voices' models the Voice Gallery offers (any other id may be typed in the
#: profile by hand), with each provider's voices to choose from (ElevenLabs': the user's
#: own voice ids).
CLOUD_MODELS = (
    ("OpenAI · gpt-4o-mini-tts", "openai:gpt-4o-mini-tts"),
    ("OpenAI · tts-1-hd", "openai:tts-1-hd"),
    ("Gemini · 2.5 Flash TTS", "google:gemini-2.5-flash-preview-tts"),
    ("Gemini · 2.5 Pro TTS", "google:gemini-2.5-pro-preview-tts"),
    ("ElevenLabs · Multilingual v2", "elevenlabs:eleven_multilingual_v2"),
    ("ElevenLabs · v3", "elevenlabs:eleven_v3"),
)
CLOUD_VOICES = {
    "openai": (
        "alloy",
        "ash",
        "ballad",
        "coral",
        "echo",
        "fable",
        "nova",
        "onyx",
        "sage",
        "shimmer",
        "verse",
    ),
    "google": (
        "Kore",
        "Puck",
        "Charon",
        "Fenrir",
        "Aoede",
        "Leda",
        "Orus",
        "Zephyr",
        "Callirrhoe",
        "Enceladus",
        "Gacrux",
        "Sulafat",
    ),
    "elevenlabs": (),
}
