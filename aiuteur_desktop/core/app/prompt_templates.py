"""Prompt templates shipped in `resources/prompts/` (one file each, with an id and a version).

A generation records `id@version`, so the Artifact Vault can say which wording made it.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache

from aiuteur_desktop.core.app import resources


@dataclass(frozen=True)
class Template:
    id: str
    version: int
    system: str
    user: str

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def render(self, **values: object) -> tuple[str, str]:
        """(system, user) with every `$name` filled; a missing value is a programming error."""
        text = {k: str(v) for k, v in values.items()}
        return (
            string.Template(self.system).substitute(text).strip(),
            string.Template(self.user).substitute(text).strip(),
        )


def parse(source: str) -> Template:
    header, _, rest = source.partition("---system")
    system, _, user = rest.partition("---user")
    fields = dict(line.split(":", 1) for line in header.strip().splitlines() if ":" in line)
    if "id" not in fields or not user.strip():
        raise ValueError("a prompt template needs an id header, ---system and ---user")
    return Template(
        fields["id"].strip(), int(fields.get("version", "1")), system.strip(), user.strip()
    )


@cache
def load(template_id: str) -> Template:
    template = parse(resources.read_text("prompts", f"{template_id}.md"))
    if template.id != template_id:
        raise ValueError(f"prompts/{template_id}.md declares the id {template.id}")
    return template
