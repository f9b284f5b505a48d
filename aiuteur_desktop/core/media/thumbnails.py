"""Small PNG previews of stored images and videos (first frame), made off the UI thread."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import ImageOps

from aiuteur_desktop.core.media.imaging import open_image


def thumbnail_png(path: Path, mime: str, size: int = 360) -> bytes | None:
    """A PNG no larger than `size`×`size`, or None when the file cannot be decoded."""
    try:
        if mime.startswith("image/"):
            with open_image(path) as im:
                # Decoded at a fraction of its size where the format allows (JPEG draft).
                im.draft("RGB", (size * 2, size * 2))
                frame = ImageOps.exif_transpose(im).convert("RGB")
        elif mime.startswith("video/"):
            import av

            with av.open(str(path)) as container:
                stream = next(iter(container.streams.video), None)
                if stream is None:
                    return None
                frame = next(container.decode(stream)).to_image()
        else:
            return None
        frame.thumbnail((size, size))
        out = io.BytesIO()
        frame.save(out, format="PNG")
        return out.getvalue()
    except Exception:  # damaged or unsupported media: the Vault says "no preview"
        return None
