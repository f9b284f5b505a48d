"""What may be asked of a provider once only, across every process of the machine — a shot's
render for one confirmation, claimed by the window or by `aiuteur render` in a terminal — and
the guard that stops paid work while the library's record of spend cannot be trusted. Both
live in the shared library.db beside the job table (`core/jobs.py` uses them)."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from aiuteur_desktop.core.errors import AiuteurError

_md = MetaData()
#: A claim's row is written in the job's own transaction; a second asker finds it taken.
claims_table = Table(
    "claims",
    _md,
    Column("claim", Text, primary_key=True),
    Column("job", String(32), nullable=False, index=True),
    Column("created_at", Float, nullable=False),
    #: The process working on it (queued it, or running it now) and its machine: another
    #: process resumes an interrupted render only when that one is gone.
    Column("pid", Integer, nullable=True),
    Column("host", Text, nullable=True),
)
#: Guards on paid work (one row each): "lost" — the library was emptied or lost while
#: projects exist, so its record of spend is not to be trusted until the user confirms.
guards_table = Table(
    "guards",
    _md,
    Column("key", String(32), primary_key=True),
    Column("value", Text, nullable=False),
)
LOST = "lost"


class PaidWorkStopped(AiuteurError):
    """Paid work waits for the user: the library's record of spend was lost."""


class AlreadyClaimed(AiuteurError):
    """What this job would ask for is already on its way (another window, another command)."""

    def __init__(self, message: str, job_id: str) -> None:
        super().__init__(message)
        self.job_id = job_id


def create(conn: Any) -> None:
    _md.create_all(conn)


def _here() -> tuple[int, str]:
    return os.getpid(), socket.gethostname()


def _alive(pid: int | None, host: str | None) -> bool:
    """Whether the process `pid` of this machine still runs (another machine's: assumed)."""
    if pid is None:
        return False
    if (host and host != socket.gethostname()) or pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def take(
    conn: Any, claim: str, job_id: str, title: str, now: float, free: Callable[[str], bool]
) -> None:
    """Take `claim` for `job_id` in the caller's transaction, or raise AlreadyClaimed. A claim
    whose job `free` says ended with nothing the provider may bill is free again."""
    held = conn.execute(select(claims_table.c.job).where(claims_table.c.claim == claim)).first()
    if held is not None:
        if not free(held.job):
            raise AlreadyClaimed(
                f"{title} is already on its way (job {held.job[:8]}, in this window or another "
                "command): it is not sent twice.",
                held.job,
            )
        conn.execute(delete(claims_table).where(claims_table.c.claim == claim))
    pid, host = _here()
    try:
        conn.execute(
            insert(claims_table).values(claim=claim, job=job_id, created_at=now, pid=pid, host=host)
        )
    except IntegrityError:  # another process took it between our look and our write
        raise AlreadyClaimed(
            f"{title} is already on its way (another window or command): it is not sent twice.",
            "",
        ) from None


def work_on(conn: Any, job_id: str) -> None:
    """This process works on the claimed job now (it is starting it)."""
    pid, host = _here()
    conn.execute(
        update(claims_table).where(claims_table.c.job == job_id).values(pid=pid, host=host)
    )


def owned_elsewhere(engine: Engine, job_id: str) -> bool:
    """A claimed job another live process is working on (queued it, or runs it)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(claims_table.c.pid, claims_table.c.host).where(claims_table.c.job == job_id)
        ).first()
    return row is not None and row.pid != os.getpid() and _alive(row.pid, row.host)


def stop_paid_work(engine: Engine, reason: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(guards_table).where(guards_table.c.key == LOST))
        conn.execute(insert(guards_table).values(key=LOST, value=reason))


def paid_work_stopped(engine: Engine) -> str:
    """Why paid work waits for the user ("" when it does not)."""
    with engine.connect() as conn:
        row = conn.execute(select(guards_table.c.value).where(guards_table.c.key == LOST)).first()
    return str(row.value) if row else ""


def resume_paid_work(engine: Engine) -> None:
    """The user confirmed the rebuilt record of spend: paid work may go on."""
    with engine.begin() as conn:
        conn.execute(delete(guards_table).where(guards_table.c.key == LOST))
