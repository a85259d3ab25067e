"""What level_manager.jac takes from Python: its model, its objects as JSON, who answered.

Runs in the Jac environment only (it imports byLLM). The model is any byLLM model named by
``PROTEGE_RPG_JAC_MODEL``, else :class:`ProceduralLLM`: protege's procedural teacher (see
:mod:`protege.apps.rpg.procedural`) behind byLLM's model interface. It answers each call from
that call's own arguments, as JSON text that byLLM parses into the program's types exactly as it
parses a real model's reply, and its name (``procedural:rpg-v1``) is what protege records as
the teacher of every call and example it answers. Seeded by ``PROTEGE_RPG_SEED``, it draws from
the same streams in the same order as ``protege rpg play --seed N``, so the Jac game and the
Python one play the same levels.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
from typing import Any

from byllm.llm import BaseLLM, Model
from byllm.types import CompletionResult
from pydantic import TypeAdapter

import protege
from protege.apps.rpg import procedural
from protege.apps.rpg.schema import AnyLevel

MODEL_ENV = "PROTEGE_RPG_JAC_MODEL"
SEED_ENV = "PROTEGE_RPG_SEED"
PROCEDURAL_MODEL = "procedural:rpg-v1"

_LEVEL = TypeAdapter(AnyLevel)
_LEVELS = TypeAdapter(list[AnyLevel])


class ProceduralLLM(BaseLLM):
    """A byLLM model whose replies come from the procedural RPG teacher (offline, seeded)."""

    def dispatch_no_streaming(self, mt_run: Any) -> Any:
        mtir = mt_run.mtir
        text = procedural_reply(mtir.caller, mtir.args)
        mt_run.add_message({"role": "assistant", "content": text})
        return CompletionResult(output=mt_run.parse_response(text), tool_calls=[])


def procedural_reply(caller: Any, args: dict) -> str:
    """The procedural teacher's answer to one call, as the JSON text a model would send."""
    name = getattr(caller, "__name__", str(caller))
    values = _by_name(caller, args)
    if name == "create_next_level":
        level = procedural.LEVELS(
            last_levels=_LEVELS.validate_python(as_json(values["last_levels"])), difficulty=int(values["difficulty"]),
            level_width=int(values["level_width"]), level_height=int(values["level_height"]))
        return level.model_dump_json()
    if name == "create_next_map":
        return procedural.MAPS(level=_LEVEL.validate_python(as_json(values["level"]))).model_dump_json()
    raise ValueError(f"the procedural RPG teacher answers create_next_level and create_next_map, not {name}; "
                     f"name a model in {MODEL_ENV}")


def game_model() -> BaseLLM:
    """The model of level_manager.jac's ``by llm`` functions (see the module docstring)."""
    name = os.environ.get(MODEL_ENV, "").strip()
    if name:
        return Model(model_name=name)
    seed_text = os.environ.get(SEED_ENV, "0")
    try:
        seed = int(seed_text)
    except ValueError:
        raise ValueError(f"{SEED_ENV}={seed_text!r} is not an integer") from None
    for teacher in (procedural.LEVELS, procedural.MAPS):
        teacher.reseed(seed)
    # a context window of its own: byLLM would otherwise ask litellm about a model it cannot know
    return ProceduralLLM(model_name=PROCEDURAL_MODEL, ctx_window=1_000_000)


def as_json(value: Any) -> Any:
    """A Jac object (a dataclass), or a list of them, as JSON data."""
    if isinstance(value, (list, tuple)):
        return [as_json(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return TypeAdapter(type(value)).dump_python(value, mode="json")
    return value


def who_answered() -> dict:
    """Who answered the last ``by llm`` call of this thread as protege routed it: site, route,
    answered_by (teacher / student), model, fallback. Empty when protege's plugin is not loaded."""
    return protege.last_call()


def _by_name(caller: Any, args: dict) -> dict:
    """byLLM's arguments by parameter name (Jac passes names; Python's ``by`` passes positions)."""
    names = list(inspect.signature(caller).parameters)
    return {names[k] if isinstance(k, int) else k: v for k, v in args.items()}
