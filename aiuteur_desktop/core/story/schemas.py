"""The validated shapes of every Phase A model answer (nothing unvalidated is written)."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator, model_validator

from aiuteur_desktop.core.screenplay import fountain
from aiuteur_desktop.core.screenplay.headings import starts_heading


# ------------------------------------------------------------- model schemas
class TreatmentOut(BaseModel):
    title: str = Field(min_length=1)
    logline: str
    text: str = Field(min_length=200)


class BeatOut(BaseModel):
    text: str = Field(min_length=5)
    source: str


class BeatSheetOut(BaseModel):
    beats: list[BeatOut] = Field(min_length=15, max_length=30)


class BeatTextOut(BaseModel):
    text: str = Field(min_length=5)


class AlternativesOut(BaseModel):
    alternatives: list[str] = Field(min_length=3, max_length=3)


class SubBeatsOut(BaseModel):
    beats: list[str] = Field(min_length=2, max_length=4)


class RewriteOut(BaseModel):
    replacement: str = Field(min_length=1)


class SummaryOut(BaseModel):
    summary: str = Field(min_length=20)


class SceneOut(BaseModel):
    heading: str
    beats: list[int]
    body: str = Field(min_length=1)

    @field_validator("heading")
    @classmethod
    def _heading(cls, value: str) -> str:
        value = value.strip().lstrip(".").upper()
        if not starts_heading(value):
            raise ValueError(
                "a scene heading starts with INT. or EXT. (e.g. “INT. KITCHEN - NIGHT”)"
            )
        return value


class ScriptOut(BaseModel):
    title: str
    scenes: list[SceneOut] = Field(min_length=1)

    @model_validator(mode="after")
    def _parses(self) -> ScriptOut:
        for n, scene in enumerate(self.scenes, 1):
            if not fountain.read_string(scene.body).elements:
                raise ValueError(f"scene {n} has no readable screenplay text")
        return self


class PropOut(BaseModel):
    name: str = Field(min_length=1)
    description: str


class PropsOut(BaseModel):
    props: list[PropOut] = Field(max_length=40)


# ------------------------------------------------ Stage 7's agentic tools
class LineOut(BaseModel):
    character: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1, max_length=4000)


class SplitPartOut(BaseModel):
    action: str = Field(default="", max_length=8000)
    dialogue: list[LineOut] = Field(default_factory=list, max_length=60)
    shot_size: str = Field(default="", max_length=8)


class SplitOut(BaseModel):
    shots: list[SplitPartOut] = Field(min_length=2, max_length=2)


class RewordOut(BaseModel):
    action: str = Field(max_length=8000)
    characters: list[str] = Field(default_factory=list, max_length=40)


class TempoNoteOut(BaseModel):
    shot: str = Field(min_length=1, max_length=12)
    note: str = Field(min_length=3, max_length=400)


class TempoOut(BaseModel):
    notes: list[TempoNoteOut] = Field(default_factory=list, max_length=200)


#: Tokens an answer of each schema is given (its fields at their longest, as JSON): a request
#: asks for this much room, not for everything the model could write.
ANSWER_TOKENS: dict[str, int] = {
    "TreatmentOut": 4000,
    "BeatSheetOut": 4000,
    "BeatTextOut": 600,
    "AlternativesOut": 1200,
    "SubBeatsOut": 1200,
    "RewriteOut": 2500,
    "SummaryOut": 2500,
    "ScriptOut": 8000,
    "PropsOut": 2000,
    "SplitOut": 3000,
    "RewordOut": 2500,
    "TempoOut": 2500,
}


def answer_tokens(schema: str) -> int:
    return ANSWER_TOKENS.get(schema, 4000)


SCHEMAS: dict[str, type[BaseModel]] = {
    m.__name__: m
    for m in (
        TreatmentOut,
        BeatSheetOut,
        BeatTextOut,
        AlternativesOut,
        SubBeatsOut,
        RewriteOut,
        SummaryOut,
        ScriptOut,
        PropsOut,
        SplitOut,
        RewordOut,
        TempoOut,
    )
}
