"""The read-only table a feature's long lists use (every shot of the film in Pro Export, a
scene's checkout): its columns fit their longest text wherever it is, without the view asking
the model for every row's cells."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt, QTimer

from aiuteur_desktop.views.kit.text_table import TextRows, TextTable


def test_a_column_fits_its_longest_text_even_far_down_a_feature_s_list(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    asked = {"n": 0}
    data = TextRows.data

    def counted(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
        asked["n"] += 1
        return data(self, index, role)

    monkeypatch.setattr(TextRows, "data", counted)
    table = TextTable(["Shot", "Source", "Exported as"], 2)
    qtbot.addWidget(table)
    table.resize(900, 500)
    table.show()
    qtbot.waitExposed(table)
    longest = "s187 · 52 · INT. LIGHTHOUSE KEEPER'S COTTAGE — NIGHT (CONTINUOUS)"
    rows = [[f"s{n // 12} · {n % 12}", "animatic", f"{n:04d}.mov"] for n in range(2_400)]
    rows[2_250][0] = longest  # far past the rows Qt's own fitting looks at
    asked["n"] = 0
    table.set_rows(rows)
    qtbot.wait(100)  # laid out and painted
    wide = table.fontMetrics().horizontalAdvance(longest)
    assert table.columnWidth(0) >= wide
    assert table.columnWidth(0) < wide + 40  # as wide as the text, not the whole table
    # The view asked for the cells it measured and painted, not for every row's.
    assert asked["n"] < 2_000
    # A cell that grows widens its column; the user can still drag a column.
    table.set_text(3, 1, "the editor's take from the conform, version 12")
    assert table.columnWidth(1) >= table.fontMetrics().horizontalAdvance(
        "the editor's take from the conform, version 12"
    )
    table.horizontalHeader().resizeSection(0, 120)
    assert table.columnWidth(0) == 120


def test_wrapped_rows_are_fitted_a_few_per_turn_until_every_row_shows_its_text(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QTableView

    from aiuteur_desktop.views.kit.text_table import ROWS_PER_STEP, RowFitter

    table = TextTable(["Shot", "Action"], 1)
    qtbot.addWidget(table)
    table.setWordWrap(True)
    table.resize(420, 400)
    table.show()
    qtbot.waitExposed(table)
    long = "The supply boat noses in against the basalt spit while waves hammer the hull. " * 3
    table.set_rows([[f"{n}A", long if n % 2 else "A look."] for n in range(40)])
    fitted: list[tuple[int, int]] = []  # (turn of the event loop, row)
    turns = [0]
    ticker = QTimer(table, interval=0, timeout=lambda: turns.__setitem__(0, turns[0] + 1))
    ticker.start()
    one = QTableView.resizeRowToContents

    def counted(view: QTableView, row: int) -> None:
        fitted.append((turns[0], row))
        one(view, row)

    fitter = RowFitter(table)
    # (as Stage 7 does: its columns narrow once the rows need a scroll bar — fitted again)
    table.horizontalHeader().sectionResized.connect(lambda *_: fitter.request())
    qtbot.wait(50)
    QTableView.resizeRowToContents = counted  # type: ignore[method-assign]
    try:
        fitter.request()
        fitter.request()  # (a burst of column resizes: one pass)
        assert fitted == []  # nothing in the turn that asked
        qtbot.waitUntil(lambda: not fitter.busy)
    finally:
        QTableView.resizeRowToContents = one  # type: ignore[method-assign]
    per_turn = Counter(turn for turn, _row in fitted)
    assert max(per_turn.values()) <= ROWS_PER_STEP and len(per_turn) >= 40 // ROWS_PER_STEP
    fitted_rows = [row for _turn, row in fitted]
    assert sorted(fitted_rows) == list(range(40))
    header = table.verticalHeader()  # (a row is never lower than its header's section)
    # (the fitted rows may bring a scroll bar, narrowing the columns: one more pass then)
    qtbot.waitUntil(
        lambda: (
            not fitter.busy
            and all(
                table.rowHeight(r) == max(header.sectionSizeHint(r), table.sizeHintForRow(r))
                for r in range(40)
            )
        )
    )
    assert table.rowHeight(1) > 2 * table.rowHeight(0)  # the long action wraps
