"""The window on a feature film's screenplay (issue "A feature film's screenplay, at the speed of
a short"): the real main window, offscreen, with a 5 ms timer on the UI thread; for each thing
a filmmaker does, the longest the window went without answering (budget ≤ 50 ms).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/feature_bench.py [--scenes N]
        [--only WORD,WORD] [--stacks] [--timeline] [--slow] [--profile FILE] [--switch SECONDS]

The project is made in core first (benchmarks/feature_script.py, 190 scenes: imported, its
~170 master assets extracted and keyed, Stages 1–5 approved; the largest scene's shots,
looks and prompts locked, Quick mode chosen), then the window opens it and is driven:
open the project; Stages 6–12 of the largest scene; Quick-mode Make of every frame (offline,
to the last frame applied); Control mode's approve-and-next ten times; Confirm & Render of
the scene (offline, until queued); Pro Export: the film's shots listed, then the largest
scene exported; the Script Hub taking twenty scenes to their frames with one confirmation;
the Script Hub's next scene. Prints the figures; never asserts.
"""

from __future__ import annotations

import faulthandler
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("AIUTEUR_HOME", tempfile.mkdtemp(prefix="aiuteur-feature-"))

import feature_script
from PIL import Image
from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, Qt, QTimer
from PySide6.QtWidgets import QMessageBox

from aiuteur_desktop.core import story
from aiuteur_desktop.core.assets import masters
from aiuteur_desktop.core.library import Library
from aiuteur_desktop.core.production import frames
from aiuteur_desktop.core.screenplay import fountain
from aiuteur_desktop.core.store import Project
from aiuteur_desktop.core.story import master_script
from aiuteur_desktop.views.app import ensure_app
from aiuteur_desktop.views.main_window import MainWindow

BUDGET_MS = 50.0
TICK_MS = 5


class StallSampler:
    """--stacks: a watcher thread that, while the UI thread is stalled past 60 ms, samples its
    stack every 20 ms — where the window spends its stalls, printed at the end."""

    def __init__(self, meter: StallMeter) -> None:
        import collections
        import threading
        import traceback

        self.counts: collections.Counter[str] = collections.Counter()
        ui = threading.main_thread().ident

        def watch() -> None:
            while True:
                time.sleep(0.02)
                if meter.active and meter.clock.elapsed() - meter.last > 60:
                    frames_now = sys._current_frames()
                    frame = frames_now.get(ui)  # type: ignore[arg-type]
                    if frame is not None:
                        stack = traceback.extract_stack(frame)
                        ours = [f for f in stack if "aiuteur_desktop" in f.filename][-22:]
                        where = " < ".join(
                            f"{Path(f.filename).stem}.{f.name}:{f.lineno}" for f in reversed(ours)
                        )
                        # What the other threads run meanwhile (one of them may hold the
                        # GIL the UI thread waits for): each one's innermost frame of ours,
                        # and the call it is in.
                        others = []
                        for t, f in frames_now.items():
                            if t in (ui, threading.get_ident()):
                                continue
                            theirs = traceback.extract_stack(f)
                            mine = [x for x in theirs if "aiuteur_desktop" in x.filename]
                            inner = theirs[-1]
                            at = f"{Path(mine[-1].filename).stem}.{mine[-1].name}" if mine else ""
                            if "threading" in inner.filename and not mine:
                                continue  # an idle worker
                            others.append(f"{at}→{Path(inner.filename).stem}.{inner.name}")
                        where = (where or "UI in Qt") + " || " + ", ".join(sorted(set(others)))
                        self.counts[where] += 1
                    # The frames let go at once: a frame this thread holds outlives its call,
                    # and with it a QPainter of a paintEvent (Qt: "endPaint() called with
                    # active painter", then a crash when this thread frees it).
                    frames_now, frame, f = {}, None, None

        threading.Thread(target=watch, daemon=True).start()

    def report(self) -> None:
        print("where the stalls were (samples of 20 ms):")
        for stack, n in self.counts.most_common(15):
            print(f"{n:5d}  {stack}")


class StallTimeline:
    """--timeline: every 5 ms while the UI thread has gone 25 ms without a tick, what it and
    the other threads are in; printed for each stall past the budget, in order — what a
    single long stall was made of (a worker holding the GIL shows as "UI in Qt")."""

    def __init__(self, meter: StallMeter) -> None:
        import threading
        import traceback

        self.episodes: list[list[str]] = []
        ui = threading.main_thread().ident
        ui_tid = threading.main_thread().native_id
        me: list[int] = []

        def ui_state() -> str:
            """The UI thread as the kernel sees it: R running (Qt's own work), S sleeping and
            in what (a futex: waiting for the GIL or a lock; poll: no event due)."""
            try:
                task = Path(f"/proc/self/task/{ui_tid}")
                state = task.joinpath("stat").read_text().rsplit(")", 1)[1].split()[0]
                wchan = task.joinpath("wchan").read_text().strip()
            except OSError:
                return "?"
            return f"{state}:{wchan or '-'}"

        def ui_sched() -> tuple[int, int]:
            """The UI thread's time on a CPU and waiting for one (ns, /proc schedstat)."""
            try:
                on, wait, _n = Path(f"/proc/self/task/{ui_tid}/schedstat").read_text().split()
            except (OSError, ValueError):
                return 0, 0
            return int(on), int(wait)

        def frame_text(f: Any) -> str:
            stack = traceback.extract_stack(f)
            ours = [x for x in stack if "aiuteur_desktop" in x.filename][-4:]
            inner = stack[-1]
            chain = " < ".join(
                f"{Path(x.filename).stem}.{x.name}:{x.lineno}" for x in reversed(ours)
            )
            return f"[{Path(inner.filename).stem}.{inner.name}] {chain}"

        def watch() -> None:
            me.append(threading.get_ident())
            current: list[str] = []
            began = [0, 0]
            while True:
                time.sleep(0.005)
                gap = meter.clock.elapsed() - meter.last
                if meter.active and gap > 25 and not meter.checking:
                    frames_now = sys._current_frames()
                    ui_frame = frames_now.get(ui)  # type: ignore[arg-type]
                    others = [
                        frame_text(f)
                        for t, f in frames_now.items()
                        if t not in (ui, me[0])
                        and "aiuteur_desktop"
                        in "".join(x.filename for x in traceback.extract_stack(f))
                    ]
                    ui_text = frame_text(ui_frame) if ui_frame is not None else "?"
                    del frames_now, ui_frame  # (let go at once: see StallSampler)
                    if not current:
                        current.append(f"(CLOCK_MONOTONIC {time.monotonic() - gap / 1000:.3f})")
                        began[:] = ui_sched()
                    on, wait = ui_sched()
                    used = f"cpu +{(on - began[0]) / 1e6:.0f} ms, runqueue +{(wait - began[1]) / 1e6:.0f} ms"
                    current.append(
                        f"{gap:4d} ms  UI {ui_state()} ({used}) {ui_text}\n            others: {' | '.join(others)}"
                    )
                elif current:
                    current[0] += f" … {time.monotonic():.3f}"
                    if int(current[-1].split()[0]) > BUDGET_MS:
                        self.episodes.append(current)
                    current = []

        threading.Thread(target=watch, daemon=True).start()

    def report(self) -> None:
        print(f"stalls past {BUDGET_MS:.0f} ms, sampled every 5 ms from 25 ms:")
        for episode in self.episodes:
            print("  ---")
            for line in episode:
                print("  " + line)


class SlowCallbacks:
    """--slow: what the event loop called into Python that took longer than 30 ms — each
    callback with where its time went, heaviest calls first, a few levels down (a profile
    hook on the UI thread: everything runs slower, the ranking is what counts)."""

    DEPTH = 9

    def __init__(self) -> None:
        self.found: list[tuple[float, str, list[Any]]] = []
        self._stack: list[tuple[Any, float, list[Any]]] = []
        # What the event loop calls (wait's loop.exec) and the gesture itself (measure's).
        self._top_codes = (wait.__code__, StallMeter.measure.__code__)
        sys.setprofile(self._hook)

    @staticmethod
    def _name(frame: Any) -> str:
        return f"{Path(frame.f_code.co_filename).stem}.{frame.f_code.co_name}"

    def _hook(self, frame: Any, event: str, _arg: Any) -> None:
        if event == "call":
            top = (
                frame.f_back is not None
                and frame.f_back.f_code in self._top_codes
                and frame.f_code is not self._top_codes[0]  # (wait itself: the event loop)
            )
            if top or (self._stack and len(self._stack) < self.DEPTH):
                self._stack.append((frame, time.perf_counter(), []))
        elif event == "return" and self._stack and self._stack[-1][0] is frame:
            _f, start, children = self._stack.pop()
            took = (time.perf_counter() - start) * 1000
            node = (took, self._name(frame), children)
            if self._stack:
                if took > 3:
                    self._stack[-1][2].append(node)
            elif took > 30:
                self.found.append(node)

    @staticmethod
    def _lines(node: Any, depth: int = 0) -> list[str]:
        took, name, children = node
        out = [f"{'  ' * depth}{took:6.0f}  {name}"]
        for child in sorted(children, key=lambda c: -c[0])[:3]:
            if child[0] >= took * 0.15:
                out += SlowCallbacks._lines(child, depth + 1)
        return out

    def report(self) -> None:
        sys.setprofile(None)
        print("slowest callbacks from the event loop (ms; where their time went):")
        for node in sorted(self.found, key=lambda n: -n[0])[:12]:
            print("\n".join(self._lines(node)))


class StallMeter(QObject):
    """A 5 ms timer on the UI thread: the longest gap between two of its ticks is the longest
    the window could not answer."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = QElapsedTimer()
        self.clock.start()
        self.last = 0
        self.worst = 0
        self.active = False  # measuring a gesture (the sampler looks only then)
        self.checking = False  # the benchmark's own check runs (not the window's work)
        #: --dumps FILE: faulthandler writes every thread's stack there (with or without the
        #: GIL) whenever the UI thread goes 300 ms without a tick. A diagnostic: dumping
        #: while other threads run can crash the process (seen once here).
        path = sys.argv[sys.argv.index("--dumps") + 1] if "--dumps" in sys.argv else None
        self.dumps = open(path, "w") if path else None  # noqa: SIM115
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        if self.dumps is not None:  # every thread's stack if the window stalls past 300 ms
            faulthandler.dump_traceback_later(0.3, file=self.dumps)
        now = self.clock.elapsed()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def _checked(self, done: Callable[[], bool]) -> bool:
        """`done()`, its own time not counted: it is the benchmark asking the store whether
        the work is over, on the UI thread, not anything the window does."""
        before = self.clock.elapsed()
        self.checking = True
        try:
            finished = done()
        finally:
            self.checking = False
        self.last += self.clock.elapsed() - before
        return finished

    def measure(
        self,
        gesture: Callable[[], None],
        done: Callable[[], bool] = lambda: True,
        limit: float = 120,
    ) -> tuple[float, float]:
        """(longest stall ms, seconds until `done`) for `gesture` and what follows it."""
        wait(50)
        self.last, self.worst = self.clock.elapsed(), 0
        start = time.perf_counter()
        self.active = True
        gesture()
        while not self._checked(done) and time.perf_counter() - start < limit:
            wait(20)
        seconds = time.perf_counter() - start
        wait(200)  # what the last change set off
        self._tick()
        self.active = False
        return max(0.0, self.worst - TICK_MS), seconds


def full_passes() -> int:
    """The UI thread's full collections so far (views/kit/ui_gc.py): a stall past the budget
    during one is the collector's."""
    from aiuteur_desktop.views.kit import ui_gc

    collector = ui_gc.collector()
    return collector.full_passes if collector is not None else 0


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def feature_project(scenes: int) -> tuple[Project, str]:
    """The feature, ready for Stage 6: returns the project and its largest scene."""
    home = Path(os.environ["AIUTEUR_HOME"])
    p = Project.create(home / "projects", "Feature")
    master_script.import_screenplay(p, fountain.read_string(feature_script.write(scenes)), "f")
    for n in (1, 2, 3, 4):
        p.write(story.STAGE[n].lock_path, {"locked": True})
    masters.extract_into(p)
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), (90, 110, 140)).save(picture, "PNG")
    key = p.media.put(picture.getvalue(), "image/png")
    for a in masters.all_assets(p):
        masters.update(p, a["path"], candidates=[{"media": key}], image_key=key, locked=True)
    masters.approve(p)
    scene, sizes = feature_script.ready_for_frames(p)
    print(
        f"feature: {len(sizes)} scenes, {sum(sizes.values()):,} shots, "
        f"{len(masters.all_assets(p))} master assets; largest scene {scene}: {sizes[scene]} shots"
    )
    return p, scene


def main() -> int:
    scenes = int(sys.argv[sys.argv.index("--scenes") + 1]) if "--scenes" in sys.argv else 190
    t = time.perf_counter()
    project, scene = feature_project(scenes)
    print(f"(made in {time.perf_counter() - t:.0f} s)")
    app = ensure_app()
    if "--switch" in sys.argv:  # the GIL's switch interval (the app sets its own)
        sys.setswitchinterval(float(sys.argv[sys.argv.index("--switch") + 1]))
    window = MainWindow(Library())
    window.resize(1440, 900)
    window.show()
    meter = StallMeter()
    sampler = StallSampler(meter) if "--stacks" in sys.argv else None
    slow = SlowCallbacks() if "--slow" in sys.argv else None
    timeline = StallTimeline(meter) if "--timeline" in sys.argv else None
    # The dashboard as a filmmaker sees it a few seconds before they open a project (the
    # window builds the project page in steps meanwhile; what it has not built by the
    # opening counts in the opening's stall).
    wait(3000)
    results: list[tuple[str, float, float]] = []

    only = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None

    def run(
        name: str, gesture: Callable[[], None], done: Callable[[], bool] = lambda: True
    ) -> None:
        if only is not None and not any(word in name for word in only):
            if not name.startswith(("open", "choose", "show")):  # (what the others need)
                print(f"{name:<52} (skipped: --only)", flush=True)
                return
            gesture()
            wait(300)
            return
        passes = full_passes()
        stall, seconds = meter.measure(gesture, done)
        results.append((name, stall, seconds))
        collected = full_passes() - passes
        note = f"  {collected} full collection{'s' * (collected != 1)}" if collected else ""
        print(f"{name:<52} longest stall {stall:7.1f} ms  ({seconds:5.1f} s){note}", flush=True)

    run("open the project", lambda: window._show_project(project))
    page = window.project_page
    run(f"choose scene {scene} in the Script Hub", lambda: page.select_scene(scene))
    for n in range(6, 13):
        run(f"show Stage {n} of scene {scene}", lambda n=n: page.show_stage(n))
    page.show_stage(10)
    wait(500)
    stage10 = page.editors[10]
    total = len(frames.slots(project, scene))

    def made() -> bool:
        return (
            not stage10.preparing
            and not stage10._pending
            and all(s.made for s in frames.slots(project, scene))
        )

    def press(name: str, button: str) -> None:
        """Press `button` of the message box `name` once it shows."""

        def look() -> None:
            box = next((w for w in app.topLevelWidgets() if w.objectName() == name), None)
            if isinstance(box, QMessageBox) and box.isVisible():
                next(b for b in box.buttons() if b.text().startswith(button)).click()
            else:
                QTimer.singleShot(20, look)

        QTimer.singleShot(20, look)

    def make_all() -> None:
        stage10.generate_button.click()
        press("framesEstimate", "Make")

    run(f"Quick mode: Make all {total} frames (offline)", make_all, made)

    # Control mode: Approve, and on to the next frame, ten times.
    frames.set_mode(project, scene, frames.CONTROL)
    stage10.changed.emit()
    stage10.load()
    wait(500)
    worst_approve = 0.0
    passes = full_passes()
    for _ in range(10):
        stall, _s = meter.measure(stage10.approve_button.click, lambda: not stage10.settling)
        worst_approve = max(worst_approve, stall)
    results.append(("Control mode: approve and next, ten times", worst_approve, 0.0))
    collected = full_passes() - passes
    print(
        f"{'Control mode: approve and next, ten times':<52} longest stall {worst_approve:7.1f} ms"
        + (f"  {collected} full collections" if collected else ""),
        flush=True,
    )

    # Confirm & Render of the scene (the offline engine), until every shot is queued: the
    # frames not approved above are approved first, as a filmmaker would have.
    for s in frames.slots(project, scene):
        if s.made and not s.approved:
            frames.approve(project, scene, s.shot, s.which)
    stage11 = page.editors[11]
    page.show_stage(11)
    wait(1500)
    run(
        f"Confirm & Render scene {scene} (offline)",
        lambda: (stage11.confirm_button.click(), press("renderEstimate", "Render")),
        lambda: bool(stage11.pending) or "Rendering" in window.statusBar().currentMessage(),
    )

    # Pro Export: the film's shots listed (File → Export for Editing…), then the largest
    # scene exported for an editor (offline: a take where rendered, else its animatic).
    def listed() -> bool:
        d = page._pro_export
        return d is not None and d.export_button.isEnabled()

    run("Pro Export: the film's shots listed", page.open_pro_export, listed)
    export = page._pro_export
    if export is not None:
        export.scene.setCurrentIndex(export.scene.findData(scene))
        while not listed():
            wait(50)
        export.folder.setText(tempfile.mkdtemp(prefix="aiuteur-export-"))
        run(
            f"Pro Export of scene {scene} (offline)",
            export.export_button.click,
            lambda: export.job_id is None and export.status.text().startswith(("Exported", "The")),
        )
        export.close()

    # The Script Hub takes twenty more scenes to their frames, with one confirmation.
    page.show_stage(6)
    wait(500)
    stage6 = page.editors[6]
    twenty = [
        r
        for r in range(page.scene_list.count())
        if page.scene_list.item(r).data(Qt.ItemDataRole.UserRole) != scene
    ][:20]
    page.scene_list.clearSelection()
    for r in twenty:
        page.scene_list.item(r).setSelected(True)
    picked = page.selected_scenes()

    def batch_done() -> bool:
        return (
            not stage6._batching
            and not stage6.preparing
            and not stage6._pending
            and all(s.made for sc in picked for s in frames.slots(project, sc))
        )

    run(
        f"Script Hub: take {len(picked)} scenes to frames, one confirmation",
        lambda: (stage6.batch_button.click(), press("batchFramesEstimate", "Make")),
        batch_done,
    )
    others = [r for r in range(page.scene_list.count()) if page.scene_list.currentRow() != r]
    if others:
        run("the Script Hub's next scene", lambda: page.scene_list.setCurrentRow(others[0]))
    if sampler is not None:
        sampler.report()
    if slow is not None:
        slow.report()
    if timeline is not None:
        timeline.report()
    worst = max(r[1] for r in results)
    print(f"longest stall of all: {worst:.1f} ms (budget {BUDGET_MS:.0f} ms per gesture)")
    window.close()
    return 0


if __name__ == "__main__":
    # --profile FILE: the UI thread's profile of the whole run (cProfile), for finding stalls.
    profiler = None
    if "--profile" in sys.argv:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    code = main()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(sys.argv[sys.argv.index("--profile") + 1])
    sys.stdout.flush()
    os._exit(code)  # skip Qt's teardown at interpreter exit (it can crash offscreen)
