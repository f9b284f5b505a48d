"""A real PostgreSQL server for the studio tests: a cluster in a folder of its own, reached
by a Unix socket there (no TCP port, nothing outside the folder), run by an unprivileged user
(PostgreSQL refuses root: as root it runs as `postgres`, the user Debian's package makes).

    python3 tests/pg_server.py start DIR   # prints the server's address; CI exports it
    python3 tests/pg_server.py stop DIR

`.ci/run` starts one before the tests (AIUTEUR_TEST_PG) and stops it at the end; without
that variable the tests' fixture starts one here for the session (tests/conftest.py).
Standard library only: CI runs it before any virtual environment exists.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

USER = "aiuteur"
DATABASE = "aiuteur_test"
PORT = 5439  # the socket's name only (no TCP): .s.PGSQL.5439 in the folder


def _bin(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise SystemExit(
            f"PostgreSQL's {name} is not installed: `sudo apt-get install -y postgresql` "
            "(the README's apt-get line has it)."
        )
    return found


def _as_server_user(folder: Path) -> list[str]:
    """The command prefix that runs the server's programs as an unprivileged user."""
    if os.geteuid() != 0:
        return []
    shutil.chown(folder, "postgres", "postgres")
    for path in folder.rglob("*"):
        shutil.chown(path, "postgres", "postgres")
    return ["runuser", "-u", "postgres", "--"]


def url(folder: Path) -> str:
    """The server's address for SQLAlchemy (psycopg 3)."""
    return f"postgresql+psycopg://{USER}@/{DATABASE}?host={folder.resolve()}&port={PORT}"


def start(folder: Path) -> str:
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "data"
    log = folder / "server.log"
    prefix = _as_server_user(folder)
    if not data.exists():
        subprocess.run(
            [*prefix, _bin("initdb"), "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    options = f"-k {folder} -p {PORT} -c listen_addresses='' -c max_connections=200"
    subprocess.run(
        [*prefix, _bin("pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    made = subprocess.run(
        [
            _bin("psql"),
            "-h",
            str(folder),
            "-p",
            str(PORT),
            "-U",
            USER,
            "-d",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    if made.stdout.strip() != "1":
        subprocess.run(
            [_bin("createdb"), "-h", str(folder), "-p", str(PORT), "-U", USER, DATABASE],
            check=True,
        )
    return url(folder)


def stop(folder: Path) -> None:
    folder = folder.resolve()
    data = folder / "data"
    if not (data / "postmaster.pid").exists():
        return
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(
        [*prefix, _bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
        check=False,
        stdout=subprocess.DEVNULL,
    )


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        raise SystemExit("usage: pg_server.py start|stop DIR")
    if sys.argv[1] == "start":
        print(start(Path(sys.argv[2])))
    else:
        stop(Path(sys.argv[2]))
