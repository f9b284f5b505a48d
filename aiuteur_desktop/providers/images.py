"""Image generation and region edits: OpenAI gpt-image and Google "Nano Banana" (Gemini image).

Both return PNG bytes. A region edit keeps every pixel outside the mask as it
was: the model's answer is composited back through the mask, so a model that
repaints more than it was asked to cannot change the rest of an approved frame.
"""

from __future__ import annotations

import base64
import io

from PIL import Image

from aiuteur_desktop.core.errors import ProviderError
from aiuteur_desktop.core.media.imaging import ImageTooLarge, open_image
from aiuteur_desktop.core.provider_api import Capabilities, ImageResult, ImageSubject, Usage
from aiuteur_desktop.providers.connections import (
    map_google_error,
    map_openai_error,
    openai_http_client,
)

__all__ = ["GeminiImages", "ImageResult", "OpenAIImages"]


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _open(data: bytes) -> Image.Image:
    try:
        with open_image(data) as im:
            return im.convert("RGB")
    except ImageTooLarge as exc:
        raise ProviderError("bad_output", exc.user_message) from exc
    except (OSError, ValueError) as exc:
        raise ProviderError(
            "bad_output", "The provider returned an image that cannot be read."
        ) from exc


def keep_outside_mask(original: bytes, edited: bytes, mask: bytes) -> bytes:
    """The edit inside the mask (white = change), the original everywhere else."""
    base = _open(original)
    new = _open(edited).resize(base.size, Image.Resampling.LANCZOS)
    with open_image(mask) as m:
        region = m.convert("L").resize(base.size, Image.Resampling.NEAREST)
    region = region.point(lambda v: 255 if v >= 128 else 0)
    base.paste(new, (0, 0), region)
    return _png(base)


def openai_mask(mask: bytes) -> bytes:
    """OpenAI's convention: transparent pixels mark where to edit (ours: white)."""
    with open_image(mask) as m:
        region = m.convert("L")
    rgba = Image.new("RGBA", region.size, (0, 0, 0, 255))
    rgba.putalpha(region.point(lambda v: 0 if v >= 128 else 255))
    return _png(rgba)


class OpenAIImages:
    """gpt-image models (the model id is a setting: gpt-image-1 is retired)."""

    id = "openai"
    capabilities = Capabilities(image=True, mask_edit=True, max_references=16)

    def __init__(
        self, api_key: str, base_url: str | None = None, *, timeout: float = 180.0
    ) -> None:
        import openai

        self.client = openai.OpenAI(
            api_key=api_key,
            base_url=base_url or None,
            max_retries=0,
            timeout=timeout,
            http_client=openai_http_client(),
        )

    def _result(self, response: object, model: str) -> ImageResult:
        data = getattr(response, "data", None) or []
        if not data or not getattr(data[0], "b64_json", None):
            raise ProviderError("bad_output", "OpenAI returned no image.")
        usage = getattr(response, "usage", None)
        tokens = (getattr(usage, "input_tokens", 0) or 0, getattr(usage, "output_tokens", 0) or 0)
        return ImageResult(base64.b64decode(data[0].b64_json), model, Usage(*tokens, images=1))

    def generate(
        self,
        prompt: str,
        model: str,
        references: list[bytes] | None = None,
        *,
        size: str = "1536x1024",
        quality: str = "medium",
        subject: ImageSubject | None = None,
    ) -> ImageResult:
        import openai

        try:
            if references:
                files = [(f"ref{i}.png", ref, "image/png") for i, ref in enumerate(references)]
                response = self.client.images.edit(
                    model=model,
                    image=files,
                    prompt=prompt,
                    size=size,
                    quality=quality,  # type: ignore[arg-type]
                )
            else:
                response = self.client.images.generate(
                    model=model,
                    prompt=prompt,
                    size=size,
                    quality=quality,  # type: ignore[arg-type]
                )
        except openai.OpenAIError as exc:
            raise map_openai_error(exc, "OpenAI") from exc
        return self._result(response, model)

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
        import openai

        files = [("frame.png", image, "image/png")]
        files += [(f"ref{i}.png", ref, "image/png") for i, ref in enumerate(references or [])]
        try:
            response = self.client.images.edit(
                model=model,
                image=files,  # type: ignore[arg-type]
                mask=("mask.png", openai_mask(mask), "image/png"),
                prompt=prompt,
            )
        except openai.OpenAIError as exc:
            raise map_openai_error(exc, "OpenAI") from exc
        result = self._result(response, model)
        return ImageResult(keep_outside_mask(image, result.png, mask), model, result.usage)


class GeminiImages:
    """Nano Banana (Gemini image models) with reference images; edits by instruction + mask."""

    id = "google"
    capabilities = Capabilities(image=True, mask_edit=True, max_references=14)

    def __init__(
        self, api_key: str, base_url: str | None = None, *, timeout: float = 180.0
    ) -> None:
        from google import genai
        from google.genai import types

        self._types = types
        self.client = genai.Client(
            api_key=api_key,
            http_options=types.HttpOptions(base_url=base_url or None, timeout=int(timeout * 1000)),
        )

    def _call(self, model: str, parts: list[object], aspect_ratio: str) -> ImageResult:
        t = self._types
        try:
            response = self.client.models.generate_content(
                model=model,
                contents=parts,  # type: ignore[arg-type]
                config=t.GenerateContentConfig(
                    response_modalities=["IMAGE"],
                    image_config=t.ImageConfig(aspect_ratio=aspect_ratio),
                ),
            )
        except Exception as exc:
            raise map_google_error(exc, "The Gemini API") from exc
        feedback = getattr(response, "prompt_feedback", None)
        if feedback is not None and feedback.block_reason:
            reason = str(feedback.block_reason).rsplit(".", 1)[-1]
            raise ProviderError("safety", f"The Gemini API blocked this image request ({reason}).")
        for candidate in response.candidates or []:
            for part in (candidate.content.parts if candidate.content else None) or []:
                if part.inline_data is not None and part.inline_data.data:
                    meta = response.usage_metadata
                    usage = Usage(
                        (meta.prompt_token_count or 0) if meta else 0,
                        (meta.candidates_token_count or 0) if meta else 0,
                        images=1,
                    )
                    return ImageResult(_png(_open(part.inline_data.data)), model, usage)
        raise ProviderError("bad_output", "The Gemini API answered without an image. Try again.")

    def generate(
        self,
        prompt: str,
        model: str,
        references: list[bytes] | None = None,
        *,
        aspect_ratio: str = "16:9",
        subject: ImageSubject | None = None,
    ) -> ImageResult:
        t = self._types
        parts: list[object] = [prompt]
        parts += [t.Part.from_bytes(data=ref, mime_type="image/png") for ref in references or []]
        return self._call(model, parts, aspect_ratio)

    def edit(
        self,
        image: bytes,
        mask: bytes,
        prompt: str,
        model: str,
        references: list[bytes] | None = None,
        *,
        aspect_ratio: str = "16:9",
        subject: ImageSubject | None = None,
    ) -> ImageResult:
        t = self._types
        instruction = (
            f"{prompt}\n\nThe first image is the frame to edit. The second image is a mask: change "
            "only the area that is white in the mask and keep everything else exactly as it is."
        )
        parts: list[object] = [
            instruction,
            t.Part.from_bytes(data=image, mime_type="image/png"),
            t.Part.from_bytes(data=mask, mime_type="image/png"),
        ]
        parts += [t.Part.from_bytes(data=ref, mime_type="image/png") for ref in references or []]
        result = self._call(model, parts, aspect_ratio)
        return ImageResult(keep_outside_mask(image, result.png, mask), model, result.usage)
