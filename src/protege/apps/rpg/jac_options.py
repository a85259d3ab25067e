"""Site options of level_manager.jac, for ``PROTEGE_SITE_OPTIONS``: the RPG validators,
graduation and per-call decode schemas of its two ``by llm`` call sites.

The same validators, gate and decode schemas as the Python call sites
(:mod:`protege.apps.rpg.callsite`), under the same rule names, so a Jac site's data is filtered,
its student checked and its eval scored by the same rules. Read by the Jac process that serves the sites and by protege's own
environment that trains and gates them; both show validators an answer as JSON (the Jac type
exists only where the program runs), parsed here into the game's types before a rule sees it.
The site names follow the program's file name: a copy under another name needs its own keys.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

import protege
from protege.apps.rpg.callsite import (
    LEVEL_GRADUATION,
    LEVEL_VALIDATORS,
    MAP_GRADUATION,
    MAP_VALIDATORS,
)
from protege.apps.rpg.decoding import level_schema_for, map_schema_for
from protege.apps.rpg.schema import Level, Map

PROGRAM = "level_manager"
LEVEL_SITE = f"{PROGRAM}:create_next_level"
MAP_SITE = f"{PROGRAM}:create_next_map"


def on_json(validator: protege.Validator, answer_type: type[BaseModel]) -> protege.Validator:
    """``validator`` of a game type, taking the answer as JSON (an answer that is not that type
    fails it, with pydantic's reason)."""

    def check(output: Any, inputs: dict | None) -> protege.Verdict:
        return validator.check(answer_type.model_validate(output), inputs)

    return protege.Validator(fn=check, name=validator.name, safety=validator.safety)


SITES = {
    LEVEL_SITE: {"validators": [on_json(v, Level) for v in LEVEL_VALIDATORS], "graduation": LEVEL_GRADUATION,
                 "decode_for": level_schema_for},
    MAP_SITE: {"validators": [on_json(v, Map) for v in MAP_VALIDATORS], "graduation": MAP_GRADUATION,
               "decode_for": map_schema_for},
}
