"""A small but real film project for tests and screenshots: story, assets, scenes, media, branches."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

from aiuteur_desktop.core.store import Project, artifacts, timelines

SCENES = ("s1", "s2", "s3")


def png(colour: str, size: tuple[int, int] = (320, 180), text: str = "") -> bytes:
    im = Image.new("RGB", size, colour)
    if text:
        ImageDraw.Draw(im).text((10, 10), text, fill="white")
    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()


def mp4(frames: int = 12, size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    container = av.open(buf, "w", format="mp4")
    stream = container.add_stream("libx264", rate=24)
    stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
    for i in range(frames):
        arr = np.full((size[1], size[0], 3), (40 + i * 15) % 255, np.uint8)
        arr[:, : size[0] // 2, 2] = 200  # a blue half, so the first frame is recognisable
        for packet in stream.encode(av.VideoFrame.from_ndarray(arr, format="rgb24")):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return buf.getvalue()


def script_content(**overrides: str) -> dict:
    text = {
        "s1": "INT. LAMP ROOM - NIGHT\nMara trims the wick.",
        "s2": "EXT. CLIFF - NIGHT\nThe boat hits the rocks.",
        "s3": "EXT. BEACH - DAWN\nMara pulls Ade from the surf.",
    }
    text.update(overrides)
    return {"scenes": [{"id": s, "text": t} for s, t in text.items()]}


def derive(p: Project, path: str, content: dict, keys: list[str], cost: float) -> None:
    inputs = artifacts.record_inputs(p, p.branch().draft, path, keys)
    p.write(path, artifacts.make(content, inputs=inputs, cost=cost))


def build_film(parent: Path, name: str = "Lighthouse", *, branches: bool = True) -> Project:
    """Main with beats, script, an asset with an image, three scenes with frames and a video;
    optionally an experiment branch with its own commits and a fork from an old version."""
    p = Project.create(parent, name)
    p.write(artifacts.BEATS, artifacts.make({"beats": ["storm", "wreck", "rescue"]}))
    p.commit("Beat sheet from treatment 2", kind="generate", stage=3)
    timelines.save_generated_script(p, script_content(), cost=0.02, model="test")
    p.commit("Master script: keep the storm offscreen", kind="generate", stage=4)
    image = p.media.put(png("#1d3557", text="Mara"), "image/png")
    inputs = artifacts.record_inputs(
        p, p.branch().draft, "assets/mara", ["stage4/script#scenes/s1"]
    )
    p.write(
        "assets/mara",
        {
            **artifacts.make(
                {"name": "Mara", "description": "Keeper, 60"},
                inputs=inputs,
                cost=0.04,
                model="gemini-3-pro-image",
                template="stage5.image_key v1",
                context=[
                    "assets/mara",
                    "image:Silver screen/bw-0.png",
                    "image:Silver screen/bw-1.png",
                ],
            ),
            "media": image,
        },
    )
    p.commit("Locked image key for Mara", kind="approve", stage=5, cost=0.04)
    video = p.media.put(mp4(), "video/mp4")
    for i, s in enumerate(SCENES):
        prev = [f"scenes/{SCENES[i - 1]}/frames/end"] if i else []
        derive(
            p,
            f"scenes/{s}/shots",
            {"shots": [f"{s}-1", f"{s}-2"]},
            [f"stage4/script#scenes/{s}", "assets/mara", *prev],
            0.01,
        )
        frame = p.media.put(png("#457b9d", text=f"{s} end"), "image/png")
        inputs = artifacts.record_inputs(
            p, p.branch().draft, f"scenes/{s}/frames/end", [f"scenes/{s}/shots"]
        )
        p.write(
            f"scenes/{s}/frames/end",
            {**artifacts.make({"shot": f"{s}-2"}, inputs=inputs, cost=0.04), "media": frame},
        )
        p.commit(f"Frames for scene {s}", kind="generate", stage=10, cost=0.08)
    inputs = artifacts.record_inputs(
        p, p.branch().draft, "scenes/s1/videos/01", ["scenes/s1/frames/end"]
    )
    p.write(
        "scenes/s1/videos/01",
        {**artifacts.make({"take": 1}, inputs=inputs, cost=1.2), "media": video},
    )
    p.commit("Rendered shot s1-1", kind="render", stage=12, cost=1.2)
    if branches:
        early = next(c for c in p.log() if c.message.startswith("Beat sheet"))
        p.create_branch("Darker ending")
        timelines.save_edit(p, artifacts.BEATS, {"beats": ["storm", "wreck", "no rescue"]})
        p.commit("Manual edits to Beat Sheet", stage=3)
        p.switch_branch("Main")
        p.fork_from(early.id, "Comedy pass")
        p.write("stage1/config", {"tone": "light"})
        p.commit("Lighter tone", stage=1)
        p.switch_branch("Main")
    return p
