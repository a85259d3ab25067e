"""Opening the database: engine options per backend, and migrations run under a lock.

SQLite runs in WAL mode with a busy timeout and ``BEGIN IMMEDIATE`` transactions, so several
processes can write at once and none loses a row (a deferred transaction that later upgrades to a
write lock can fail without waiting; an immediate one waits its turn). Migrations run under a
file lock on SQLite and an advisory lock on PostgreSQL, so processes that start together do not
race to create the same tables.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from importlib import resources
from pathlib import Path

import sqlalchemy as sa

# A program that logs at INFO (a Jac program does) would print alembic's plugin and context
# notices at every start; ours are internal. A level the program set for alembic itself stays.
if logging.getLogger("alembic").level == logging.NOTSET:
    logging.getLogger("alembic").setLevel(logging.WARNING)

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from protege.errors import StoreError

_PG_LOCK_KEY = 0x70726F74  # "prot"


def create_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_on_connect)
        sa.event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _sqlite_on_connect(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see the module docstring)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("protege.store") / "migrations"))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: sa.Engine, to: str = "head") -> str:
    """Bring the database to the newest migration (or ``to``); returns the revision it is at."""
    target = head_revision() if to == "head" else to
    with _migration_lock(engine):
        if current_revision(engine) == target:
            return target
        cfg = _alembic_config()
        try:
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, target)
        except Exception as exc:
            raise StoreError(f"migrating the store at {engine.url!r} failed: {exc}") from exc
    return target


@contextlib.contextmanager
def _migration_lock(engine: sa.Engine):
    if engine.dialect.name == "sqlite":
        db = engine.url.database
        if not db or db == ":memory:":
            yield
            return
        with open(f"{db}.migrate.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
    elif engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
    else:
        yield
