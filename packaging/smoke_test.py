"""Checks a built Linux app as a user would meet it: unpacked from its archive into an empty
folder and run with no Python environment on PATH and no source tree (`.ci/run` runs it after
the suite when BUILD_INSTALLER=1).

    python3 packaging/smoke_test.py dist/Aiuteur-<version>-linux-x86_64.tar.gz

Runs: `--version` (the version and build date), `doctor`, the headless offline path (import a
screenplay → approve → shot list → looks → prompts → frames → render of one scene → the
animatic → Pro Export), that the offline drawing runs in a process of its own, that nothing is
loaded from outside the folder, the window opening offscreen and painting the dashboard, and
the menu entry's installer. Prints the folder's size and the start-up time against their
budgets (900 MB unpacked, 2 s to a painted dashboard). Standard library only; exits 1 on any
failure, after running every check.
"""

from __future__ import annotations

import json
import re
import runpy
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

SIZE_BUDGET_MB = 900
START_BUDGET_S = 2.0
STARTS = 3


#: Runs inside the built app (`aiuteur -c`): where its code and resources come from.
WHERE = r"""
import json, sys
import aiuteur_desktop
from aiuteur_desktop.core.app import resources
print(json.dumps({"frozen": bool(getattr(sys, "frozen", False)),
                  "package": aiuteur_desktop.__file__, "resources": str(resources.root())}))
"""

#: The offline drawing in its own process: a storyboard shot drawn, then the children counted.
DRAWING = r"""
import json, multiprocessing, sys
from aiuteur_desktop.cli.main import main
code = main(["previz", "shot", sys.argv[1], "-o", sys.argv[2], "--no-speech"])
print(json.dumps({"code": code, "children": len(multiprocessing.active_children())}))
"""
#: A written style library: the offline embedder (model2vec, its model in resources/) and the
#: LanceDB index (pyarrow), with the nearest passage found again.
STYLE = r"""
import json
from aiuteur_desktop.core.styles.written import WrittenStyles
from aiuteur_desktop.providers.offline.embedder import OfflineEmbedder
styles = WrittenStyles(OfflineEmbedder())
styles.create("Noir")
text = ("Rain on the window. The detective lights a cigarette in the dark office.\n\n"
        "Sunny meadow, children laughing, a picnic blanket spread under the oak.")
chunks = styles.add_document("Noir", "sample.txt", text)
found = styles.retrieve("Noir", "a smoky office at night", k=1)
print(json.dumps({"chunks": chunks, "found": found[0].text if found else ""}))
"""
SHOT = {
    "width": 320,
    "duration": 2.0,
    "heading": "INT. LIGHTHOUSE LAMP ROOM - NIGHT",
    "shot_size": "MS",
    "move": "push-in",
    "action": "Mara trims the wick of the great lamp.",
    "characters": [{"name": "MARA", "position": "left"}],
}

#: As `aiuteur` opens the window, the dashboard's first paint ends the process, saying which
#: heavy libraries were loaded by then (the start-up benchmark's own child); and the
#: dashboard as the installed app paints it (CI's wheel check's own script).
ROOT = Path(__file__).resolve().parent.parent
STARTUP = runpy.run_path(str(ROOT / "benchmarks" / "startup_bench.py"))
PAINTED = STARTUP["CHILD"]
PAINT = (ROOT / ".ci" / "paint_dashboard.py").read_text(encoding="utf-8")


class Smoke:
    def __init__(self, archive: Path) -> None:
        self.archive = archive
        self.tmp = Path(tempfile.mkdtemp(prefix="aiuteur-smoke-"))
        self.failures: list[str] = []
        self.home = self.tmp / "home"
        self.work = self.tmp / "work"
        self.home.mkdir()
        self.work.mkdir()
        # A user's session: no venv, no Python variables, no source tree, no display.
        self.env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "AIUTEUR_HOME": str(self.home / "aiuteur"),
            "QT_QPA_PLATFORM": "offscreen",
        }
        self.app: Path = self.tmp

    def check(self, ok: bool, what: str) -> bool:
        print(f"  [{'ok' if ok else 'FAIL'}] {what}", flush=True)
        if not ok:
            self.failures.append(what)
        return ok

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(self.app / "aiuteur"), *args],
            cwd=self.work, env=self.env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if done.returncode != 0 or "Traceback" in done.stderr + done.stdout:
            print(
                f"    $ aiuteur {' '.join(args)[:120]}\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
        return done

    def ran(self, *args: str) -> str:
        done = self.run(*args)
        ok = done.returncode == 0 and "Traceback" not in done.stderr + done.stdout
        self.check(ok, f"aiuteur {' '.join(a if len(a) < 60 else '…' for a in args)}")
        return done.stdout

    def unpack(self) -> None:
        with tarfile.open(self.archive) as tar:
            tar.extractall(self.tmp / "unpacked", filter="tar")
        (folder,) = (self.tmp / "unpacked").iterdir()
        self.app = folder
        size = sum(p.lstat().st_size for p in folder.rglob("*") if not p.is_dir()) / 1e6
        self.check(size <= SIZE_BUDGET_MB, f"unpacked size {size:.0f} MB (budget {SIZE_BUDGET_MB})")

    def version(self) -> None:
        said = self.ran("--version").strip()
        self.check(
            re.fullmatch(r"Aiuteur \S+ \(built \d{4}-\d\d-\d\d for linux-\w+\)", said) is not None,
            f"--version names the version and build date: {said!r}",
        )
        doctor = self.ran("doctor")
        self.check("inside the app" in doctor, "doctor runs on the app's own Python")

    def isolated(self) -> None:
        where = json.loads(self.ran("-c", WHERE).strip().splitlines()[-1])
        inside = all(
            Path(where[k]).resolve().is_relative_to(self.app) for k in where if k != "frozen"
        )
        self.check(where["frozen"] and inside, f"code and resources from the folder: {where}")
        spec = self.work / "shot.json"
        spec.write_text(json.dumps(SHOT), encoding="utf-8")
        drawn = json.loads(
            self.ran("-c", DRAWING, str(spec), str(self.work / "shot")).strip().splitlines()[-1]
        )
        self.check(
            drawn["code"] == 0
            and drawn["children"] >= 1
            and (self.work / "shot/clip.mp4").stat().st_size > 0,
            f"the offline drawing runs in a process of its own ({drawn})",
        )

    def style_library(self) -> None:
        said = json.loads(self.ran("-c", STYLE).strip().splitlines()[-1])
        self.check(
            said["chunks"] >= 1 and "detective" in said["found"],
            f"a style library: offline embedder + LanceDB ({said})",
        )

    def headless(self) -> None:
        screenplay = ROOT / "tests" / "data" / "screenplays" / "storm_keeper.fountain"
        script = self.work / screenplay.name
        shutil.copy(screenplay, script)
        b = str(self.work / "Storm.aiuteur")
        self.ran("script", "import", str(script), "--project", b)
        self.ran("script", "approve", "--project", b)
        self.ran("shots", "--project", b, "--scene", "1", "--lock")
        self.ran("visuals", "--project", b, "--scene", "1", "--lock")
        self.ran("prompts", "--project", b, "--scene", "1", "--assemble")
        self.ran("frames", "--project", b, "--scene", "1", "--mode", "quick", "--approve")
        self.ran("render", "--project", b, "--scene", "1")
        self.ran("animatic", "--project", b, "-o", str(self.work / "animatic"), "--width", "320")
        films = list((self.work / "animatic").glob("*_animatic.mp4"))
        self.check(bool(films) and films[0].stat().st_size > 0, "the animatic film is written")
        out = self.ran("export", "--project", b, "-o", str(self.work / "cut"), "--json")
        try:
            clips = json.loads(out)["clips"]
        except (ValueError, KeyError):
            clips = []
        takes = [c for c in clips if c.get("kind") == "take"]
        timelines = [p.suffix for p in (self.work / "cut").glob("Storm.*")]
        self.check(
            len(takes) == 4 and {".xml", ".fcpxml", ".edl", ".otio"} <= set(timelines),
            f"Pro Export: {len(takes)} takes, timelines {sorted(timelines)}",
        )

    def window(self) -> None:
        png = self.work / "dashboard.png"
        done = self.run("-c", PAINT, str(png), timeout=90)
        self.check(
            done.returncode == 0 and png.is_file() and png.stat().st_size > 10_000,
            f"the window opens and paints the dashboard ({done.stdout.strip()[-80:]})",
        )
        times, heavy = [], []
        for _ in range(STARTS):
            start = time.perf_counter()
            done = self.run("-c", PAINTED, timeout=60)
            times.append(time.perf_counter() - start)
            lines = done.stdout.strip().splitlines()
            if done.returncode != 0 or not lines:
                self.check(False, f"the window opens to time it (exit {done.returncode})")
                return
            heavy = json.loads(lines[-1])["heavy"]
        self.check(not heavy, f"no heavy library loaded by the first paint ({heavy})")
        median = statistics.median(times)
        self.check(
            median <= START_BUDGET_S,
            f"start-up to a painted dashboard {median:.2f} s median of {STARTS} "
            f"({', '.join(f'{t:.2f}' for t in times)}; budget {START_BUDGET_S} s)",
        )

    def menu_entry(self) -> None:
        env = {**self.env}
        done = subprocess.run(
            [str(self.app / "install.sh")], env=env, capture_output=True, text=True
        )
        desktop = self.home / ".local/share/applications/aiuteur.desktop"
        link = self.home / ".local/bin/aiuteur"
        text = desktop.read_text(encoding="utf-8") if desktop.exists() else ""
        self.check(
            done.returncode == 0 and f'Exec="{self.app}/aiuteur" %f' in text and link.resolve() == (self.app / "aiuteur").resolve()
            and (self.home / ".local/share/icons/hicolor/scalable/apps/aiuteur.svg").is_file(),
            "install.sh adds the menu entry, the icon and the command",
        )  # fmt: skip
        version = subprocess.run([str(link), "--version"], env=env, capture_output=True, text=True)
        self.check(version.returncode == 0, "the command runs through its link in ~/.local/bin")
        subprocess.run([str(self.app / "install.sh"), "--uninstall"], env=env, capture_output=True)
        self.check(
            not desktop.exists() and not link.exists(), "install.sh --uninstall removes them"
        )


def main() -> int:
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_file():
        print(
            "usage: python3 packaging/smoke_test.py dist/Aiuteur-<version>-linux-<arch>.tar.gz",
            file=sys.stderr,
        )
        return 2
    smoke = Smoke(Path(sys.argv[1]).resolve())
    began = time.perf_counter()
    print(f"smoke test of {smoke.archive.name} in {smoke.tmp}")
    try:
        smoke.unpack()
        for step in (
            smoke.version,
            smoke.isolated,
            smoke.style_library,
            smoke.headless,
            smoke.window,
            smoke.menu_entry,
        ):
            try:
                step()
            except Exception as exc:  # a step that breaks is a failure; the others still run
                smoke.check(False, f"{step.__name__}: {type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(smoke.tmp, ignore_errors=True)
    took = time.perf_counter() - began
    if smoke.failures:
        print(
            f"smoke test FAILED ({len(smoke.failures)} checks, {took:.0f} s): "
            + "; ".join(smoke.failures)
        )
        return 1
    print(f"smoke test passed ({took:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
