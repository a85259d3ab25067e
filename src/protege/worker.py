"""The worker: trains a call site's student in the background when it has enough new examples.

It trains only inside a configured low-usage window, or while the site's call rate is under a
threshold; one training at a time; a store lease per site means two workers never train the
same site, on SQLite or PostgreSQL. All of its state lives in the store, so a restarted worker
simply carries on; a worker killed mid-training leaves only a staging folder (removed on the next
registration) and an expiring lease, while the active version keeps serving.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable

from pydantic import BaseModel, Field

from protege.callsite import CallSite
from protege.evaluate.promote import gate_site
from protege.registry import Registry
from protege.store import Store
from protege.store import leases as lease
from protege.train.pipeline import train_site

log = logging.getLogger("protege.worker")


class WorkerConfig(BaseModel):
    min_new_examples: int = Field(50, ge=1, description="Train when a site has at least this many new approved examples.")
    window: str | None = Field(None, description="Low-usage window 'HH:MM-HH:MM' (local time); None = any time.")
    max_calls_per_minute: float | None = Field(None, description="Train only while the site's call rate is under this.")
    poll_seconds: float = Field(60.0, gt=0, description="Pause between checks.")
    gate_after_training: bool = Field(True, description="Run the gate on each new version.")
    lease_seconds: float = Field(120.0, gt=1, description="Lease time; renewed while training.")


def in_window(window: str | None, now: dt.datetime | None = None) -> bool:
    """Is ``now`` inside 'HH:MM-HH:MM'? Windows may wrap midnight ('22:00-06:00')."""
    if not window:
        return True
    start_s, end_s = window.split("-")
    start, end = dt.time.fromisoformat(start_s.strip()), dt.time.fromisoformat(end_s.strip())
    t = (now or dt.datetime.now()).time()
    return start <= t < end if start <= end else (t >= start or t < end)


def new_examples(store: Store, site: CallSite, registry: Registry) -> int:
    """Approved examples of the site's fingerprint that arrived after its newest version."""
    versions = [v for v in registry.versions(site.name) if v.fingerprint == site.fingerprint]
    since = versions[-1].created_at if versions else None
    return store.count_examples(site.name, site.fingerprint, since=since)


def calls_per_minute(store: Store, site: str, minutes: float = 10.0) -> float:
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes)
    return store.count_calls(site, since=since) / minutes


def due(store: Store, site: CallSite, registry: Registry, config: WorkerConfig) -> str | None:
    """Why the site should train now, or None."""
    fresh = new_examples(store, site, registry)
    if fresh < config.min_new_examples:
        return None
    if not in_window(config.window):
        return None
    if config.max_calls_per_minute is not None and calls_per_minute(store, site.name) >= config.max_calls_per_minute:
        return None
    return f"{fresh} new examples"


def run_once(sites: Iterable[CallSite], config: WorkerConfig, *, store: Store | None = None,
             train: Callable | None = None, train_config=None) -> list[str]:
    """One pass over the sites; trains (and gates) each due site under its lease. Returns what it did."""
    store = store or Store.default()
    registry = Registry(store)
    train = train or train_site
    done = []
    for site in sites:
        reason = due(store, site, registry, config)
        if reason is None:
            continue
        with lease.held(store, f"train:{site.name}", ttl=config.lease_seconds) as mine:
            if not mine:
                done.append(f"{site.name}: another worker is training it")
                continue
            if due(store, site, registry, config) is None:  # someone trained it while we waited
                continue
            log.info("training %s (%s)", site.name, reason)
            version = train(site, config=train_config, store=store, registry=registry)
            registry.record_event(site.name, "worker", to_value=version.label, reason=reason)
            done.append(f"{site.name}: trained {version.label} ({reason})")
            if config.gate_after_training:
                outcome = gate_site(site, version=version.version, store=store, registry=registry)
                done.append(f"{site.name}: gate {'promoted' if outcome.promoted else 'refused'} {version.label}")
    return done


def run_forever(sites: list[CallSite], config: WorkerConfig, *, store: Store | None = None, train_config=None,
                on_pass: Callable[[list[str]], None] | None = None) -> None:
    while True:
        try:
            did = run_once(sites, config, store=store, train_config=train_config)
        except Exception:  # keep the worker alive; the failure is logged with its traceback
            log.exception("worker pass failed")
            did = []
        if on_pass:
            on_pass(did)
        time.sleep(config.poll_seconds)
