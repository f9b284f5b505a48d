"""Hostile inputs (issue "Money, hostile files and interrupted work, second round"): each case
is generated here (no large files in the repository) by one process, then read by a fresh one
through the same code the app and the CLI use, and measured — wall time and the memory the
reading added to that process (its peak over what it had after loading the same modules).
Budget per case: ≤ 5 s and ≤ 300 MB, with a clear one-line refusal and nothing written.

    .venv/bin/python benchmarks/hostile_bench.py [CASE ...]
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TIME_BUDGET, MEMORY_BUDGET_MB = 5.0, 300


# ------------------------------------------------------------------ making the inputs
def _zip(path: Path, members: list[tuple[str, bytes, int]]) -> None:
    manifest: dict = {"format": 1, "files": {}}
    with zipfile.ZipFile(path, "w") as z:
        for name, data, method in members:
            z.writestr(zipfile.ZipInfo(name), data, compress_type=method)
            manifest["files"][name] = {"size": len(data), "sha256": ""}
        z.writestr("archive.json", json.dumps(manifest))


def _png(w: int, h: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (w, h), (120, 80, 40)).save(out, "PNG")
    return out.getvalue()


def _cut_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (20, 90, 200)).save(out, "JPEG", quality=92)
    return out.getvalue()[:4000]


ZEROS = bytes(1 << 20)
MAKE = {
    "fdx-40mb-paragraph": lambda p: (p / "one.fdx").write_bytes(
        b'<?xml version="1.0"?><FinalDraft><Content><Paragraph Type="Action"><Text>'
        + b"word " * (8 << 20)
        + b"</Text></Paragraph></Content></FinalDraft>"
    ),
    "fountain-40mb-line": lambda p: (p / "one.fountain").write_bytes(
        b"INT. A - DAY\n\n" + b"word " * (8 << 20)
    ),
    "fountain-2m-dialogue-lines": lambda p: (p / "lines.fountain").write_bytes(
        b"INT. A - DAY\n\nBOB\n" + b"Hi there.\n" * 2_000_000
    ),
    "fountain-200k-headings": lambda p: (p / "heads.fountain").write_bytes(
        b"INT. ROOM - DAY\n\n" * 200_000
    ),
    "otio-nested-100k": lambda p: (p / "deep.otio").write_bytes(
        b'{"OTIO_SCHEMA": "Timeline.1", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    ),
    "fcpxml-25k-clips": lambda p: (p / "many.fcpxml").write_bytes(
        b'<?xml version="1.0"?><fcpxml version="1.9"><library><event><project><sequence>'
        b"<spine>" + b'<asset-clip ref="r1" duration="1s"/>' * 25_000 + b"</spine>"
        b"</sequence></project></event></library></fcpxml>"
    ),
    "edl-50mb": lambda p: (p / "big.edl").write_bytes(
        b"TITLE: X\n"
        + b"001  AX  V  C  00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n" * 700_000
    ),
    "zip-bzip2-bombs": lambda p: _zip(
        p / "bombs.zip",
        [("X.aiuteur/project.db", b"x", zipfile.ZIP_STORED)]
        + [(f"X.aiuteur/media/zz/{n}", ZEROS, zipfile.ZIP_BZIP2) for n in range(1100)],
    ),
    "zip-100k-members": lambda p: _zip(
        p / "members.zip",
        [("X.aiuteur/project.db", b"x", zipfile.ZIP_STORED)]
        + [(f"X.aiuteur/media/{n:06d}", b"", zipfile.ZIP_STORED) for n in range(100_000)],
    ),
    "png-39mp": lambda p: (p / "big.png").write_bytes(_png(7600, 5200)),  # under the cap
    "jpeg-cut-off": lambda p: (p / "cut.jpg").write_bytes(_cut_jpeg()),
}


# ------------------------------------------------------------------ reading them
def _read(case: str, p: Path) -> str:
    from aiuteur_desktop.core.export import archive, nle
    from aiuteur_desktop.core.screenplay.documents import read_screenplay
    from aiuteur_desktop.core.styles import measure

    [path] = [f for f in p.iterdir() if f.is_file()]
    if path.suffix in (".fdx", ".fountain"):
        read_screenplay(path)
    elif path.suffix in (".otio", ".fcpxml", ".edl", ".xml"):
        nle.read(path)
    elif path.suffix == ".zip":
        archive.unarchive(path, p / "into")
    else:
        measure.load_rgb(path.read_bytes())
        return "read, analysed at its working size"
    return "read"


def _child(case: str, folder: str) -> None:
    """Read one case's input; print {seconds, extra_mb, said} as JSON."""
    import gc

    from aiuteur_desktop.core.errors import AiuteurError
    from aiuteur_desktop.core.export import (
        archive,  # noqa: F401 — loaded before
    )
    from aiuteur_desktop.core.screenplay import documents  # noqa: F401 — the baseline

    gc.collect()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    try:
        said = _read(case, Path(folder))
    except AiuteurError as exc:
        said = "refused: " + exc.user_message
    except Exception as exc:  # a traceback is a failure of this benchmark
        said = f"CRASH {type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - began
    extra = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
    wrote = [str(f) for f in Path(folder).rglob("*") if f.is_file()]
    print(json.dumps({"seconds": seconds, "extra_mb": extra, "said": said, "files": len(wrote)}))


def main() -> int:
    if len(sys.argv) > 3 and sys.argv[1] == "--make":
        MAKE[sys.argv[2]](Path(sys.argv[3]))
        return 0
    if len(sys.argv) > 3 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
        return 0
    chosen = sys.argv[1:] or list(MAKE)
    failed = 0
    print(f"{'case':<28} {'time':>7} {'+memory':>9}  result")
    for case in chosen:
        env = {**os.environ, "PYTHONPATH": str(REPO), "AIUTEUR_HOME": tempfile.mkdtemp()}
        folder = tempfile.mkdtemp()
        subprocess.run([sys.executable, __file__, "--make", case, folder], env=env, check=True)
        done = subprocess.run(
            [sys.executable, __file__, "--child", case, folder],
            capture_output=True, text=True, env=env, timeout=600,
        )  # fmt: skip
        if done.returncode != 0 or not done.stdout.strip():
            print(
                f"{case:<28} {'—':>7} {'—':>9}  FAIL: exit {done.returncode} {done.stderr[-200:]}"
            )
            failed += 1
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        refused = r["said"].startswith("refused")
        ok = (
            r["seconds"] <= TIME_BUDGET
            and r["extra_mb"] <= MEMORY_BUDGET_MB
            and "CRASH" not in r["said"]
            and "\n" not in r["said"]
            and (r["files"] == 1 or not refused)  # the input alone: nothing written
        )
        failed += not ok
        said = r["said"] if len(r["said"]) < 110 else r["said"][:107] + "…"
        print(
            f"{case:<28} {r['seconds']:6.2f}s {r['extra_mb']:7.0f}MB  "
            f"{'PASS' if ok else 'FAIL'} {said}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
