"""The video render's job kind. The render itself is an operation in core
(`core/operations/video_render.py`), its provider the registry's for the model id."""

from __future__ import annotations

from aiuteur_desktop.core.operations.video_render import VideoRender

VIDEO_RENDER = VideoRender.kind
