"""A character's voice (Stage 5's Voice Gallery): what the video model is told ("low,
gravelly, slow; Scottish") and the offline voice the animatic and the scratch stems speak
with — one of the offline engine's voices, its pitch and its speed.

Stored on the character's master asset: `voice` (the description, as before) and
`voice_offline` ({"slot", "pitch", "speed"}; empty: chosen from the name, as before).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.store import Project

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
class Profile:
    """A character's voice: the description for the video model and the offline voice."""

    description: str = ""
    offline: OfflineVoice = OfflineVoice()


def of(asset: dict[str, Any]) -> Profile:
    """The voice profile of a master asset's content."""
    return Profile(
        " ".join(str(asset.get("voice") or "").split()),
        OfflineVoice.from_json(asset.get("voice_offline")),
    )


def save(project: Project, path: str, profile: Profile) -> bool:
    """The character's voice profile saved to the draft; False when nothing changed (the
    page commits, as for every hand edit of Stage 5)."""
    asset = masters.read(project, path)
    if of(asset) == profile:
        return False
    masters.update(
        project,
        path,
        voice=profile.description.strip(),
        voice_offline=profile.offline.to_json(),
    )
    return True


def offline_voices(project: Project, branch: str | None = None) -> dict[str, dict[str, Any]]:
    """The offline voices chosen in Stage 5, by every name the script calls each character
    (capitals, as cues spell them): {"slot", "pitch", "speed"} for renders. A character
    left to the name's voice is absent."""
    chosen: dict[str, dict[str, Any]] = {}
    for a in masters.all_assets(project, branch):
        if a.get("kind") != "character":
            continue
        voice = OfflineVoice.from_json(a.get("voice_offline"))
        if voice.automatic:
            continue
        for name in [a["name"], *(a.get("aliases") or [])]:
            chosen.setdefault(" ".join(str(name).upper().split()), voice.to_json())
    return chosen
