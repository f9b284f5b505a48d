"""The cost model: prices from `resources/pricing.toml`, estimates, and the budget caps.

Money is only spent where the user approved it: every paid job gets an estimate
before it is submitted, and a job that would pass a cap is refused with a clear
message instead of being sent.
"""

from __future__ import annotations

import fnmatch
import math
import time
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiuteur_desktop.core.app import paths
from aiuteur_desktop.core.app.models_catalogue import rendered_seconds
from aiuteur_desktop.core.app.resources import read_text
from aiuteur_desktop.core.errors import GateClosed

PRICING_FILE = "pricing.toml"


class BudgetExceeded(GateClosed):
    """Submitting this job would pass a spending cap."""


class PriceUnknown(GateClosed):
    """No price is known for this model, so its cost cannot be estimated."""


def text_price(model_id: str, input_tokens: int, output_tokens: int) -> float:
    """What a text request may cost at most; PriceUnknown (naming the model) when there is
    no price — a paid model is never treated as free (a local server's price is 0)."""
    try:
        return PriceTable.load().text(model_id, input_tokens, output_tokens)
    except PriceUnknown as exc:
        raise PriceUnknown(unknown_price_message(model_id)) from exc


def unknown_price_message(model_id: str) -> str:
    return (
        f"Aiuteur has no price for {model_id}, so it cannot tell what this would cost and "
        "does not send it. Add the price in Settings → Budget → Edit my prices…, or pick a "
        "model with a known price."
    )


@dataclass(frozen=True)
class Price:
    capability: str
    pattern: str
    values: dict[str, Any]

    @property
    def source(self) -> str:
        return str(self.values.get("source", ""))


class PriceTable:
    """Prices by capability and model pattern; the user's overrides win over the shipped table.

    A price is a finite number ≥ 0, and 0 only in an entry that says `free = true`: a price
    typed as `nan`, `inf`, a negative number, text, a list or a table — or an entry that is
    not a table — makes that model unpriced (refused, naming the file and line), never $0.
    """

    def __init__(
        self, tables: list[dict[str, Any]], sources: list[tuple[str, str]] | None = None
    ) -> None:
        self._entries: dict[str, dict[str, dict[str, Any]]] = {}
        #: (capability, pattern) → (file, its text): where an entry was written.
        self._where: dict[tuple[str, str], tuple[str, str]] = {}
        for n, table in enumerate(tables):
            source = sources[n] if sources and n < len(sources) else (PRICING_FILE, "")
            for capability in ("text", "image", "video", "speech"):
                section = table.get(capability)
                if not isinstance(section, dict):
                    continue
                for pattern, values in section.items():
                    entries = self._entries.setdefault(capability, {})
                    before = entries.get(pattern)
                    # An override of some rates of an entry keeps the others (a new audio
                    # rate alone does not make the video free).
                    if isinstance(before, dict) and isinstance(values, dict):
                        values = {**before, **values}
                    entries[pattern] = values
                    self._where[(capability, pattern)] = source

    @classmethod
    def load(cls, home: Path | None = None) -> PriceTable:
        shipped = read_text(PRICING_FILE)
        tables = [tomllib.loads(shipped)]
        sources = [(f"the shipped {PRICING_FILE}", shipped)]
        override = (home or paths.app_home()) / PRICING_FILE
        if override.is_file():
            try:
                text = override.read_text(encoding="utf-8")
                tables.append(tomllib.loads(text))
                sources.append((str(override), text))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise GateClosed(
                    f"Your price overrides in {override} cannot be read ({exc}). Fix or remove "
                    "the file; until then paid jobs are not estimated."
                ) from exc
        return cls(tables, sources)

    def _bad(self, price: Price, model: str, what: str) -> PriceUnknown:
        file, text = self._where.get((price.capability, price.pattern), (PRICING_FILE, ""))
        line = next(
            (n for n, row in enumerate(text.splitlines(), 1) if f'"{price.pattern}"' in row), 0
        )
        at = f"{file}, line {line}" if line else file
        return PriceUnknown(
            f'The price of {model} ({price.capability}."{price.pattern}" in {at}) {what}, so '
            "Aiuteur cannot tell what it would cost and does not send it. Correct it in "
            "Settings → Budget → Edit my prices…"
        )

    def _amount(self, price: Price, model: str, key: str, raw: Any, *, zero: bool = False) -> float:
        """A rate of `price` as a number, or PriceUnknown saying what is wrong with it."""
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            kind = "missing" if raw is None else f"{type(raw).__name__} {raw!r}"[:60]
            raise self._bad(price, model, f"has {key} = {kind}, not a number")
        if not math.isfinite(raw) or raw < 0:
            raise self._bad(price, model, f"has {key} = {raw!r}, not a price")
        if raw == 0 and not zero and price.values.get("free") is not True:
            raise self._bad(price, model, f"has {key} = 0 without `free = true`")
        return float(raw)

    def find(self, capability: str, model: str) -> Price | None:
        """The entry for `provider:model`: exact id first, then the most specific pattern."""
        entries = self._entries.get(capability, {})
        if model in entries:
            return Price(capability, model, entries[model])
        matches = [p for p in entries if fnmatch.fnmatchcase(model, p)]
        if not matches:
            return None
        best = max(matches, key=lambda p: len(p.replace("*", "")))
        return Price(capability, best, entries[best])

    def _need(self, capability: str, model: str) -> Price:
        price = self.find(capability, model)
        if price is None:
            raise PriceUnknown(
                f"No price is known for {model}. Add it to {PRICING_FILE} in the app library "
                "folder (Settings → Data) so Aiuteur can estimate and cap what it costs."
            )
        if not isinstance(price.values, dict):
            bad = Price(capability, price.pattern, {})
            raise self._bad(bad, model, f"is {price.values!r}, not a table of rates"[:200])
        return price

    def text(self, model: str, input_tokens: int, output_tokens: int) -> float:
        price = self._need("text", model)
        v = price.values
        per_in = self._amount(price, model, "input_per_mtok", v.get("input_per_mtok"))
        per_out = self._amount(price, model, "output_per_mtok", v.get("output_per_mtok"))
        return round(input_tokens * per_in / 1e6 + output_tokens * per_out / 1e6, 6)

    def image(self, model: str, count: int = 1, tier: str = "default") -> float:
        price = self._need("image", model)
        per = price.values.get("per_image")
        if not isinstance(per, dict):
            raise self._bad(price, model, f"has per_image = {per!r}, not a table of prices"[:200])
        unit = per.get(tier, per.get("default"))
        if unit is None:
            raise PriceUnknown(f"No price for {tier} images from {model} in {PRICING_FILE}.")
        return round(self._amount(price, model, f"per_image.{tier}", unit) * count, 6)

    def speech(self, model: str, characters: int) -> float:
        """A spoken line's price: the provider bills its text by the character (or by tokens
        the shipped table turns into a price per character)."""
        price = self._need("speech", model)
        per = self._amount(price, model, "per_mchar", price.values.get("per_mchar"))
        return round(max(1, characters) * per / 1e6, 6)

    def video(self, model: str, seconds: float, audio: bool, end_frame: bool = False) -> float:
        return round(sum(self.video_parts(model, seconds, audio, end_frame).values()), 6)

    def video_parts(
        self, model: str, seconds: float, audio: bool, end_frame: bool = False
    ) -> dict[str, float]:
        """A render's price by part (Stage 11's breakdown): "video" (seconds × the silent
        rate), "audio" (what sound adds: seconds × the difference to the audio rate) and
        "end frame" (seconds × `per_second_end_frame`, for a model that charges for the
        end-frame path; never on a start-frame-only render). Parts that cost nothing are
        still listed, so a reader sees they were counted."""
        price = self._need("video", model)
        v = price.values
        seconds = rendered_seconds(model, seconds)  # a model bills the length it renders
        silent = self._amount(price, model, "per_second", v.get("per_second"))
        with_sound = (
            self._amount(price, model, "per_second_audio", v["per_second_audio"])
            if "per_second_audio" in v
            else silent
        )
        parts = {"video": round(silent * seconds, 6)}
        if audio:
            parts["audio"] = round(max(0.0, with_sound - silent) * seconds, 6)
        if end_frame:
            extra = v.get("per_second_end_frame", 0)
            added = self._amount(price, model, "per_second_end_frame", extra, zero=True)
            parts["end frame"] = round(added * seconds, 6)
        return parts

    def source(self, capability: str, model: str) -> str:
        """Where a model's price comes from ("" when it has none)."""
        price = self.find(capability, model)
        return price.source if price is not None else ""


def month_start(now: float | None = None) -> float:
    t = datetime.fromtimestamp(time.time() if now is None else now)
    return datetime(t.year, t.month, 1).timestamp()


_USER_PRICES_TEMPLATE = """\
# Your prices (US dollars). Entries here win over the table shipped with Aiuteur.
# Same layout as the shipped table; a model matches its exact id first, then the
# most specific pattern ending in "*". Example (remove the leading "# " to use it):
#
# [video."google:veo-3.1-generate*"]
# per_second = 0.20
# per_second_audio = 0.40
# source = "my Google Cloud contract, 2026-11"
"""


def user_price_file(home: Path | None = None) -> Path:
    """The user's price overrides file, created with a commented example if missing."""
    path = (home or paths.app_home()) / PRICING_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_USER_PRICES_TEMPLATE, encoding="utf-8")
    return path
