"""Story Timelines store against DESIGN.md's budgets, on a synthetic project.

60 scenes, 600 shots, 5,000 commits, 2,000 media files (× `--scale N`: 10 gives 600 scenes,
6,000 shots, 50,000 commits, 20,000 media files, held to the same budgets). Prints median/p95
per operation and PASS/FAIL per budget.
With `--server URL` (a PostgreSQL server: `python3 tests/pg_server.py start DIR` prints one)
the same projects are published there and measured as a studio's members use them; commit
≤ 30 ms and open ≤ 500 ms there, the other budgets as for a bundle.
Run: python benchmarks/store_bench.py [--quick] [--scale N] [--server URL]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from aiuteur_desktop.core.pipeline import vault
from aiuteur_desktop.core.store import Project, artifacts, history, timelines
from aiuteur_desktop.core.store.derived import DerivedCache
from aiuteur_desktop.core.store.status import StatusDeriver

SCENES, SHOTS_PER_SCENE = 60, 10


def timed(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def timed_cold(project: Project, fn: Callable[[], object], n: int = 3) -> list[float]:
    """`fn` with nothing derived kept from before, as in a project just opened."""
    out = []
    for _ in range(n):
        project._derived = DerivedCache()
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(len(xs) * 0.95) - 1)]


def report(name: str, xs: list[float], budget: float | None, *, stat: str = "median") -> bool:
    med = statistics.median(xs)
    value = med if stat == "median" else max(xs)
    verdict = "" if budget is None else ("PASS" if value <= budget else "FAIL")
    limit = "" if budget is None else f"  budget {stat} ≤ {budget:g} ms"
    print(f"{name:<44} median {med:8.2f} ms  p95 {p95(xs):8.2f} ms{limit}  {verdict}")
    return verdict != "FAIL"


def shot_doc(rng: random.Random, s: int, k: int) -> dict:
    return {
        "scene": s,
        "shot": k,
        "action": " ".join(
            rng.choice(["MARA", "climbs", "the", "stairs", "lamp", "storm"]) for _ in range(30)
        ),
        "duration": 8,
        "inputs": {},  # filled by record_inputs() in build()
    }


def script_doc(rng: random.Random) -> dict:
    return {
        "scenes": [
            {"id": f"s{s:02d}", "text": " ".join(str(rng.random()) for _ in range(40))}
            for s in range(SCENES)
        ]
    }


def build(root: Path, commits: int, media_files: int, rng: random.Random) -> Project:
    """Script → per-scene shots → per-scene end frame feeding the next scene, as stages record."""
    p = Project.create(root, "Bench")
    p.write(artifacts.SCRIPT, artifacts.make(script_doc(rng), new_derivation=True))
    for s in range(SCENES):
        tree = p.branch().draft
        prev = [f"scenes/s{s - 1:02d}/frames/end"] if s else []
        for k in range(SHOTS_PER_SCENE):
            path = f"scenes/s{s:02d}/shots/{k:02d}"
            doc = shot_doc(rng, s, k)
            doc["inputs"] = artifacts.record_inputs(
                p, tree, path, [f"{artifacts.SCRIPT}#scenes/s{s:02d}", *prev]
            )
            p.write(path, doc)
        tree = p.branch().draft
        path = f"scenes/s{s:02d}/frames/end"
        keys = [f"scenes/s{s:02d}/shots/{k:02d}" for k in range(SHOTS_PER_SCENE)]
        p.write(
            path,
            artifacts.make(
                {"frame": s}, inputs=artifacts.record_inputs(p, tree, path, keys), cost=0.04
            ),
        )
    p.commit("Synthetic scenes")
    for i in range(commits - 2):
        s, k = rng.randrange(SCENES), rng.randrange(SHOTS_PER_SCENE)
        path = f"scenes/s{s:02d}/shots/{k:02d}"
        p.write(path, {**shot_doc(rng, s, k), "inputs": p.read(path)["inputs"]})
        p.commit(f"Edit {i}")
    for _ in range(media_files):
        p.media.put(os.urandom(4096), "application/octet-stream")
    return p


_published: list[str] = []


def published(server: str, *bundles: Project) -> list[Path]:
    """The bundles published on the server (each under a name of this run's)."""
    from aiuteur_desktop.core.store import studio

    t = time.perf_counter()
    out = []
    for p in bundles:
        name = f"{p.path.parent.name}-{p.path.stem}-{os.getpid()}"
        p.close()
        out.append(studio.publish(p.path, server, name=name, author="bench"))
        _published.append(name)
    print(f"published on {studio.public_address(server)} in {time.perf_counter() - t:.1f} s\n")
    return out


def unpublish(server: str) -> None:
    """What this run published, gone from the server."""
    from sqlalchemy import delete, text

    from aiuteur_desktop.core.store import studio

    engine = studio.engine(server)
    with engine.begin() as conn:
        for name in _published:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{studio.schema_of(name)}" CASCADE'))
            conn.execute(delete(studio.registry).where(studio.registry.c.name == name))
    engine.dispose()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller history for a smoke run")
    ap.add_argument("--scale", type=int, default=1, help="scenes, commits and media × N")
    ap.add_argument(
        "--keep", type=Path, help="build the projects in this folder once and reuse them after"
    )
    ap.add_argument("--server", help="measure the projects published on this PostgreSQL server")
    args = ap.parse_args()
    global SCENES
    SCENES *= args.scale
    commits = (500 if args.quick else 5000) * args.scale
    media = (200 if args.quick else 2000) * args.scale
    rng = random.Random(7)
    root = args.keep or Path(tempfile.mkdtemp(prefix="aiuteur-bench-"))
    ok = True
    try:
        t = time.perf_counter()
        if args.keep and (root / "Bench.aiuteur").exists():
            small = Project.open(root / "small" / "Bench.aiuteur")
            big = Project.open(root / "Bench.aiuteur")
            built = "opened the synthetic projects kept"
        else:
            root.mkdir(parents=True, exist_ok=True)
            (root / "small").mkdir()
            small = build(root / "small", 100, 0, rng)
            big = build(root, commits, media, rng)
            built = "built synthetic projects"
        print(
            f"{built} in {time.perf_counter() - t:.1f} s ({SCENES} scenes, "
            f"{SCENES * SHOTS_PER_SCENE} shots, {commits} commits, {media} media)\n"
        )
        big_path = root / "Bench.aiuteur"
        if args.server:
            big_path, small_path = published(args.server, big, small)
            big, small = Project.open(big_path), Project.open(small_path)

        recorded = {
            path: doc["inputs"]
            for path in big.list_paths(big.branch().draft)
            if "/shots/" in path and (doc := big.read(path)) is not None
        }

        def draft_write() -> None:
            s, k = rng.randrange(SCENES), rng.randrange(SHOTS_PER_SCENE)
            path = f"scenes/s{s:02d}/shots/{k:02d}"
            big.write(path, {**shot_doc(rng, s, k), "inputs": recorded[path]})

        ok &= report("autosave/draft write", timed(draft_write, 300), 5)

        commit_times = []
        for _ in range(150):
            draft_write()
            t = time.perf_counter()
            big.commit("bench commit")
            commit_times.append((time.perf_counter() - t) * 1000)
        ok &= report("commit", commit_times, 30 if args.server else 15)

        counter = iter(range(10**6))
        ok &= report(
            "branch creation (100 commits of history)",
            timed(
                lambda: small.create_branch(f"b{os.getpid()}-{next(counter)}", switch=False), 100
            ),
            2,
        )
        ok &= report(
            f"branch creation ({commits} commits of history)",
            timed(lambda: big.create_branch(f"b{os.getpid()}-{next(counter)}", switch=False), 100),
            2,
        )

        def open_project() -> None:
            with Project.open(big_path) as p:
                p.read("scenes/s00/shots/00")
                p.branches()

        ok &= report("open project", timed(open_project, 20), 500 if args.server else 300)
        ok &= report("history graph query (all commits)", timed(big.all_commits, 10), None)

        def derive_all() -> None:
            d = StatusDeriver(big, big.branch().draft)
            for s in range(SCENES):
                d.scene_status(f"s{s:02d}")

        derive_all()  # what a session has seen before (statuses are kept by content)
        after_edit = []
        for _ in range(20):  # the Script Hub after each edit of one shot
            draft_write()
            after_edit += timed(derive_all, 1)
        ok &= report("derive status of every scene (after an edit)", after_edit, 30)
        ok &= report("… the first time in a session", timed_cold(big, derive_all), None)
        # (the dialogs' budget is for the 60-scene project; at --scale N their figures are
        # printed for what they are)
        dialog_budget = 100 if args.scale == 1 else None
        ok &= report(
            "Version History opening (newest versions drawn)",
            timed(lambda: history.load_graph(big, history.FIRST_PAGE), 10),
            dialog_budget,
        )
        ok &= report(
            "history graph layout (every version, after)",
            timed(lambda: history.load_graph(big), 5),
            None,
        )
        edited = script_doc(rng)

        def dry_run() -> None:
            timelines.impact(big, big.branch().draft, {artifacts.SCRIPT: edited})

        ok &= report("Cost & Dependency dry run (script edit)", timed(dry_run, 10), None)
        here = big.current_branch
        ok &= report(
            "Artifact Vault opening (current artifacts)",
            timed(lambda: vault.collect(big, [here], earlier=False), 10),
            dialog_budget,
        )
        ok &= report(
            "Artifact Vault earlier versions (after)",
            timed(lambda: vault.earlier_versions(big, here), 5),
            None,
        )
        big.close()
        small.close()
    finally:
        if args.server:
            unpublish(args.server)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print("\nALL BUDGETS PASS" if ok else "\nSOME BUDGETS FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
