"""Prices, estimates and the budget caps."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiuteur_desktop.core.app.settings import Budget
from aiuteur_desktop.core.jobs import Submission
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.money import prices, spend


def test_shipped_prices_match_by_most_specific_pattern(aiuteur_home: Path) -> None:
    table = prices.PriceTable.load()
    assert table.find("text", "openai:gpt-5-mini-2026-08").pattern == "openai:gpt-5-mini*"
    assert table.find("text", "openai:gpt-5.1").pattern == "openai:gpt-5*"
    assert table.text("openai:gpt-5.1", 1_000_000, 100_000) == pytest.approx(1.25 + 1.0)
    assert table.video("google:veo-3.1-generate-001", 8, audio=True) == pytest.approx(3.2)
    assert table.video("google:veo-3.1-generate-001", 8, audio=False) == pytest.approx(1.6)
    assert table.image("openai:gpt-image-2.5", 2, "high") == pytest.approx(0.334)
    assert (
        table.image("offline:storyboard") == 0.0 and table.video("offline:animatic", 8, True) == 0
    )
    assert table.text("local:llama3", 5000, 5000) == 0.0
    assert all(table.find(c, m).source for c, m in [("video", "google:veo-3.1-lite-x")])


def test_unknown_models_cannot_be_estimated(aiuteur_home: Path) -> None:
    with pytest.raises(prices.PriceUnknown, match="No price is known for openai:o9"):
        prices.PriceTable.load().text("openai:o9", 1, 1)


def test_user_overrides_win_and_broken_ones_say_so(aiuteur_home: Path) -> None:
    aiuteur_home.mkdir(parents=True, exist_ok=True)
    (aiuteur_home / "pricing.toml").write_text(
        '[video."google:veo-3.1-generate*"]\nper_second = 0.5\nper_second_audio = 0.75\n'
        'source = "my contract"\n'
    )
    table = prices.PriceTable.load()
    assert table.video("google:veo-3.1-generate-001", 8, True) == pytest.approx(6.0)
    assert table.find("video", "google:veo-3.1-generate-001").source == "my contract"
    (aiuteur_home / "pricing.toml").write_text("[video\nbroken")
    with pytest.raises(prices.GateClosed, match="cannot be read"):
        prices.PriceTable.load()


def test_budget_caps_refuse_before_anything_is_spent() -> None:
    budget = Budget(monthly_cap_usd=10.0, project_cap_usd=4.0)
    spend.Money(6.0, 0.5, budget.monthly_cap_usd, budget.project_cap_usd).check(3.2)
    with pytest.raises(prices.BudgetExceeded, match="monthly budget"):
        spend.Money(7.0, 0.0, budget.monthly_cap_usd, budget.project_cap_usd).check(3.2)
    with pytest.raises(prices.BudgetExceeded, match=r"project's \$4\.00 budget"):
        spend.Money(0.0, 1.0, budget.monthly_cap_usd, budget.project_cap_usd).check(3.2)
    spend.Money(99, 99, monthly_cap=0.0).check(0.0)
    spend.Money(0, 0).check(500.0)


def test_committed_money_counts_spent_and_pending(library: Library) -> None:
    store = library.jobs
    done = store.add(Submission("k", "A", "google:veo", {}, project="/p/A.aiuteur", estimate=3.2))
    store.start(done.id)
    store.succeed(done.id, {}, cost=3.0)
    store.add(Submission("k", "B", "google:veo", {}, project="/p/A.aiuteur", estimate=1.6))
    failed = store.add(Submission("k", "C", "google:veo", {}, project="/p/B.aiuteur", estimate=2.0))
    store.fail(failed.id, "refused")
    assert store.committed() == pytest.approx(4.6)
    assert store.committed(project="/p/A.aiuteur") == pytest.approx(4.6)
    assert store.committed(project="/p/B.aiuteur") == 0.0
    assert store.committed(since=prices.month_start() + 10**9) == 0.0


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("per_second = nan\nper_second_audio = nan", "nan"),
        ("per_second = inf\nper_second_audio = inf", "inf"),
        ("per_second = -0.4\nper_second_audio = 0.4", "-0.4"),
        ('per_second = "0.40"\nper_second_audio = 0.4', "str '0.40'"),
        ("per_second = [0.4]\nper_second_audio = 0.4", "list"),
        ("per_second = { usd = 0.4 }\nper_second_audio = 0.4", "dict"),
        ("per_second = true\nper_second_audio = 0.4", "bool"),
        ("per_second = 0\nper_second_audio = 0", "0 without `free = true`"),
    ],
)
def test_a_price_the_user_typed_that_is_not_a_price_makes_the_model_unpriced(
    aiuteur_home: Path, written: str, said: str
) -> None:
    """Never $0, never $nan, never a crash: refused, naming the file and the line."""
    aiuteur_home.mkdir(parents=True, exist_ok=True)
    override = aiuteur_home / "pricing.toml"
    override.write_text(
        f'[meta]\nupdated = "today"\n\n[video."google:veo-3.1-generate*"]\n{written}\n',
        encoding="utf-8",
    )
    table = prices.PriceTable.load()
    with pytest.raises(prices.PriceUnknown) as raised:
        table.video("google:veo-3.1-generate-001", 8, audio=True)
    message = raised.value.user_message
    assert said in message and f"{override}, line 4" in message
    assert "does not send it" in message


def test_an_entry_that_is_not_a_table_makes_the_model_unpriced(aiuteur_home: Path) -> None:
    aiuteur_home.mkdir(parents=True, exist_ok=True)
    (aiuteur_home / "pricing.toml").write_text(
        '[image]\n"google:gemini-3-pro-image*" = 0.134\n', encoding="utf-8"
    )
    with pytest.raises(prices.PriceUnknown) as raised:
        prices.PriceTable.load().image("google:gemini-3-pro-image-preview")
    assert "not a table" in raised.value.user_message
    assert "line 2" in raised.value.user_message


def test_free_entries_say_so(aiuteur_home: Path) -> None:
    table = prices.PriceTable.load()
    assert table.video("offline:animatic", 8, audio=True) == 0.0
    assert table.text("local:llama3.1", 1000, 1000) == 0.0


def test_an_override_keeps_the_rates_it_does_not_name_and_a_new_entry_needs_them(
    aiuteur_home: Path,
) -> None:
    aiuteur_home.mkdir(parents=True, exist_ok=True)
    (aiuteur_home / "pricing.toml").write_text(
        '[video."google:veo-3.1-generate*"]\nper_second_audio = 0.5\n\n'
        '[video."other:clipmaker*"]\nper_second_audio = 0.5\n',
        encoding="utf-8",
    )
    table = prices.PriceTable.load()
    # The shipped silent rate stays; the audio rate is the user's.
    assert table.video("google:veo-3.1-generate-001", 8, audio=True) == pytest.approx(4.0)
    with pytest.raises(prices.PriceUnknown, match="per_second = missing"):
        table.video("other:clipmaker-2", 8, audio=True)


def test_the_caps_room_is_weighed_in_one_place() -> None:
    """Stage 11's "over the cap", the question before a paid job and the scheduler's refusal
    all read the same room: the smaller of what the monthly and project caps leave."""
    money = spend.Money(spent_month=8.0, spent_project=1.0, monthly_cap=10.0, project_cap=5.0)
    assert money.room == pytest.approx(2.0) and money.month_left == pytest.approx(2.0)
    assert money.over(1.5, "Rendering this scene", "render fewer shots") == ""
    said = money.over(3.0, "Rendering this scene", "render fewer shots")
    assert "about $3.00" in said and "$2.00 left" in said and said.endswith("fewer shots.")
    question = spend.spend_question("Two keys", 0.08, "OpenAI, 2026-11", money)
    assert "$2.00 of your $10.00 monthly budget is left" in question
    with pytest.raises(prices.BudgetExceeded, match="monthly budget"):
        money.check(2.5)
    uncapped = spend.Money(spent_month=500.0, spent_project=None)
    assert uncapped.room is None and uncapped.over(1_000.0, "Rendering") == ""
    assert "budget is left" not in spend.spend_question("A render", 6.0, "", uncapped)
    project_only = spend.Money(spent_month=0.0, spent_project=4.5, project_cap=5.0)
    assert project_only.room == pytest.approx(0.5) and project_only.month_left is None
