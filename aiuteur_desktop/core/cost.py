"""The cost model: prices from `resources/pricing.toml`, estimates, and the budget caps.

Money is only spent where the user approved it: every paid job gets an estimate
before it is submitted, and a job that would pass a cap is refused with a clear
message instead of being sent.
"""

from __future__ import annotations

import fnmatch
import time
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiuteur_desktop.core import paths
from aiuteur_desktop.core.errors import GateClosed
from aiuteur_desktop.core.resources import read_text
from aiuteur_desktop.core.settings import Budget

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
    """Prices by capability and model pattern; the user's overrides win over the shipped table."""

    def __init__(self, tables: list[dict[str, Any]]) -> None:
        self._entries: dict[str, dict[str, dict[str, Any]]] = {}
        for table in tables:
            for capability in ("text", "image", "video"):
                for pattern, values in (table.get(capability) or {}).items():
                    self._entries.setdefault(capability, {})[pattern] = values

    @classmethod
    def load(cls, home: Path | None = None) -> PriceTable:
        tables = [tomllib.loads(read_text(PRICING_FILE))]
        override = (home or paths.app_home()) / PRICING_FILE
        if override.is_file():
            try:
                tables.append(tomllib.loads(override.read_text(encoding="utf-8")))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise GateClosed(
                    f"Your price overrides in {override} cannot be read ({exc}). Fix or remove "
                    "the file; until then paid jobs are not estimated."
                ) from exc
        return cls(tables)

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
        return price

    def text(self, model: str, input_tokens: int, output_tokens: int) -> float:
        v = self._need("text", model).values
        cost = input_tokens * float(v.get("input_per_mtok", 0)) / 1e6
        return round(cost + output_tokens * float(v.get("output_per_mtok", 0)) / 1e6, 6)

    def image(self, model: str, count: int = 1, tier: str = "default") -> float:
        per = self._need("image", model).values.get("per_image", {})
        unit = per.get(tier, per.get("default"))
        if unit is None:
            raise PriceUnknown(f"No price for {tier} images from {model} in {PRICING_FILE}.")
        return round(float(unit) * count, 6)

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
        v = self._need("video", model).values
        silent = float(v.get("per_second", 0))
        with_sound = float(v.get("per_second_audio", silent))
        parts = {"video": round(silent * seconds, 6)}
        if audio:
            parts["audio"] = round((with_sound - silent) * seconds, 6)
        if end_frame:
            parts["end frame"] = round(float(v.get("per_second_end_frame", 0)) * seconds, 6)
        return parts

    def source(self, capability: str, model: str) -> str:
        """Where a model's price comes from ("" when it has none)."""
        price = self.find(capability, model)
        return price.source if price is not None else ""


def month_start(now: float | None = None) -> float:
    t = datetime.fromtimestamp(time.time() if now is None else now)
    return datetime(t.year, t.month, 1).timestamp()


def check_budget(
    estimate: float, budget: Budget, *, spent_this_month: float, spent_on_project: float | None
) -> None:
    """Refuse (BudgetExceeded) a job whose estimate would pass the monthly or project cap."""
    if estimate <= 0:
        return
    cap = budget.monthly_cap_usd
    if cap is not None and spent_this_month + estimate > cap + 1e-9:
        raise BudgetExceeded(
            f"This job would cost about ${estimate:,.2f}, and ${spent_this_month:,.2f} of your "
            f"${cap:,.2f} monthly budget is already spent or committed. Raise the cap in "
            "Settings → Budget, or wait until next month."
        )
    cap = budget.project_cap_usd
    if (
        cap is not None
        and spent_on_project is not None
        and spent_on_project + estimate > cap + 1e-9
    ):
        raise BudgetExceeded(
            f"This job would cost about ${estimate:,.2f}, and ${spent_on_project:,.2f} of this "
            f"project's ${cap:,.2f} budget is already spent or committed. Raise the cap in "
            "Settings → Budget to go on."
        )


def spend_question(
    what: str, estimate: float, source: str, budget: Budget, *, spent_this_month: float
) -> str:
    """The sentence shown before a paid job: what, how much, from which price, what is left."""
    text = f"{what} will cost about ${estimate:,.2f}"
    text += f" (price: {source})." if source else "."
    cap = budget.monthly_cap_usd
    if cap is not None:
        left = max(0.0, cap - spent_this_month)
        text += f" ${left:,.2f} of your ${cap:,.2f} monthly budget is left."
    return text


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
