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

from protege.config import settings
from protege.store import Store
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
        with self.store.transaction() as conn:
            number = self.store.next_version(conn, site)
            final = self.models_dir / site_slug(site) / f"v{number}"
            if final.exists():  # an orphan of a registration that died after its rename
                shutil.rmtree(final)
            os.rename(staging, final)
            try:
                self.store.insert_version(
                    conn, site=site, version=number, fingerprint=fingerprint, base_model=base_model,
                    base_sha256=base_sha256, path=str(final),
                    gguf_path=str(final / gguf_file) if gguf_file else None, gguf_sha256=gguf_sha,
                    dataset_hash=dataset_hash, n_train=n_train, train_config=train_config, metrics=metrics,
                )
                self.store.set_alias(conn, site, "candidate", number)
                self.store.record_event(site, "train", to_value=f"v{number}", reason=f"trained on {n_train} examples",
                                        numbers={"dataset_hash": dataset_hash, **(metrics or {})}, conn=conn)
            except BaseException:
                os.rename(final, staging)
                raise
        _make_read_only(final)
        return self.get(site, number)

    def attach_eval(self, site: str, version: int, report: dict) -> None:
        """Store an eval report with a version (the only thing added to a version after it exists)."""
        self.store.attach_eval(site, version, report)

    # ----- reading
    def versions(self, site: str) -> list[ModelVersion]:
        return [ModelVersion(**row) for row in self.store.version_rows(site)]

    def get(self, site: str, version: int) -> ModelVersion:
        row = self.store.version_row(site, version)
        if row is None:
            raise RegistryError(f"{site} has no version v{version}; see `protege models list {site}`")
        return ModelVersion(**row)

    def alias(self, site: str, name: str) -> ModelVersion | None:
        number = self.store.alias_version(site, name)
        return self.get(site, number) if number is not None else None

    def aliases(self, site: str) -> dict[str, int]:
        return self.store.aliases(site)

    def events(self, site: str | None = None, limit: int = 50) -> list[dict]:
        return self.store.events(site, limit)

    # ----- changing aliases and routes (each change is one transaction with its event)
    def promote(self, site: str, version: int, *, reason: str, numbers: dict | None = None, route: str | None = None) -> None:
        self.get(site, version)
        with self.store.transaction() as conn:
            before = self.store.alias_version(site, "active", conn)
            self.store.set_alias(conn, site, "active", version)
            self.store.record_event(site, "promote", from_value=_v(before), to_value=f"v{version}", reason=reason,
                                    numbers=numbers, conn=conn)
            if route:
                self.store.set_route(site, route, reason=reason, numbers=numbers, conn=conn)

    def rollback(self, site: str, *, to: int | None = None, reason: str = "by hand", route: str | None = None,
                 numbers: dict | None = None) -> ModelVersion:
        """Make an earlier version active: ``to``, or the newest earlier version that was active."""
        with self.store.transaction() as conn:
            current = self.store.alias_version(site, "active", conn)
            if to is None:
                if current is None:
                    raise RegistryError(f"{site} has no active version to roll back from")
                earlier = [v for v in self.store.versions_ever_active(conn, site) if v < current]
                if not earlier:
                    raise RegistryError(f"{site}: no version before v{current} was ever active; name one with --to")
                to = max(earlier)
            if not self.store.has_version(conn, site, to):
                raise RegistryError(f"{site} has no version v{to}")
            self.store.set_alias(conn, site, "active", to)
            self.store.record_event(site, "rollback", from_value=_v(current), to_value=f"v{to}", reason=reason,
                                    numbers=numbers, conn=conn)
            if route:
                self.store.set_route(site, route, reason=reason, numbers=numbers, conn=conn)
        return self.get(site, to)

    def set_route(self, site: str, route: str, *, reason: str, numbers: dict | None = None) -> None:
        self.store.set_route(site, route, reason=reason, numbers=numbers)

    def record_event(self, site: str, kind: str, *, from_value=None, to_value=None, reason: str = "", numbers=None) -> None:
        self.store.record_event(site, kind, from_value=from_value, to_value=to_value, reason=reason, numbers=numbers)

    # ----- internals
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
