"""The registry: immutable model versions per call site, the ``candidate`` and ``active``
aliases, and the event log of every promotion, rollback and route change.

A version is registered in one step that cannot be half done: training and export write into a
private staging folder; registration renames it to ``v<N>`` and inserts the row in one
transaction. A run killed before that leaves only a staging folder, removed on the next
registration. Version files are made read-only once registered.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from protege.config import settings
from protege.store import Store, now
from protege.store.tables import events, model_versions, site_aliases, site_routes
from protege.students.base import file_sha256

ALIASES = ("candidate", "active")


class RegistryError(RuntimeError):
    pass


@dataclass
class ModelVersion:
    id: int
    site: str
    version: int
    fingerprint: str
    base_model: str
    base_sha256: str | None
    path: str
    gguf_path: str | None
    gguf_sha256: str | None
    dataset_hash: str
    n_train: int
    train_config: dict
    metrics: dict | None
    eval_report: dict | None
    created_at: datetime

    @property
    def label(self) -> str:
        return f"v{self.version}"


def site_slug(site: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", site).strip("_")


class Registry:
    def __init__(self, store: Store | None = None, models_dir: Path | None = None):
        self.store = store or Store.default()
        self.models_dir = Path(models_dir or settings().models_dir)

    # ----- registering
    def staging_dir(self, site: str) -> Path:
        """A private folder to train and export into; nothing reads it until it is registered."""
        folder = self.models_dir / site_slug(site) / f".staging-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        folder.mkdir(parents=True)
        return folder

    def register(
        self,
        site: str,
        fingerprint: str,
        staging: Path,
        *,
        base_model: str,
        base_sha256: str | None,
        gguf_file: str | None,
        dataset_hash: str,
        n_train: int,
        train_config: dict,
        metrics: dict | None = None,
    ) -> ModelVersion:
        """Turn a staging folder into the next immutable version and make it the candidate."""
        gguf_sha = file_sha256(staging / gguf_file) if gguf_file else None
        self._remove_stale_staging(site, keep=staging)
        with self.store.engine.begin() as conn:
            number = (conn.execute(
                sa.select(sa.func.max(model_versions.c.version)).where(model_versions.c.site == site)
            ).scalar() or 0) + 1
            final = self.models_dir / site_slug(site) / f"v{number}"
            if final.exists():  # an orphan of a registration that died after its rename
                shutil.rmtree(final)
            os.rename(staging, final)
            try:
                conn.execute(model_versions.insert().values(
                    site=site, version=number, fingerprint=fingerprint, base_model=base_model,
                    base_sha256=base_sha256, path=str(final),
                    gguf_path=str(final / gguf_file) if gguf_file else None, gguf_sha256=gguf_sha,
                    dataset_hash=dataset_hash, n_train=n_train, train_config=train_config,
                    metrics=metrics, created_at=now(),
                ))
                self._set_alias(conn, site, "candidate", number)
                self._event(conn, site, "train", None, f"v{number}", f"trained on {n_train} examples",
                            {"dataset_hash": dataset_hash, **(metrics or {})})
            except BaseException:
                os.rename(final, staging)
                raise
        _make_read_only(final)
        return self.get(site, number)

    def attach_eval(self, site: str, version: int, report: dict) -> None:
        """Store an eval report with a version (the only thing added to a version after it exists)."""
        with self.store.engine.begin() as conn:
            conn.execute(model_versions.update().where(
                model_versions.c.site == site, model_versions.c.version == version
            ).values(eval_report=report))

    # ----- reading
    def versions(self, site: str) -> list[ModelVersion]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(sa.select(model_versions).where(model_versions.c.site == site)
                                .order_by(model_versions.c.version)).mappings().all()
        return [ModelVersion(**dict(r)) for r in rows]

    def get(self, site: str, version: int) -> ModelVersion:
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(model_versions).where(
                model_versions.c.site == site, model_versions.c.version == version)).mappings().first()
        if row is None:
            raise RegistryError(f"{site} has no version v{version}; see `protege models list {site}`")
        return ModelVersion(**dict(row))

    def alias(self, site: str, name: str) -> ModelVersion | None:
        with self.store.engine.connect() as conn:
            number = conn.execute(sa.select(site_aliases.c.version).where(
                site_aliases.c.site == site, site_aliases.c.alias == name)).scalar()
        return self.get(site, number) if number is not None else None

    def aliases(self, site: str) -> dict[str, int]:
        with self.store.engine.connect() as conn:
            return dict(conn.execute(sa.select(site_aliases.c.alias, site_aliases.c.version)
                                     .where(site_aliases.c.site == site)).all())

    def events(self, site: str | None = None, limit: int = 50) -> list[dict]:
        query = sa.select(events).order_by(events.c.id.desc()).limit(limit)
        if site:
            query = query.where(events.c.site == site)
        with self.store.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    # ----- changing aliases and routes (each change is one transaction with its event)
    def promote(self, site: str, version: int, *, reason: str, numbers: dict | None = None, route: str | None = None) -> None:
        self.get(site, version)
        with self.store.engine.begin() as conn:
            before = self._alias_in(conn, site, "active")
            self._set_alias(conn, site, "active", version)
            self._event(conn, site, "promote", _v(before), f"v{version}", reason, numbers)
            if route:
                self._route_in(conn, site, route, reason, numbers)

    def rollback(self, site: str, *, to: int | None = None, reason: str = "by hand", route: str | None = None,
                 numbers: dict | None = None) -> ModelVersion:
        """Make an earlier version active: ``to``, or the newest earlier version that was active."""
        with self.store.engine.begin() as conn:
            current = self._alias_in(conn, site, "active")
            if to is None:
                if current is None:
                    raise RegistryError(f"{site} has no active version to roll back from")
                earlier = [int(v[1:]) for v in conn.execute(sa.select(events.c.to_value).where(
                    events.c.site == site, events.c.kind.in_(("promote", "rollback")))).scalars()
                    if v and v.startswith("v") and int(v[1:]) < current]
                if not earlier:
                    raise RegistryError(f"{site}: no version before v{current} was ever active; name one with --to")
                to = max(earlier)
            if conn.execute(sa.select(model_versions.c.id).where(
                    model_versions.c.site == site, model_versions.c.version == to)).first() is None:
                raise RegistryError(f"{site} has no version v{to}")
            self._set_alias(conn, site, "active", to)
            self._event(conn, site, "rollback", _v(current), f"v{to}", reason, numbers)
            if route:
                self._route_in(conn, site, route, reason, numbers)
        return self.get(site, to)

    def set_route(self, site: str, route: str, *, reason: str, numbers: dict | None = None) -> None:
        with self.store.engine.begin() as conn:
            self._route_in(conn, site, route, reason, numbers)

    def record_event(self, site: str, kind: str, *, from_value=None, to_value=None, reason: str = "", numbers=None) -> None:
        with self.store.engine.begin() as conn:
            self._event(conn, site, kind, from_value, to_value, reason, numbers)

    # ----- internals
    def _route_in(self, conn, site, route, reason, numbers) -> None:
        before = conn.execute(sa.select(site_routes.c.route).where(site_routes.c.site == site)).scalar() or "teacher"
        if before != route:
            self.store.set_route(site, route, conn)
            self._event(conn, site, "route", before, route, reason, numbers)

    @staticmethod
    def _alias_in(conn, site, name) -> int | None:
        return conn.execute(sa.select(site_aliases.c.version).where(
            site_aliases.c.site == site, site_aliases.c.alias == name)).scalar()

    @staticmethod
    def _set_alias(conn, site, name, version) -> None:
        done = conn.execute(site_aliases.update().where(
            site_aliases.c.site == site, site_aliases.c.alias == name).values(version=version, updated_at=now()))
        if done.rowcount == 0:
            conn.execute(site_aliases.insert().values(site=site, alias=name, version=version, updated_at=now()))

    @staticmethod
    def _event(conn, site, kind, from_value, to_value, reason, numbers) -> None:
        conn.execute(events.insert().values(site=site, kind=kind, from_value=from_value, to_value=to_value,
                                            reason=reason, numbers=numbers, created_at=now()))

    def _remove_stale_staging(self, site: str, keep: Path) -> None:
        """Staging folders of runs that died (their process is gone, or older than a day)."""
        for folder in (self.models_dir / site_slug(site)).glob(".staging-*"):
            if folder == keep:
                continue
            pid = folder.name.split("-")[1]
            alive = pid.isdigit() and _pid_alive(int(pid))
            if not alive or time.time() - folder.stat().st_mtime > 86400:
                shutil.rmtree(folder, ignore_errors=True)


def _v(number: int | None) -> str | None:
    return f"v{number}" if number is not None else None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _make_read_only(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
