"""Validators, graduation rules and per-call decode schemas for call sites defined outside
Python (Jac ``by llm`` functions): a Python file named by ``PROTEGE_SITE_OPTIONS``.

A decorated Python function carries these in ``@protege.llm(...)``. A
Jac function cannot, and it is served in one environment (the Jac one) and trained and gated in
another (protege's own): both read the same file, so the data a student learns from, its gate
and its live checks follow the same rules. The file defines ``SITES``::

    import protege

    @protege.validator(safety=True)
    def not_black(output, inputs):   # output: the answer as JSON (a dict for an object)
        return output["color"] != "black"

    SITES = {"colors:pick_color": {"validators": [not_black], "graduation": protege.Graduation()}}

Validators of these sites see answers as JSON in every environment, since the return type
exists only where the program runs. ``"decode_for": fn`` narrows the student's decode schema per
call, as ``@protege.llm(decode_for=fn)`` does: ``fn(schema, inputs)`` with the call's JSON inputs;
``"second_look": fn`` looks again at each student answer, as ``@protege.llm(second_look=fn)`` does.
"""

from __future__ import annotations

import os
import runpy
import threading
from pathlib import Path

from protege.errors import ProtegeError

ENV = "PROTEGE_SITE_OPTIONS"
KEYS = ("validators", "graduation", "decode_for", "second_look")
_loaded: dict[str, tuple[float, dict]] = {}
_lock = threading.Lock()


def site_options(name: str) -> dict:
    """``{"validators": [...], "graduation": Graduation | None, "decode_for": fn, "second_look": fn}`` for ``name``
    (each key optional; empty if none)."""
    path = os.environ.get(ENV)
    if not path:
        return {}
    sites = _sites_in(Path(path))
    options = sites.get(name, {})
    unknown = set(options) - set(KEYS)
    if unknown:
        raise ProtegeError(f"{path}: SITES[{name!r}] has unknown keys {sorted(unknown)}; use {', '.join(KEYS)}")
    return options


def _sites_in(path: Path) -> dict:
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise ProtegeError(f"{ENV}={path}: cannot read it ({exc})") from exc
    with _lock:
        cached = _loaded.get(str(path))
        if cached and cached[0] == mtime:
            return cached[1]
        sites = runpy.run_path(str(path), run_name="protege_site_options").get("SITES", {})
        if not isinstance(sites, dict):
            raise ProtegeError(f"{path}: SITES must be a dict of call site name -> options")
        _loaded[str(path)] = (mtime, sites)
        return sites
