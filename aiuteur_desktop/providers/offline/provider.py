"""The offline engines as providers: what they can do, what they cost (nothing), and provenance.

Every render returns the record a stored artifact keeps (provider, model,
engine version, parameters, cost), so an offline panel or animatic can be
explained and reproduced exactly like a cloud generation.
"""

from __future__ import annotations

import io
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.media.imaging import open_image, unreadable
from aiuteur_desktop.core.production.shots.spec import ShotSpec
from aiuteur_desktop.core.provider_api import (
    Capabilities,
    ImageResult,
    ImageSubject,
    Usage,
    VideoRequest,
)
from aiuteur_desktop.providers.offline import animatic, cards, drawing, panels, region_edit, tts

#: Which drawing an offline picture or clip came from: 2 has sets, poses and faces, so clips
#: drawn by 1 are drawn again once.
ENGINE_VERSION = "2"


@dataclass(frozen=True)
class Rendered:
    """Bytes (PNG) or a file, with the provenance to store next to it."""

    provenance: dict[str, Any]
    data: bytes = b""
    path: Path | None = None
    info: dict[str, Any] = field(default_factory=dict)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def anchor_png(
    spec: ShotSpec,
    which: str,
    *,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    """An anchor frame as PNG, as the drawing process makes it (`drawing.call`)."""
    return _png(panels.render_anchor(spec, which))


def _provenance(model: str, parameters: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "provider": "offline",
        "model": model,
        "engine_version": ENGINE_VERSION,
        "parameters": parameters,
        "cost": 0.0,
        **extra,
    }


class OfflineStoryboard:
    """Image provider: storyboard anchor frames, panels, region edits and asset cards."""

    id = "offline:storyboard"
    capabilities = Capabilities(image=True, end_frame=True, mask_edit=True, max_references=12)

    def generate(
        self,
        prompt: str,
        model: str = "storyboard",
        references: list[bytes] | None = None,
        *,
        subject: ImageSubject | None = None,
    ) -> ImageResult:
        """`ImageProvider`: a key card drawn from what the picture is of (free, no network)."""
        subject = subject or ImageSubject("frame", prompt[:60], prompt)
        if subject.kind == "frame" and subject.spec:
            # An anchor frame: drawn from the shot itself — its set, light, camera and the
            # characters' keys — so frames of one place and light stay alike down the chain.
            spec = ShotSpec.model_validate(subject.spec)
            which = "end" if subject.which == "end" else "start"
            return ImageResult(
                drawing.call(anchor_png, spec, which), f"offline:{model}", Usage(images=1)
            )
        image = cards.render_card(subject.kind, subject.name, subject.description)
        return ImageResult(cards.card_png(image), f"offline:{model}", Usage(images=1))

    def frame(self, spec: ShotSpec, which: str = "start") -> Rendered:
        params = {"spec": spec.model_dump(mode="json"), "which": which}
        return Rendered(_provenance("storyboard", params), drawing.call(anchor_png, spec, which))

    def panel(self, spec: ShotSpec) -> Rendered:
        params = {"spec": spec.model_dump(mode="json")}
        return Rendered(_provenance("storyboard-panel", params), _png(panels.render_panel(spec)))

    def edit(
        self,
        image: bytes,
        mask: bytes,
        prompt: str,
        model: str = "storyboard",
        references: list[bytes] | None = None,
        *,
        subject: ImageSubject | None = None,
    ) -> ImageResult:
        """`ImageProvider`: the masked region redrawn from the shot (`subject.spec`); every
        pixel outside the mask stays as it was."""
        spec = ShotSpec.model_validate(
            (subject.spec if subject is not None else None) or {"heading": "INT. SET"}
        )
        rendered = self.region_edit(image, mask, prompt, spec)
        return ImageResult(rendered.data, f"offline:{model}", Usage(images=1))

    def region_edit(
        self, image_png: bytes, mask_png: bytes, instruction: str, spec: ShotSpec
    ) -> Rendered:
        try:
            with open_image(image_png) as im, open_image(mask_png) as mask:
                edited = region_edit.edit_region(im, mask, instruction, spec)
        except (OSError, EOFError) as exc:  # a cut-off or damaged picture, said plainly
            raise ProviderError("bad_request", unreadable("The frame", exc)) from None
        params = {"spec": spec.model_dump(mode="json"), "instruction": instruction}
        return Rendered(_provenance("storyboard-edit", params), _png(edited))

    def card(
        self,
        kind: str,
        name: str,
        description: str,
        traits: list[str] | None = None,
        palette: list[str] | None = None,
    ) -> Rendered:
        image = cards.render_card(kind, name, description, traits, palette)
        params = {"kind": kind, "name": name, "description": description, "traits": traits or []}
        return Rendered(_provenance("asset-card", params), cards.card_png(image))


class OfflineAnimatic:
    """Video provider: animatic clips with scratch dialogue, at no cost."""

    id = "offline:animatic"
    capabilities = Capabilities(video=True, end_frame=True, max_duration=60.0, audio=True)

    # `VideoProvider`: the render happens at submit (it is local and quick); the handle
    # names the finished clip, so a restart between submit and download still finds it.
    def submit(self, request: VideoRequest) -> dict[str, Any]:
        from aiuteur_desktop.core.production.shots import spec as shotspec

        spec = shotspec.parse(
            request.spec or {"heading": "INT. SHOT", "action": request.prompt[:4000]}
        )
        spec = spec.model_copy(update={"duration": min(request.duration, 60.0)})
        out = Path(tempfile.gettempdir()) / "aiuteur-offline-video" / f"{uuid.uuid4().hex}.mp4"
        out.parent.mkdir(parents=True, exist_ok=True)
        # The engine draws the same picture every time: a re-render's seed is slated in a
        # corner, so its takes can be told apart.
        slate = f"TAKE {request.seed}" if request.seed and request.seed > 1 else ""
        self.render(
            spec, out, start_png=request.start_frame, end_png=request.end_frame, slate=slate
        )
        return {"operation": f"offline:{out.stem}", "path": str(out)}

    def poll(self, handle: dict[str, Any]) -> tuple[bool, float]:
        return Path(handle["path"]).exists(), 1.0

    def download(self, handle: dict[str, Any]) -> tuple[bytes, str]:
        path = Path(handle["path"])
        data = path.read_bytes()
        path.unlink(missing_ok=True)
        return data, "video/mp4"

    def render(
        self,
        spec: ShotSpec,
        out: Path,
        *,
        start_png: bytes | None = None,
        end_png: bytes | None = None,
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        slate: str = "",
    ) -> Rendered:
        def load(data: bytes | None) -> Image.Image | None:
            if data is None:
                return None
            with open_image(data) as im:
                return im.convert("RGB")

        engine = tts.available()
        info = animatic.render_clip(
            spec,
            out,
            start_image=load(start_png),
            end_image=load(end_png),
            engine=engine,
            progress=progress,
            cancelled=cancelled,
            slate=slate,
        )
        params = {"spec": spec.model_dump(mode="json"), "frames_given": start_png is not None}
        provenance = _provenance(
            "animatic", params, speech=engine.name if engine and info.speech else None
        )
        details = {"frames": info.frames, "duration": info.duration, "speech": info.speech}
        return Rendered(provenance, path=info.path, info=details)
