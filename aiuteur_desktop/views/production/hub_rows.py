"""A Script Hub row as the list shows it: the scene's number and heading, its shots and running
time, what it leaves out and where its work stands."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from aiuteur_desktop.core.production import hub as script_hub

Row = tuple[str, str, str]


def hub_item(r: script_hub.HubRow) -> tuple[str, str, str]:
    """(text, tooltip, scene id) of a Script Hub row."""
    count = f"{r.shots} shot{'s' * (r.shots != 1)} · {r.seconds // 60}:{r.seconds % 60:02d}"
    if r.omitted:
        count += f" · {r.omitted} omitted"
    if r.qualifiers:
        count += f" · {', '.join(r.qualifiers)}"
    if r.status != script_hub.DRAFT:
        count += f" · {r.status}"
    timing = f"the editor's cut from {r.cut}" if r.cut else "8-second shot timing"
    tip = (
        f"{r.heading}\n{r.setting or '—'} · drawn in {r.light or 'DAY'} light\n"
        f"{count} ({timing}; File → Render Animatic & Timeline)"
    )
    return f"{r.label}  {r.heading}\n     {count}", tip, r.scene_id


def fill_hub(view: QListWidget, shown: list[Row], before: list[Row]) -> list[Row]:
    """Put the rows in the Script Hub's list: a feature's 200 rows are rebuilt only when the
    scenes themselves changed, else only the rows whose text changed are touched."""
    same = [x[2] for x in shown] == [x[2] for x in before]
    if not same:
        view.clear()
    for row, (text, tip, scene_id) in enumerate(shown):
        if same and before[row] == (text, tip, scene_id):
            continue
        item = view.item(row) if same else QListWidgetItem()
        item.setText(text)
        item.setToolTip(tip)
        item.setData(Qt.ItemDataRole.UserRole, scene_id)
        if not same:
            view.addItem(item)
    return shown
