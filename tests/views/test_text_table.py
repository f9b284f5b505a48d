"""The read-only table a feature's long lists use (every shot of the film in Pro Export, a
scene's checkout): its columns fit their longest text wherever it is, without the view asking
the model for every row's cells."""

from __future__ import annotations

from PySide6.QtCore import Qt

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
