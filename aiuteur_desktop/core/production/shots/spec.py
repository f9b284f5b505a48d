"""ShotSpec: the plain description of one shot that the previz engines render.

It is also the interchange format of `aiuteur previz shot SPEC.json` (see the
README). Unknown keys are ignored so specs written by newer versions still
render; a missing required key or a bad value is refused with one clear line.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.screenplay import headings


class ShotSize(StrEnum):
    ECU = "ECU"
    CU = "CU"
    MCU = "MCU"
    MS = "MS"
    WS = "WS"
    EWS = "EWS"


class Angle(StrEnum):
    EYE = "eye"
    LOW = "low"
    HIGH = "high"
    OVERHEAD = "overhead"


class Move(StrEnum):
    STATIC = "static"
    PUSH_IN = "push-in"
    PULL_OUT = "pull-out"
    PAN_LEFT = "pan-left"
    PAN_RIGHT = "pan-right"
    TILT_UP = "tilt-up"
    TILT_DOWN = "tilt-down"
    TRACK_LEFT = "track-left"
    TRACK_RIGHT = "track-right"


#: Spellings filmmakers use, mapped to the canonical value.
_ALIASES = {
    "eye level": "eye",
    "eye-level": "eye",
    "push in": "push-in",
    "dolly in": "push-in",
    "pull out": "pull-out",
    "dolly out": "pull-out",
    "pan": "pan-right",
    "tilt": "tilt-up",
    "track": "track-right",
    "none": "static",
    "locked off": "static",
}


class SpecError(AiuteurError):
    """A shot spec cannot be rendered as written."""


class Character(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=60)
    position: str = Field(default="center", pattern="^(left|center|centre|right)$")
    depth: str = Field(default="foreground", pattern="^(foreground|midground|background)$")
    facing: str = Field(default="camera", pattern="^(camera|left|right|away)$")
    #: Path to the character's image key (optional): drawn as a cut-out instead of a figure.
    image: str | None = None
    #: Their height beside a grown-up's (a three-year-old is about 0.55), from their
    #: description; 1.0 when it gives no age.
    stature: float = Field(default=1.0, ge=0.25, le=1.3)


class SpecVoice(BaseModel):
    """A speaker's offline voice (Stage 5's Voice Gallery): one of the engine's voices, its
    pitch (0–99, 50 the middle) and speed (words per minute); None: the engine's choice."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    slot: int | None = Field(default=None, ge=0, le=7)
    pitch: int | None = Field(default=None, ge=0, le=99)
    speed: int | None = Field(default=None, ge=80, le=320)


class SpecLine(BaseModel):
    model_config = ConfigDict(extra="ignore")

    character: str = Field(min_length=1, max_length=60)
    text: str = Field(min_length=1, max_length=2000)


class ShotSpec(BaseModel):
    """One shot, as the storyboard and animatic engines need it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    heading: str = Field(min_length=1, max_length=300)
    action: str = Field(default="", max_length=4000)
    aspect: str = Field(default="16:9", pattern=r"^\d{1,2}(\.\d{1,3})?:\d{1,2}(\.\d{1,3})?$")
    width: int = Field(default=1280, ge=160, le=3840)
    duration: float = Field(default=8.0, gt=0, le=60)
    fps: int = Field(default=24, ge=1, le=60)
    shot_size: ShotSize = ShotSize.MS
    angle: Angle = Angle.EYE
    move: Move = Move.STATIC
    characters: list[Character] = Field(default_factory=list, max_length=12)
    dialogue: list[SpecLine] = Field(default_factory=list, max_length=40)
    #: The speakers' chosen voices by name in capitals; a speaker not here gets a voice
    #: chosen from the name.
    voices: dict[str, SpecVoice] = Field(default_factory=dict, max_length=40)
    shot: str = Field(default="1", max_length=20)
    #: Optional location image used as the background.
    location_image: str | None = None
    #: Optional palette of the locked visual style, as "#rrggbb" colours.
    palette: list[str] = Field(default_factory=list, max_length=8)
    #: The light to draw (DAY, NIGHT, DAWN, DUSK …) when it is not the heading's own: a
    #: CONTINUOUS scene keeps the light of the scene before. Empty: read from the heading.
    light: str = Field(default="", max_length=40)
    #: INT, EXT or INT/EXT when the heading does not say (an insert inherits its scene's).
    int_ext: str = Field(default="", pattern=r"^(|INT|EXT|INT/EXT)$")
    #: "title" draws a title card with the action as its text; anything else is a shot.
    kind: str = Field(default="shot", pattern=r"^(shot|insert|pov|title)$")

    @field_validator("shot_size", mode="before")
    @classmethod
    def _upper(cls, v: Any) -> Any:
        return v.strip().upper() if isinstance(v, str) else v

    @field_validator("angle", "move", mode="before")
    @classmethod
    def _alias(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = v.strip().lower()
            return _ALIASES.get(v, v)
        return v

    @field_validator("palette")
    @classmethod
    def _colours(cls, v: list[str]) -> list[str]:
        for c in v:
            if not re.fullmatch(r"#[0-9a-fA-F]{6}", c):
                raise ValueError(f"palette colour {c!r} is not #rrggbb")
        return v

    @property
    def height(self) -> int:
        """Frame height from width and aspect, rounded to an even number (H.264 needs it)."""
        a, b = (float(x) for x in self.aspect.split(":"))
        return max(2, round(self.width * b / a / 2) * 2)

    @property
    def size(self) -> tuple[int, int]:
        return (self.width - self.width % 2, self.height)

    @property
    def frame_count(self) -> int:
        return max(1, round(self.duration * self.fps))

    @property
    def interior(self) -> bool:
        int_ext = self.int_ext or headings.parse_heading(self.heading).int_ext
        return int_ext.startswith("INT")

    @property
    def time_of_day(self) -> str:
        """The light to draw — DAY, NIGHT, DAWN or DUSK — read with the app's one heading
        grammar (NIGHT (1968), NIGHT [CONTINUOUS], `, NIGHT` are all night)."""
        word = self.light or headings.parse_heading(self.heading).time_of_day
        return headings.light_of(word) if word else "DAY"


def _reason(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "spec"
    if first["type"] == "missing":
        return f"missing required key “{where}”"
    return f"bad value for “{where}”: {first['msg']}"


def parse(data: Any) -> ShotSpec:
    """A ShotSpec from decoded JSON, or `SpecError` with a one-line reason."""
    if not isinstance(data, dict):
        raise SpecError("a shot spec must be a JSON object")
    try:
        return ShotSpec.model_validate(data)
    except ValidationError as err:
        raise SpecError(_reason(err)) from None


def load(path: Path) -> ShotSpec:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SpecError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SpecError(f"{path} is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(f"{path} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    return parse(data)
