"""Tables of project.db and the ordered list of migrations that build them."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Column,
    Connection,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    func,
    inspect,
    select,
    text,
)

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

objects = Table(
    "objects",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(8), nullable=False),  # "blob" | "tree"
    Column("data", LargeBinary, nullable=False),
)

commits = Table(
    "commits",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("seq", Integer, nullable=False, unique=True),
    Column("tree", String(64), nullable=False),
    Column("parents", Text, nullable=False),  # JSON list of commit ids
    Column("message", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("stage", Integer, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("cost", Float, nullable=False, default=0.0),
    Column("branch", String(200), nullable=False),  # branch it was made on
    # Who made it, in a studio project (NULL in a bundle: one person's disk).
    Column("author", String(200), nullable=True),
)

branches = Table(
    "branches",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("head", String(64), nullable=False),
    Column("draft", String(64), nullable=False),  # draft tree (autosave)
    Column("base", String(64), nullable=True),  # commit it was forked from
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

media = Table(
    "media",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("mime", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("width", Integer, nullable=True),
    Column("height", Integer, nullable=True),
    Column("duration", Float, nullable=True),
    Column("created_at", Float, nullable=False),
)

ledger = Table(
    "ledger",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("job", String(32), nullable=True),
    Column("provider", String(64), nullable=False),
    Column("model", String(200), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("stage", Integer, nullable=True),
    Column("scene", String(100), nullable=True),
    Column("branch", String(200), nullable=True),
    Column("estimate", Float, nullable=False),
    Column("actual", Float, nullable=False),
    # What was paid for (a submission, "<job>#<n>"): one row each, however often the job
    # ends (a restart after the row was written records nothing again). NULL for old rows.
    Column("key", String(48), nullable=True),
    # Who paid (a studio project's member); NULL in a bundle.
    Column("author", String(200), nullable=True),
)

Index("ix_commits_seq", commits.c.seq)

# A studio project's (core/store/studio.py) own: each member's draft of a Story Timeline
# and their own settings (the timeline they are on), never another member's.
drafts = Table(
    "drafts",
    metadata,
    Column("author", String(200), primary_key=True),
    Column("branch", String(200), primary_key=True),
    Column("tree", String(64), nullable=False),
    Column("base", String(64), nullable=False),  # the head this draft was started from
    Column("updated_at", Float, nullable=False),
)

member_meta = Table(
    "member_meta",
    metadata,
    Column("author", String(200), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
#: Every paid request a studio's members send, written before it leaves, under the project's
#: lock with the shared cap checked (core/money/shared.py): two members pressing Render at
#: once cannot both pass the cap. A refused request stops counting.
shared_spend = Table(
    "shared_spend",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("author", String(200), nullable=False),
    Column("job", String(32), nullable=True),
    Column("estimate", Float, nullable=False),
    Column("state", String(16), nullable=False),  # sending | accepted | uncertain | refused
    Column("at", Float, nullable=False),
)
STUDIO_TABLES = [drafts, member_meta, shared_spend]


def _v1(conn: Connection) -> None:
    """Objects, trees, commits and branches."""
    metadata.create_all(conn, tables=[meta, objects, commits, branches])


def _v2(conn: Connection) -> None:
    """The media table: one metadata row per content-addressed file in media/."""
    metadata.create_all(conn, tables=[media])


def _v3(conn: Connection) -> None:
    """The cost ledger: every paid (or free) model call, estimated and actual."""
    metadata.create_all(conn, tables=[ledger])


def _v4(conn: Connection) -> None:
    """The ledger's key: a paid submission is recorded once."""
    # (A bundle made by this version already has the column: `_v3` creates today's table.)
    if "key" not in _columns(conn, "ledger"):
        conn.execute(text("ALTER TABLE ledger ADD COLUMN key VARCHAR(48)"))
    conn.execute(text("CREATE UNIQUE INDEX IF NOT EXISTS ux_ledger_key ON ledger (key)"))


def _v5(conn: Connection) -> None:
    """Who made a commit and who paid a ledger row (a studio project's members; NULL in a
    bundle)."""
    for table in ("commits", "ledger"):
        if "author" not in _columns(conn, table):
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN author VARCHAR(200)"))


def _columns(conn: Connection, table: str) -> set[str]:
    """`table`'s columns where the connection's tables are (a studio's project schema)."""
    where = None
    if conn.dialect.name == "postgresql":
        where = conn.exec_driver_sql("SELECT current_schema()").scalar()
    return {c["name"] for c in inspect(conn).get_columns(table, schema=where)}


# The reads every page makes constantly, each statement built once: building one costs more
# than running it (about 130 of the 200 µs a branch lookup took).
META_VALUE = select(meta.c.value).where(meta.c.key == bindparam("key"))
BRANCH_NAMED = select(branches).where(branches.c.name == bindparam("name"))
#: The current branch (or `main`, when the project names none) in one query.
BRANCH_CURRENT = select(branches).where(
    branches.c.name
    == func.coalesce(
        select(meta.c.value).where(meta.c.key == "current_branch").scalar_subquery(),
        bindparam("main"),
    )
)
OBJECT = select(objects.c.kind, objects.c.data).where(objects.c.id == bindparam("id"))
OBJECT_STORED = select(objects.c.id).where(objects.c.id == bindparam("id"))
COMMIT = select(commits).where(commits.c.id == bindparam("id"))


# MIGRATIONS[i] upgrades a bundle from schema version i to i + 1. Append only.
MIGRATIONS: list[Callable[[Connection], None]] = [_v1, _v2, _v3, _v4, _v5]
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    """Schema version recorded in the bundle (0 for an empty database)."""
    if not conn.dialect.has_table(conn, "meta"):
        return 0
    row = conn.execute(META_VALUE, {"key": "schema_version"}).first()
    return int(row[0]) if row else 0
