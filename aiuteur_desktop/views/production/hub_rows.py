"""A Script Hub row as the list shows it: the scene's number and heading, its shots and running
time, what it leaves out and where its work stands."""

from __future__ import annotations

from aiuteur_desktop.core.production import hub as script_hub


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
