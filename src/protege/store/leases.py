"""Leases: a lock with an expiry, kept in the store so it works across processes and machines,
on SQLite and PostgreSQL alike. A holder that dies stops renewing and its lease runs out."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from contextlib import contextmanager

import sqlalchemy as sa

from protege.store import Store
from protege.store.tables import leases


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def try_acquire(store: Store, name: str, owner: str, ttl: float) -> bool:
    """Take the lease if it is free or expired (or already ours). One transaction."""
    now = time.time()
    with store.engine.begin() as conn:
        if store.engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": name})
        row = conn.execute(sa.select(leases).where(leases.c.name == name)).first()
        if row is None:
            conn.execute(leases.insert().values(name=name, owner=owner, expires_at=now + ttl))
            return True
        if row.owner == owner or row.expires_at < now:
            conn.execute(leases.update().where(leases.c.name == name).values(owner=owner, expires_at=now + ttl))
            return True
        return False


def release(store: Store, name: str, owner: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(leases.delete().where(leases.c.name == name, leases.c.owner == owner))


@contextmanager
def held(store: Store, name: str, *, ttl: float = 120.0, owner: str | None = None):
    """Hold a lease for the duration of a block, renewing it in the background.

    Yields True when the lease was taken, False when someone else holds it.
    """
    owner = owner or owner_id()
    if not try_acquire(store, name, owner, ttl):
        yield False
        return
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(ttl / 3):
            try_acquire(store, name, owner, ttl)

    keeper = threading.Thread(target=renew, daemon=True, name=f"lease-{name}")
    keeper.start()
    try:
        yield True
    finally:
        stop.set()
        keeper.join()
        release(store, name, owner)
