"""The ``jac`` entry point: jaclang's hooks, handed to :mod:`protege.integrations.byllm`.

Kept apart from the routing code so that importing ``protege.integrations.byllm`` first (a
Python program using its ``by``) cannot import this module half-made: that import loads
jaclang, which loads its plugins, this one among them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import byllm.plugin
from jaclang.jac0core.runtime import hookimpl, plugin_manager

from protege.integrations import byllm as routing


class ProtegeByLLM:
    """The hook implementations jaclang registers. ``@hookimpl`` must be the inner decorator:
    above ``@staticmethod`` its marker lands on the staticmethod object and is never seen."""

    @staticmethod
    @hookimpl
    def call_llm(model: Any, mt_run: Any) -> Any:
        return routing.answer(model, mt_run)

    @staticmethod
    @hookimpl
    async def acall_llm(model: Any, mt_run: Any) -> Any:
        # the router's store and student runtime are synchronous: answer on a worker thread
        return await asyncio.to_thread(routing.answer, model, mt_run)

    @staticmethod
    @hookimpl
    def by(model: Any) -> Callable:
        return routing.by(model)


def _register_after_byllm() -> None:
    """jaclang asks the newest-registered plugin first and takes the first answer, and it loads
    entry points in distribution order: if protege loaded before byLLM, byLLM's ``call_llm``
    would answer every call before ours ran. So byLLM's runtime is registered first, here;
    jaclang then skips it as already registered."""
    if not plugin_manager.is_registered(byllm.plugin.JacRuntime):
        plugin_manager.register(byllm.plugin.JacRuntime, name="byllm")


_register_after_byllm()
