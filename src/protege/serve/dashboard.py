"""The dashboard: a page listing every call site, a page per site (route, versions, live and
eval numbers, failures, events, charts) and the two actions a person takes there — set the
route, roll back — each recorded as an event naming who did it.

Every path starts with ``/dashboard``; the app that includes :data:`router` checks the token
(:mod:`protege.serve.auth`). Pages are server-rendered HTML with inline SVG and no script, so
they work wherever the API does. The numbers come from :mod:`protege.serve.dashboard_view`.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from protege.registry import Registry, RegistryError
from protege.router import forget_state
from protege.serve.auth import who
from protege.serve.dashboard_plots import site_charts, sites_chart
from protege.serve.dashboard_view import (
    app_report_folders,
    report_html,
    reports_folder,
    site_panel,
    sites_overview,
)
from protege.store import Store
from protege.store.versions import ROUTES

HERE = Path(__file__).parent
MAX_FORM_BYTES = 4096
REPORT_FILE = re.compile(r"^[A-Za-z0-9_.-]+\.html$")
VERSION = re.compile(r"^[0-9]{1,9}$")
templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
templates.filters["url"] = lambda name: quote(str(name), safe=":")
templates.filters["rate"] = lambda v: "–" if v is None else f"{v:.1%}"
templates.filters["ms"] = lambda v: "–" if v is None else f"{v:,.1f} ms"
templates.filters["short"] = lambda v: f"{v:.4g}" if isinstance(v, float) else v

router = APIRouter(prefix="/dashboard", tags=["dashboard"])


def _page(name: str, **context) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**context))


@router.get("", response_class=HTMLResponse)
def sites_page() -> HTMLResponse:
    sites = sites_overview(Store.default())
    return _page("sites.html", sites=sites, chart=sites_chart(sites) if sites else None)


@router.get("/static/dashboard.css")
def stylesheet() -> FileResponse:
    return FileResponse(HERE / "static" / "dashboard.css", media_type="text/css")


@router.get("/api/sites")
def sites_json() -> list[dict]:
    """The ``protege sites`` rows, with each site's active and candidate version."""
    return sites_overview(Store.default())


@router.get("/api/site/{name:path}")
def site_json(name: str) -> dict:
    return _panel(name)


@router.get("/site/{name:path}/report")
def eval_report(name: str, file: str | None = None) -> FileResponse:
    """The site's newest HTML eval report, or ``file`` (``FOLDER/NAME.html``, from the site's
    reports folder or its app's; nothing else on disk can be named)."""
    if name not in Store.default().site_names():
        raise HTTPException(404, f"no call site named {name!r}; `protege sites` lists them")
    if file is None:
        path = report_html(name)
    else:
        folders = {f.name: f for f in [reports_folder(name), *app_report_folders(name)]}
        folder, _, page = file.partition("/")
        if folder not in folders or not REPORT_FILE.match(page):
            raise HTTPException(400, "file must name an .html report of this site (FOLDER/NAME.html)")
        path = folders[folder] / page
        if path.is_file() and path.resolve().parent != folders[folder].resolve():
            raise HTTPException(400, "file must name an .html report of this site, not a link out of its folder")
    if path is None or not path.is_file():
        raise HTTPException(404, f"{name} has no eval report yet: run `protege eval {name}` or `protege gate {name}`")
    return FileResponse(path, media_type="text/html")


@router.post("/site/{name:path}/route")
async def set_route(name: str, request: Request) -> Response:
    """Set the site's route by hand, as `protege route` does, recording who did it."""
    form = await _form(request)
    to = form.get("route", "")
    if to not in ROUTES:
        raise HTTPException(400, f"route must be one of {', '.join(ROUTES)}, not {to!r}")
    store = Store.default()
    registry = Registry(store)
    _panel(name, store)
    if to != "teacher" and registry.alias(name, "active") is None:
        raise HTTPException(409, f"{name} has no active student version; pass the gate first (`protege gate {name}`)")
    by = who(request)
    registry.set_route(name, to, reason=f"by hand on the dashboard by {by}", numbers={"who": by})
    forget_state(name)
    return _back_to(name)


@router.post("/site/{name:path}/rollback")
async def rollback(name: str, request: Request) -> Response:
    """Make an earlier version active (the one before the active, or ``to``), as
    `protege models rollback` does, recording who did it."""
    form = await _form(request)
    raw = form.get("to", "").strip().lstrip("v")
    if raw and not VERSION.match(raw):
        raise HTTPException(400, f"to must be a version number, not {form.get('to')!r}")
    store = Store.default()
    _panel(name, store)
    by = who(request)
    try:
        Registry(store).rollback(name, to=int(raw) if raw else None, reason=f"by hand on the dashboard by {by}",
                                 numbers={"who": by})
    except RegistryError as exc:
        raise HTTPException(409, str(exc)) from None
    forget_state(name)
    return _back_to(name)


@router.get("/site/{name:path}", response_class=HTMLResponse)
def site_page(name: str) -> HTMLResponse:
    store = Store.default()
    panel = _panel(name, store)
    latencies = {role: store.latencies(name, role) for role in panel["live"]["roles"]}
    return _page("site.html", p=panel, charts=site_charts(panel, latencies), routes=ROUTES)


def _panel(name: str, store: Store | None = None) -> dict:
    panel = site_panel(store or Store.default(), name)
    if panel is None:
        raise HTTPException(404, f"no call site named {name!r}; `protege sites` lists them")
    return panel


async def _form(request: Request) -> dict[str, str]:
    """A small urlencoded form from a page of this same origin (a form posted from another
    site would carry the cookie: refuse it)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(403, "actions are taken from the dashboard's own pages")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(413, "form too large")
    try:
        return {k: v[-1] for k, v in parse_qs(body.decode("utf-8"), strict_parsing=False).items()}
    except UnicodeDecodeError:
        raise HTTPException(400, "form must be UTF-8") from None


def _back_to(name: str) -> RedirectResponse:
    return RedirectResponse(f"/dashboard/site/{quote(name, safe=':')}", status_code=303)
