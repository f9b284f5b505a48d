"""A fake OpenAI chat endpoint that plays a story developer: it recognises each Phase A
prompt template by its system message and answers with valid JSON for that schema (through
the real openai SDK on the client side). Hooks let tests slow answers down, hold requests
together (to prove they run concurrently), break an answer, or record what was asked."""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

from tests.fakes.openai_fake import FakeOpenAI, _completion, _sse, openai_error
from tests.fakes.server import Request, Response

TREATMENT_TEXT = (
    "Mara Quill, a ferry mechanic with oil under her nails, keeps the night ferry alive on "
    "its last crossing before the line closes. {twist}A storm rises over the strait while the "
    "captain drinks in his cabin. Mara finds the engine failing and the radio dead.\n\n"
    "She climbs to the wheelhouse and takes the helm herself, steering by the lighthouse on "
    "Gull Point as waves break over the bow. The passengers huddle below, a boy with a paper "
    "lantern among them.\n\n"
    "At dawn the ferry limps into harbour. Mara hands the lantern back to the boy and walks "
    "off the pier as the town wakes. Ending {n}."
)


def beats(n: int = 16, tag: str = "Beat") -> list[dict[str, str]]:
    return [
        {
            "text": f"{tag} {i}: Mara faces the storm, step {i}.",
            "source": "A storm rises over the strait while the captain drinks in his cabin."
            if i == 2
            else "",
        }
        for i in range(1, n + 1)
    ]


SCRIPT_SCENES = [
    {
        "heading": "INT. FERRY ENGINE ROOM - NIGHT",
        "beats": [1, 2, 3],
        "body": "Oil-black pistons hammer. MARA QUILL (30s, grease-streaked overalls) listens.\n\n"
        "MARA\n(to herself)\nNot tonight, old girl.\n\nA CLANG echoes through the hull.",
    },
    {
        "heading": "EXT. FERRY DECK - NIGHT",
        "beats": [4, 5, 6, 7, 8],
        "body": "Rain lashes the deck. Waves break over the bow.\n\nMARA\nHold on to something!",
    },
    {
        "heading": "EXT. HARBOUR PIER - DAWN",
        "beats": [9, 10, 11, 12, 13, 14, 15, 16],
        "body": "Grey light. The ferry limps in. Mara hands the paper lantern to the BOY.",
    },
]


def shot_parts(user: str) -> tuple[list[str], list[dict[str, str]]]:
    """The action sentences and dialogue lines a `shot.split` request lists."""
    sentences = re.findall(
        r"^\d+\. (?![A-Z][A-Z' .-]*: \")(.+)$", user.split("Dialogue lines")[0], re.M
    )
    tail = user.split("Dialogue lines", 1)[-1]
    lines = [
        {"character": m.group(1), "text": m.group(2)}
        for m in re.finditer(r'^\d+\. ([^:\n]+): "(.*)"$', tail, re.M)
    ]
    return sentences, lines


def split_in_two(user: str) -> dict[str, Any]:
    """A faithful split: the action in the first shot, the lines in the second (or halves)."""
    sentences, lines = shot_parts(user)
    if sentences and lines:
        parts = [(sentences, []), ([], lines)]
    elif len(sentences) > 1:
        half = (len(sentences) + 1) // 2
        parts = [(sentences[:half], []), (sentences[half:], [])]
    else:
        half = (len(lines) + 1) // 2
        parts = [([], lines[:half]), ([], lines[half:])]
    return {
        "shots": [
            {"action": " ".join(a), "dialogue": d, "shot_size": size}
            for (a, d), size in zip(parts, ("WS", "CU"), strict=True)
        ]
    }


class FakeStoryModel(FakeOpenAI):
    """`/v1/chat/completions` answering every Phase A template with valid JSON."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.route("POST", "/v1/chat/completions", self._chat)
        self.asked: list[tuple[str, str, str]] = []  # (template kind, system, user)
        self.delay = 0.0
        #: Requests of these kinds wait until this many are in flight together.
        self.together: dict[str, threading.Barrier] = {}
        #: Kinds whose next answer is invalid JSON for the schema (once each).
        self.break_once: set[str] = set()
        self.script_tag = "first"
        #: Answers by kind, given what was asked (a test's own answer, a broken one …).
        self.answers: dict[str, Any] = {}
        self._lock = threading.Lock()

    def kind_of(self, system: str) -> str:
        checks = (
            ("treatment.generate", "You write treatments"),
            ("treatment.revise", "revise a film treatment"),
            ("rewrite", "You edit one passage"),
            ("condense.chunk", "Summarise the part"),
            ("condense.merge", "From the part summaries"),
            ("beats.generate", "Break a film treatment into its beats"),
            ("beats.revise", "Revise a beat sheet"),
            ("beat.add", "Write one new beat"),
            ("beat.brainstorm", "exactly three alternatives"),
            ("beat.expand", "Expand one beat"),
            ("script.generate", "You are a screenwriter"),
            ("assets.props", "You are a props master"),
            ("shot.split", "You split one shot"),
            ("shot.reword", "You keep a film shot list coherent"),
            ("shot.tempo", "checking the pace"),
        )
        return next((k for k, needle in checks if needle in system), "unknown")

    def asked_kinds(self) -> list[str]:
        return [k for k, _s, _u in self.asked]

    def _answer(self, kind: str, user: str) -> dict[str, Any]:
        if kind in self.answers:
            return dict(self.answers[kind](user))
        if kind == "shot.split":
            return split_in_two(user)
        if kind == "shot.reword":
            action = re.search(r"^Action now: (.*)$", user, re.M)
            who = re.search(r"^Who is in the shot now: (.*)$", user, re.M)
            camera = re.search(r"^Camera now: (\w+)", user, re.M)
            size = camera.group(1) if camera else "CU"
            names = [n.strip() for n in (who.group(1) if who else "").split(",") if n.strip()]
            return {
                "action": f"In {size}: {action.group(1) if action else ''}",
                "characters": names[:1],
            }
        if kind == "shot.tempo":
            notes = []
            for m in re.finditer(
                r"^(\w+) · (\d+) s \(its action and lines take ([\d.]+) s\)", user, re.M
            ):
                if float(m.group(3)) > float(m.group(2)):
                    notes.append({"shot": m.group(1), "note": "Too much for its length: split it."})
            return {"notes": notes}
        if kind == "treatment.generate":
            n = int(re.search(r"Write treatment (\d)", user).group(1))  # type: ignore[union-attr]
            twist = "It is told as a heist. " if "twist" in user else ""
            return {
                "title": f"Night Ferry {n}",
                "logline": f"Logline {n}: a mechanic steers a dying ferry through a storm.",
                "text": TREATMENT_TEXT.format(n=n, twist=twist),
            }
        if kind == "treatment.revise":
            return {
                "title": "Night Ferry (revised)",
                "logline": "Revised to the beats.",
                "text": TREATMENT_TEXT.format(n="revised", twist=""),
            }
        if kind == "rewrite":
            return {"replacement": "A HURRICANE howls over the strait"}
        if kind in ("condense.chunk", "condense.merge"):
            part = re.search(r"Part (\d+) of (\d+)", user)
            label = f"part {part.group(1)} of {part.group(2)}" if part else "the whole book"
            return {"summary": f"Summary of {label}: Mara sails, the storm comes, she survives."}
        if kind == "beats.generate":
            return {"beats": beats(16)}
        if kind == "beats.revise":
            return {"beats": beats(16, "Synced beat")}
        if kind == "beat.add":
            return {"text": "New beat: the lighthouse goes dark."}
        if kind == "beat.brainstorm":
            return {
                "alternatives": [
                    "Option A: she jumps.",
                    "Option B: she waits.",
                    "Option C: she sings.",
                ]
            }
        if kind == "beat.expand":
            return {
                "beats": ["Sub-beat one: the radio crackles.", "Sub-beat two: a voice answers."]
            }
        if kind == "script.generate":
            scenes = [dict(s) for s in SCRIPT_SCENES]
            scenes[0] = {
                **scenes[0],
                "body": scenes[0]["body"] + f"\n\nVersion: {self.script_tag}.",
            }
            return {"title": "Night Ferry", "scenes": scenes}
        if kind == "assets.props":
            return {
                "props": [
                    {"name": "biscuit tin", "description": "A dented biscuit tin full of cash."},
                    {"name": "duffel bag", "description": "A dripping canvas duffel bag."},
                ]
            }
        return {}

    def _chat(self, req: Request) -> Response:
        body = req.json()
        messages = body.get("messages") or []
        system = next((m["content"] for m in messages if m["role"] == "system"), "")
        user = next((m["content"] for m in messages if m["role"] == "user"), "")
        # A local server's requests carry the instructions in the user message.
        kind = self.kind_of(system or user)
        with self._lock:
            self.asked.append((kind, system, user))
            broken = kind in self.break_once
            self.break_once.discard(kind)
        barrier = self.together.get(kind)
        if barrier is not None:
            try:
                barrier.wait(timeout=10)
            except threading.BrokenBarrierError:
                return openai_error(500, "requests did not arrive together")
        if self.delay:
            time.sleep(self.delay)
        if kind == "unknown":
            return openai_error(400, "unknown prompt")
        value = {"wrong": True} if broken else self._answer(kind, user)
        model = body.get("model", "gpt-test-1")
        if body.get("stream"):
            return Response(
                200,
                _sse(model, json.dumps(value), (200, 100)),
                {"Content-Type": "text/event-stream"},
            )
        return Response(200, _completion(model, json.dumps(value), (200, 100)))
