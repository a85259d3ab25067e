"""`protege rpg jac`: the game's Jac program, level_manager.jac, played from protege's side.

jaclang needs Python 3.12, so the program runs where Jac is installed (``.venv-jac``, made by
scripts/setup-jac.sh) as ``jac run level_manager.jac``, on this process's store and with the RPG
site options (:mod:`protege.apps.rpg.jac_options`), so every ``by llm`` call is captured per
call site and judged by the RPG validators where it is answered. The program prints one JSON
line per level: the level, its map, the rows of the game's ``get_map``, the names of the types
it got back and who answered each call. Each level is judged here again by every rule, as
``protege rpg play`` judges the Python call sites' levels, and shown the same way.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import protege
from protege.apps.rpg.game import GAME_HEIGHT, GAME_WIDTH, KEEP_LEVELS, PlayedLevel
from protege.apps.rpg.rules import check_level, check_map
from protege.apps.rpg.schema import Level, Map

PROGRAM = Path(__file__).with_name("level_manager.jac")
OPTIONS = Path(__file__).with_name("jac_options.py")
JAC_VENV_ENV = "PROTEGE_JAC_VENV"
_REPO_VENV = Path(__file__).resolve().parents[4] / ".venv-jac"  # an editable checkout's Jac environment


@dataclass
class JacLevel:
    """A level the Jac program played, judged here."""

    played: PlayedLevel
    rows: list[str]
    """The program's own ``get_map`` rows."""
    types: list[str]
    """The type names the program got back for the level and the map."""

    def as_dict(self) -> dict[str, Any]:
        return {**self.played.as_dict(), "jac_rows": self.rows, "jac_types": self.types}


def find_jac() -> Path:
    """The ``jac`` command: in ``$PROTEGE_JAC_VENV`` when set, else beside this Python, in this
    checkout's ``.venv-jac``, or on PATH."""
    venv = os.environ.get(JAC_VENV_ENV)
    if venv:
        candidates = [Path(venv) / "bin" / "jac"]
    else:
        on_path = shutil.which("jac")
        candidates = [Path(sys.executable).parent / "jac", _REPO_VENV / "bin" / "jac"] + ([Path(on_path)] if on_path else [])
    for jac in candidates:
        if jac.is_file() and os.access(jac, os.X_OK):
            return jac
    where = f"{JAC_VENV_ENV}={venv}" if venv else f"beside {sys.executable}, in {_REPO_VENV} or on PATH"
    raise protege.ProtegeError(f"no `jac` command {where}: make the Jac environment with `bash scripts/setup-jac.sh` "
                               f"(or point {JAC_VENV_ENV} at one)")


def play(levels: int, *, seed: int = 0, model: str | None = None, jac: Path | None = None,
         on_level: Callable[[JacLevel], None] | None = None) -> tuple[list[JacLevel], int]:
    """Run level_manager.jac for ``levels`` levels; (the levels it played, its exit code).
    Lines it prints that are not a level go to stderr."""
    env = dict(os.environ)
    settings = protege.settings()
    env.update(PROTEGE_HOME=str(settings.home.resolve()), PROTEGE_DB_URL=settings.resolved_db_url,
               PROTEGE_RPG_LEVELS=str(levels), PROTEGE_RPG_SEED=str(seed), PROTEGE_RPG_JSON="1", PYTHONUNBUFFERED="1")
    env.setdefault("PROTEGE_SITE_OPTIONS", str(OPTIONS))
    env.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # offline: litellm fetches its price list otherwise
    env.pop("PROTEGE_RPG_JAC_MODEL", None)
    if model:
        env["PROTEGE_RPG_JAC_MODEL"] = model
    played: list[JacLevel] = []
    previous: list[Level] = []
    with subprocess.Popen([str(jac or find_jac()), "run", str(PROGRAM)], stdout=subprocess.PIPE, text=True,
                          env=env) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if not line.startswith("{"):
                sys.stderr.write(line)
                continue
            level = judge(json.loads(line), previous)
            played.append(level)
            if level.played.level is not None:
                previous = (previous + [level.played.level])[-KEEP_LEVELS:]
            if on_level is not None:
                on_level(level)
    return played, proc.returncode


def judge(printed: dict, previous: list[Level]) -> JacLevel:
    """One printed level, parsed into the game's types and checked by every rule."""
    number, asked = printed["number"], printed["asked_difficulty"]
    answered = printed.get("answered") or []
    try:
        level, level_map = Level.model_validate(printed["level"]), Map.model_validate(printed["map"])
    except ValueError as exc:
        played = PlayedLevel(number, asked, None, None, answered, [], f"not the game's types: {exc}")
        return JacLevel(played, printed.get("rows", []), printed.get("types", []))
    failures = check_level(level, previous=previous, request=(GAME_WIDTH, GAME_HEIGHT, asked))
    failures += check_map(level_map, requested=level)
    return JacLevel(PlayedLevel(number, asked, level, level_map, answered, failures), printed["rows"], printed["types"])
