"""The registry's statements: model versions, aliases, events and routes. Every change that
belongs together runs on one connection inside the caller's transaction (``Store.transaction``);
a route change always records its event."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from protege.store.tables import events, model_versions, now, site_aliases, site_routes

ROUTES = ("teacher", "shadow", "student")



class VersionQueries:
    """Mixed into :class:`protege.store.Store`; ``self.engine`` is the store's engine."""

    engine: sa.Engine

    def transaction(self):
        """``with store.transaction() as conn:`` — everything inside commits together or not at all."""
        return self.engine.begin()

    # ----- versions
    def next_version(self, conn: sa.Connection, site: str) -> int:
        found = conn.execute(sa.select(sa.func.max(model_versions.c.version)).where(model_versions.c.site == site))
        return (found.scalar() or 0) + 1

    def insert_version(self, conn: sa.Connection, **values: Any) -> None:
        conn.execute(model_versions.insert().values(**values, created_at=now()))

    def has_version(self, conn: sa.Connection, site: str, version: int) -> bool:
        return conn.execute(sa.select(model_versions.c.id).where(
            model_versions.c.site == site, model_versions.c.version == version)).first() is not None

    def attach_eval(self, site: str, version: int, report: dict) -> None:
        with self.engine.begin() as conn:
            conn.execute(model_versions.update().where(
                model_versions.c.site == site, model_versions.c.version == version).values(eval_report=report))

    def version_rows(self, site: str) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.select(model_versions).where(model_versions.c.site == site)
                                                  .order_by(model_versions.c.version)).mappings()]

    def version_row(self, site: str, version: int) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(model_versions).where(
                model_versions.c.site == site, model_versions.c.version == version)).mappings().first()
        return dict(row) if row else None

    # ----- aliases
    def alias_version(self, site: str, name: str, conn: sa.Connection | None = None) -> int | None:
        query = sa.select(site_aliases.c.version).where(site_aliases.c.site == site, site_aliases.c.alias == name)
        if conn is not None:
            return conn.execute(query).scalar()
        with self.engine.connect() as own:
            return own.execute(query).scalar()

    def aliases(self, site: str) -> dict[str, int]:
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.select(site_aliases.c.alias, site_aliases.c.version)
                                     .where(site_aliases.c.site == site)).all())

    def set_alias(self, conn: sa.Connection, site: str, name: str, version: int) -> None:
        done = conn.execute(site_aliases.update().where(
            site_aliases.c.site == site, site_aliases.c.alias == name).values(version=version, updated_at=now()))
        if done.rowcount == 0:
            conn.execute(site_aliases.insert().values(site=site, alias=name, version=version, updated_at=now()))

    def versions_ever_active(self, conn: sa.Connection, site: str) -> list[int]:
        """Versions a promotion or rollback ever made active, from the event log."""
        values = conn.execute(sa.select(events.c.to_value).where(
            events.c.site == site, events.c.kind.in_(("promote", "rollback")))).scalars()
        return [int(v[1:]) for v in values if v and v.startswith("v") and v[1:].isdigit()]

    # ----- events
    def record_event(self, site: str, kind: str, *, from_value: str | None = None, to_value: str | None = None,
                     reason: str = "", numbers: dict | None = None, conn: sa.Connection | None = None) -> None:
        values = dict(site=site, kind=kind, from_value=from_value, to_value=to_value, reason=reason,
                      numbers=numbers, created_at=now())
        if conn is not None:
            conn.execute(events.insert().values(**values))
            return
        with self.engine.begin() as own:
            own.execute(events.insert().values(**values))

    def events(self, site: str | None = None, limit: int = 50) -> list[dict]:
        query = sa.select(events).order_by(events.c.id.desc()).limit(limit)
        if site:
            query = query.where(events.c.site == site)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    # ----- routes
    def route(self, site: str) -> str:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(site_routes.c.route).where(site_routes.c.site == site)).scalar()
        return found or "teacher"

    def set_route(self, site: str, route: str, *, reason: str, numbers: dict | None = None,
                  conn: sa.Connection | None = None) -> bool:
        """Move ``site`` to ``route`` and record the change as an event with its reason, in one
        transaction. Returns whether the route changed (no event when it did not)."""
        if route not in ROUTES:
            raise ValueError(f"route must be one of {', '.join(ROUTES)}, not {route!r}")
        if conn is None:
            with self.engine.begin() as own:
                return self.set_route(site, route, reason=reason, numbers=numbers, conn=own)
        before = conn.execute(sa.select(site_routes.c.route).where(site_routes.c.site == site)).scalar()
        if (before or "teacher") == route:
            return False
        if before is None:
            conn.execute(site_routes.insert().values(site=site, route=route, updated_at=now()))
        else:
            conn.execute(site_routes.update().where(site_routes.c.site == site).values(route=route, updated_at=now()))
        self.record_event(site, "route", from_value=before or "teacher", to_value=route, reason=reason,
                          numbers=numbers, conn=conn)
        return True
