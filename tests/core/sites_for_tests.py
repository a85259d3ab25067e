"""Call sites defined in an importable module, so subprocesses and the CLI can load them."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pydantic import BaseModel

import protege


class Level(BaseModel):
    name: str
    difficulty: int


class Color(enum.Enum):
    red = "red"
    blue = "blue"


@dataclass
class Room:
    width: int
    color: Color


def level_teacher(last_levels: list[Level], difficulty: int) -> Level:
    return Level(name=f"level-{difficulty}", difficulty=difficulty + 1)


@protege.llm(teacher=level_teacher)
def create_next_level(last_levels: list[Level], difficulty: int) -> Level:
    """Create the next level, a little harder than the last ones."""


@protege.llm(teacher=lambda room, tags, weights: {"name": f"{room.color.value}-{len(tags)}", "difficulty": room.width})
def describe_room(room: Room, tags: list[str], weights: dict[str, float]) -> Level:
    """Describe a room as a level."""
