"""Start-up wiring of `providers/`: every job kind and operation made known, with the source
operations run against (the registry, plus story answers), and the provider modules views
may import.

The registry chooses a provider and nothing else; the job modules (`story_jobs`,
`text_jobs`, `image_jobs`, `style_jobs`, `video_jobs`, `offline.jobs`) build on it. This
module sits above both, so nothing in `providers/` imports back into it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiuteur_desktop.core import jobs
from aiuteur_desktop.providers.registry import Registry

#: The provider modules a view may import (checked by import-linter and
#: tests/core/test_layering.py): the registry and this module, the connection settings
#: Settings → Providers shows, the embedders a style library names, and the job kinds and
#: routes of story and style work. Everything else in `providers/` is reached through them.
VIEW_MODULES = (
    "aiuteur_desktop.providers.registry",
    "aiuteur_desktop.providers.startup",
    "aiuteur_desktop.providers.connections",
    "aiuteur_desktop.providers.connection_checks",
    "aiuteur_desktop.providers.embedders",
    "aiuteur_desktop.providers.story_jobs",
    "aiuteur_desktop.providers.style_jobs",
)


class Providers(Registry):
    """The `ProviderSource` operations run with: the registry's providers, and story answers
    (a validated answer to a story request, `story_jobs.run_story`)."""

    def story_answer(
        self,
        ctx: jobs.JobContext,
        params: dict[str, Any],
        on_each: Callable[[int, dict[str, Any]], None] | None = None,
    ) -> tuple[dict[str, Any], float]:
        from aiuteur_desktop.providers.story_jobs import run_story

        return run_story(ctx, params, on_each)


_registered = False


def register_all() -> None:
    """At start-up: every job kind and operation known, with these providers behind them."""
    global _registered
    if _registered:
        return
    from aiuteur_desktop.core import operations
    from aiuteur_desktop.core.operations import (  # noqa: F401
        animatic,
        asset_key,
        cloud_dialogue,
        editor_export,
        frame_image,
        story_answer,
        video_render,
    )
    from aiuteur_desktop.providers import (  # noqa: F401
        image_jobs,
        story_jobs,
        style_jobs,
        text_jobs,
        video_jobs,
    )
    from aiuteur_desktop.providers.offline import jobs  # noqa: F401

    operations.use_providers(lambda settings: Providers(settings))
    _registered = True


def speech_available() -> bool:
    """Scratch dialogue can be spoken (an OS text-to-speech engine was found)."""
    from aiuteur_desktop.providers.offline import tts

    return tts.available() is not None
