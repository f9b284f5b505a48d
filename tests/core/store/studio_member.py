"""A studio member in a process of their own (tests/core/store/test_studio.py): opens a
project on the server as AUTHOR and commits COUNT times at random moments, printing each
commit the store acknowledged ("<id> <timeline>") as soon as it returns.

    python studio_member.py SERVER PROJECT AUTHOR COUNT SEED [BACK_TO_MAIN_EVERY]
"""

from __future__ import annotations

import random
import sys
import time

from aiuteur_desktop.core.store import studio


def main() -> None:
    server, name, author, count, seed = sys.argv[1:6]
    back_every = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    rng = random.Random(int(seed))
    project = studio.open_studio(server, name, author=author)
    print("ready", flush=True)
    for i in range(int(count)):
        time.sleep(rng.random() * 0.004)
        project.write(f"notes/{author}/{i}", {"n": i, "by": author})
        made = project.commit(f"{author} {i}")
        print(made.id, made.branch, flush=True)
        if back_every and (i + 1) % back_every == 0 and project.current_branch != "Main":
            project.switch_branch("Main")
    project.close()


if __name__ == "__main__":
    main()
