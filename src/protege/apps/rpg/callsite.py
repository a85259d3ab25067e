"""The game's two call sites: the next level, then its map.

Both are ordinary protege call sites. By default the procedural teachers answer (offline, seeded,
recorded as ``procedural:...``); ``PROTEGE_RPG_TEACHER`` names a real model for both instead
(``openai:gpt-4o``, ``ollama:qwen2.5:7b``, ``http://127.0.0.1:8080/v1#model``...).

Every rule of :mod:`rules` is registered as a validator of the call site it judges, under the
rule's name, so a failure is counted per rule wherever validators are used: filtering examples,
checking a student's answer before it is served, and in evals. A level generator is not meant to
copy its teacher's map, so the gate counts answers that pass every validator, not exact matches.

A student decodes under a schema narrowed for each call (:mod:`decoding`: the asked size, the
exact counts, straight walls), and an answer that still breaks a rule is resampled
(``LEVEL_RESAMPLES``, ``MAP_RESAMPLES`` times) before the teacher answers; the gate scores
answers the same way.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from pydantic import TypeAdapter

import protege
from protege.apps.rpg import procedural
from protege.apps.rpg.decoding import level_schema_for, map_schema_for
from protege.apps.rpg.rules import MAP_RULES, SAFETY_RULES, check_level
from protege.apps.rpg.schema import AnyLevel, Level, Map

TEACHER_ENV = "PROTEGE_RPG_TEACHER"
LEVEL_RESAMPLES = 4
"""Sampled student answers tried after a level that breaks a rule, before the teacher is asked."""
MAP_RESAMPLES = 8
MAP_TEMPERATURE = 1.0
"""Maps are sampled from the first try, at 1.0, and up to 8 more times: greedy maps of a small
student degenerate into one cell repeated (0 of 25 locked ones passed every rule). On 30 fresh
levels (seeds 900000+, never recorded) the demo's map student (SmolLM2, 70 steps; 2-core Xeon)
passed within 4 / 8 samples 18 / 23 times at 0.5, 26 / 28 at 0.7 and 27 / 30 at 1.0. A
generator should vary anyway."""
_LEVEL = TypeAdapter(AnyLevel)


def _requested_level(inputs: dict | None):
    """The level a map was asked for, from the call's JSON inputs (None when unknown)."""
    if not isinstance(inputs, dict) or inputs.get("level") is None:
        return None
    return _LEVEL.validate_python(inputs["level"])


def _map_validator(rule: str, check: Callable) -> protege.Validator:
    def judge(answer: Map, inputs: dict | None) -> protege.Verdict:
        requested = _requested_level(inputs)
        problems = check(answer, requested if requested is not None else answer.level)
        return protege.Verdict(not problems, "; ".join(problems))

    judge.__name__ = rule
    return protege.validator(name=rule, safety=rule in SAFETY_RULES)(judge)


MAP_VALIDATORS = [_map_validator(rule, check) for rule, check in MAP_RULES.items()]


def _level_verdict(level: Level, inputs: dict | None, rule: str) -> protege.Verdict:
    inputs = inputs if isinstance(inputs, dict) else {}
    previous = [_LEVEL.validate_python(lv) for lv in inputs.get("last_levels") or []]
    request = None
    if all(inputs.get(k) is not None for k in ("level_width", "level_height", "difficulty")):
        request = (inputs["level_width"], inputs["level_height"], inputs["difficulty"])
    problems = [f.detail for f in check_level(level, previous=previous, request=request) if f.rule == rule]
    return protege.Verdict(not problems, "; ".join(problems))


@protege.validator(name="level_sane")
def level_sane(level: Level, inputs: dict | None) -> protege.Verdict:
    """Usable numbers: size, counts, time."""
    return _level_verdict(level, inputs, "level_sane")


@protege.validator(name="as_requested")
def as_requested(level: Level, inputs: dict | None) -> protege.Verdict:
    """The size the game asked for; a difficulty not under the asked one."""
    return _level_verdict(level, inputs, "as_requested")


@protege.validator(name="difficulty_progression")
def difficulty_progression(level: Level, inputs: dict | None) -> protege.Verdict:
    """Not easier than the previous levels the call was given."""
    return _level_verdict(level, inputs, "difficulty_progression")


LEVEL_VALIDATORS = [level_sane, as_requested, difficulty_progression]

GATE = protege.GateConfig(min_samples=50, threshold=0.90, confidence=0.95, criterion="validators", regression_margin=0.02)
NO_CONFIDENCE_FLOOR = -1e9
"""The level's rules judge everything the game needs of it, so a level that passes them all is
served however unsure the student was. The floor calibrated on the eval (the least confident
eval answer, when all 58 were right) sent 13 of 100 valid levels of new games to the teacher."""
LEVEL_GRADUATION = protege.Graduation(gate=GATE, shadow_min_samples=20, resample=LEVEL_RESAMPLES,
                                      min_logprob=NO_CONFIDENCE_FLOOR)
MAP_GRADUATION = LEVEL_GRADUATION.model_copy(update={"temperature": MAP_TEMPERATURE, "resample": MAP_RESAMPLES,
                                                     "resample_temperature": MAP_TEMPERATURE})


def teacher(procedure: procedural.ProceduralTeacher):
    """The teacher a call site uses: the model named by PROTEGE_RPG_TEACHER, else ``procedure``."""
    return os.environ.get(TEACHER_ENV) or procedure


@protege.llm(
    teacher=teacher(procedural.LEVELS),
    validators=LEVEL_VALIDATORS,
    graduation=LEVEL_GRADUATION,
    decode_for=level_schema_for,
    name="protege.apps.rpg.callsite:create_next_level",
)
def create_next_level(last_levels: list[Level], difficulty: int, level_width: int, level_height: int) -> Level:
    """Create the next level of an RPG game, given the last levels played.

    The level must have the given width and height, be at least the given difficulty, and be
    no easier than the last levels: not lower in difficulty, walls or enemies, and no more time.
    Give it a short, evocative name.
    """


@protege.llm(
    teacher=teacher(procedural.MAPS),
    validators=MAP_VALIDATORS,
    graduation=MAP_GRADUATION,
    decode_for=map_schema_for,
    name="protege.apps.rpg.callsite:create_next_map",
)
def create_next_map(level: Level) -> Map:
    """Create the map of an RPG level, repeating the level in it.

    Coordinates are 0-based, x in 0..width-1 and y in 0..height-1. Give exactly num_wall walls,
    each straight (horizontal or vertical, both ends included), and exactly num_enemies enemies;
    add a few small obstacles. The player, each enemy and each obstacle stand on their own cell,
    never on a wall, and every free cell and every enemy must be reachable from the player by
    steps up, down, left and right.
    """
