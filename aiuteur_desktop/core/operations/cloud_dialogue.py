"""Dialogue with cloud voices (issue "Voice Gallery"): every line of a scene whose speaker has
a cloud voice in Stage 5, spoken by that provider — one paid request, one job, per line,
priced together before any is sent (one confirmation for the scene). Each line lands in the
scene's `voices/<shot>` document with its sound in the media store; a line already spoken
with the same words, voice and style is not asked for again.

Money: each line is a `PaidCall` (refused → retried like any job; a timeout or a cut-off
answer → the job waits for the user's decision, never sent again unasked); the scheduler
checks the caps before each line is sent; the ledger records each line once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.assets import masters, voices
from aiuteur_desktop.core.money.prices import PriceTable, PriceUnknown, unknown_price_message
from aiuteur_desktop.core.operations import Operation, Ran, end_job, register
from aiuteur_desktop.core.production.shots import shot_list
from aiuteur_desktop.core.production.voice_tracks import spoken, voices_path
from aiuteur_desktop.core.provider_api import ProviderSource
from aiuteur_desktop.core.session import Changes
from aiuteur_desktop.core.store import Project

STAGE = 12


def _same(made: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return all(made.get(k) == wanted[k] for k in ("character", "text", "model", "voice", "style"))


@register
@dataclass(frozen=True)
class DialogueLine(Operation):
    kind: ClassVar[str] = "dialogue.line"

    bundle: str
    branch: str
    scene: str
    shot: str
    label: str  # "2B", as the app names the shot
    n: int  # the line's place among the shot's lines
    character: str
    text: str
    model: str
    voice: str
    style: str = ""
    estimate: float = 0.0
    base_url: str | None = None
    paid: bool = True
    stage: int = STAGE

    def job_title(self) -> str:
        return f"Voice: {self.character}, shot {self.label}"

    def run(self, ctx: jobs.JobContext, project: Project, source: ProviderSource) -> Ran:
        return _speak(ctx, project, source, self.model, self.base_url, self.text, self.voice,
                      self.style, self.estimate)  # fmt: skip

    def apply(self, project: Project, result: dict[str, Any]) -> Changes:
        path = voices_path(self.scene, self.shot, self.n)
        made = {
            "n": self.n,
            "character": self.character,
            "text": self.text,
            "model": self.model,
            "voice": self.voice,
            "style": self.style,
            "media": result["media"],
            "seconds": float(result.get("seconds") or 0.0),
        }
        project.write(path, made)
        cost = float(result.get("cost") or 0.0)
        head = project.commit(
            f"Shot {self.label}: {self.character}'s line in a cloud voice",
            kind="generate",
            stage=STAGE,
            cost=cost,
        )
        return Changes(paths=(path,), stages=(STAGE,), scenes=(self.scene,), commit=head.id)


def _speak(
    ctx: jobs.JobContext,
    project: Project,
    source: ProviderSource,
    model: str,
    base_url: str | None,
    text: str,
    voice: str,
    style: str,
    estimate: float,
) -> Ran:
    """One line, one paid request: the sound into the media store, the spend into the
    ledger (what every cloud-voice operation runs)."""
    provider = source.speech(model, base_url)
    name = model.partition(":")[2]
    ctx.progress(0.1)
    with ctx.paid(ctx.job.estimate):
        line = provider.speak(text, voice, name, style=style)
    if ctx.cancelled():
        raise jobs.Cancelled()
    media = end_job(
        project,
        ctx.job,
        provider=model.partition(":")[0],
        model=name,
        kind="speech",
        actual=estimate,
        data=line.wav,
        mime="audio/wav",
        key=ctx.spend_key(),
    )
    ctx.progress(1.0)
    return Ran({"media": media, "seconds": line.seconds, "cost": estimate}, estimate)


def _price(model: str, text: str, table: PriceTable | None = None) -> float:
    try:
        return (table or PriceTable.load()).speech(model, len(text))
    except PriceUnknown as exc:
        raise PriceUnknown(unknown_price_message(model)) from exc


@register
@dataclass(frozen=True)
class VoiceSample(Operation):
    """Stage 5's Test of a cloud voice: a line of the character's spoken once, paid and in
    the ledger like any line, played back; nothing in the story changes."""

    kind: ClassVar[str] = "dialogue.sample"

    bundle: str
    branch: str
    path: str
    character: str
    text: str
    model: str
    voice: str
    style: str = ""
    estimate: float = 0.0
    base_url: str | None = None
    paid: bool = True
    stage: int = 5

    @classmethod
    def prepare(
        cls, project: Project, path: str, profile: voices.Profile, source: ProviderSource
    ) -> VoiceSample:
        text = voices.line_of(project, path)
        return cls(
            bundle=str(project.path),
            branch=project.current_branch,
            path=path,
            character=str(masters.read(project, path)["name"]),
            text=text,
            model=profile.cloud.model,
            voice=profile.cloud.voice,
            style=profile.description,
            estimate=_price(profile.cloud.model, text),
            base_url=source.endpoint(profile.cloud.model),
        )

    def job_title(self) -> str:
        return f"Voice test: {self.character}"

    def run(self, ctx: jobs.JobContext, project: Project, source: ProviderSource) -> Ran:
        return _speak(ctx, project, source, self.model, self.base_url, self.text, self.voice,
                      self.style, self.estimate)  # fmt: skip

    def apply(self, project: Project, result: dict[str, Any]) -> Changes:
        return Changes()  # heard, not kept in the story (its sound stays in the media store)


def plan(project: Project, scene: str, source: ProviderSource) -> list[DialogueLine]:
    """A job per line of the scene still to speak in its speaker's cloud voice, each priced
    (PriceUnknown, naming the model, when one has no price: nothing is sent then)."""
    chosen = voices.cloud_voices(project)
    if not chosen:
        return []
    table = PriceTable.load()
    out: list[DialogueLine] = []
    for shot in shot_list.current(project, scene):
        made = {x["n"]: x for x in spoken(project, scene, shot.id)}
        for n, d in enumerate(shot.dialogue):
            who = " ".join(d.character.upper().split())
            profile = chosen.get(who)
            if profile is None or not d.text.strip():
                continue
            wanted = {
                "character": who,
                "text": " ".join(d.text.split()),
                "model": profile.cloud.model,
                "voice": profile.cloud.voice,
                "style": profile.description,
            }
            if n in made and _same(made[n], wanted):
                continue
            price = _price(profile.cloud.model, wanted["text"], table)
            out.append(
                DialogueLine(
                    bundle=str(project.path),
                    branch=project.current_branch,
                    scene=scene,
                    shot=shot.id,
                    label=shot.label,
                    n=n,
                    character=wanted["character"],
                    text=wanted["text"],
                    model=wanted["model"],
                    voice=wanted["voice"],
                    style=wanted["style"],
                    estimate=price,
                    base_url=source.endpoint(profile.cloud.model),
                )
            )
    return out
