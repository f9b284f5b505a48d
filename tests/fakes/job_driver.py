"""A separate app process for the restart test: `submit` a video render job, or `resume`.

Run: python -m tests.fakes.job_driver submit|resume PARAMS.json
"""

from __future__ import annotations

import json
import os
import sys

from aiuteur_desktop.core.jobs import Submission

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QEventLoop, QTimer

    from aiuteur_desktop.core.library import Library
    from aiuteur_desktop.providers.video_jobs import VIDEO_RENDER
    from aiuteur_desktop.views.app import ensure_app
    from aiuteur_desktop.views.jobs.runner import JobRunner

    mode, params_file = argv
    if os.environ.get("AIUTEUR_TEST_KILL_AT") == "succeed":
        # A crash after the ledger row is written and before the job's success is.
        import signal

        from aiuteur_desktop.core.jobs import JobStore

        JobStore.succeed = lambda *_a, **_k: os.kill(os.getpid(), signal.SIGKILL)  # type: ignore[method-assign,assignment,return-value]
    app = ensure_app()
    library = Library()
    runner = JobRunner(library.jobs)
    if mode == "submit":
        with open(params_file, encoding="utf-8") as f:
            params = json.load(f)
        runner.submit(Submission(VIDEO_RENDER, "Shot 1 — Veo", "google:veo", params, estimate=3.2))
    else:
        runner.resume()
    loop = QEventLoop()
    runner.finished.connect(lambda _id: loop.quit())
    # After a restart that left nothing to run (a job that needs a decision), stop there.
    runner.reloaded.connect(lambda: None if runner.active() else loop.quit())
    QTimer.singleShot(60_000, loop.quit)
    loop.exec()
    runner.shutdown()
    library.close()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
