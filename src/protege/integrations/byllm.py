"""protege for Jac byLLM: every ``by llm`` function becomes a protege call site.

Installed with protege's ``jac`` extra, the plugin (:mod:`protege.integrations.jac_plugin`) is
found by jaclang through the ``jac`` entry-point group; a Jac program changes nothing. Each call
of ``def f(...) -> T by llm();`` reaches its ``call_llm`` hook, and :func:`answer` routes it
like a ``@protege.llm`` function: the site's route (teacher, shadow or student) decides who
answers, teacher answers are captured in full (redacted, never truncated) as examples, student
answers are checked by the site's validators and fall back to the teacher. The teacher is the
model the program named, asked through byLLM's own ``invoke``; when it fails, the failure is
recorded and the program gets byLLM's own exception, as it would without protege.

Calls whose answer is not one typed output of the arguments (tools, streaming, conversations,
media) are passed to byLLM untouched; the reason is logged once per site and listed by
:func:`passed_through`. ``acall_llm`` (async ``by llm``) is routed on a worker thread.

Python code using byLLM's ``by`` decorator bypasses the hooks (``byllm.lib.by`` calls the
model directly); import :func:`by` from here instead to route those functions too.

Validators and graduation rules for Jac sites live in the Python file named by
``PROTEGE_SITE_OPTIONS`` (see :mod:`protege.site_options`), read here and by protege's own
environment when it trains and gates the site.
"""

from __future__ import annotations

import functools
import logging
import threading
import weakref
from collections.abc import Callable
from types import MethodType
from typing import Any

import byllm.plugin
from byllm.mtir import MTIR

from protege import TeacherError, default_router
from protege.integrations.jac_sites import (
    JacCallSite,
    Unsupported,
    build_site,
    call_values,
    check_supported,
    site_name,
)
from protege.site_options import site_options

log = logging.getLogger("protege.byllm")

_sites: weakref.WeakKeyDictionary[Any, JacCallSite] = weakref.WeakKeyDictionary()
_passed: dict[str, str] = {}
_lock = threading.Lock()


def passed_through() -> dict[str, str]:
    """Sites whose calls went to byLLM untouched in this process, with the reason."""
    return dict(_passed)


def answer(model: Any, mt_run: Any) -> Any:
    """Route one byLLM call through protege; None when it must go to byLLM untouched."""
    try:
        check_supported(mt_run)
        site = _site_for(mt_run)
        values = call_values(mt_run.mtir.caller, mt_run.mtir.args)
    except Unsupported as exc:
        _note_passthrough(mt_run, str(exc))
        return None
    bound = site.for_call(model, mt_run)
    try:
        return default_router().call(bound, (), values)
    except TeacherError:
        if bound.invocation.failure is not None:
            raise bound.invocation.failure from None
        raise


def by(model: Any) -> Callable[[Callable], Callable]:
    """``byllm.lib.by`` routed through protege: ``@by(llm)`` on a typed Python function."""

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            call_args: dict = dict(enumerate(args))
            call_args.update(kwargs)
            mt_run = MTIR(caller=fn, args=call_args, call_params=dict(getattr(model, "call_params", {}) or {}),
                          ir_info=byllm.plugin.fetch_mtir(fn)).runtime
            result = answer(model, mt_run)
            return model.invoke(mt_run=mt_run) if result is None else result

        return wrapper

    return decorate


def _site_for(mt_run: Any) -> JacCallSite:
    caller = mt_run.mtir.caller
    key = caller.__func__ if isinstance(caller, MethodType) else caller
    with _lock:
        site = _sites.get(key)
    if site is None:
        options = site_options(site_name(caller))
        site = build_site(mt_run, **options)
        log.info("protege: Jac call site %s (%s), fingerprint %s", site.name, site.origin, site.fingerprint)
        with _lock:
            _sites[key] = site
    return site


def _note_passthrough(mt_run: Any, reason: str) -> None:
    mtir = getattr(mt_run, "mtir", None)
    name = site_name(mtir.caller) if mtir is not None else "(unknown)"
    if _passed.get(name) != reason:
        log.warning("protege: %s is passed to byLLM untouched: %s", name, reason)
        _passed[name] = reason
